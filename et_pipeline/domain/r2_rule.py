"""Which numbers a player's round-2 line holds, decided per player from the two files
(FORMATS.md 1.3 `rounds`, 1.4 notes, 2.3, 5 #16/#17).

A round-2 line is cumulative (round 1 + round 2) for a player whose engine counters ran
through both rounds; it holds round 2 only when his counters started afresh after round
1 ended: he was not in round 1, or he reconnected (left round 1 and came back, or left
and came back during round 2). The first rule that applies decides:

* `no_guid`: a line without a GUID is nobody in particular, never matched across files.
* `not_in_r1`: no round-1 line with his GUID.
* `counter_reset`: kills, deaths, damage given or received, or time on a team is lower
  than in round 1: counters restarted.
* `rounds_field`: the engine's `rounds` counter went up from round 1 to round 2 for most
  players found in both files, but not for him: his counters started during round 2.
  (A file where it went up for nobody says nothing either way.)
* `time_played`: his round-1 line has time on a team but less than round 1 lasted (he
  was gone before it ended), and his round-2 line's time fits inside round 2 alone: a
  cumulative line would hold his round-1 minutes on top. This is a player who left
  round 1 and came back before round 2 started (the engine then counts that round
  start for him too, so `rounds` cannot tell).
* otherwise `cumulative`: the round is the difference (domain.player_stats.differential).

Round lengths come from the lines themselves (minutes on a team, pauses excluded): round
1 is the longest round-1 line, round 2 the longest round-2-only time of any player,
else the header's duration.
"""
from dataclasses import dataclass
from typing import Mapping

from et_pipeline.domain.pairing import rounds_advanced
from et_pipeline.parsers.stats_file import TAB_FIELDS, PlayerLine

DIFFERENTIAL, RAW_R2 = "differential", "raw_r2"
MINUTES = TAB_FIELDS.index("time_played_minutes")
# two roundings of TAB 22 (0.1 min each) and a few seconds of snapshot lag
TIME_SLACK_MINUTES = 0.2


@dataclass(frozen=True)
class R2Rule:
    rule: str        # differential | raw_r2
    reason: str      # cumulative | no_guid | not_in_r1 | counter_reset | rounds_field | time_played

    @property
    def values_from(self) -> str:
        """The report's `values_from`: `differential`, `raw_r2_new` (nobody to subtract)
        or `raw_r2_reset` (his counters restarted)."""
        if self.rule == DIFFERENTIAL:
            return DIFFERENTIAL
        return "raw_r2_new" if self.reason in ("no_guid", "not_in_r1") else "raw_r2_reset"


# The six possible answers, built once: judge_round2 gives one to every round-2 line.
NO_GUID, NOT_IN_R1, COUNTER_RESET, ROUNDS_FIELD, TIME_PLAYED = (
    R2Rule(RAW_R2, reason) for reason in ("no_guid", "not_in_r1", "counter_reset", "rounds_field", "time_played"))
CUMULATIVE = R2Rule(DIFFERENTIAL, "cumulative")


def counters_dropped(r2: PlayerLine, r1: PlayerLine) -> bool:
    """A counter the engine only ever raises went down (FORMATS 2.3, the reset check)."""
    now, before, t2, t1 = r2.weapon_totals(), r1.weapon_totals(), r2.tab, r1.tab
    return (now[2] < before[2] or now[3] < before[3]
            or t2[0] < t1[0] or t2[1] < t1[1] or t2[MINUTES] < t1[MINUTES])


def judge_round2(r2_lines: list[tuple[str, PlayerLine]], r1_lines: Mapping[str, PlayerLine],
                 header_minutes: float | None) -> dict[str, R2Rule]:
    """player key -> the rule for every line of a paired round-2 file."""
    matched = {k: r1_lines[k] for k, p in r2_lines if p.guid and k in r1_lines}
    trusted, stuck = rounds_advanced({k: p.rounds for k, p in matched.items()},
                                     [(k, p.rounds) for k, p in r2_lines if k in matched])
    r1_minutes = max((p.tab[MINUTES] for p in r1_lines.values()), default=0.0)
    r2_only = [p.tab[MINUTES] - matched[k].tab[MINUTES] if k in matched else p.tab[MINUTES] for k, p in r2_lines]
    r2_minutes = max(r2_only, default=0.0) or (header_minutes or 0.0)
    out = {}
    for k, p in r2_lines:
        before = matched.get(k)
        if not p.guid:
            out[k] = NO_GUID
        elif before is None:
            out[k] = NOT_IN_R1
        elif counters_dropped(p, before):
            out[k] = COUNTER_RESET
        elif trusted and k in stuck:
            out[k] = ROUNDS_FIELD
        elif _left_round1_and_fits_round2(before.tab[MINUTES], p.tab[MINUTES], r1_minutes, r2_minutes):
            out[k] = TIME_PLAYED
        else:
            out[k] = CUMULATIVE
    return out


def _left_round1_and_fits_round2(r1_line: float, r2_line: float, r1_length: float, r2_length: float) -> bool:
    return (2 * TIME_SLACK_MINUTES <= r1_line <= r1_length - TIME_SLACK_MINUTES
            and r2_line <= r2_length + TIME_SLACK_MINUTES)
