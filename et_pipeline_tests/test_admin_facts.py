"""The admins' channel sees the server as it is now and the Discord messages that need a
decision (issue 12 §3-§4): one query each (storage.registry, publish.outbox), no own lists."""
from et_pipeline.admin_report import admin_facts
from et_pipeline.publish.admin_embeds import alerts
from et_pipeline.storage import schema as t
from et_pipeline.storage.database import ensure_schema, make_engine

DATE = "2026-02-05"


def _file(path, status, on_server, error="bad header"):
    return dict(path=path, folder="gamestats", name=path.rsplit("/", 1)[-1], kind="stats", size=10, mtime=1770000000.0, sha256="0" * 64,
                status=status, error=error, session_date=DATE, on_server=on_server)


def test_admin_facts_follow_the_registry_and_the_outbox(tmp_path):
    engine = make_engine("sqlite:///%s" % (tmp_path / "et.db"))
    ensure_schema(engine)
    with engine.begin() as conn:
        conn.execute(t.server_files.insert(), [
            _file("gamestats/2026-02-05-210000-supply-round-1.txt", "quarantined", True),
            _file("gamestats/2026-02-05-210500-supply-round-1.txt", "quarantined", False),   # deleted on the server
            _file("gamestats/2026-02-05-211000-supply-round-2.txt", "read_error", True, "connection dropped"),
        ])
        conn.execute(t.discord_posts.insert(), [
            dict(session_id="s1", session_date=DATE, kind="map:a", message_id=None, content_hash="h", updated_at="2026-02-05T21:00:00",
                 status="ambiguous", error="answer lost: connection reset"),
            dict(session_id="s1", session_date=DATE, kind="map:b", message_id=None, content_hash="h", updated_at="2026-02-05T21:00:00",
                 status="rejected", error="400 Invalid Form Body (50035)"),
            dict(session_id="s1", session_date=DATE, kind="map:c", message_id="9", content_hash="h", updated_at="2026-02-05T21:00:00", status="sent", error=None),
        ])
        facts = admin_facts(conn, [DATE], pairing_window_minutes=45)[DATE]
    assert [f["path"] for f in facts["files"]] == ["gamestats/2026-02-05-210000-supply-round-1.txt",
                                                   "gamestats/2026-02-05-211000-supply-round-2.txt"]
    assert [(p["key"], p["status"]) for p in facts["discord"]] == [("map:a", "ambiguous"), ("map:b", "rejected")]
    lines = alerts({"rounds": []}, facts)
    assert any("map:a" in x and "et-pipeline discord" in x for x in lines)
    assert any("map:b" in x and "50035" in x for x in lines)
