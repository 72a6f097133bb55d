"""What the publishing tests share: an app database with the schema, the loopback stand-in
for Discord, and a webhook client on it that does not sleep between retries."""
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
