"""Posted once, never stuck: every message's intent is recorded before it is sent
(discord_posts as an outbox), an answer lost after Discord created the message is never
re-posted blindly, and a message Discord always rejects is skipped and reported while
the rest of the night is posted. A real HTTP server stands in for Discord."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from sqlalchemy import select

from et_pipeline.publish.embeds import Message, build_messages
from et_pipeline.publish.outbox import AMBIGUOUS, REJECTED, SENT, mark_found, publish_problems, retry_message
from et_pipeline.publish.publisher import PublishSummary, publish_session
from et_pipeline.publish.webhook import PublishError
from et_pipeline.storage.schema import discord_posts
from et_pipeline_tests.fixtures.publish.fake_discord import FakeDiscord
from et_pipeline_tests.publish_fixtures import client

SID = "2026-02-05-211001"


@pytest.fixture(scope="module")
def messages(session):
    return build_messages(session)[:5]


def publish(session, engine, c, tmp_path, messages):
    return publish_session(session, mode="live", engine=engine, client=c, out_dir=str(tmp_path), messages=messages)


def posts_per_title(fake):
    out = {}
    for r in fake.requests:
        if r["method"] == "POST" and r.get("message_id"):
            out[r["titles"][0]] = out.get(r["titles"][0], 0) + 1
    return out


def problems(engine, **kw):
    with engine.connect() as conn:
        return [(p.key, p.status) for p in publish_problems(conn, **kw)]


def statuses(engine):
    with engine.connect() as conn:
        return {r.kind: r.status for r in conn.execute(select(discord_posts))}


# ---------------------------------------------------------------- doubles

def test_answer_lost_to_a_connection_reset_is_not_posted_twice(session, messages, engine, fake, tmp_path):
    fake.after_create("reset")                   # the first message is created, its answer lost
    summary = publish(session, engine, client(fake), tmp_path, messages)
    assert summary == PublishSummary(posted=len(messages) - 1, ambiguous=1)
    assert len(fake.messages) == len(messages)                  # nothing lost ...
    assert set(posts_per_title(fake).values()) == {1}           # ... nothing doubled
    assert problems(engine) == [(messages[0].key, AMBIGUOUS)]
    n = len(fake.requests)
    again = publish(session, engine, client(fake), tmp_path, messages)
    assert fake.requests[n:] == [] and again == PublishSummary(unchanged=len(messages) - 1, ambiguous=1)


def test_answer_slower_than_the_client_timeout_is_not_posted_twice(session, messages, engine, fake, tmp_path):
    fake.after_create(("delay", 0))
    fake.after_create(("delay", 5))              # the second message's answer comes after the timeout
    summary = publish(session, engine, client(fake, timeout=0.5), tmp_path, messages)
    assert summary.ambiguous == 1 and summary.posted == len(messages) - 1
    assert len(fake.messages) == len(messages) and set(posts_per_title(fake).values()) == {1}
    assert statuses(engine)[messages[1].key] == AMBIGUOUS


def test_process_killed_during_the_post_is_not_posted_twice(engine, fake, tmp_path):
    """A publisher killed (SIGKILL) while Discord holds the answer of a created message: the
    next run finds the recorded intent, reports it and posts only what was never sent."""
    url = str(engine.url)
    script = textwrap.dedent("""
        import sys
        from et_pipeline.publish.embeds import Message
        from et_pipeline.publish.publisher import publish_session
        from et_pipeline.publish.webhook import DiscordWebhookClient
        from et_pipeline.storage.database import make_engine
        msgs = [Message("round:%d" % i, {"embeds": [{"title": "m%d" % i, "description": "x"}]}) for i in range(4)]
        publish_session({"session_id": "S1", "date": "2026-02-05"}, mode="live", engine=make_engine(sys.argv[1]),
                        client=DiscordWebhookClient(sys.argv[2]), messages=msgs)
    """)
    fake.after_create(("delay", 0))
    fake.after_create(("delay", 60))             # Discord created "m1" and is slow to say so
    proc = subprocess.Popen([sys.executable, "-c", script, url, fake.url])
    try:
        deadline = time.monotonic() + 60
        while sum(1 for r in fake.requests if r.get("message_id")) < 2:
            assert proc.poll() is None and time.monotonic() < deadline, "the publisher never reached m1"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    msgs = [Message("round:%d" % i, {"embeds": [{"title": "m%d" % i, "description": "x"}]}) for i in range(4)]
    summary = publish({"session_id": "S1", "date": "2026-02-05"}, engine, client(fake), tmp_path, msgs)
    assert summary == PublishSummary(posted=2, unchanged=1, ambiguous=1)
    assert posts_per_title(fake) == {"m0": 1, "m1": 1, "m2": 1, "m3": 1}
    assert problems(engine) == [("round:1", AMBIGUOUS)]


def test_an_ambiguous_message_is_reposted_only_when_an_admin_says_so(session, messages, engine, fake, tmp_path):
    fake.after_create("reset")
    publish(session, engine, client(fake), tmp_path, messages)
    with engine.begin() as conn:
        assert retry_message(conn, SID, messages[0].key)
        assert not retry_message(conn, SID, "no-such-key")
    summary = publish(session, engine, client(fake), tmp_path, messages)
    assert summary == PublishSummary(posted=1, unchanged=len(messages) - 1)
    assert posts_per_title(fake)[messages[0].payload["embeds"][0]["title"]] == 2   # the admin's choice
    assert problems(engine) == []


def test_an_admin_can_record_the_message_found_in_discord(session, messages, engine, fake, tmp_path):
    fake.after_create("reset")
    publish(session, engine, client(fake), tmp_path, messages)
    created = [r["message_id"] for r in fake.requests if r.get("message_id")][0]
    with engine.begin() as conn:
        assert mark_found(conn, SID, messages[0].key, created)
    assert statuses(engine)[messages[0].key] == SENT and problems(engine) == []
    changed = [Message(messages[0].key, dict(messages[0].payload, content="edited"), messages[0].files)]
    summary = publish(session, engine, client(fake), tmp_path, changed)
    assert summary == PublishSummary(edited=1)                  # later changes edit the found message
    assert fake.messages[created]["content"] == "edited"


def test_client_reports_a_lost_post_answer_as_ambiguous_and_retries_edits(fake):
    c = client(fake)
    fake.after_create("reset")
    with pytest.raises(PublishError) as e:
        c.post({"content": "hello"})
    assert e.value.ambiguous and len(fake.messages) == 1 and len(fake.requests) == 1
    mid = next(iter(fake.messages))
    fake.inject(500, {"message": "boom"})        # a 500 creates nothing: retried, not ambiguous
    assert c.post({"content": "second"}) and len(fake.messages) == 2
    fake.inject(502, None)
    assert c.edit(mid, {"content": "edited"}) == mid            # edits are idempotent: retried
    assert fake.messages[mid]["content"] == "edited"


# ---------------------------------------------------------------- stuck

def test_a_message_discord_always_rejects_is_skipped_and_the_rest_posted(session, messages, engine, fake, tmp_path):
    refused = messages[1]
    fake.refuse(refused.payload["embeds"][0]["title"])
    summary = publish(session, engine, client(fake), tmp_path, messages)
    assert summary == PublishSummary(posted=len(messages) - 1, rejected=1)
    assert len(fake.messages) == len(messages) - 1
    with engine.connect() as conn:
        [p] = publish_problems(conn)
    assert (p.key, p.status, p.session_date) == (refused.key, REJECTED, "2026-02-05")
    assert "400" in p.error and "50035" in p.error
    n = len(fake.requests)
    again = publish(session, engine, client(fake), tmp_path, messages)          # the next run: nothing stuck
    assert fake.requests[n:] == [] and again == PublishSummary(unchanged=len(messages) - 1, rejected=1)


def test_a_rejected_message_is_tried_again_once_its_content_changes(session, messages, engine, fake, tmp_path):
    refused = messages[1]
    fake.refuse(refused.payload["embeds"][0]["title"])
    publish(session, engine, client(fake), tmp_path, messages)
    fixed = list(messages)
    embeds = [dict(refused.payload["embeds"][0], title="fixed title")] + refused.payload["embeds"][1:]
    fixed[1] = Message(refused.key, dict(refused.payload, embeds=embeds), refused.files)
    summary = publish(session, engine, client(fake), tmp_path, fixed)
    assert summary == PublishSummary(posted=1, unchanged=len(messages) - 1)
    assert problems(engine) == [] and len(fake.messages) == len(messages)


def test_a_rejected_edit_keeps_the_message_and_is_reported(session, messages, engine, fake, tmp_path):
    publish(session, engine, client(fake), tmp_path, messages)
    m = messages[2]
    embeds = [dict(m.payload["embeds"][0], title="refused edit")] + m.payload["embeds"][1:]
    changed = list(messages)
    changed[2] = Message(m.key, dict(m.payload, embeds=embeds), m.files)
    fake.refuse("refused edit")
    summary = publish(session, engine, client(fake), tmp_path, changed)
    assert summary == PublishSummary(unchanged=len(messages) - 1, rejected=1)
    assert problems(engine) == [(m.key, REJECTED)] and len(fake.messages) == len(messages)
    n = len(fake.requests)
    publish(session, engine, client(fake), tmp_path, changed)
    assert fake.requests[n:] == []
    summary = publish(session, engine, client(fake), tmp_path, messages)     # content back: an edit is tried
    assert summary == PublishSummary(edited=1, unchanged=len(messages) - 1) and problems(engine) == []


def test_a_message_over_the_limits_is_rejected_without_a_request_and_the_rest_posted(session, messages, engine,
                                                                                      fake, tmp_path):
    huge = Message("session:huge", {"embeds": [{"title": "t", "description": "x" * 5000}]})
    summary = publish(session, engine, client(fake), tmp_path, [huge] + list(messages))
    assert summary == PublishSummary(posted=len(messages), rejected=1)
    assert all(r["titles"] != ["t"] for r in fake.requests)
    with engine.connect() as conn:
        [p] = publish_problems(conn)
    assert p.key == "session:huge" and "description > 4096" in p.error


def test_problems_are_scoped_to_dates_and_sessions(engine, fake, tmp_path):
    fake.refuse("bad")
    for sid, day in (("A", "2026-02-05"), ("B", "2026-02-06")):
        publish({"session_id": sid, "date": day}, engine, client(fake), tmp_path,
                [Message("k", {"embeds": [{"title": "bad", "description": "x"}]})])
    assert problems(engine) == [("k", REJECTED), ("k", REJECTED)]
    assert problems(engine, session_dates=["2026-02-06"]) == [("k", REJECTED)]
    with engine.connect() as conn:
        assert [p.session_id for p in publish_problems(conn, session_dates=["2026-02-06"])] == ["B"]


def test_500s_and_slow_answers_within_the_timeout_lose_and_double_nothing(session, messages, engine, tmp_path):
    with FakeDiscord(fail_every=5, slow_every=4, slow_seconds=1.0) as fake:
        summary = publish(session, engine, client(fake, timeout=5), tmp_path, messages)
        assert summary == PublishSummary(posted=len(messages))
        assert len(fake.messages) == len(messages) and set(posts_per_title(fake).values()) == {1}
        assert any(r["status"] == 500 for r in fake.requests)
