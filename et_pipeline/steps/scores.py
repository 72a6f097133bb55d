"""Rounds, Lua links and session teams of a partition -> `map_results` and
`session_results` rows (DOMAIN.md 5)."""
from collections import defaultdict

from et_pipeline.domain.scoring import MapPlay, RoundFacts, score_map, session_score
from et_pipeline.domain.teams import Teams
from et_pipeline.domain.timing import best_duration, is_surrender
from et_pipeline.steps.teams import sides_by_round


def teams_from_rows(team_rows: list[dict]) -> Teams:
    teams = Teams()
    for t in team_rows:
        teams.members[t["team"]][t["player_key"]] = (t["guid"], t["name"], t["joined_round"])
    return teams


def round_facts(r: dict, lua: dict | None, players: tuple) -> RoundFacts:
    surrender = lua is not None and is_surrender(lua["end_reason"], lua["surrender_team"])
    return RoundFacts(
        key=r["round_key"], defender=r["defender"], winner=r["winner"], time_limit_s=r["time_limit_seconds"],
        clock_s=r["next_time_limit_seconds"],
        measured_s=best_duration(lua and lua.get("playtime_seconds"), r["header_playtime_seconds"],
                                 None, None, surrender),
        end_reason=lua.get("end_reason") if lua else None,
        surrender_team=lua.get("surrender_team") if lua else None, players=players)


def map_plays(round_rows: list[dict], player_rows: list[dict], lua_by_round: dict[str, dict]) -> dict[str, list[MapPlay]]:
    """Per session, the map plays in time order: every R1 (complete or not)."""
    sides = sides_by_round(round_rows, player_rows)
    by_key = {r["round_key"]: r for r in round_rows}
    plays = defaultdict(list)
    for r in sorted(round_rows, key=lambda r: (r["local_time"], r["round_key"])):
        if r["round_number"] != 1:
            continue
        r2 = by_key.get(r["pair_key"]) if r["pair_key"] else None
        facts = lambda row: round_facts(row, lua_by_round.get(row["round_key"]), sides[row["round_key"]].players)
        plays[r["session_id"]].append(MapPlay(
            index=len(plays[r["session_id"]]) + 1, map=r["map"], r1=facts(r), r2=facts(r2) if r2 else None,
            r2_aborted=bool(r2 and r2["aborted"]), r1_aborted=bool(r["aborted"])))
    return plays


def build_map_results(round_rows, player_rows, lua_by_round, team_rows, double_fullhold: str) -> list[dict]:
    teams_by_session = defaultdict(list)
    for t in team_rows:
        teams_by_session[t["session_id"]].append(t)
    date = {r["session_id"]: r["session_date"] for r in round_rows}
    results = []
    for session_id, plays in map_plays(round_rows, player_rows, lua_by_round).items():
        teams = teams_from_rows(teams_by_session[session_id])
        results.extend(dict(score_map(p, teams, double_fullhold), session_id=session_id,
                            session_date=date[session_id]) for p in plays)
    return results


def build_session_results(session_rows: list[dict], map_rows: list[dict], team_rows: list[dict]) -> list[dict]:
    maps_of, teams_of = defaultdict(list), defaultdict(list)
    for m in map_rows:
        maps_of[m["session_id"]].append(m)
    for t in team_rows:
        teams_of[t["session_id"]].append(t)
    out = []
    for s in session_rows:
        maps, teams = maps_of[s["session_id"]], teams_of[s["session_id"]]
        names = {t["team"]: t["team_name"] for t in teams}
        size = "%dv%d" % (sum(t["team"] == "A" for t in teams), sum(t["team"] == "B" for t in teams))
        out.append(dict(session_id=s["session_id"], session_date=s["session_date"],
                        team_a_name=names.get("A", "Team A"), team_b_name=names.get("B", "Team B"),
                        format=size, **session_score(maps)))
    return out
