"""The season computed in one pass: load the nightly tables once, then players, careers,
records and lineups from the same `SeasonTables` and `MapGame`s (what the Dagster assets
persist and what the `season`, `player` and `leaderboard` commands print)."""
import json
from dataclasses import dataclass

from et_pipeline.config import Rules
from et_pipeline.season.careers import build_careers
from et_pipeline.season.data import SeasonTables, load_tables, map_games
from et_pipeline.season.lineups import build_lineups
from et_pipeline.season.model import MapGame
from et_pipeline.season.players import build_players
from et_pipeline.season.records import build_records


@dataclass
class Season:
    tables: SeasonTables
    games: list[MapGame]
    players: dict
    careers: dict
    records: dict
    lineups: dict


def compute_season(engine_or_conn, as_of: str | None = None, period: str = "month", rules: Rules = Rules()) -> Season:
    tables = load_tables(engine_or_conn, as_of, rules)
    games = map_games(tables)
    return Season(tables=tables, games=games, players=build_players(tables),
                  careers=build_careers(tables, games, period), records=build_records(tables),
                  lineups=build_lineups(tables, games))


def table_rows(players: dict | None = None, careers: dict | None = None, records: dict | None = None,
               lineups: dict | None = None) -> dict[str, list[dict]]:
    """The season results as rows of the `season_*` tables (storage/schema.py), by table name."""
    out: dict[str, list[dict]] = {}
    if players is not None:
        out["season_players"] = [dict(p, aliases=json.dumps(p["aliases"], ensure_ascii=False))
                                 for p in players["players"]]
        out["season_aliases"] = [dict(a) for a in players["aliases"]]
    if careers is not None:
        out["season_careers"] = [dict(c) for c in careers["careers"]]
        out["season_form"] = [dict({k: v for k, v in f.items() if k != "session_date"}, night=f["session_date"])
                              for f in careers["form"]]
    if records is not None:
        out["season_map_records"] = [dict(map=m["map"], fastest_attack_seconds=m["fastest_attack_seconds"],
                                          guids=json.dumps(m["guids"]), night=m["date"], session_id=m["session_id"],
                                          r1_file=m["r1_file"], round=m["round"], verified=m["verified"],
                                          successful_attacks=m["successful_attacks"],
                                          unverified_attacks=m["unverified_attacks"], full_holds=m["full_holds"],
                                          holds=json.dumps(m["holds"])) for m in records["maps"]]
        out["season_round_records"] = [dict({k: v for k, v in r.items() if k != "date"}, night=r["date"])
                                       for r in records["rounds"]]
        out["season_records_fell"] = [dict(night=f["session_date"], record=f["record"], value=f["value"],
                                           holder=f["holder"], detail=f["detail"], previous_value=f["previous_value"],
                                           previous_holder=f["previous_holder"], previous_night=f["previous_date"])
                                      for f in records["fell"]]
    if lineups is not None:
        def dated(r):
            return dict({k: v for k, v in r.items() if k not in ("first_date", "last_date")},
                        first_night=r["first_date"], last_night=r["last_date"])
        out["season_lineups"] = [dated(r) for r in lineups["lineups"]]
        out["season_duos"] = [dated(r) for r in lineups["duos"]]
        out["season_head_to_head"] = [dict(r) for r in lineups["head_to_head"]]
    return out
