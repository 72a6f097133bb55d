"""The season layer's thin Dagster layer: `players`, `player_careers`, `records` and
`lineups`, unpartitioned, over every `session_dates` partition (AllPartitionMapping).

Each asset loads the season's inputs from the app database (et_pipeline.season.data),
calls its pure builder and replaces its `season_*` tables whole in one transaction.
They refresh themselves after a night (season_automation: eager, missing nights allowed);
ratings live beside them in `season_ratings.py` (same condition, same pattern).
The pure season modules (pandas, numpy) are imported inside the assets: loading the
definitions, as every `et-pipeline run` and code-server start does, stays without them.
"""
import dagster as dg

from et_pipeline.choices import Period
from et_pipeline.defs.assets import endstats_awards, lua_round_teams, map_results, rounds, session_teams
from et_pipeline.defs.resources import DatabaseResource, DiscordWebhook, RulesResource
from et_pipeline.defs.season_automation import SEASON_GROUP, all_nights, season_automation_condition
from et_pipeline.storage import schema as t

SEASON = dict(group_name=SEASON_GROUP, code_version="6", automation_condition=season_automation_condition(),
              kinds={"pandas"})


class CareerConfig(dg.Config):
    period: Period = "month"    # the length of the per-period career rows


def _replace(engine, rows_by_table: dict[str, list[dict]]) -> dict[str, int]:
    """Replace each season table whole, in one transaction; the metadata `rows_<table>`
    and their sum as Dagster's `dagster/row_count`."""
    written = {}
    with engine.begin() as conn:
        for name, rows in rows_by_table.items():
            table = t.metadata.tables[name]
            conn.execute(table.delete())
            if rows:
                conn.execute(table.insert(), rows)
            written["rows_" + name] = len(rows)
    written["dagster/row_count"] = sum(written.values())
    return written


def _names(tables) -> dict[str, str]:
    """GUID -> display name (the latest), for the metadata tables."""
    return dict(zip(tables.players["guid"], tables.players["name"]))


def _table(rows: list[dict], cols: list[str], limit: int = 25) -> dg.MetadataValue:
    def kind(v):
        return "int" if isinstance(v, int) and not isinstance(v, bool) else "float" if isinstance(v, float) \
            else "bool" if isinstance(v, bool) else "string"
    sample = rows[0] if rows else {}
    schema = dg.TableSchema(columns=[dg.TableColumn(c, kind(sample.get(c))) for c in cols])
    records = [dg.TableRecord({c: (r.get(c) if isinstance(r.get(c), (int, float, bool)) or r.get(c) is None
                                   else str(r.get(c))) for c in cols}) for r in rows[:limit]]
    return dg.MetadataValue.table(records=records, schema=schema)


_SNAPSHOT: dict = {}


def _run_key(database: DatabaseResource) -> tuple:
    return dg.AssetExecutionContext.get().run.run_id, database.url


def _tables(database: DatabaseResource, rules: RulesResource):
    """(engine, SeasonTables): the nightly tables loaded once per run and shared by every
    season asset of that run (in-process executor), so the season tables of one run all
    come from the same snapshot and the load is paid once, not once per asset."""
    from et_pipeline.season.data import load_tables

    key = _run_key(database)
    if key not in _SNAPSHOT:
        _SNAPSHOT.clear()
        engine = database.get_engine()
        _SNAPSHOT[key] = (engine, load_tables(engine, None, rules.rules()), {})
    engine, tables, _ = _SNAPSHOT[key]
    return engine, tables


def _shared(database: DatabaseResource, rules: RulesResource, name: str, build):
    """`build(tables)` computed once per run (e.g. the map games, or players for both
    `players` and `night_digest`)."""
    _, tables = _tables(database, rules)
    memo = _SNAPSHOT[_run_key(database)][2]
    if name not in memo:
        memo[name] = build(tables)
    return memo[name]


@dg.asset(deps=[all_nights(rounds)], **SEASON,
          description="Players by GUID with every name they were seen with (first/last seen, rounds); the display "
                      "name is the latest; bots listed with is_bot and left out of every other season table.")
def players(database: DatabaseResource, rules: RulesResource) -> dg.MaterializeResult:
    from et_pipeline.season.players import build_players
    from et_pipeline.season.season import table_rows

    engine, tables = _tables(database, rules)
    result = _shared(database, rules, "players", build_players)
    written = _replace(engine, table_rows(players=result))
    humans = [p for p in result["players"] if not p["is_bot"]]
    renamed = [p for p in humans if len(p["aliases"]) > 1]
    return dg.MaterializeResult(metadata={
        "nights": len(tables.dates), "players": len(humans), "bots_flagged": len(result["players"]) - len(humans),
        "renamed_players": len(renamed), **written,
        "players_table": _table(sorted(humans, key=lambda p: (-p["rounds"], p["guid"])),
                                ["guid", "name", "aliases", "first_seen", "last_seen", "nights", "rounds"])})


@dg.asset(deps=[players, all_nights(map_results), all_nights(session_teams), all_nights(endstats_awards)], **{**SEASON, "code_version": "7"},
          description="Per player all-time, per period and per map: nights, maps W/L/D, rounds, kills, deaths, "
                      "K/D, damage, DPM (time-weighted), accuracy and HS % on aimed weapons, revives, gibs, awards; "
                      "form over the last 5 nights.")
def player_careers(config: CareerConfig, database: DatabaseResource, rules: RulesResource) -> dg.MaterializeResult:
    from et_pipeline.season.careers import build_careers
    from et_pipeline.season.data import map_games
    from et_pipeline.season.season import table_rows

    engine, tables = _tables(database, rules)
    result = build_careers(tables, _shared(database, rules, "games", map_games), config.period)
    written = _replace(engine, table_rows(careers=result))
    names = _names(tables)
    alltime = sorted((dict(c, name=names.get(c["guid"], "")) for c in result["careers"] if c["scope"] == "all"),
                     key=lambda c: (-c["kills"], c["guid"]))
    return dg.MaterializeResult(metadata={
        "period": config.period, **written,
        "all_time": _table(alltime, ["name", "guid", "nights", "maps_played", "maps_won", "maps_lost", "maps_drawn",
                                     "rounds", "kills", "deaths", "kd", "dpm", "accuracy", "hs_percent"])})


@dg.asset(deps=[players, all_nights(map_results), all_nights(rounds), all_nights(lua_round_teams)], **{**SEASON, "code_version": "7"},
          description="Per map the fastest successful attack (time, players, date, session, R1 file) and the full "
                      "holds; single-round records (kills, damage, DPM over >= 300 s); the records each night broke.")
def records(database: DatabaseResource, rules: RulesResource) -> dg.MaterializeResult:
    from et_pipeline.season.records import build_records
    from et_pipeline.season.season import table_rows

    engine, tables = _tables(database, rules)
    result = _shared(database, rules, "records", build_records)
    written = _replace(engine, table_rows(records=result))
    latest = tables.dates[-1] if tables.dates else None
    fell = [f for f in result["fell"] if f["session_date"] == latest]
    lines = ["- **%s**: %s (was %s, %s)" % (f["record"], f["value"], f["previous_value"], f["previous_date"])
             for f in fell]
    return dg.MaterializeResult(metadata={
        **written,
        "maps": _table(result["maps"], ["map", "fastest_attack_seconds", "guids", "date", "session_id", "r1_file",
                                        "successful_attacks", "full_holds"], 60),
        "round_records": _table([r for r in result["rounds"] if r["rank"] == 1],
                                ["record", "value", "guid", "date", "map", "round_key"]),
        "fell_latest_night": dg.MetadataValue.md(
            "Records that fell on %s:\n\n%s" % (latest, "\n".join(lines) or "_none_"))})


@dg.asset(deps=[players, all_nights(map_results), all_nights(session_teams), all_nights(endstats_awards)], **SEASON,
          description="Lineup history (the same players on one team) with W/L/D maps, duo win rates, and "
                      "head-to-head kills/deaths per opponent from the endstats VS lines.")
def lineups(database: DatabaseResource, rules: RulesResource) -> dg.MaterializeResult:
    from et_pipeline.season.data import map_games
    from et_pipeline.season.lineups import build_lineups
    from et_pipeline.season.season import table_rows

    engine, tables = _tables(database, rules)
    result = build_lineups(tables, _shared(database, rules, "games", map_games))
    written = _replace(engine, table_rows(lineups=result))
    return dg.MaterializeResult(metadata={
        **written,
        "lineups": _table(result["lineups"], ["lineup", "played", "won", "lost", "drawn", "win_rate", "nights"]),
        "duos": _table(result["duos"], ["guid_a", "guid_b", "played", "won", "lost", "drawn", "win_rate"])})


@dg.asset(deps=[records, lineups, player_careers], **{**SEASON, "kinds": {"pandas", "discord"}, "code_version": "8"},
          pool="discord",
          description="The latest night's digest in Discord: how even the teams were before the first map (ratings "
                      "so far), the records that fell, a head-to-head worth telling, the biggest rating moves (the "
                      "player of the night is the nightly summary's, not said again); and the leaderboard of the "
                      "night's ISO week (Monday-Sunday, one message per week, once the week holds a second night). "
                      "Posted once, edited when they change.")
def night_digest(database: DatabaseResource, rules: RulesResource, discord: DiscordWebhook) -> dg.MaterializeResult:
    from et_pipeline.publish.publisher import publish_session
    from et_pipeline.season.data import map_games
    from et_pipeline.season.digest import digest_message, night_digest as build_digest
    from et_pipeline.season.players import build_players
    from et_pipeline.season.ratings import first_map_probability, night_moves, rate
    from et_pipeline.season.records import build_records
    from et_pipeline.season.weekly import week_session, weekly_leaderboard, weekly_messages

    engine, tables = _tables(database, rules)
    games = _shared(database, rules, "games", map_games)
    nights = sorted({g.date for g in games})
    if not nights:
        return dg.MaterializeResult(metadata={"night": "none", "mode": discord.mode, "dagster/row_count": 0})
    ratings = _shared(database, rules, "ratings", lambda _: rate(games))
    season_players = _shared(database, rules, "players", build_players)
    digest = build_digest(tables, games, season_players, _shared(database, rules, "records", build_records),
                          nights[-1], night_moves(ratings, nights[-1]), first_map_probability(games, nights[-1]))
    message = digest_message(digest)
    # its own message set beside the night's (a dry-run folder holds exactly one set's files)
    summary = publish_session(dict(session_id=digest["session_id"] + "-digest", date=digest["date"]), mode=discord.mode,
                              engine=engine, client=discord.client(), out_dir=discord.out_dir, messages=[message])
    # the week's own identity: a later night of the same week edits this message
    board = weekly_leaderboard(tables, games, season_players, nights[-1])     # a night with counted maps: never None
    week = publish_session(week_session(board), mode=discord.mode, engine=engine, client=discord.client(),
                           out_dir=discord.out_dir, messages=weekly_messages(board))
    lines = [f["value"] for f in message.payload["embeds"][0]["fields"]]
    before = digest["before_first_map"]
    return dg.MaterializeResult(metadata={
        "night": digest["date"], "mode": discord.mode, **summary.as_dict(),
        "dagster/row_count": 2,          # its two messages: the digest and the week's leaderboard
        "player_of_the_night": digest["player_of_the_night"]["name"],
        "records_fell": len(digest["records_fell"]),
        "first_map_p_a_wins": before["p_a_wins"],
        "digest": dg.MetadataValue.md("\n\n".join(lines)),
        "week": board["week"], "week_nights": len(board["nights"]),
        **{"week_" + k: v for k, v in week.as_dict().items()}})


SEASON_ASSETS = [players, player_careers, records, lineups, night_digest]
