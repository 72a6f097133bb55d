"""publish_session end to end: SQLite discord_posts + a real HTTP server that answers
like Discord. Post once, never twice, edit on change."""
import copy
import json

import pytest
from sqlalchemy import func, select

from et_pipeline.publish import limits
from et_pipeline.publish.embeds import build_messages
from et_pipeline.publish.publisher import PublishSummary, content_hash, publish_session
from et_pipeline.publish.webhook import DiscordWebhookClient, PublishError
from et_pipeline.storage.schema import discord_posts
from et_pipeline_tests.fixtures.publish.fake_discord import FakeDiscord
from et_pipeline_tests.publish_fixtures import client


@pytest.fixture(scope="module")
def messages(session):
    return build_messages(session)           # with the graphs: the real thing


def rows(engine, session_id="2026-02-05-211001"):
    with engine.connect() as conn:
        return {r.kind: r for r in conn.execute(select(discord_posts).where(discord_posts.c.session_id == session_id))}


def ok(fake, method):
    return [r for r in fake.requests if r["method"] == method and r["status"] == 200]


def test_first_run_posts_each_message_once_second_run_nothing(session, messages, engine, fake, tmp_path):
    s1 = publish_session(session, mode="live", engine=engine, client=client(fake), out_dir=str(tmp_path),
                         messages=messages)
    assert s1 == PublishSummary(posted=len(messages))
    posts = ok(fake, "POST")
    assert len(posts) == len(fake.requests) == len(messages)
    assert [r["titles"][0] for r in posts] == [m.payload["embeds"][0]["title"] for m in messages]
    assert all(not r["violations"] for r in fake.requests)
    stored = rows(engine)
    assert set(stored) == {m.key for m in messages}
    assert {r.message_id for r in stored.values()} == {r["message_id"] for r in posts}
    assert all(stored[m.key].content_hash == content_hash(m) for m in messages)
    assert all(r.session_date == "2026-02-05" for r in stored.values())
    # PNGs attached and referenced: one graphs message, one chart per embed
    graph_posts = [r for r in posts if any(name.endswith(".png") for name, _ in r["file_bytes"])]
    assert len(graph_posts) == 1
    (r,) = graph_posts
    assert [e["image"]["url"] for e in r["payload"]["embeds"]] == ["attachment://" + n for n, _ in r["file_bytes"]]
    for name, data in r["file_bytes"]:
        assert data[:4] == b"\x89PNG" and len(data) > 1000

    n = len(fake.requests)
    s2 = publish_session(session, mode="live", engine=engine, client=client(fake), out_dir=str(tmp_path))
    assert s2 == PublishSummary(unchanged=len(messages))
    assert len(fake.requests) == n


def test_score_change_is_one_edit(session, engine, fake, tmp_path):
    publish_session(session, mode="live", engine=engine, client=client(fake), out_dir=str(tmp_path))
    before = rows(engine)
    n = len(fake.requests)
    changed = copy.deepcopy(session)
    changed["score"] = {"A": 2, "B": 2}
    changed["winner"] = "tie"
    summary = publish_session(changed, mode="live", engine=engine, client=client(fake), out_dir=str(tmp_path))
    new = fake.requests[n:]
    assert [r["method"] for r in new] == ["PATCH"] and new[0]["status"] == 200
    assert summary.edited == 1 and summary.posted == 0
    after = rows(engine)
    assert new[0]["message_id"] == before["session:summary"].message_id == after["session:summary"].message_id
    assert after["session:summary"].content_hash != before["session:summary"].content_hash
    assert "draw 2–2" in fake.messages[new[0]["message_id"]]["embeds"][0]["title"]


def test_late_timing_file_edits_instead_of_posting(session, engine, fake, tmp_path):
    publish_session(session, mode="live", engine=engine, client=client(fake), out_dir=str(tmp_path))
    n = len(fake.requests)
    late = copy.deepcopy(session)
    r = next(r for r in late["rounds"] if r["timing_status"] == "NO_LUA_DATA")
    r.update(timing_status="ALIGNED", lua={"playtime_seconds": 452.0, "pause_count": 0, "pause_seconds": 0,
                                           "end_reason": "objective", "source": "gametime-late.json",
                                           "round_end_unix": 1770329000},
             timing={"stats_seconds": 452.0, "lua_seconds": 452.0, "diff_seconds": 0.0, "cause": None})
    publish_session(late, mode="live", engine=engine, client=client(fake), out_dir=str(tmp_path))
    new = fake.requests[n:]
    assert {x["method"] for x in new} == {"PATCH"} and all(x["status"] == 200 for x in new)
    assert len(new) == 1            # the map's card (its details carry the Lua end time)


def test_rate_limited_run_loses_nothing_and_doubles_nothing(session, messages, engine, tmp_path):
    with FakeDiscord(rate_limit_every=4) as fake:
        summary = publish_session(session, mode="live", engine=engine, client=DiscordWebhookClient(fake.url),
                                  out_dir=str(tmp_path), messages=messages)
        limited = [r for r in fake.requests if r["status"] == 429]
        assert limited and summary.posted == len(messages)
        assert len(ok(fake, "POST")) == len(messages) == len(fake.messages)
        assert len(rows(engine)) == len(messages)


def test_server_errors_are_retried(session, messages, engine, fake, tmp_path):
    fake.inject(500, {"message": "Internal Server Error", "code": 0}, times=2)
    summary = publish_session(session, mode="live", engine=engine, client=client(fake), out_dir=str(tmp_path),
                              messages=messages)
    assert summary.posted == len(messages) == len(fake.messages)
    assert [r["status"] for r in fake.requests[:3]] == [500, 500, 200]


def test_failure_midway_records_what_succeeded_and_resumes(session, messages, engine, fake, tmp_path):
    c = client(fake)
    # the 4th message meets a Discord that keeps failing: everything before it is recorded
    publish_session(session, mode="live", engine=engine, client=c, out_dir=str(tmp_path), messages=messages[:3])
    fake.inject(503, {"message": "Service Unavailable"}, times=c.max_retries + 1)
    with pytest.raises(PublishError) as e:
        publish_session(session, mode="live", engine=engine, client=c, out_dir=str(tmp_path), messages=messages)
    assert e.value.status == 503 and messages[3].key in str(e.value)
    assert e.value.summary == PublishSummary(unchanged=3)
    assert set(rows(engine)) == {m.key for m in messages[:3]} and len(fake.messages) == 3
    summary = publish_session(session, mode="live", engine=engine, client=c, out_dir=str(tmp_path), messages=messages)
    assert summary == PublishSummary(posted=len(messages) - 3, unchanged=3)
    assert len(fake.messages) == len(messages) == len(ok(fake, "POST"))


def test_oversized_payload_from_discord_surfaces_as_publish_error(session, engine, fake, tmp_path):
    """Discord's 400 (50035) reaches the caller as a PublishError with status and code."""
    from et_pipeline.publish.embeds import Message

    huge = Message("session:huge", {"embeds": [{"title": "t", "description": "x" * 5000}]})
    summary = publish_session(session, mode="live", engine=engine, client=client(fake), out_dir=str(tmp_path),
                              messages=[huge])       # caught before sending, recorded as rejected
    assert summary == PublishSummary(rejected=1) and fake.requests == []
    assert "description > 4096" in rows(engine)["session:huge"].error
    with pytest.raises(PublishError) as e:       # and if it is sent anyway, Discord's answer is clear
        client(fake).post(huge.payload)
    assert e.value.status == 400 and e.value.code == 50035 and e.value.rejects_message
    with pytest.raises(PublishError) as e:       # dry-run still refuses to write it
        publish_session(session, mode="dry-run", out_dir=str(tmp_path), messages=[huge])
    assert "description > 4096" in str(e.value)


def test_deleted_message_is_posted_again(session, messages, engine, fake, tmp_path):
    publish_session(session, mode="live", engine=engine, client=client(fake), out_dir=str(tmp_path),
                    messages=messages)
    old_id = rows(engine)["session:summary"].message_id
    fake.state.messages.pop(old_id)                          # someone deleted it in Discord
    changed = copy.deepcopy(session)
    changed["score"] = {"A": 9, "B": 9}
    summary = publish_session(changed, mode="live", engine=engine, client=client(fake), out_dir=str(tmp_path))
    assert summary.posted == 1 and summary.edited == 0
    new_id = rows(engine)["session:summary"].message_id
    assert new_id != old_id and new_id in fake.messages


def test_vanished_keys_are_left_alone(session, messages, engine, fake, tmp_path):
    publish_session(session, mode="live", engine=engine, client=client(fake), out_dir=str(tmp_path),
                    messages=messages)
    n = len(fake.requests)
    fewer = [m for m in messages if not m.key.startswith("session:graphs")]
    summary = publish_session(session, mode="live", engine=engine, client=client(fake), out_dir=str(tmp_path),
                              messages=fewer)
    assert summary == PublishSummary(unchanged=len(fewer))
    assert len(fake.requests) == n and "session:graphs" in rows(engine)


def test_two_sessions_do_not_mix(session, engine, fake, tmp_path):
    other = copy.deepcopy(session)
    other["session_id"] = "2026-02-05-235900"
    msgs = build_messages(session, graphs=False)
    publish_session(session, mode="live", engine=engine, client=client(fake), out_dir=str(tmp_path), messages=msgs)
    summary = publish_session(other, mode="live", engine=engine, client=client(fake), out_dir=str(tmp_path),
                              messages=build_messages(other, graphs=False))
    assert summary.posted == len(msgs)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(discord_posts)).scalar() == 2 * len(msgs)


def test_dry_run_writes_stable_files(session, messages, tmp_path):
    out = tmp_path / "out"
    s1 = publish_session(session, mode="dry-run", engine=None, client=None, out_dir=str(out), messages=messages)
    folder = out / "2026-02-05" / "2026-02-05-211001" / "players"      # one folder per channel
    files = sorted(p.name for p in folder.iterdir())
    assert s1 == PublishSummary(written=len(messages))
    assert "index.json" in files and "session_summary.json" in files
    assert "session_2026-02-05_dpm.png" in files
    assert len([f for f in files if f.endswith(".png")]) == 2
    index = json.loads((folder / "index.json").read_text())
    assert [m["key"] for m in index["messages"]] == [m.key for m in messages]
    doc = json.loads((folder / "session_summary.json").read_text())
    assert doc["payload"] == messages[[m.key for m in messages].index("session:summary")].payload
    for f in files:
        if f.endswith(".json") and f != "index.json":
            d = json.loads((folder / f).read_text())
            assert limits.violations(d["payload"], [(n, 1) for n in d["files"]]) == []
    stamps = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    s2 = publish_session(session, mode="dry-run", out_dir=str(out), messages=build_messages(session))
    assert s2 == PublishSummary(unchanged=len(messages))
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == stamps      # same set, untouched
    # a message that disappears takes its file with it
    s3 = publish_session(session, mode="dry-run", out_dir=str(out),
                         messages=[m for m in messages if m.key != "session:graphs"])
    assert s3.written == 0
    assert "session_2026-02-05_teams.png" not in {p.name for p in folder.iterdir()}
    assert "session_graphs.json" not in {p.name for p in folder.iterdir()}


def test_off_does_nothing(session, tmp_path):
    assert publish_session(session, mode="off", out_dir=str(tmp_path / "x")) == PublishSummary()
    assert not (tmp_path / "x").exists()


def test_bad_mode_and_missing_client(session, engine):
    with pytest.raises(ValueError):
        publish_session(session, mode="loud")
    with pytest.raises(ValueError):
        publish_session(session, mode="live", engine=engine, client=None, messages=build_messages(session, graphs=False))
