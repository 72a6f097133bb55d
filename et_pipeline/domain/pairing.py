"""R1 <-> R2 pairing within a session (DOMAIN.md 2.8, the HEAD single-slot algorithm).

Walk the session's rounds in time order with one open-R1 slot:
* an R1 while a slot is open abandons the old R1 and takes the slot;
* an R2 of the slot's map within the window completes the match
  (`match_id` = the R1's `YYYY-MM-DD-HHMMSS`);
* any other R2 is an orphan (and abandons the open R1);
* an R1 still open at the end is R1-only.

One exception, from the engine (FORMATS.md 2.4, 5 #9, 6.3): a round 2 cut short by a
map vote or shutdown is written on the shutdown path, and its label depends on what the
engine did first. Unflipped, it says round 1 and looks like a second R1 of the same map
(a shutdown-path header, or players whose `rounds` counter went up since the open R1,
gives it away). After a map vote, which resets g_currentRound to 0 before the unload, it
says round 2 with a shutdown-path header; the counters that went up tell it from a round
1 of the same map loaded again and cut short (also labelled 2, counters started afresh).
Either way it is the open R1's aborted round 2: paired for the differential, never scored.

`aborted` is the one rule for "this round never ended" that scoring, the report and the
team seeding read: a shutdown-path file, or a file pairing recognised as an aborted R2.
"""
import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Mapping


@dataclass(frozen=True)
class RoundRef:
    key: str
    map: str
    label: int                        # round number from the file name
    time: dt.datetime                 # file time (local)
    shutdown_path: bool = False       # header says the round never reached intermission
    player_rounds: tuple[tuple[str, int], ...] = ()   # (player key, `rounds` counter)


@dataclass(frozen=True)
class Pairing:
    key: str
    round_number: int                 # effective: an aborted R2 labelled round-1 becomes 2
    match_id: str
    status: str                       # complete | abandoned_r1 | orphan_r2 | r1_only | aborted_r2
    pair_key: str | None
    aborted: bool = False             # the round never ended (see the module docstring)

    @property
    def orphan(self) -> bool:
        return self.status == "orphan_r2"


def _stamp(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%d-%H%M%S")


def rounds_advanced(before: Mapping[str, int], after: Iterable[tuple[str, int]]) -> tuple[bool, set[str]]:
    """(did the `rounds` counter go up for most players found in both files, the keys of
    those for whom it did not). The pairing uses the first (the engine kept counting
    across a round restart: the candidate is the same map's round 2), the round-2 rule
    (domain.r2_rule) the second (whose counters started during round 2)."""
    shared = [(k, before[k], n) for k, n in after if k in before]
    stuck = {k for k, b, n in shared if n <= b}
    return bool(shared) and (len(shared) - len(stuck)) * 2 > len(shared), stuck


def _counters_advanced(r1: RoundRef, candidate: RoundRef) -> bool:
    return rounds_advanced(dict(r1.player_rounds), candidate.player_rounds)[0]


def pair_rounds(rounds: list[RoundRef], window_minutes: float = 45.0) -> dict[str, Pairing]:
    window = dt.timedelta(minutes=window_minutes)
    out: dict[str, Pairing] = {}
    slot: RoundRef | None = None

    def close(r1: RoundRef, status: str) -> None:
        out[r1.key] = Pairing(r1.key, 1, _stamp(r1.time), status, None, r1.shutdown_path)

    def pair(r1: RoundRef, r2: RoundRef, status: str) -> None:
        mid = _stamp(r1.time)
        out[r1.key] = Pairing(r1.key, 1, mid, "complete", r2.key, r1.shutdown_path)
        out[r2.key] = Pairing(r2.key, 2, mid, status, r1.key, status == "aborted_r2" or r2.shutdown_path)

    for r in sorted(rounds, key=lambda r: (r.time, r.label, r.key)):
        same_map_in_window = (
            slot is not None and slot.map.lower() == r.map.lower() and dt.timedelta(0) < r.time - slot.time <= window
        )
        if r.label == 1:
            if same_map_in_window and (r.shutdown_path or _counters_advanced(slot, r)):
                pair(slot, r, "aborted_r2")
                slot = None
                continue
            if slot is not None:
                close(slot, "abandoned_r1")
            slot = r
        elif same_map_in_window and not r.shutdown_path:
            pair(slot, r, "complete")
            slot = None
        elif same_map_in_window and _counters_advanced(slot, r):
            pair(slot, r, "aborted_r2")
            slot = None
        else:
            if slot is not None:
                close(slot, "abandoned_r1")
                slot = None
            out[r.key] = Pairing(r.key, 2, _stamp(r.time), "orphan_r2", None, r.shutdown_path)
    if slot is not None:
        close(slot, "r1_only")
    return out
