"""Discord saying "wait" or "this webhook is gone" never holds a run: a 429 with a long
`retry_after` was slept inside the run (up to an hour per message, the run's slot held),
and a deleted admins' webhook failed every run. A long 429 defers the session's messages
to the outbox (a later run sends them, the sensor asks for it when the time comes); a
gone admins' webhook is reported once and its messages skipped."""
import time

from sqlalchemy import select

from et_pipeline.publish.embeds import build_messages
from et_pipeline.publish.message import ADMINS
from et_pipeline.publish.outbox import DEFERRED, deferred_dates, publish_problems
from et_pipeline.publish.publisher import publish_session
from et_pipeline.publish.webhook import DiscordWebhookClient
from et_pipeline.storage.schema import discord_posts
from et_pipeline_tests.publish_fixtures import client

FACTS = {"files": [], "timing_unlinked": [], "awards_unlinked": [], "now": "2026-02-06T01:00:00+00:00",
         "pairing_window_minutes": 45}
LONG = {"message": "You are being rate limited.", "retry_after": 600.0, "global": False}


def _rows(engine):
    with engine.connect() as conn:
        return {r.kind: r for r in conn.execute(select(discord_posts))}


def _publish(session, engine, c, tmp_path, **kw):
    return publish_session(session, mode="live", engine=engine, client=c, out_dir=str(tmp_path), **kw)


def test_a_long_429_defers_the_session_to_the_outbox_instead_of_sleeping(session, engine, fake, tmp_path):
    slept = []
    c = DiscordWebhookClient(fake.url, sleep=slept.append)
    _publish(session, engine, c, tmp_path)                      # the night so far is in Discord
    posted = len(fake.messages)
    changed = dict(session, rounds=session["rounds"][:-1])      # a re-score changes messages
    fake.inject(429, LONG, headers={"Retry-After": "600"})
    started = time.monotonic()
    summary = _publish(changed, engine, c, tmp_path)
    assert time.monotonic() - started < 10 and sum(slept) < 30   # nothing like 600 s waited in the run
    assert summary.deferred >= 1
    rows = _rows(engine)
    held = [r for r in rows.values() if r.retry_at]
    assert held and all(r.retry_at > rows[held[0].kind].updated_at for r in held)
    with engine.connect() as conn:
        assert publish_problems(conn) == []                     # nothing for an admin to do
        assert deferred_dates(conn, now=time.time()) == {}       # not due yet
        due = deferred_dates(conn, now=time.time() + 601)
    assert list(due) == [session["date"]]

    n = len(fake.requests)
    _publish(changed, engine, c, tmp_path)                       # a run before the time: sends nothing
    assert fake.requests[n:] == []

    with engine.begin() as conn:                                 # the time has come
        conn.execute(discord_posts.update().where(discord_posts.c.retry_at.is_not(None))
                     .values(retry_at="2000-01-01T00:00:00+00:00"))
    after = _publish(changed, engine, c, tmp_path)
    assert after.deferred == 0 and after.edited >= 1
    assert len(fake.messages) == posted                         # edits, never a second post
    assert not any(r.retry_at for r in _rows(engine).values())
    assert all(r.status != DEFERRED for r in _rows(engine).values())


def test_a_long_429_on_a_new_message_posts_it_later_once(session, engine, fake, tmp_path):
    c = client(fake)
    fake.inject(429, LONG)
    summary = _publish(session, engine, c, tmp_path)
    players = len(build_messages(session))
    assert summary.posted == 0 and summary.deferred == players
    assert len(fake.messages) == 0
    with engine.begin() as conn:
        conn.execute(discord_posts.update().values(retry_at="2000-01-01T00:00:00+00:00"))
    assert _publish(session, engine, c, tmp_path).posted == players
    assert len(fake.messages) == players


def test_a_deleted_admins_webhook_is_reported_once_and_skipped(session, engine, fake, tmp_path):
    msgs = build_messages(session, admin=FACTS)
    admins = sum(m.channel == ADMINS for m in msgs)
    players = len(msgs) - admins
    gone = DiscordWebhookClient(fake.base + "/gone/api/webhooks/999/admin-token", sleep=lambda s: None)
    for _ in range(2):
        summary = _publish(session, engine, client(fake), tmp_path, admin_client=gone, admin_facts=FACTS)
        assert summary.posted in (players, 0) and summary.skipped == admins
    assert len(fake.messages) == players                          # the players' channel is all there
    admin_requests = [r for r in fake.requests if "/gone/" in r["path"]]
    assert len(admin_requests) == 2                              # one try per run, not one per message
    with engine.connect() as conn:
        problems = publish_problems(conn)
    assert len(problems) == 1 and "admins' webhook" in problems[0].error and "404" in problems[0].error

    fixed = DiscordWebhookClient(fake.base + "/api/webhooks/999/admin-token", sleep=lambda s: None)
    summary = _publish(session, engine, client(fake), tmp_path, admin_client=fixed, admin_facts=FACTS)
    assert summary.posted == admins
    with engine.connect() as conn:
        assert publish_problems(conn) == []
