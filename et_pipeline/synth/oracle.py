"""The generator's side of judging a rating: its oracle, and its maps as `MapGame`s.

`oracle_for(truth)` returns P(team A wins) of a `MapGame` from the true latent skills of
that night (`truth["nights"][i]["skills"]`), who was in each round, and the outcome
model (`outcome.p_a_wins_rounds`): the best any rating can do on generated nights. It
works on maps loaded from the database as on `map_games_from_truth`, which builds the
counted maps straight from the truth (each player's share of every round) for fast
tests and benchmarks that skip the pipeline.
"""
from __future__ import annotations

from et_pipeline.season.model import HOLD, OBJECTIVE, SURRENDER, MapGame, MapRound
from et_pipeline.synth import outcome
from et_pipeline.synth.pool import MAPS, omnibot

_LIMITS = {m.name: m.limit_min * 60 for m in MAPS}
BOT_SKILL = omnibot(0).stopwatch_skill


def oracle_for(truth: dict):
    """P(A wins | decided) of a `MapGame` (from the database or `map_games_from_truth`):
    the generator's own probability, from the skills its players had that night and who
    was there in each round, bots included (`outcome.p_a_wins_rounds`). The truth map is
    found by its R1 stats file; the game's team A is the truth group most of its team A is in."""
    maps = {}
    for night in truth["nights"]:
        rounds = {r["stats_name"]: r for r in night["rounds"]}
        by_file = {r["file"]: r for r in night["rounds"] if r["file"]}
        for m in night["maps"]:
            if m["counted"]:
                maps[m["r1_file"]] = (m, rounds[m["r1_stats_name"]], by_file[m["r2_file"]], night["skills"])
    potential = {g.upper(): p["skill"] for g, p in truth["people"].items()}

    def lineup(r: dict, group: str, skills: dict) -> list:
        bot = [p for p in r["players"].values() if p["is_bot"]]
        out = [(skills.get(g, potential.get(g, 1.0)), p["presence"]) for g, p in r["players"].items()
               if p["group"] == group and not p["is_bot"] and p["presence"] > 0]
        return out + [(BOT_SKILL, p["presence"]) for p in bot if p["group"] == group]

    def p_a(game: MapGame) -> float:
        found = maps.get(game.key.rsplit(":", 1)[-1])
        if found is None:
            return 0.5
        m, r1, r2, skills = found
        mine = {g[:8].upper() for g, _ in game.team_a}
        a = "A" if len(mine & set(m["groups"]["A"])) >= len(mine & set(m["groups"]["B"])) else "B"
        b = "B" if a == "A" else "A"
        return outcome.p_a_wins_rounds(lineup(r1, a, skills), lineup(r1, b, skills), lineup(r2, a, skills),
                                       lineup(r2, b, skills), _LIMITS.get(m["map"], 600))

    return p_a


_OUTCOMES = {"objective": OBJECTIVE, "hold": HOLD, "surrender_att": SURRENDER, "surrender_def": SURRENDER}


def _round(r: dict, number: int, groups: dict, map_limit: float) -> MapRound:
    """A truth round as the rating reads it: the humans' presence per team."""
    teams = {"A": [], "B": []}
    for g, p in r["players"].items():
        grp = next((k for k in "AB" if g in groups[k]), None)
        if not p["is_bot"] and grp is not None:
            teams[grp].append((g, round(p.get("presence", 1.0), 4)))
    outcome = _OUTCOMES[r["outcome"]]
    return MapRound(number=number, attackers=r["attacking_group"], team_a=tuple(sorted(teams["A"])),
                    team_b=tuple(sorted(teams["B"])), outcome=outcome,
                    seconds=float(r["playtime_seconds"]) if outcome == OBJECTIVE else None,
                    limit_seconds=float(r["time_limit_seconds"]), map_limit_seconds=map_limit)


def map_games_from_truth(truth: dict) -> list[MapGame]:
    """Every counted map of the truth, humans only, groups as teams A and B."""
    out = []
    for night in truth["nights"]:
        rounds = {r["stats_name"]: r for r in night["rounds"]}
        by_file = {r["file"]: r for r in night["rounds"] if r["file"]}
        session = "%s-synth" % night["date"]
        for m in night["maps"]:
            if not m["counted"]:
                continue
            r1 = rounds[m["r1_stats_name"]]
            r2 = by_file[m["r2_file"]]
            present: dict[str, float] = {}
            kd: dict[str, list[int]] = {}
            for r in (r1, r2):
                for g, p in r["players"].items():
                    if p["is_bot"]:
                        continue
                    present[g] = present.get(g, 0.0) + 0.5 * p.get("presence", 1.0)
                    k = kd.setdefault(g, [0, 0])
                    k[0] += p["this_round"]["kills"]
                    k[1] += p["this_round"]["deaths"]
            teams = {grp: tuple((g, round(present[g], 4)) for g in m["groups"][grp] if present.get(g, 0.0) > 0)
                     for grp in "AB"}
            limit = float(m["timelimit_minutes"] * 60)
            out.append(MapGame(key="%s:%s" % (session, m["r1_file"]), date=night["date"], session_id=session,
                               map=m["map"], start_unix=float(r1["round_end_unix"] - r1["playtime_seconds"]),
                               end_unix=float(r2["round_end_unix"]), team_a=teams["A"], team_b=teams["B"],
                               winner=m["winner_group"], kd=tuple((g, k, d) for g, (k, d) in sorted(kd.items())),
                               rounds=(_round(r1, 1, m["groups"], limit), _round(r2, 2, m["groups"], limit))))
    return out
