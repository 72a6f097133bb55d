"""The ratings half of the season's thin Dagster layer: `ratings` and `rating_quality`,
unpartitioned, over every `session_dates` partition, refreshed by the same automation
condition as the other season assets (season_automation: eager, missing nights allowed).

`ratings` replays every counted map from the first (season.ratings.rate: a re-scored old
night changes every later rating, deterministically) and replaces the current ratings
and the per-night history. `rating_quality` runs the walk-forward evaluation
(season.quality.evaluate) and shows it as a table and a calibration plot.
"""
import base64

import dagster as dg

from et_pipeline.defs.assets import map_results, session_teams
from et_pipeline.defs.resources import DatabaseResource, RulesResource
from et_pipeline.defs.season_assets import _names, _replace, _shared, _table, _tables, players
from et_pipeline.defs.season_automation import SEASON_GROUP, all_nights, season_automation_condition
from et_pipeline.season.ratings import MODEL_NAME, PROVISIONAL_MAPS, RATING, rate

RATINGS = dict(group_name=SEASON_GROUP, code_version="7", automation_condition=season_automation_condition())


def rating_rows(result) -> dict[str, list[dict]]:
    last = {}
    for h in result.history:
        last[h.guid] = h.date
    current = [dict(guid=g, value=r.value, uncertainty=r.uncertainty, provisional=r.provisional,
                    maps=result.rater.state(g).maps, last_night=last[g]) for g, r in result.current.items()]
    history = [dict(guid=h.guid, night=h.date, value=h.value, uncertainty=h.uncertainty, provisional=h.provisional,
                    maps=h.maps, night_maps=h.night_maps, change=h.change) for h in result.history]
    return {"season_ratings": current, "season_rating_history": history}


def quality_rows(q: dict) -> dict[str, list[dict]]:
    rows = []
    for scope, block in (("all", q), ("cold_start", q["cold_start"]), ("warm", q["warm"])):
        for name, s in [(RATING, block)] + sorted(block["baselines"].items()):
            interval = s.get("accuracy_interval") or [None, None]
            rows.append(dict(scope=scope, predictor=name, maps=block["maps"], log_loss=s["log_loss"],
                             brier=s["brier"], accuracy=s["accuracy"], accuracy_low=interval[0],
                             accuracy_high=interval[1]))
    return {"season_rating_quality": rows, "season_rating_calibration": list(q["calibration"])}


@dg.asset(deps=[players, all_nights(map_results), all_nights(session_teams)], **RATINGS,
          description="Rating per player from the stopwatch rounds of every counted map (attack times, full holds "
                      "as censored times, each player weighted by his share of the round), uncertainty growing per "
                      "night absent, provisional until %d maps; history per player per night." % PROVISIONAL_MAPS)
def ratings(database: DatabaseResource, rules: RulesResource) -> dg.MaterializeResult:
    from et_pipeline.season.data import map_games      # pandas only when the season runs

    engine, tables = _tables(database, rules)
    games = _shared(database, rules, "games", map_games)
    result = _shared(database, rules, "ratings", lambda _: rate(games))       # the digest uses the same
    rows = rating_rows(result)
    written = _replace(engine, rows)
    names = _names(tables)
    top = sorted((dict(r, name=names.get(r["guid"], "")) for r in rows["season_ratings"]),
                 key=lambda r: (r["provisional"], -r["value"], r["guid"]))
    for r in top:
        r["value"], r["uncertainty"] = round(r["value"], 2), round(r["uncertainty"], 2)
    return dg.MaterializeResult(metadata={
        "model": MODEL_NAME, "maps_rated": result.maps, "players": len(result.current),
        "provisional": sum(r.provisional for r in result.current.values()),
        **written,
        "ratings": _table(top, ["name", "guid", "value", "uncertainty", "provisional", "maps", "last_night"], 40)})


@dg.asset(deps=[ratings], **RATINGS,
          description="Walk-forward evaluation of the rating (each map predicted from maps that ended before it "
                      "began): log loss, Brier, accuracy with a bootstrap interval over nights, calibration, "
                      "cold-start maps apart; baselines coin, team-average Elo, TrueSkill and higher mean K/D on the "
                      "same maps.")
def rating_quality(database: DatabaseResource, rules: RulesResource) -> dg.MaterializeResult:
    from et_pipeline.season.data import map_games
    from et_pipeline.season.quality import evaluate
    from et_pipeline.season.quality_plot import calibration_png   # matplotlib only when this asset runs

    engine, _ = _tables(database, rules)
    q = evaluate(_shared(database, rules, "games", map_games))
    rows = quality_rows(q)
    written = _replace(engine, rows)

    png = base64.b64encode(calibration_png(q)).decode("ascii")
    scores = [dict(r) for r in rows["season_rating_quality"] if r["scope"] == "all"]
    return dg.MaterializeResult(metadata={
        "maps": q["maps"], "draws": q["draws"], "cold_start_maps": q["cold_start"]["maps"],
        "log_loss": q["log_loss"], "brier": q["brier"], "accuracy": q["accuracy"],
        **written,
        "scores": _table(scores, ["predictor", "maps", "log_loss", "brier", "accuracy", "accuracy_low",
                                  "accuracy_high"]),
        "calibration": _table(q["calibration"], ["bin", "maps", "predicted", "observed"]),
        "calibration_plot": dg.MetadataValue.md("![calibration](data:image/png;base64,%s)" % png)})


RATINGS_ASSETS = [ratings, rating_quality]
