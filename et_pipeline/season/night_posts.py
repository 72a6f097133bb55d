"""What the season posts after a night, from what the season assets stored: the night
digest, the week's leaderboard, every achievement and every final season award (each
through the outbox: posted once, edited on change; announcements.py says how a
withdrawn one is shown).

Reads the season tables back (season.stored) and loads only the nightly rows it shows:
the latest night's week and its "on this day" nights.
"""
from __future__ import annotations

from sqlalchemy import select

from et_pipeline.config import Rules
from et_pipeline.season import announcements, stored
from et_pipeline.storage import schema as t


def publish_night(engine, rules: Rules, *, mode: str, client=None, out_dir: str = "out") -> dict | None:
    """Publish the latest night's season messages; None when the season has no counted map.
    Returns the digest document, the weekly board, the digest message, the publisher's
    counts per message set ({"digest", "week", "achievements", "awards"}) and the number
    of messages in them all."""
    from et_pipeline.publish.publisher import publish_session
    from et_pipeline.season.data import load_tables, map_games
    from et_pipeline.season.digest import digest_message, first_map, night_digest
    from et_pipeline.season.nights import best_by_night, on_this_day, on_this_day_dates
    from et_pipeline.season.ratings import RatingsResult, night_moves
    from et_pipeline.season.rivalries import vs_coverage
    from et_pipeline.season.weekly import iso_week, week_session, weekly_leaderboard, weekly_messages

    with engine.connect() as conn:
        night = stored.latest_night(conn)
        if night is None:
            return None
        nights = sorted(conn.execute(select(t.rounds.c.session_date).distinct()).scalars())
        week = iso_week(night)
        earlier = [d for _, d in on_this_day_dates(night, nights)]
        tables = load_tables(conn, None, rules, dates=[d for d in nights if week["monday"] <= d <= night] + earlier)
        games = map_games(tables)
        players = stored.players(conn)
        names = {p["guid"]: p["name"] for p in players["players"] if not p["is_bot"]}
        fell = stored.records_fell(conn, night)
        first = stored.predictions(conn, night)
        past = [f for d in earlier for f in stored.records_fell(conn, d)]
        digest = night_digest(tables, games, players, night, fell,
                              night_moves(RatingsResult(history=stored.rating_points(conn, night)), night),
                              first_map(first[0]) if first else None, stored.achievements(conn, night),
                              stored.duels(conn, night),
                              on_this_day(night, nights, best_by_night(tables, games), games, past, names),
                              vs_coverage(tables, night))
        quality = stored.prediction_quality(conn)
        feats, awards = stored.achievements(conn), stored.awards(conn)
        posted = {s["session_id"]: announcements.posted_keys(conn, s["session_id"])
                  for s in (announcements.ACHIEVEMENTS, announcements.AWARDS)}
    kw = dict(mode=mode, engine=engine, client=client, out_dir=out_dir)
    message = digest_message(digest)
    count = 1                                                        # the digest
    # its own message set beside the night's (a dry-run folder holds exactly one set's files)
    sent = {"digest": publish_session(dict(session_id=digest["session_id"] + "-digest", date=digest["date"]),
                                      messages=[message], **kw).as_dict()}
    # the week's own identity: a later night of the same week edits this message
    board = weekly_leaderboard(tables, games, players, night)          # the week's nights of `tables` only
    boards = weekly_messages(board, quality)                           # none on the week's first night
    sent["week"] = publish_session(week_session(board), messages=boards, **kw).as_dict()
    count += len(boards)
    for name, session, build, rows in (
            ("achievements", announcements.ACHIEVEMENTS, announcements.achievement_messages, feats),
            ("awards", announcements.AWARDS, announcements.award_messages, awards)):
        messages = build(rows, names, posted[session["session_id"]])
        sent[name] = publish_session(session, messages=messages, **kw).as_dict()
        count += len(messages)
    return dict(digest=digest, board=board, message=message, sent=sent, messages=count)
