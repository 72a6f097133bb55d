"""The season layer's thin Dagster layer, unpartitioned, over every `session_dates`
partition (AllPartitionMapping, missing nights allowed: season_automation).

* `season_tables`: one multi-asset, one spec per output (players, player_careers,
  records, lineups, ratings, rating_quality, predictions, achievements, personal_bests,
  rivalries, season_awards): one load of the nightly tables, the pure season computed
  once (et_pipeline.season.season), every `season_*` table replaced in one transaction.
  Every spec declares the nightly assets whose tables the load reads, and the siblings
  its result is built from, so the lineage says what each table depends on.
* `night_digest`: reads back the season tables it shows (season.stored) and the latest
  night's (and its week's) own rows, and publishes the digest, the weekly leaderboard,
  the achievements and the final season awards through the outbox (posted once, edited
  on change).
Nothing is shared through module state: each step reads what it needs from the app
database, so the result is the same under the in-process and the celery executor.
The pure season modules (pandas, numpy) are imported inside the steps: loading the
definitions, as every `et-pipeline run` and code-server start does, stays without them.
"""
from typing import Any, Callable

import dagster as dg

from et_pipeline.choices import Period
from et_pipeline.defs.assets import endstats_awards, lua_round_teams, lua_timings, map_results, rounds, session_teams
from et_pipeline.defs.resources import DatabaseResource, DiscordWebhook, RulesResource
from et_pipeline.defs.season_automation import SEASON_GROUP, all_nights, season_automation_condition
from et_pipeline.storage import schema as t
from et_pipeline.storage.locks import season_lock
from et_pipeline.storage.season_state import (mark_season_published, mark_season_tables_built,
                                              nights_token_for_a_build)

CODE_VERSION = "22"
# what season.data.load_tables reads, by the nightly asset that writes it
NIGHTLY = [all_nights(a) for a in (rounds, lua_timings, lua_round_teams, endstats_awards, session_teams, map_results)]

# spec name -> (the siblings it is built from, its main table, description); its
# `dagster/row_count` is the sum of its tables' rows (rows_<table> beside it)
SPECS = {
    "players": ((), "season_players",
                "Players by GUID with every name they were seen with (first/last seen, rounds); the display name "
                "is the latest; bots listed with is_bot and left out of every other season table."),
    "player_careers": (("players",), "season_careers",
                       "Per player all-time, per period and per map: nights, maps W/L/D, rounds, kills, deaths, K/D, "
                       "damage, DPM (time-weighted), accuracy and HS % on aimed weapons, revives, gibs, awards; form "
                       "over the last 5 nights."),
    "records": (("players",), "season_map_records",
                "Per map the fastest successful attack (time, players, date, session, R1 file) and the full holds; "
                "single-round records (kills, damage, DPM over >= 300 s); the records each night broke."),
    "lineups": (("players",), "season_lineups",
                "Lineup history (the same players on one team) with W/L/D maps, duo win rates, and head-to-head "
                "kills/deaths per opponent from the endstats VS lines."),
    "ratings": (("players",), "season_ratings",
                "Rating per player from the stopwatch rounds of every counted map (attack times, full holds as "
                "censored times, each player weighted by his share of the round), replayed from the first map (a "
                "re-scored old night changes every later rating); history per player per night."),
    "rating_quality": (("ratings",), "season_rating_quality",
                       "Walk-forward evaluation of the rating (each map predicted from maps that ended before it "
                       "began): log loss, Brier, accuracy with a bootstrap interval over nights, calibration; "
                       "baselines coin, team-average Elo, TrueSkill and higher mean K/D on the same maps."),
    "predictions": (("ratings",), "season_predictions",
                    "A win probability for every counted map before it (round 1's line-ups) and after its round 1 "
                    "(the time to beat), both the rating's own, walk-forward, with its score against the coin and "
                    "the rating alone."),
    "achievements": (("players", "player_careers", "records"), "season_achievements",
                     "Achievements and milestones (README catalogue), at most one per player and achievement, "
                     "dated by the night it happened."),
    "personal_bests": (("players", "records"), "season_personal_bests",
                       "Each player's best round by kills, damage and DPM (>= 300 s played), and his fastest "
                       "successful attack."),
    "rivalries": (("players", "lineups"), "season_rivalries",
                  "Each player's nemesis and prey from the VS lines (at least 10 rounds together), how many of his "
                  "rounds carry VS data, and every night's closest duels."),
    "season_awards": (("ratings", "records"), "season_awards",
                      "Per month, quarter and season (the year): most improved rating, best attacker, iron defender, "
                      "each with its rule; final once a later night exists."),
}
SEASON_KINDS = {"pandas"}


class CareerConfig(dg.Config):
    period: Period = "month"    # the length of the per-period career rows


def _spec(name: str) -> dg.AssetSpec:
    siblings, _, description = SPECS[name]
    return dg.AssetSpec(name, deps=[*NIGHTLY, *siblings], description=description, group_name=SEASON_GROUP,
                        code_version=CODE_VERSION, automation_condition=season_automation_condition(),
                        kinds=SEASON_KINDS)


def _rebuild(engine, compute: Callable[[], Any], rows_of: Callable[[Any], dict[str, list[dict]]]):
    """Under the season lock (one build at a time: two whole-table replaces at once hit
    UniqueViolation on PostgreSQL, and a slower build must not overwrite a newer one): the
    nights' token, then the season computed, then every season table replaced in one
    transaction with the token it was built from (storage.season_state). (the computed
    season, rows written per table)."""
    with season_lock(engine):
        with engine.begin() as conn:        # before the load: a night completing meanwhile leaves the season behind
            token = nights_token_for_a_build(conn)
        season = compute()
        written = {}
        with engine.begin() as conn:
            mark_season_tables_built(conn, token)
            for name, rows in rows_of(season).items():
                table = t.metadata.tables[name]
                conn.execute(table.delete())
                if rows:
                    conn.execute(table.insert(), rows)
                written[name] = len(rows)
    return season, written


def _table(rows: list[dict], cols: list[str], limit: int = 25) -> dg.MetadataValue:
    def kind(v):
        return "int" if isinstance(v, int) and not isinstance(v, bool) else "float" if isinstance(v, float) \
            else "bool" if isinstance(v, bool) else "string"
    sample = rows[0] if rows else {}
    schema = dg.TableSchema(columns=[dg.TableColumn(c, kind(sample.get(c))) for c in cols])
    records = [dg.TableRecord({c: (r.get(c) if isinstance(r.get(c), (int, float, bool)) or r.get(c) is None
                                   else str(r.get(c))) for c in cols}) for r in rows[:limit]]
    return dg.MetadataValue.table(records=records, schema=schema)


def _named(rows, names, *fields):
    return [dict(r, **{"name" if f == "guid" else f + "_name": names.get(r.get(f), "") for f in fields})
            for r in rows]


def _details(name: str, season) -> dict:
    """Each spec's own readable metadata."""
    names = season.names
    if name == "players":
        humans = [p for p in season.players["players"] if not p["is_bot"]]
        return {"nights": len(season.tables.dates), "players": len(humans),
                "bots_flagged": len(season.players["players"]) - len(humans),
                "renamed_players": sum(len(p["aliases"]) > 1 for p in humans),
                "players_table": _table(sorted(humans, key=lambda p: (-p["rounds"], p["guid"])),
                                        ["guid", "name", "aliases", "first_seen", "last_seen", "nights", "rounds"])}
    if name == "player_careers":
        alltime = sorted(_named([c for c in season.careers["careers"] if c["scope"] == "all"], names, "guid"),
                         key=lambda c: (-c["kills"], c["guid"]))
        return {"all_time": _table(alltime, ["name", "guid", "nights", "maps_played", "maps_won", "maps_lost",
                                             "maps_drawn", "rounds", "kills", "deaths", "kd", "dpm", "accuracy",
                                             "hs_percent"])}
    if name == "records":
        latest = season.tables.dates[-1] if season.tables.dates else None
        fell = [f for f in season.records["fell"] if f["session_date"] == latest]
        lines = ["- **%s**: %s (was %s, %s)" % (f["record"], f["value"], f["previous_value"], f["previous_date"])
                 for f in fell]
        return {"maps": _table(season.records["maps"], ["map", "fastest_attack_seconds", "guids", "date",
                                                        "session_id", "r1_file", "successful_attacks",
                                                        "full_holds"], 60),
                "round_records": _table([r for r in season.records["rounds"] if r["rank"] == 1],
                                        ["record", "value", "guid", "date", "map", "round_key"]),
                "fell_latest_night": dg.MetadataValue.md("Records that fell on %s:\n\n%s"
                                                         % (latest, "\n".join(lines) or "_none_"))}
    if name == "lineups":
        return {"lineups": _table(season.lineups["lineups"], ["lineup", "played", "won", "lost", "drawn",
                                                               "win_rate", "nights"]),
                "duos": _table(season.lineups["duos"], ["guid_a", "guid_b", "played", "won", "lost", "drawn",
                                                         "win_rate"])}
    if name == "ratings":
        from et_pipeline.season.ratings import MODEL_NAME

        r = season.ratings
        top = sorted((dict(guid=g, name=names.get(g, ""), value=round(x.value, 2), uncertainty=round(x.uncertainty, 2),
                           provisional=x.provisional, maps=r.rater.state(g).maps) for g, x in r.current.items()),
                     key=lambda x: (x["provisional"], -x["value"], x["guid"]))
        return {"model": MODEL_NAME, "maps_rated": r.maps, "players": len(r.current),
                "provisional": sum(x.provisional for x in r.current.values()),
                "ratings": _table(top, ["name", "guid", "value", "uncertainty", "provisional", "maps"], 40)}
    if name == "rating_quality":
        import base64

        from et_pipeline.season.quality_plot import calibration_png   # matplotlib only when this step runs

        q = season.rating_quality
        scores = [dict(predictor=p, maps=q["maps"], **{k: s.get(k) for k in ("log_loss", "brier", "accuracy")})
                  for p, s in [("rating", q)] + sorted(q["baselines"].items())]
        png = base64.b64encode(calibration_png(q)).decode("ascii")
        return {"maps": q["maps"], "draws": q["draws"], "cold_start_maps": q["cold_start"]["maps"],
                "log_loss": q["log_loss"], "brier": q["brier"], "accuracy": q["accuracy"],
                "scores": _table(scores, ["predictor", "maps", "log_loss", "brier", "accuracy"]),
                "calibration": _table(q["calibration"], ["bin", "maps", "predicted", "observed"]),
                "calibration_plot": dg.MetadataValue.md("![calibration](data:image/png;base64,%s)" % png)}
    if name == "predictions":
        q = season.prediction_quality
        return {"decided_maps": q["maps"], "log_loss_before_r1": q["before_r1"]["log_loss"],
                "log_loss_after_r1": q["after_r1"]["log_loss"], "log_loss_coin": q["coin"]["log_loss"],
                "log_loss_rating_only": q["rating_only"]["log_loss"], "published_weekly": q["publishable"],
                "latest": _table(season.predictions[-10:], ["night", "map", "p_before", "p_after_r1", "r1_outcome",
                                                            "winner"])}
    if name == "achievements":
        rows = _named(season.achievements, names, "guid")
        return {"latest": _table(rows[::-1], ["night", "name", "achievement", "detail"])}
    if name == "personal_bests":
        return {"bests": _table(_named(season.personal_bests, names, "guid"),
                                ["name", "measure", "value", "night", "round_file"], 40)}
    if name == "rivalries":
        cov = season.vs_coverage
        return {"rounds": cov["rounds"], "rounds_with_vs_data": cov["rounds_with_vs_data"],
                "percent_with_vs_data": cov["percent"],
                "rivalries": _table(_named(season.rivalries, names, "guid", "nemesis", "prey"),
                                    ["name", "rounds_with_vs_data", "nemesis_name", "nemesis_deaths", "prey_name",
                                     "prey_kills"], 40)}
    if name == "season_awards":
        return {"awards": _table(_named(season.awards, names, "guid")[::-1],
                                 ["period", "award", "name", "value", "final"], 40)}
    raise KeyError(name)


@dg.multi_asset(specs=[_spec(name) for name in SPECS], name="season_tables", can_subset=False,
                description="The season across nights: one load of the nightly tables, every season table "
                            "from it, written in one transaction.")
def season_tables(context: dg.AssetExecutionContext, config: CareerConfig, database: DatabaseResource,
                  rules: RulesResource):
    from et_pipeline.season import rating_cache
    from et_pipeline.season.season import TABLES, compute_season, table_rows

    engine = database.get_engine()
    with engine.connect() as conn:      # before the load, as the nights' token (season.rating_cache)
        rating_key = rating_cache.token(conn, rating_cache.AFTER_EVERY_NIGHT, rules.rules())
    season, written = _rebuild(engine, lambda: compute_season(engine, None, config.period, rules.rules()),
                               table_rows)
    # the rating after the last night: the next night's map cards continue from it
    rating_cache.store(engine, rating_key, rating_cache.AFTER_EVERY_NIGHT, rules.rules(), season.ratings.rater,
                       season.tables.bots)
    for name in SPECS:
        rows = {"rows_" + table: written[table] for table in TABLES[name]}
        yield dg.MaterializeResult(asset_key=name, metadata={
            "dagster/row_count": dg.MetadataValue.int(sum(rows.values())), **rows, **_details(name, season)})


@dg.asset(deps=[*NIGHTLY, "players", "records", "ratings", "predictions", "achievements", "season_awards",
                "rivalries"],
          group_name=SEASON_GROUP, code_version=CODE_VERSION, automation_condition=season_automation_condition(),
          kinds={"pandas", "discord"}, pool="discord",
          description="The latest night's digest in Discord: how even the teams were before the first map, the "
                      "records that fell, the night's achievements and closest duels, on this day, the biggest "
                      "rating moves (the player of the night is the nightly summary's, not said again); the "
                      "leaderboard of the night's ISO week (Monday-Sunday, one message per week, once the week "
                      "holds a second night); every achievement and final season award as a message of its own. "
                      "Posted once, edited when they change.")
def night_digest(database: DatabaseResource, rules: RulesResource, discord: DiscordWebhook) -> dg.MaterializeResult:
    from et_pipeline.season.night_posts import publish_night

    engine = database.get_engine()
    summary = publish_night(engine, rules.rules(), mode=discord.mode, client=discord.client(),
                            out_dir=discord.out_dir)
    with engine.begin() as conn:        # the season job is done: `run` finds the season current
        mark_season_published(conn)
    if summary is None:
        return dg.MaterializeResult(metadata={"night": "none", "mode": discord.mode, "dagster/row_count": 0})
    digest, board, sent = summary["digest"], summary["board"], summary["sent"]
    lines = [f["value"] for f in summary["message"].payload["embeds"][0]["fields"]]
    before = digest["before_first_map"]
    return dg.MaterializeResult(metadata={
        "night": digest["date"], "mode": discord.mode, **sent["digest"],
        "dagster/row_count": summary["messages"],      # the digest, the week's board if any, every announcement
        "player_of_the_night": digest["player_of_the_night"]["name"],
        "records_fell": len(digest["records_fell"]), "achievements_tonight": len(digest["achievements"]),
        "first_map_p_a_wins": before["p_a_wins"] if before else None,
        "digest": dg.MetadataValue.md("\n\n".join(lines)),
        "week": board["week"], "week_nights": len(board["nights"]),
        **{"week_" + k: v for k, v in sent["week"].items()},
        **{"achievements_" + k: v for k, v in sent["achievements"].items()},
        **{"awards_" + k: v for k, v in sent["awards"].items()}})


SEASON_ASSETS = [season_tables, night_digest]
