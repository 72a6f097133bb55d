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


def rating_state(conn: Connection, night: str) -> dict | None:
    """The rating as it stood before `night` ({night, counted_before, state}): the row of that
    night, or for a night after every night the season has seen, the rating after every map."""
    from et_pipeline.season.predictions import AFTER_ALL

    s = t.season_rating_states
    row = conn.execute(select(s).where(s.c.night == night)).mappings().first()
    if row is None:
        seen = conn.execute(select(func.max(s.c.night)).where(s.c.night != AFTER_ALL)).scalar()
        if seen is None or night > seen:
            row = conn.execute(select(s).where(s.c.night == AFTER_ALL)).mappings().first()
    return None if row is None else dict(row, state=json.loads(row["state"]))


def counted_maps_before(conn: Connection, night: str) -> int:
    """Counted maps (with a round 2) of the nights before `night`, by the nightly tables:
    equal to a stored state's `counted_before` when the season is up to date for them."""
    m = t.map_results
    return conn.execute(select(func.count()).select_from(m).where(
        m.c.session_date < night, m.c.counted.is_(True), m.c.r2_key.is_not(None))).scalar()
