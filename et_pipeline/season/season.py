"""The season computed in one pass: load the nightly tables once, then every season result
from the same `SeasonTables` and `MapGame`s: what the season assets persist (one step,
one transaction) and what the `season`, `player` and `leaderboard` commands print.

Players, careers, records and lineups are built at once; the rest (ratings, the rating
quality with the win predictions riding along its walk-forward, the community layer) the
first time they are asked for, so a command that needs none of them never pays for them.
"""
import json
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from et_pipeline.config import Rules
from et_pipeline.season import achievements, awards, bests, nights, predictions, rivalries
from et_pipeline.season.careers import build_careers
from et_pipeline.season.data import SeasonTables, load_tables, map_games
from et_pipeline.season.lineups import build_lineups
from et_pipeline.season.model import MapGame
from et_pipeline.season.players import build_players
from et_pipeline.season.records import attacks, build_records
from et_pipeline.season.ratings import RATING


@dataclass
class Season:
    tables: SeasonTables
    games: list[MapGame]
    attacks: pd.DataFrame
    players: dict
    careers: dict
    records: dict
    lineups: dict
    rules: Rules = field(default_factory=Rules)

    @cached_property
    def names(self) -> dict[str, str]:
        """GUID -> display name of the humans."""
        return {p["guid"]: p["name"] for p in self.players["players"] if not p["is_bot"]}

    @cached_property
    def ratings(self):
        from et_pipeline.season.ratings import rate

        return rate(self.games)

    @cached_property
    def _forecast(self):
        from et_pipeline.season.quality import evaluate

        forecaster = predictions.Forecaster(predictions.map_starts(self.tables, self.attacks),
                                            self.rules.double_fullhold)
        return evaluate(self.games, observe=forecaster), forecaster

    @property
    def rating_quality(self) -> dict:
        return self._forecast[0]

    @property
    def predictions(self) -> list[dict]:
        return self._forecast[1].rows

    @cached_property
    def prediction_quality(self) -> dict:
        return predictions.prediction_quality(self.predictions)

    @cached_property
    def best_by_night(self) -> dict[str, dict]:
        return nights.best_by_night(self.tables, self.games)

    @cached_property
    def achievements(self) -> list[dict]:
        return achievements.build_achievements(self.tables, self.games, self.records, self.attacks,
                                               self.best_by_night)

    @cached_property
    def personal_bests(self) -> list[dict]:
        return bests.build_personal_bests(self.tables, self.attacks)

    @cached_property
    def _pairs(self) -> pd.DataFrame:
        return rivalries.duels(self.tables.vs)

    @cached_property
    def rivalries(self) -> list[dict]:
        return rivalries.build_rivalries(self.tables, self._pairs)

    @cached_property
    def duels(self) -> list[dict]:
        return rivalries.closest_duels(self._pairs)

    @cached_property
    def vs_coverage(self) -> dict:
        return rivalries.vs_coverage(self.tables)

    @cached_property
    def awards(self) -> list[dict]:
        return awards.build_awards(self.tables.dates, self.ratings.history, self.attacks)

    def on_this_day(self, date: str) -> list[dict]:
        return nights.on_this_day(date, self.tables.dates, self.best_by_night, self.games, self.records["fell"],
                                  self.names)


def compute_season(src, as_of: str | None = None, period: str = "month", rules: Rules = Rules()) -> Season:
    """`src`: an engine or connection (the nightly tables are loaded up to `as_of`), or
    SeasonTables already loaded."""
    tables = src if isinstance(src, SeasonTables) else load_tables(src, as_of, rules)
    games = map_games(tables)
    att = attacks(tables)
    return Season(tables=tables, games=games, attacks=att, players=build_players(tables),
                  careers=build_careers(tables, games, period), records=build_records(tables, att),
                  lineups=build_lineups(tables, games), rules=rules)


def _rating_rows(result) -> dict[str, list[dict]]:
    last = {}
    for h in result.history:
        last[h.guid] = h.date
    current = [dict(guid=g, value=r.value, uncertainty=r.uncertainty, provisional=r.provisional,
                    maps=result.rater.state(g).maps, last_night=last[g]) for g, r in result.current.items()]
    history = [dict(guid=h.guid, night=h.date, value=h.value, uncertainty=h.uncertainty, provisional=h.provisional,
                    maps=h.maps, night_maps=h.night_maps, change=h.change) for h in result.history]
    return {"season_ratings": current, "season_rating_history": history}


def _quality_rows(q: dict) -> dict[str, list[dict]]:
    rows = []
    for scope, block in (("all", q), ("cold_start", q["cold_start"]), ("warm", q["warm"])):
        for name, s in [(RATING, block)] + sorted(block["baselines"].items()):
            interval = s.get("accuracy_interval") or [None, None]
            rows.append(dict(scope=scope, predictor=name, maps=block["maps"], log_loss=s["log_loss"],
                             brier=s["brier"], accuracy=s["accuracy"], accuracy_low=interval[0],
                             accuracy_high=interval[1]))
    return {"season_rating_quality": rows, "season_rating_calibration": list(q["calibration"])}


# the season assets' tables, by the asset (Dagster spec) that owns them
TABLES = {
    "players": ("season_players", "season_aliases"),
    "player_careers": ("season_careers", "season_form"),
    "records": ("season_map_records", "season_round_records", "season_records_fell"),
    "lineups": ("season_lineups", "season_duos", "season_head_to_head"),
    "ratings": ("season_ratings", "season_rating_history"),
    "rating_quality": ("season_rating_quality", "season_rating_calibration"),
    "predictions": ("season_predictions", "season_prediction_quality"),
    "achievements": ("season_achievements",),
    "personal_bests": ("season_personal_bests",),
    "rivalries": ("season_rivalries", "season_duels"),
    "season_awards": ("season_awards",),
}


def table_rows(season: Season, assets=None) -> dict[str, list[dict]]:
    """The season as rows of the `season_*` tables (storage/schema.py), by table name: every
    asset's tables, or only those of `assets` (names of TABLES)."""
    wanted = set(TABLES if assets is None else assets)
    out: dict[str, list[dict]] = {}
    if "players" in wanted:
        out["season_players"] = [dict(p, aliases=json.dumps(p["aliases"], ensure_ascii=False))
                                 for p in season.players["players"]]
        out["season_aliases"] = [dict(a) for a in season.players["aliases"]]
    if "player_careers" in wanted:
        out["season_careers"] = [dict(c) for c in season.careers["careers"]]
        out["season_form"] = [dict({k: v for k, v in f.items() if k != "session_date"}, night=f["session_date"])
                              for f in season.careers["form"]]
    if "records" in wanted:
        records = season.records
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
    if "lineups" in wanted:
        def dated(r):
            return dict({k: v for k, v in r.items() if k not in ("first_date", "last_date")},
                        first_night=r["first_date"], last_night=r["last_date"])
        out["season_lineups"] = [dated(r) for r in season.lineups["lineups"]]
        out["season_duos"] = [dated(r) for r in season.lineups["duos"]]
        out["season_head_to_head"] = [dict(r) for r in season.lineups["head_to_head"]]
    if "ratings" in wanted:
        out.update(_rating_rows(season.ratings))
    if "rating_quality" in wanted:
        out.update(_quality_rows(season.rating_quality))
    if "predictions" in wanted:
        out["season_predictions"] = [dict(r) for r in season.predictions]
        out["season_prediction_quality"] = predictions.quality_rows(season.prediction_quality)
    if "achievements" in wanted:
        out["season_achievements"] = [dict(r) for r in season.achievements]
    if "personal_bests" in wanted:
        out["season_personal_bests"] = [dict(r) for r in season.personal_bests]
    if "rivalries" in wanted:
        out["season_rivalries"] = [dict(r) for r in season.rivalries]
        out["season_duels"] = [dict(r) for r in season.duels]
    if "season_awards" in wanted:
        out["season_awards"] = [dict(r) for r in season.awards]
    return out
