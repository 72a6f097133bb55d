"""Three destinations, one publisher (issue 14 §1-2): the players' channel, its details
thread (`?thread_id=`) and the admins' webhook, each message posted once and edited on
change, all through `discord_posts`."""
import copy
from urllib.parse import parse_qs

from sqlalchemy import select

from et_pipeline.publish.publisher import PublishSummary, publish_session
from et_pipeline.publish.webhook import DiscordWebhookClient
from et_pipeline.storage.database import ensure_schema, make_engine
from et_pipeline.storage.schema import discord_posts
from et_pipeline_tests.fixtures.publish.fake_discord import FakeDiscord

FACTS = {"files": [], "timing_unlinked": [], "awards_unlinked": [], "now": "2026-02-06T01:00:00+00:00",
         "pairing_window_minutes": 45}


def test_players_thread_and_admins_each_get_their_messages_once(session, tmp_path):
    engine = make_engine("sqlite:///%s" % (tmp_path / "app.db"))
    ensure_schema(engine)
    with FakeDiscord() as fake:
        admin_url = fake.base + "/api/webhooks/999/admin-token"
        clients = dict(client=DiscordWebhookClient(fake.url, sleep=lambda s: None),
                       details_client=DiscordWebhookClient(fake.url + "?thread_id=555", sleep=lambda s: None),
                       admin_client=DiscordWebhookClient(admin_url, sleep=lambda s: None))
        first = publish_session(session, mode="live", engine=engine, out_dir=str(tmp_path), details_thread=True,
                                admin_facts=FACTS, **clients)
        posts = [r for r in fake.requests if r["method"] == "POST"]
        channel = [r for r in posts if r["path"].endswith("/test-token") and "thread_id" not in r["query"]]
        thread = [r for r in posts if parse_qs(r["query"]).get("thread_id") == ["555"]]
        admins = [r for r in posts if r["path"].endswith("/admin-token")]
        assert len(channel) == 7 and len(thread) == 5 and len(admins) == 5
        assert first == PublishSummary(posted=17)
        with engine.connect() as conn:
            kinds = {r.kind for r in conn.execute(select(discord_posts.c.kind))}
        assert {"admin:timing", "admin:files", "admin:alerts", "session:summary", "admin:checks",
                "admin:discord"} <= kinds and len(kinds) == 17

        n = len(fake.requests)
        again = publish_session(session, mode="live", engine=engine, out_dir=str(tmp_path), details_thread=True,
                                admin_facts=FACTS, **clients)
        assert again == PublishSummary(unchanged=17) and len(fake.requests) == n

        # a quarantined file appears: only the admins' files message is edited, in place
        facts = dict(FACTS, files=[{"path": "gamestats/x-round-1.txt", "status": "quarantined", "error": "empty file",
                                    "mtime_at": "2026-02-06T00:59:00+00:00"}])
        edit = publish_session(copy.deepcopy(session), mode="live", engine=engine, out_dir=str(tmp_path),
                               details_thread=True, admin_facts=facts, **clients)
        new = fake.requests[n:]
        assert edit == PublishSummary(edited=1, unchanged=16)
        assert [(r["method"], r["path"].split("/")[3]) for r in new] == [("PATCH", "999")]

        # per-weapon numbers show only in the details: the thread message is edited, in its thread
        n = len(fake.requests)
        armed = copy.deepcopy(session)
        armed["rounds"][0]["players"][0]["weapons"] = [dict(weapon="WS_THOMPSON", kills=3, deaths=1, hits=20,
                                                            shots=60, headshots=2)]
        publish_session(armed, mode="live", engine=engine, out_dir=str(tmp_path), details_thread=True,
                        admin_facts=facts, **clients)
        (patch,) = fake.requests[n:]
        assert patch["method"] == "PATCH" and parse_qs(patch["query"]).get("thread_id") == ["555"]


def test_without_an_admin_webhook_the_admins_messages_wait(session, tmp_path):
    engine = make_engine("sqlite:///%s" % (tmp_path / "app.db"))
    ensure_schema(engine)
    with FakeDiscord() as fake:
        summary = publish_session(session, mode="live", engine=engine, out_dir=str(tmp_path),
                                  client=DiscordWebhookClient(fake.url, sleep=lambda s: None), admin_facts=FACTS)
        assert summary == PublishSummary(posted=7)
        assert all("thread_id" not in r["query"] for r in fake.requests)
