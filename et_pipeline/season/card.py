"""The win probabilities a night's map cards show, during the night itself.

The nightly `discord_posts` asset runs before the season assets, so it cannot wait for
them: it takes the rating over the counted maps of the nights before this one
(`ratings.rate`, from the nightly tables, so it is never behind them; kept by
season.rating_cache, so only the first run of a night replays it) and walks through
the night's own maps with the same function the season uses (predictions.predict_night),
so a card and `season --json` agree.
"""
from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.engine import Connection

from et_pipeline.config import Rules
from et_pipeline.storage import schema as t


def card_predictions(conn: Connection, night: str, rules: Rules) -> dict[str, dict]:
    """{"session_id:r1_file": the map's numbers} for the maps of `night` with a round 1.

    The rating before the night comes from season.rating_cache when it holds it (then
    only the night itself is read), else it is replayed over the earlier nights and kept
    there for the next round's run."""
    from et_pipeline.season import rating_cache
    from et_pipeline.season.data import load_tables, map_games       # pandas only when there is something to do
    from et_pipeline.season.ratings import rate

    key = rating_cache.token(conn, night, rules)                     # before any table is read
    cached = rating_cache.load(conn, key)
    if cached is not None:
        before, bots_before = cached
        tables = load_tables(conn, night, rules, dates=[night], known_bots=bots_before)
        if not _tied_to_earlier_nights(conn, night, tables.bots - bots_before):
            return _walk_night(before, tables, night, rules)
    tables = load_tables(conn, night, rules)
    games = map_games(tables)
    before = rate([g for g in games if g.date < night]).rater
    bots_before = _bots_before(conn, night)
    if not _tied_to_earlier_nights(conn, night, tables.bots - bots_before):
        rating_cache.store(conn.engine, key, night, rules, before, bots_before)
    return _walk_night(before, tables, night, rules, games)


def _walk_night(before, tables, night: str, rules: Rules, games=None) -> dict[str, dict]:
    """The night's maps walked through from the rating `before` it (which this moves)."""
    from et_pipeline.season.data import map_games
    from et_pipeline.season.predictions import map_starts, predict_night

    games = map_games(tables) if games is None else games
    starts = [s for s in map_starts(tables) if s.date == night]
    return predict_night(before, [g for g in games if g.date == night], starts, rules.double_fullhold)


def _bots_before(conn: Connection, night: str) -> frozenset:
    """The GUIDs flagged as bots on the nights before `night` (season.data's rule)."""
    p = t.player_round_stats
    return frozenset(conn.execute(select(p.c.guid).distinct().where(p.c.session_date < night,
                                                                   p.c.is_bot.is_(True))).scalars())


def _tied_to_earlier_nights(conn: Connection, night: str, new_bots) -> bool:
    """Whether the rating before `night` depends on the night's own rows, or the night's
    maps on an earlier night's, so that neither a stored rating nor the night read alone
    is the replay's answer:

    * a GUID first flagged as a bot on `night` played unflagged before (flagged now, he
      is a bot on those nights too: season.data);
    * a Lua timing row of one of them is linked to a round of the other (a run over a
      range of dates links within the range: steps.links)."""
    p, lua, r = t.player_round_stats, t.lua_round_teams, t.rounds
    if new_bots and conn.execute(select(p.c.guid).where(p.c.session_date < night, p.c.guid.in_(sorted(new_bots)),
                                                        p.c.is_bot.is_(False)).limit(1)).first() is not None:
        return True
    across = (select(lua.c.source).join(r, r.c.round_key == lua.c.round_key)
              .where(or_(and_(lua.c.session_date == night, r.c.session_date < night),
                         and_(lua.c.session_date < night, r.c.session_date == night))).limit(1))
    return conn.execute(across).first() is not None


def session_predictions(by_key: dict[str, dict], session_id: str) -> dict[str, dict]:
    """One session's predictions by R1 file (what embeds.build_messages takes)."""
    prefix = session_id + ":"
    return {k[len(prefix):]: v for k, v in by_key.items() if k.startswith(prefix)}
