"""Stopwatch scoring (DOMAIN.md 5, 6.4; 12.2 item 6): who won each map, and the night.

The R2 header winner is the side that won the *map*; mapped through Team A's R2 side it
names the winning team. Without it: attacker success (winner != defender, a surrender
means the attackers failed, else measured duration against the limit), then the faster
completion, an equal time going to the R1 attackers. A double full hold follows the
configured rule. One point per map won (FEB scale); a tie is counted and scores 0-0.
Maps without a complete, unambiguous R1+R2 are listed with `counted = False` and why.
"""
from dataclasses import dataclass

from et_pipeline.domain.teams import Teams, side_of_team
from et_pipeline.domain.timing import is_surrender


@dataclass(frozen=True)
class RoundFacts:
    key: str
    defender: int | None
    winner: int | None
    time_limit_s: int | None          # header field 7
    clock_s: int | None               # header field 8: time set (R1) / elapsed (R2)
    measured_s: float | None          # best measured duration (Lua, then header ms)
    end_reason: str | None            # Lua end reason, when linked
    surrender_team: int | None
    players: tuple                    # (player key, guid, name, side) humans only


@dataclass(frozen=True)
class MapPlay:
    index: int
    map: str
    r1: RoundFacts
    r2: RoundFacts | None
    r2_aborted: bool = False          # the rounds' `aborted` flag (domain.pairing): never scored
    r1_aborted: bool = False


def _clock(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    s = int(round(seconds))
    return "%d:%02d" % (s // 60, s % 60)


MEASUREMENT_SLACK_S = 1.0   # a measured round held to the clock can read 1 s short of the limit


def attack_time(r: RoundFacts) -> tuple[float | None, bool]:
    """How long this round's attackers needed, and whether it was measured (Lua or the
    header's playtime, floored: up to a second short) or read off the stopwatch clock."""
    if r.measured_s is not None:
        return r.measured_s, True
    if r.clock_s is not None and (not r.time_limit_s or r.clock_s <= r.time_limit_s):
        return float(r.clock_s), False
    return None, False


def attackers_succeeded(r: RoundFacts) -> bool | None:
    """Did this round's attackers complete the objective? (DOMAIN 5.3, 5.6, FORMATS 6.4):
    winner != defender when both are known, a surrender means they did not, else the
    duration against the round's limit (any positive time when the limit is unknown)."""
    surrendered = is_surrender(r.end_reason, r.surrender_team)
    if r.defender in (1, 2) and r.winner in (1, 2):
        return r.winner != r.defender
    if surrendered:
        return False
    duration, measured = attack_time(r)
    if duration is None:
        return None
    if not r.time_limit_s or r.time_limit_s <= 0:
        return duration > 0
    return 0 < duration < r.time_limit_s - (MEASUREMENT_SLACK_S if measured else 0)


def score_map(play: MapPlay, teams: Teams, double_fullhold: str = "tie") -> dict:
    base = dict(map=play.map, r1_key=play.r1.key, r2_key=play.r2.key if play.r2 else None, play_index=play.index,
                winner=None, counted=False, points_a=0, points_b=0, time_a=None, time_b=None,
                a_r1_side=None, r1_defender_side=play.r1.defender, winner_side=None)
    if play.r1_aborted:
        return dict(base, scoring_source="incomplete",
                    note="round 1 aborted (map change, vote or shutdown before the end): not counted")
    if play.r2 is None:
        return dict(base, scoring_source="incomplete", note="R1 only: round 2 was never played or its file is missing")
    if play.r2_aborted:
        return dict(base, scoring_source="incomplete",
                    note="round 2 aborted (map change, vote or shutdown before the end): not counted")
    a_r1 = side_of_team(teams, play.r1.players, "A")
    a_r2 = side_of_team(teams, play.r2.players, "A")
    if a_r1 is None or a_r2 is None or a_r1 == a_r2:
        return dict(base, scoring_source="ambiguous",
                    note="team sides ambiguous (roster changed or teams did not swap): not counted")
    base.update(a_r1_side=a_r1)
    r1, r2 = play.r1, play.r2
    r1_ok, r2_ok = attackers_succeeded(r1), attackers_succeeded(r2)
    r1_attackers = "B" if r1.defender == a_r1 or (r1.defender not in (1, 2) and a_r1 == 2) else "A"
    r2_attackers = "B" if r1_attackers == "A" else "A"
    (t1, m1), (t2, m2) = attack_time(r1), attack_time(r2)
    times = {r1_attackers: "fullhold" if r1_ok is False else _clock(t1),
             r2_attackers: "fullhold" if r2_ok is False else _clock(t2)}
    base.update(time_a=times["A"], time_b=times["B"])

    if r1_ok is False and r2_ok is False:
        if double_fullhold == "tie":
            return dict(base, winner="tie", counted=True, scoring_source="header",
                        note="double full hold: draw (rule ET_DOUBLE_FULLHOLD=tie)")
        note = "double full hold: map to the R2 defenders (rule ET_DOUBLE_FULLHOLD=r2_defenders)"
    else:
        note = None
    winner_side = r2.winner if r2.winner in (1, 2) else None
    if winner_side is not None:
        winner = "A" if winner_side == 3 - a_r1 else "B"
        source = "header"
    else:
        source = "time"
        if r1_ok and r2_ok:
            if t1 is None or t2 is None:
                return dict(base, scoring_source="time", note="no R2 winner and no durations: not counted")
            # an equal time goes to the R1 attackers; measured times are floored, allow for it
            winner = r1_attackers if t1 <= t2 + (MEASUREMENT_SLACK_S if (m1 or m2) else 0) else r2_attackers
            note = "decided on time (%s vs %s)" % (_clock(t1), _clock(t2))
        elif r1_ok and r2_ok is False:
            winner = r1_attackers
        elif r1_ok is False and r2_ok:
            winner = r2_attackers
        elif r1_ok is False and r2_ok is False:
            winner = r1_attackers   # the R2 defenders (rule r2_defenders; "tie" returned above)
        else:
            return dict(base, scoring_source="time", note="no R2 winner and no completion data: not counted")
        winner_side = (3 - a_r1) if winner == "A" else a_r1
    return dict(base, winner=winner, counted=True, scoring_source=source, winner_side=winner_side,
                points_a=int(winner == "A"), points_b=int(winner == "B"), note=note)


def session_score(results: list[dict]) -> dict:
    a = sum(r["points_a"] for r in results if r["counted"])
    b = sum(r["points_b"] for r in results if r["counted"])
    counted = sum(1 for r in results if r["counted"])
    winner = None if counted == 0 else ("A" if a > b else "B" if b > a else "tie")
    return dict(score_a=a, score_b=b, winner=winner, maps_counted=counted, maps_total=len(results))
