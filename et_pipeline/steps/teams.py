"""Rounds and player rows of a partition -> `session_teams` rows."""
from collections import defaultdict

from et_pipeline.domain.teams import RoundSides, build_teams, team_names


def sides_by_round(round_rows: list[dict], player_rows: list[dict]) -> dict[str, RoundSides]:
    humans = defaultdict(list)
    for p in player_rows:
        if not p["is_bot"] and p["guid"]:
            humans[p["round_key"]].append((p["player_key"], p["guid"], p["name"], p["side"]))
    return {r["round_key"]: RoundSides(
        r["round_key"], r["round_number"],
        valid_seed=r["round_number"] == 1 and r["pairing"] == "complete" and not r["aborted"],
        players=tuple(sorted(humans[r["round_key"]]))) for r in round_rows}


def build_session_teams(round_rows: list[dict], player_rows: list[dict], pool: tuple[str, ...]) -> list[dict]:
    sides = sides_by_round(round_rows, player_rows)
    rows = []
    by_session = defaultdict(list)
    for r in sorted(round_rows, key=lambda r: (r["local_time"], r["round_key"])):
        by_session[r["session_id"]].append(r)
    for session_id, rounds in by_session.items():
        teams = build_teams([sides[r["round_key"]] for r in rounds if not r["orphan"]])
        names = team_names(session_id, pool)
        for team, members in teams.members.items():
            for key, (guid, name, joined) in sorted(members.items()):
                rows.append(dict(session_date=rounds[0]["session_date"], session_id=session_id, team=team,
                                 team_name=names[team], player_key=key, guid=guid, name=name, joined_round=joined))
    return rows
