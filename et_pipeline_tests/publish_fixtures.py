"""What the publishing tests share: an app database with the schema, the loopback stand-in
for Discord, a webhook client on it that does not sleep between retries, and what a
reader of a built message sees."""
import pytest

from et_pipeline.publish.webhook import DiscordWebhookClient
from et_pipeline.storage.database import ensure_schema, make_engine
from et_pipeline_tests.fixtures.publish.fake_discord import FakeDiscord


@pytest.fixture
def engine(tmp_path):
    e = make_engine("sqlite:///%s" % (tmp_path / "app.db"))
    ensure_schema(e)
    return e


@pytest.fixture
def fake():
    with FakeDiscord() as f:
        yield f


def client(fake, **kw):
    return DiscordWebhookClient(fake.url, sleep=lambda s: None, **kw)


def text_of(message):
    """Every text of a message's embeds a reader sees: titles, descriptions, footers, fields."""
    parts = []
    for e in message.payload["embeds"]:
        parts += [e.get("title", ""), e.get("description", ""), (e.get("footer") or {}).get("text", "")]
        parts += [f["name"] + "\n" + f["value"] for f in e.get("fields", [])]
    return "\n".join(parts)


def details_of(message):
    """The text files attached to a message (a map's details without a thread)."""
    return "".join(data.decode() for name, data in message.files if name.endswith(".txt"))
