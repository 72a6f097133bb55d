"""A small Discord webhook client: post with `?wait=true` (to learn the message id),
edit with PATCH, honour rate limits, retry what is worth retrying, and fail with a
clear `PublishError` otherwise. The webhook token is a secret: it never appears in an
exception, a log line or a repr.
"""
from __future__ import annotations

import json
import logging
import re
import time
from typing import Callable, Sequence
from urllib.parse import urlsplit, urlunsplit

import requests
from urllib3.exceptions import NameResolutionError, NewConnectionError

log = logging.getLogger(__name__)

_WEBHOOK_PATH = re.compile(r"^(?P<base>.*/webhooks/(?P<id>[^/]+))/(?P<token>[^/?#]+)/?$")
_TOKEN_IN_TEXT = re.compile(r"(/webhooks/[^/\s]+/)[^/\s?\"']+")


class _RedactToken(logging.Filter):
    """urllib3 logs request paths at DEBUG level; a webhook path holds the token."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if "/webhooks/" in text:
            record.msg, record.args = _TOKEN_IN_TEXT.sub(r"\1***", text), None
        return True


_urllib3_log = logging.getLogger("urllib3.connectionpool")
if not any(isinstance(f, _RedactToken) for f in _urllib3_log.filters):
    _urllib3_log.addFilter(_RedactToken())


class PublishError(RuntimeError):
    """Discord refused a message, or it could not be reached after the retries.
    `status` is the HTTP status (None for a connection failure), `code` Discord's error
    code (50035 = invalid form body, 10008 = unknown message). `ambiguous`: a POST whose
    request may have reached Discord (the message may exist) but whose answer was lost."""

    def __init__(self, message: str, *, status: int | None = None, code: int | None = None,
                 discord_message: str | None = None, summary=None, ambiguous: bool = False,
                 retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.discord_message = discord_message
        self.summary = summary   # set by the publisher: what succeeded before the failure
        self.ambiguous = ambiguous
        self.retry_after = retry_after   # a 429 longer than the client waits: seconds Discord asked for

    @property
    def rejects_message(self) -> bool:
        """Discord refused this message's content (400 invalid body, 413 too large): sending
        the same content again can only fail again. 401/403/404 concern the webhook itself."""
        return self.status in (400, 413)

    @property
    def rate_limited(self) -> bool:
        """Discord asked us to wait longer than a run should (the publisher defers)."""
        return self.status == 429

    @property
    def webhook_gone(self) -> bool:
        """The webhook was deleted or its token revoked: nothing sent to it can succeed."""
        return self.status in (401, 403) or self.code in (UNKNOWN_WEBHOOK, INVALID_WEBHOOK_TOKEN)


UNKNOWN_WEBHOOK, INVALID_WEBHOOK_TOKEN = 10015, 50027


def _never_sent(exc: Exception) -> bool:
    """True when the request certainly never reached the server (so a POST created nothing):
    the connection could not be opened. A reset or a timeout after sending is ambiguous."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)          # urllib3's MaxRetryError wraps the cause
    return isinstance(reason, (NewConnectionError, NameResolutionError))


def webhook_url_problem(url: str | None) -> str | None:
    """Why `url` is not a webhook this client can post to, or None (never quoting it: the
    URL holds the webhook's token)."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc or not _WEBHOOK_PATH.match(parts.path):
        return "not a Discord webhook URL (expected …/api/webhooks/<id>/<token>)"
    return None


def webhook_variable_problem(env, variable: str, required: bool) -> str | None:
    """Why a live post could not use the webhook in `variable` (unset though required, or
    not a webhook URL), or None; said before any work by `run` and `balance`."""
    url = env.get(variable)
    if not url:
        return "--publish live needs %s" % variable if required else None
    problem = webhook_url_problem(url)
    return "%s: %s" % (variable, problem) if problem else None


class DiscordWebhookClient:
    """`url` is the webhook URL (https://discord.com/api/webhooks/<id>/<token>[?thread_id=…]).

    * 429: waits `retry_after` (JSON body, else the Retry-After / X-RateLimit-Reset-After
      header) and tries again; this is not a failure, but at most `max_rate_limit_waits`
      times and `max_rate_limit_wait` seconds in all per request, and never longer than
      `max_retry_after` seconds at once. Beyond that it raises PublishError(status=429,
      retry_after=...) at once: a run must not sit in its slot for Discord (the publisher
      defers the rest to the outbox).
    * 5xx, connection errors and timeouts: retried up to `max_retries` times with
      exponential backoff (`backoff`, doubling, at most 30 s). A POST is not idempotent:
      once its request may have reached Discord (a reset or a read timeout after sending,
      a 504, a 2xx without an id) it is never sent again; PublishError(ambiguous=True)
      tells the publisher the message may exist. 500/502/503 create nothing and are retried.
    * other 4xx: PublishError at once, with Discord's code and message.
    * `timeout`: (connect, read) seconds. The read timeout must outlast Discord's slowest
      honest answer (check_publish: 15 s); a shorter one turns slow posts into ambiguous ones.
    * A bucket that reports no remaining requests is waited out before the next one.
    """

    def __init__(self, url: str, session: requests.Session | None = None, max_retries: int = 5,
                 timeout: float | tuple[float, float] = (10.0, 60.0),
                 *, max_rate_limit_waits: int = 30, max_retry_after: float = 10.0,
                 max_rate_limit_wait: float = 30.0, backoff: float = 0.5,
                 sleep: Callable[[float], None] = time.sleep):
        problem = webhook_url_problem(url)
        if problem:
            raise ValueError(problem)
        parts = urlsplit(url)
        m = _WEBHOOK_PATH.match(parts.path)
        self._url = urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
        self._query = parts.query
        self._token = m.group("token")
        self._safe = urlunsplit((parts.scheme, parts.netloc, m.group("base") + "/***", "", ""))
        self.session = session or requests.Session()
        self.max_retries = max_retries
        self.timeout = timeout
        self.max_rate_limit_waits = max_rate_limit_waits
        self.max_retry_after = max_retry_after
        self.max_rate_limit_wait = max_rate_limit_wait
        self.backoff = backoff
        self._sleep = sleep
        self._not_before = 0.0

    def __repr__(self) -> str:
        return "DiscordWebhookClient(%s)" % self._safe

    # ------------------------------------------------------------ public

    def post(self, payload: dict, files: Sequence[tuple[str, bytes]] = ()) -> str:
        """Send a new message; returns its id."""
        body = dict(payload)
        if files and "attachments" not in body:
            body["attachments"] = [{"id": i, "filename": name} for i, (name, _) in enumerate(files)]
        resp = self._request("POST", self._url, body, files, wait=True)
        try:
            return self._message_id(resp, "POST")
        except PublishError as exc:      # 2xx: the message exists, its id is unknown
            exc.ambiguous = True
            raise

    def edit(self, message_id: str, payload: dict, files: Sequence[tuple[str, bytes]] = ()) -> str:
        """Replace a message's content; its attachments are replaced by `files` (none
        left when `files` is empty). Returns the message id."""
        body = dict(payload)
        body["attachments"] = [{"id": i, "filename": name} for i, (name, _) in enumerate(files)]
        resp = self._request("PATCH", "%s/messages/%s" % (self._url, message_id), body, files)
        return self._message_id(resp, "PATCH") if resp.content else str(message_id)

    # ------------------------------------------------------------ internals

    def _redact(self, text: str) -> str:
        return str(text).replace(self._token, "***") if self._token else str(text)

    def _params(self, wait: bool) -> dict:
        params = dict(p.split("=", 1) if "=" in p else (p, "") for p in self._query.split("&") if p)
        if wait:
            params["wait"] = "true"
        return params

    def _message_id(self, resp: requests.Response, method: str) -> str:
        try:
            mid = resp.json().get("id")
        except ValueError:
            mid = None
        if not mid:
            raise PublishError("%s %s: Discord answered %d without a message id" % (method, self._safe, resp.status_code),
                               status=resp.status_code)
        return str(mid)

    def _wait_for_bucket(self) -> None:
        delay = self._not_before - time.monotonic()
        if delay > 0:
            self._sleep(delay)

    def _note_bucket(self, resp: requests.Response) -> None:
        if resp.headers.get("X-RateLimit-Remaining") == "0":
            try:
                reset = float(resp.headers.get("X-RateLimit-Reset-After") or 0)
            except ValueError:
                reset = 0.0
            self._not_before = time.monotonic() + min(max(reset, 0.0), self.max_retry_after)

    @staticmethod
    def _retry_after(resp: requests.Response) -> float:
        try:
            value = resp.json().get("retry_after")
            if value is not None:
                return max(0.0, float(value))
        except (ValueError, AttributeError):
            pass
        for header in ("X-RateLimit-Reset-After", "Retry-After"):
            try:
                return max(0.0, float(resp.headers[header]))
            except (KeyError, ValueError):
                continue
        return 1.0

    def _error(self, method: str, resp: requests.Response) -> PublishError:
        code = msg = None
        detail = ""
        try:
            body = resp.json()
            code, msg = body.get("code"), body.get("message")
            if body.get("errors"):
                detail = " " + json.dumps(body["errors"], sort_keys=True)[:500]
        except (ValueError, AttributeError):
            detail = " " + resp.text[:200] if resp.text else ""
        text = "%s %s: Discord answered %d%s: %s%s" % (
            method, self._safe, resp.status_code, " (code %s)" % code if code is not None else "", msg or resp.reason, detail)
        return PublishError(self._redact(text), status=resp.status_code, code=code, discord_message=msg)

    def _request(self, method: str, url: str, payload: dict, files: Sequence[tuple[str, bytes]],
                 wait: bool = False) -> requests.Response:
        failures = 0
        limited = 0
        waited = 0.0
        while True:
            self._wait_for_bucket()
            if files:
                kwargs = {"data": {"payload_json": json.dumps(payload)},
                          "files": [("files[%d]" % i, (name, data, "image/png" if name.lower().endswith(".png")
                                                       else "application/octet-stream"))
                                    for i, (name, data) in enumerate(files)]}
            else:
                kwargs = {"json": payload}
            try:
                resp = self.session.request(method, url, params=self._params(wait), timeout=self.timeout, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                if method == "POST" and not _never_sent(exc):
                    raise PublishError(self._redact("%s %s: %s, the message may exist: %s" % (
                        method, self._safe, type(exc).__name__, exc)), ambiguous=True) from None
                failures += 1
                if failures > self.max_retries:
                    raise PublishError(self._redact("%s %s: %s after %d attempts: %s" % (
                        method, self._safe, type(exc).__name__, failures, exc))) from None
                delay = min(30.0, self.backoff * 2 ** (failures - 1))
                log.warning("%s webhook: %s, retry %d/%d in %.1f s", method, type(exc).__name__, failures,
                            self.max_retries, delay)
                self._sleep(delay)
                continue
            if resp.status_code == 429:
                limited += 1
                delay = self._retry_after(resp)
                if (limited > self.max_rate_limit_waits or delay > self.max_retry_after
                        or waited + delay > self.max_rate_limit_wait):
                    err = self._error(method, resp)
                    err.retry_after = delay
                    raise err
                log.info("%s webhook: rate limited, waiting %.2f s", method, delay)
                self._sleep(delay)
                waited += delay
                continue
            if method == "POST" and resp.status_code == 504:     # the gateway gave up waiting: created or not
                err = self._error(method, resp)
                err.ambiguous = True
                raise err
            if resp.status_code >= 500:
                failures += 1
                if failures > self.max_retries:
                    raise self._error(method, resp)
                delay = min(30.0, self.backoff * 2 ** (failures - 1))
                log.warning("%s webhook: HTTP %d, retry %d/%d in %.1f s", method, resp.status_code, failures,
                            self.max_retries, delay)
                self._sleep(delay)
                continue
            if resp.status_code >= 400:
                raise self._error(method, resp)
            self._note_bucket(resp)
            return resp
