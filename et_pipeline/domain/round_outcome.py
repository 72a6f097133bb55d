"""How a round ended: one code per way, one phrase per code, for every output (the map
cards, the details, the report's `outcome`/`outcome_text`, the Dagster previews), so a
surrender is never "gave up" in one place, "the defence held" in another and `fullhold`
in a third.

The codes follow the scorer's rule of "did the attack succeed" (domain.scoring
`attackers_succeeded`): the engine's winner against the defending side when both are
known; a surrender recorded by the Lua timing is named as one, by the side that called
it; a round that never ended (map change, restart, shutdown) is cut short.

| code | the attack | phrase (`describe`) |
|---|---|---|
| `objective` | reached the objective | `objective in 8:45` |
| `held` | ran out of time (held to the limit, or in round 2 to the time to beat) | `held to 10:00` |
| `attack_surrendered` | surrendered | `surrendered at 4:10` |
| `defence_surrendered` | won: the defence surrendered | `defence surrendered at 4:10` |
| `cut_short` | the round never ended | `cut short at 3:02` |
"""
from __future__ import annotations

from et_pipeline.domain.timing import is_cut_short, is_surrender
from et_pipeline.numbers import duration
from et_pipeline.parsers.stats_file import clock_seconds   # the header fields' own M:SS reader

OBJECTIVE = "objective"
HELD = "held"
ATTACK_SURRENDERED = "attack_surrendered"
DEFENCE_SURRENDERED = "defence_surrendered"
CUT_SHORT = "cut_short"
UNKNOWN = "unknown"

PHRASES = {
    OBJECTIVE: "objective in %s",
    HELD: "held to %s",
    ATTACK_SURRENDERED: "surrendered at %s",
    DEFENCE_SURRENDERED: "defence surrendered at %s",
    CUT_SHORT: "cut short at %s",
    UNKNOWN: "ended at %s",
}
FULL_HOLD = "fullhold"     # the report's `time_a`/`time_b` for an attack that did not succeed


def round_outcome(winner_side: int | None, defender_side: int | None, end_reason: str | None = None,
                  surrender_team: int | None = None, aborted: bool = False,
                  attack_time: str | None = None) -> str:
    """The code of how a round ended. `attack_time`: the map's time of this round's
    attacking team (`M:SS` or `fullhold`), the fallback when the sides are unknown."""
    if aborted or is_cut_short(end_reason):
        return CUT_SHORT
    known = winner_side in (1, 2) and defender_side in (1, 2)
    if is_surrender(end_reason, surrender_team):
        if surrender_team in (1, 2) and defender_side in (1, 2):
            return DEFENCE_SURRENDERED if surrender_team == defender_side else ATTACK_SURRENDERED
        if known:
            return ATTACK_SURRENDERED if winner_side == defender_side else DEFENCE_SURRENDERED
        return ATTACK_SURRENDERED
    if known:
        return HELD if winner_side == defender_side else OBJECTIVE
    if attack_time == FULL_HOLD:
        return HELD
    return OBJECTIVE if attack_time else UNKNOWN


def attack_succeeded(code: str) -> bool | None:
    """Did the attack win its round (None: not known)?"""
    return {OBJECTIVE: True, DEFENCE_SURRENDERED: True, HELD: False, ATTACK_SURRENDERED: False}.get(code)


def describe(code: str, seconds: float | None) -> str:
    """The phrase for a round: a held attack with the time it was held to, every other
    one with the time it took."""
    return PHRASES.get(code, PHRASES[UNKNOWN]) % duration(seconds)


# ---------------------------------------------------------------- on the session report

def defender_side(rnd: dict, map_doc: dict | None) -> int | None:
    """The side defending in a report round: the objective side is fixed per map, so the
    scorer's inferred one (`r1_defender_side` of the map) beats the round header, which
    can be stale."""
    ds = (map_doc or {}).get("r1_defender_side")
    return ds if ds in (1, 2) else rnd.get("defender_side")


def side_team(rnd: dict, side: int | None) -> str | None:
    """The persistent team ("A"/"B") that played `side` in a report round: the majority
    of its humans."""
    counts = {"A": 0, "B": 0}
    for p in rnd.get("players") or []:
        if p.get("side") == side and p.get("team") in counts and not p.get("is_bot"):
            counts[p["team"]] += 1
    if counts["A"] == counts["B"]:
        return None
    return "A" if counts["A"] > counts["B"] else "B"


def attacking_team(rnd: dict, map_doc: dict | None) -> str | None:
    """"A" or "B": the team attacking in this report round, from the scorer's sides when
    the map has them, else from who played the non-defending side."""
    a_side, ds = (map_doc or {}).get("a_r1_side"), defender_side(rnd, map_doc)
    if ds not in (1, 2):
        return None
    if a_side not in (1, 2):
        return side_team(rnd, 3 - ds)
    if rnd.get("round") == 2:
        a_side = 3 - a_side
    return "A" if a_side != ds else "B"


def _team_time(map_doc: dict | None, team: str | None) -> int | None:
    """A team's attack time on the map, as the scorer wrote it (None: held, or unknown)."""
    t = (map_doc or {}).get("time_" + team.lower()) if team else None
    return clock_seconds(t) if t and t != FULL_HOLD else None


def _seconds(rnd: dict, map_doc: dict | None, code: str) -> float | None:
    """The time the phrase names: a held attack the time it was held to (in round 2 the
    time round 1's attack set, else the round's limit); every other one the time it took,
    as the scorer measured it for the map (so the card's margin adds up), else the round's."""
    team = attacking_team(rnd, map_doc)
    if code == HELD:
        first = _team_time(map_doc, {"A": "B", "B": "A"}[team]) if team and rnd.get("round") == 2 else None
        return first or clock_seconds(rnd.get("time_limit")) or rnd.get("playtime_seconds")
    own = _team_time(map_doc, team) if code in (OBJECTIVE, DEFENCE_SURRENDERED) else None
    return own or rnd.get("playtime_seconds")


def of_round(rnd: dict, map_doc: dict | None = None) -> str:
    """The outcome code of a report round (`map_doc`: the map play it belongs to)."""
    lua = rnd.get("lua") or {}
    team = attacking_team(rnd, map_doc)
    attack_time = (map_doc or {}).get("time_" + team.lower()) if team else None
    return round_outcome(rnd.get("winner_side"), defender_side(rnd, map_doc), lua.get("end_reason"),
                         lua.get("surrender_team"), bool(rnd.get("aborted")), attack_time)


def round_text(rnd: dict, map_doc: dict | None = None) -> str:
    """The phrase of a report round: `objective in 8:45`, `held to 10:00`, ..."""
    code = of_round(rnd, map_doc)
    return describe(code, _seconds(rnd, map_doc, code))
