"""The win probabilities a night's map cards show, during the night itself.

The nightly `discord_posts` asset runs before the season assets, so it cannot wait for
them: it continues from the rating the season stored before that night
(`season_rating_states`) and walks through the night's own maps with the same function
the season uses (predictions.predict_night), so a card and `season --json` agree. A
state is used only while it is current: its count of counted maps of the earlier nights
must equal the nightly tables' (a night added or re-scored before it and not yet seen by
the season leaves the cards without the line until the season has caught up; the next
run edits them in). A night with no counted map before it needs no stored state: the
rating before it is the prior.
"""
from __future__ import annotations

from sqlalchemy.engine import Connection

from et_pipeline.config import Rules
from et_pipeline.season import stored


def card_predictions(conn: Connection, night: str, rules: Rules) -> dict[str, dict]:
    """{"session_id:r1_file": the map's numbers} for the maps of `night` with a round 1;
    {} when the season has no current rating for that night."""
    before = stored.counted_maps_before(conn, night)
    if before == 0:
        snapshot = {"nights": 0, "players": {}}          # nothing earlier to learn from: the prior
    else:
        state = stored.rating_state(conn, night)
        if state is None or state["counted_before"] != before:
            return {}
        snapshot = state["state"]
    from et_pipeline.season.data import load_tables, map_games       # pandas only when there is something to do
    from et_pipeline.season.predictions import map_starts, predict_night
    from et_pipeline.season.ratings import Rater

    tables = load_tables(conn, None, rules, dates=[night])
    return predict_night(Rater.restore(snapshot), map_games(tables), map_starts(tables), rules.double_fullhold)


def session_predictions(by_key: dict[str, dict], session_id: str) -> dict[str, dict]:
    """One session's predictions by R1 file (what embeds.build_messages takes)."""
    prefix = session_id + ":"
    return {k[len(prefix):]: v for k, v in by_key.items() if k.startswith(prefix)}
