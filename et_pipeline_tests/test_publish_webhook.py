"""The webhook client against a real HTTP server on loopback that answers like Discord."""
import logging
import socket

import pytest

from et_pipeline.publish.webhook import DiscordWebhookClient, PublishError

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 2000


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


def client(url, **kw):
    sleeps = Sleeps()
    return DiscordWebhookClient(url, sleep=sleeps, **kw), sleeps


def test_post_json_returns_message_id(fake):
    c, _ = client(fake.url)
    mid = c.post({"embeds": [{"title": "hello"}], "allowed_mentions": {"parse": []}})
    (req,) = fake.requests
    assert req["method"] == "POST" and req["kind"] == "json" and "wait=true" in req["query"]
    assert req["message_id"] == mid and fake.messages[mid]["embeds"][0]["title"] == "hello"


def test_post_multipart_with_files_and_edit_replaces_them(fake):
    c, _ = client(fake.url)
    embed = {"title": "graph", "image": {"url": "attachment://g.png"}}
    mid = c.post({"embeds": [embed]}, [("g.png", PNG)])
    req = fake.requests[-1]
    assert req["kind"] == "multipart" and req["file_bytes"] == [("g.png", PNG)]
    assert req["payload"]["attachments"] == [{"id": 0, "filename": "g.png"}]
    assert c.edit(mid, {"embeds": [embed]}, [("g.png", PNG[:-1])]) == mid
    req = fake.requests[-1]
    assert req["method"] == "PATCH" and req["path"].endswith("/messages/" + mid) and req["status"] == 200
    assert req["file_bytes"] == [("g.png", PNG[:-1])]
    assert req["payload"]["attachments"] == [{"id": 0, "filename": "g.png"}]
    c.edit(mid, {"embeds": [{"title": "text only"}]})
    assert fake.requests[-1]["payload"]["attachments"] == []        # old attachment dropped


def test_429_retry_after_from_body_is_honoured(fake):
    c, sleeps = client(fake.url)
    fake.inject(429, {"message": "You are being rate limited.", "retry_after": 0.25, "global": False},
                times=3, headers={"Retry-After": "1"})
    mid = c.post({"content": "x"})
    assert sleeps == [0.25, 0.25, 0.25]
    statuses = [r["status"] for r in fake.requests]
    assert statuses == [429, 429, 429, 200] and list(fake.messages) == [mid]


def test_429_retry_after_from_header_and_real_sleep(fake):
    c = DiscordWebhookClient(fake.url)
    fake.inject(429, None, headers={"Retry-After": "0.05"})
    c.post({"content": "x"})
    assert [r["status"] for r in fake.requests] == [429, 200]


def test_rate_limits_do_not_count_as_failures_but_are_bounded(fake):
    c, sleeps = client(fake.url, max_retries=1, max_rate_limit_waits=4)
    fake.inject(429, {"retry_after": 0.01}, times=4)
    c.post({"content": "x"})                                  # 4 waits allowed, max_retries irrelevant
    fake.inject(429, {"retry_after": 0.01}, times=5)
    with pytest.raises(PublishError) as e:
        c.post({"content": "x"})
    assert e.value.status == 429
    with pytest.raises(PublishError):                          # an absurd wait is not slept through
        fake.inject(429, {"retry_after": 3600})
        client(fake.url)[0].post({"content": "x"})


def test_5xx_is_retried_with_backoff(fake):
    c, sleeps = client(fake.url, max_retries=3, backoff=0.5)
    fake.inject(500, {"message": "Internal Server Error", "code": 0}, times=2)
    mid = c.post({"content": "x"})
    assert sleeps == [0.5, 1.0] and list(fake.messages) == [mid]
    fake.inject(502, {"message": "Bad Gateway"}, times=4)
    with pytest.raises(PublishError) as e:
        c.post({"content": "y"})
    assert e.value.status == 502 and "502" in str(e.value)
    assert len(fake.messages) == 1


def test_400_oversized_embed_is_a_clear_error_not_retried(fake):
    c, sleeps = client(fake.url)
    with pytest.raises(PublishError) as e:
        c.post({"embeds": [{"title": "t", "description": "x" * 5000}]})
    err = e.value
    assert err.status == 400 and err.code == 50035 and err.discord_message == "Invalid Form Body"
    assert "400" in str(err) and "50035" in str(err) and "description > 4096" in str(err)
    assert sleeps == [] and len(fake.requests) == 1


def test_unknown_message_on_edit(fake):
    c, _ = client(fake.url)
    with pytest.raises(PublishError) as e:
        c.edit("999", {"content": "x"})
    assert e.value.status == 404 and e.value.code == 10008


def test_connection_errors_retried_then_fail_without_the_token(caplog):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]            # nothing listens here once closed
    url = "http://127.0.0.1:%d/api/webhooks/42/s3cr3t-t0ken" % port
    c, sleeps = client(url, max_retries=2, timeout=2)
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(PublishError) as e:
            c.post({"content": "x"})
    assert len(sleeps) == 2 and e.value.status is None and not e.value.ambiguous   # nothing reached a server
    assert "s3cr3t-t0ken" not in str(e.value) and "***" in str(e.value)
    assert e.value.__cause__ is None and e.value.__suppress_context__
    assert "s3cr3t-t0ken" not in caplog.text
    assert "s3cr3t-t0ken" not in repr(c)


def test_token_never_in_errors_or_logs(fake, caplog):
    url = fake.base + "/api/webhooks/1234567890/very-secret-token"
    c, _ = client(url)
    with caplog.at_level(logging.DEBUG):
        fake.inject(429, {"retry_after": 0})
        c.post({"content": "x"})
        with pytest.raises(PublishError) as e:
            c.post({"embeds": [{"title": "t" * 300}]})
    assert "very-secret-token" not in str(e.value)
    assert "very-secret-token" not in caplog.text
    assert "/webhooks/1234567890/***" in caplog.text          # urllib3's debug line, redacted


def test_bucket_exhaustion_waits_before_the_next_request():
    import requests

    class Resp:
        status_code = 200
        content = b'{"id": "1"}'
        headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": "0.5"}

        def json(self):
            return {"id": "1"}

    class Session(requests.Session):
        def request(self, *a, **kw):
            return Resp()

    c, sleeps = client("https://discord.com/api/webhooks/1/tok", session=Session())
    c.post({"content": "a"})
    c.post({"content": "b"})
    assert len(sleeps) == 1 and 0.3 < sleeps[0] <= 0.5


def test_bad_url_rejected_without_echoing_it():
    with pytest.raises(ValueError) as e:
        DiscordWebhookClient("https://example.com/not-a-webhook/secret")
    assert "secret" not in str(e.value)


def test_thread_id_query_is_kept(fake):
    c, _ = client(fake.url + "?thread_id=77")
    c.post({"content": "x"})
    assert sorted(fake.requests[-1]["query"].split("&")) == ["thread_id=77", "wait=true"]
