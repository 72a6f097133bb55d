"""The season tables read back: what the night digest and a map card need from what the
season assets stored (storage/schema.py `season_*`), so they never recompute the season.
"""
from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from et_pipeline.season.ratings import RatingPoint
from et_pipeline.storage import schema as t


def _rows(conn: Connection, query) -> list[dict]:
    return [dict(r) for r in conn.execute(query).mappings()]


def players(conn: Connection) -> dict:
    """In build_players' shape (players only): guid, name, aliases, is_bot, ..."""
    rows = _rows(conn, select(t.season_players).order_by(t.season_players.c.is_bot, t.season_players.c.guid))
    return {"players": [dict(r, aliases=json.loads(r["aliases"])) for r in rows], "aliases": []}


def latest_night(conn: Connection) -> str | None:
    """The newest night with a counted map the season has seen."""
    return conn.execute(select(func.max(t.season_predictions.c.night))).scalar()


def records_fell(conn: Connection, night: str) -> list[dict]:
    """In records.build_records' "fell" shape."""
    f = t.season_records_fell
    return [dict(session_date=r["night"], record=r["record"], value=r["value"], holder=r["holder"],
                 detail=r["detail"], previous_value=r["previous_value"], previous_holder=r["previous_holder"],
                 previous_date=r["previous_night"])
            for r in _rows(conn, select(f).where(f.c.night == night).order_by(f.c.record))]


def rating_points(conn: Connection, night: str) -> list[RatingPoint]:
    h = t.season_rating_history
    return [RatingPoint(r["guid"], r["night"], r["value"], r["uncertainty"], r["provisional"], r["maps"],
                        r["night_maps"], r["change"])
            for r in _rows(conn, select(h).where(h.c.night == night).order_by(h.c.guid))]


def predictions(conn: Connection, night: str | None = None) -> list[dict]:
    p = t.season_predictions
    q = select(p).order_by(p.c.start_unix, p.c.key)
    return _rows(conn, q.where(p.c.night == night) if night else q)


def prediction_quality(conn: Connection) -> dict | None:
    """season_prediction_quality back in predictions.prediction_quality's shape (`all` and
    `time_set`), with `publishable`; None before the season ran."""
    from et_pipeline.season.predictions import publishable

    rows = _rows(conn, select(t.season_prediction_quality))
    if not rows:
        return None
    blocks: dict[str, dict] = {}
    for r in rows:
        b = blocks.setdefault(r["scope"], {"maps": r["maps"]})
        b[r["predictor"]] = {"log_loss": r["log_loss"], "brier": r["brier"]}
    doc = dict(blocks["all"], time_set=blocks.get("time_set"))
    doc["publishable"] = publishable(doc)
    return doc


def achievements(conn: Connection, night: str | None = None) -> list[dict]:
    a = t.season_achievements
    q = select(a).order_by(a.c.night, a.c.achievement, a.c.guid)
    return _rows(conn, q.where(a.c.night == night) if night else q)


def duels(conn: Connection, night: str) -> list[dict]:
    d = t.season_duels
    return _rows(conn, select(d).where(d.c.night == night).order_by(d.c.rank))


def awards(conn: Connection) -> list[dict]:
    a = t.season_awards
    return _rows(conn, select(a).order_by(a.c.kind, a.c.period, a.c.award))
