"""The win probabilities a night's map cards show, during the night itself.

The nightly `discord_posts` asset runs before the season assets, so it cannot wait for
them: it replays the rating over the counted maps of the nights before this one
(`ratings.rate`, from the nightly tables, so it is never behind them) and walks through
the night's own maps with the same function the season uses (predictions.predict_night),
so a card and `season --json` agree.
"""
from __future__ import annotations

from sqlalchemy.engine import Connection

from et_pipeline.config import Rules


def card_predictions(conn: Connection, night: str, rules: Rules) -> dict[str, dict]:
    """{"session_id:r1_file": the map's numbers} for the maps of `night` with a round 1."""
    from et_pipeline.season.data import load_tables, map_games       # pandas only when there is something to do
    from et_pipeline.season.predictions import map_starts, predict_night
    from et_pipeline.season.ratings import rate

    tables = load_tables(conn, night, rules)
    games = map_games(tables)
    before = rate([g for g in games if g.date < night]).rater
    starts = [s for s in map_starts(tables) if s.date == night]
    return predict_night(before, [g for g in games if g.date == night], starts, rules.double_fullhold)


def session_predictions(by_key: dict[str, dict], session_id: str) -> dict[str, dict]:
    """One session's predictions by R1 file (what embeds.build_messages takes)."""
    prefix = session_id + ":"
    return {k[len(prefix):]: v for k, v in by_key.items() if k.startswith(prefix)}
