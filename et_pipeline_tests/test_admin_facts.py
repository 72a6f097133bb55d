"""The admins' channel sees the server as it is now and the Discord messages that need a
decision : one query each (storage.registry, publish.outbox), no own lists."""
from et_pipeline.admin_report import admin_facts, per_session
from et_pipeline.publish.admin_problems import LOOK, LOST, discord_problems
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
    maybe, refused = sorted(discord_problems(facts), key=lambda p: p.severity == LOST)
    assert maybe.severity == LOOK and maybe.where == ("`map:a` (answer lost: connection reset)",)
    assert "`et-pipeline discord --found s1 map:a MESSAGE_ID`" in maybe.action
    assert refused.severity == LOST and "50035" in refused.where[0]
    assert "`et-pipeline discord --retry s1 map:b`" in refused.action


def test_a_dates_lists_go_with_its_first_session_only():
    facts = {"2026-02-05": {"files": [{"path": "a"}], "timing_unlinked": [], "awards_unlinked": [], "discord": [],
                            "now": "x"}}
    first, second = per_session([{"date": "2026-02-05"}, {"date": "2026-02-05"}], facts)
    assert first["files"] == [{"path": "a"}] and second["files"] is None and second["discord"] is None
    assert second["now"] == "x"
