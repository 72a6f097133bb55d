"""Linking timing and award files to rounds (DOMAIN.md 3).

Rounds, Lua timing rows and endstats files carry different keys (DOMAIN 3.1), so they
meet on map + round number + time. One assignment rule serves both: exact matches
first, then the nearest within the window; a tie is never guessed (the item stays
unlinked, "ambiguous_tie", and is retried on the next materialisation); a round never
takes two items, an item never two rounds.
"""
import datetime as dt
from dataclasses import dataclass

EXACT_TIMING_SECONDS = 10.0   # stats file is written ~3 s after the Lua round end


@dataclass(frozen=True)
class RoundSlot:
    key: str
    map: str
    round_number: int
    time: dt.datetime              # stats file time (local)
    file_round: int | None = None  # the file name's label when it differs (an aborted R2 is
                                   # labelled round 1 by the stats and the upstream Lua alike)
    aborted: bool = False          # the round never ended (domain.pairing's rule)

    def answers_to(self, round_number: int, cut_short: bool = False) -> bool:
        """A timing row of this map may link here: same round number, or the file's own
        label, or, for a row whose Lua data says the game unloaded mid-round, any aborted
        round (on the shutdown path no producer's round label can be trusted)."""
        return round_number in (self.round_number, self.file_round) or (cut_short and self.aborted)


@dataclass(frozen=True)
class Link:
    round_key: str | None
    status: str                    # exact | nearest | ambiguous_tie | round_taken | no_round_in_window
    delta_seconds: float | None


def assign(candidates: dict[str, list[tuple[str, float, bool]]]) -> dict[str, Link]:
    """candidates: item -> [(round_key, |delta| seconds, exact)]. Greedy by (not exact,
    delta); equal best distances for one item or one round defer instead of guessing."""
    pairs = sorted(((not exact, delta, item, rkey) for item, cands in candidates.items()
                    for rkey, delta, exact in cands), key=lambda p: (p[0], p[1], p[2], p[3]))
    result: dict[str, Link] = {}
    taken: set[str] = set()
    i = 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][:2] == pairs[i][:2]:
            j += 1
        group = [(item, rkey) for _, _, item, rkey in pairs[i:j] if item not in result and rkey not in taken]
        items = [g[0] for g in group]
        rkeys = [g[1] for g in group]
        tied = {item for item, rkey in group if items.count(item) > 1 or rkeys.count(rkey) > 1}
        for item, rkey in group:
            if item in result or rkey in taken:
                continue
            if item in tied:
                result[item] = Link(None, "ambiguous_tie", pairs[i][1])
                continue
            result[item] = Link(rkey, "exact" if not pairs[i][0] else "nearest", pairs[i][1])
            taken.add(rkey)
        i = j
    for item, cands in candidates.items():     # unlinked: its rounds went to closer items, or it had none
        result.setdefault(item, Link(None, "round_taken" if cands else "no_round_in_window", None))
    return result


def _by_map(rounds: list[RoundSlot]) -> dict[str, list[RoundSlot]]:
    """Rounds per map: each item is compared with its own map's rounds only, so linking
    a season stays linear in the number of files."""
    out: dict[str, list[RoundSlot]] = {}
    for r in rounds:
        out.setdefault(r.map.lower(), []).append(r)
    return out


def _candidates(by_map: dict[str, list[RoundSlot]], map_name: str, round_number: int, when: dt.datetime,
                window_s: float, exact, cut_short: bool = False) -> list[tuple[str, float, bool]]:
    out = []
    for r in by_map.get(map_name.lower(), ()):
        if not r.answers_to(round_number, cut_short):
            continue
        signed = (r.time - when).total_seconds()
        if abs(signed) <= window_s:
            out.append((r.key, abs(signed), exact(signed)))
    return out


def link_timings(rounds: list[RoundSlot], timings: list[tuple], window_minutes: float) -> dict[str, Link]:
    """timings: (source, map, round number, local round end[, cut short]). Exact: the
    stats file was written 0-10 s after the Lua round end."""
    by_map = _by_map(rounds)
    cands = {src: _candidates(by_map, m, n, end, window_minutes * 60,
                              lambda s: 0 <= s <= EXACT_TIMING_SECONDS, bool(cut_short and cut_short[0]))
             for src, m, n, end, *cut_short in timings}
    return assign(cands)


def link_endstats(rounds: list[RoundSlot], files: list[tuple[str, str, int, dt.datetime]],
                  narrow_seconds: float, window_minutes: float) -> dict[str, Link]:
    """files: (name, map, round number, file time). Narrow (+-30 s) matches first."""
    by_map = _by_map(rounds)
    cands = {name: _candidates(by_map, m, n, t, window_minutes * 60, lambda s: abs(s) <= narrow_seconds)
             for name, m, n, t in files}
    return assign(cands)
