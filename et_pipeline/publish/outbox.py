"""`discord_posts` as an outbox: every message's intent is written (and committed) before
it is sent, so a lost answer or a killed process can never lead to a blind second post.

States of one row (session_id, kind = message key):

* pending   – about to be POSTed; a row still pending when a run starts means the
              process died during the POST: it becomes ambiguous.
* sent      – Discord holds the message (`message_id`) with this `content_hash`.
* ambiguous – the POST may or may not have created the message (answer lost: a connection
              reset, an answer slower than the client's timeout, a killed process). A
              webhook cannot look messages up, so it is NOT posted again automatically
              (a doubled message is worse than a missing one the admins are told about);
              it is reported until an admin either records the id found in the channel
              (`mark_found`) or asks for a new post (`retry_message`).
* rejected  – Discord refused this content for good (400 / 413, or over the limits before
              sending). Skipped and reported; tried again only when the content changes.
              For an edit, `message_id` keeps the message that still shows the old content.
* deferred  – Discord answered a long 429 to this new message: not sent before `retry_at`
              (a later run posts it; the sensor asks for that run, `deferred_dates`). An
              edit Discord deferred keeps its state (`sent`) with `retry_at` set. While a
              session has a `retry_at` in the future nothing of it is sent.

A webhook that is gone (deleted, token revoked) answers every message the same: for the
admins' channel that is one `rejected` row (`webhook_gone`), reported once, and the
channel's messages are skipped until a message reaches it again.

`publish_problems` is the one query for these problems: `run`'s output, `et-pipeline
discord`, the `discord_posts` asset's metadata and the admins' channel's alerts
(admin_report.admin_facts) use it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional, Sequence

from sqlalchemy import select
from sqlalchemy.engine import Connection

from et_pipeline.storage.schema import discord_posts

PENDING, SENT, AMBIGUOUS, REJECTED, DEFERRED = "pending", "sent", "ambiguous", "rejected", "deferred"
PROBLEMS = (AMBIGUOUS, REJECTED)
_ERROR_CHARS = 1000
WEBHOOKS = "webhooks"        # the session id of the rows about a webhook itself (webhook_gone)


@dataclass(frozen=True)
class PublishProblem:
    """A message the admins must know about: posted maybe (ambiguous) or refused (rejected)."""

    session_id: str
    session_date: str
    key: str
    status: str
    error: Optional[str]
    message_id: Optional[str]
    updated_at: str


def now(offset_seconds: float = 0.0) -> str:
    when = datetime.now(timezone.utc).timestamp() + offset_seconds
    return datetime.fromtimestamp(when, timezone.utc).isoformat(timespec="seconds")


def deferred_dates(conn: Connection, now: float) -> dict[str, str]:
    """Session date -> the latest `retry_at` of its deferred messages that are due at `now`
    (unix): the dates a new run must publish (the sensor asks for them)."""
    due = datetime.fromtimestamp(now, timezone.utc).isoformat(timespec="seconds")
    c = discord_posts.c
    out: dict[str, str] = {}
    for date, at in conn.execute(select(c.session_date, c.retry_at).where(c.retry_at.is_not(None), c.retry_at <= due)):
        out[date] = max(out.get(date, at), at)
    return out


def held_until(rows, at: str) -> Optional[str]:
    """The `retry_at` after `at` (ISO, UTC) among a session's rows: Discord asked for quiet."""
    later = [r.retry_at for r in rows if r.retry_at and r.retry_at > at]
    return max(later) if later else None


def defer(conn: Connection, session_id: str, session_date: str, key: str, digest: str, retry_at: str,
          error: str, row) -> None:
    """Discord answered a long 429 to this message (`row`: its row before the request)."""
    c = discord_posts.c
    if row is not None and row.message_id:     # an edit: the old content stays until then
        conn.execute(discord_posts.update().where(c.session_id == session_id, c.kind == key)
                     .values(retry_at=retry_at, updated_at=now()))
    elif row is not None:
        conn.execute(discord_posts.update().where(c.session_id == session_id, c.kind == key)
                     .values(status=DEFERRED, retry_at=retry_at, content_hash=digest, error=error[:_ERROR_CHARS],
                             updated_at=now()))
    else:
        conn.execute(discord_posts.insert().values(session_id=session_id, kind=key, session_date=session_date,
                                                   message_id=None, content_hash=digest, status=DEFERRED,
                                                   retry_at=retry_at, error=error[:_ERROR_CHARS], updated_at=now()))


def webhook_gone(conn: Connection, channel: str, session_date: str, error: Optional[str]) -> None:
    """Record (error) or clear (None) that `channel`'s webhook is gone: one row, reported by
    publish_problems until a message reaches the channel again."""
    c = discord_posts.c
    where = (c.session_id == WEBHOOKS, c.kind == channel)
    conn.execute(discord_posts.delete().where(*where))
    if error:
        conn.execute(discord_posts.insert().values(session_id=WEBHOOKS, kind=channel, session_date=session_date,
                                                   message_id=None, content_hash="", status=REJECTED,
                                                   error=error[:_ERROR_CHARS], updated_at=now()))


def publish_problems(conn: Connection, session_dates: Optional[Sequence[str]] = None) -> list[PublishProblem]:
    """Ambiguous and rejected messages, oldest date first (all dates, or only `session_dates`)."""
    q = select(discord_posts).where(discord_posts.c.status.in_(PROBLEMS))
    if session_dates is not None:
        q = q.where(discord_posts.c.session_date.in_(list(session_dates)))
    q = q.order_by(discord_posts.c.session_date, discord_posts.c.session_id, discord_posts.c.kind)
    return [PublishProblem(r.session_id, r.session_date, r.kind, r.status, r.error, r.message_id, r.updated_at)
            for r in conn.execute(q)]


def retry_message(conn: Connection, session_id: str, key: str) -> bool:
    """An admin's decision after checking the channel: the ambiguous (or rejected) message is
    not there, post it on the next run. Returns False when there is no such problem."""
    res = conn.execute(discord_posts.delete().where(discord_posts.c.session_id == session_id,
                                                    discord_posts.c.kind == key,
                                                    discord_posts.c.status.in_(PROBLEMS),
                                                    discord_posts.c.message_id.is_(None)))
    return res.rowcount > 0


def mark_found(conn: Connection, session_id: str, key: str, message_id: str) -> bool:
    """An admin found the ambiguous message in the channel: record its id, so later changes
    edit it. Returns False when there is no such ambiguous message."""
    res = conn.execute(discord_posts.update().where(discord_posts.c.session_id == session_id,
                                                    discord_posts.c.kind == key,
                                                    discord_posts.c.status == AMBIGUOUS)
                       .values(status=SENT, message_id=str(message_id), error=None, updated_at=now()))
    return res.rowcount > 0


# ---------------------------------------------------------------- the publisher's writes

def load(conn: Connection, session_id: str) -> dict:
    """This session's rows by key; pending rows left by a dead process become ambiguous."""
    c = discord_posts.c
    conn.execute(discord_posts.update().where(c.session_id == session_id, c.status == PENDING)
                 .values(status=AMBIGUOUS, updated_at=now(),
                         error="the publishing process stopped during the POST; the message may exist"))
    return {r.kind: r for r in conn.execute(select(discord_posts).where(c.session_id == session_id))}


def record_intent(conn: Connection, session_id: str, session_date: str, key: str, digest: str, exists: bool) -> None:
    """Written and committed before the POST leaves."""
    values = dict(session_date=session_date, message_id=None, content_hash=digest, status=PENDING, error=None,
                  retry_at=None, updated_at=now())
    if exists:
        conn.execute(discord_posts.update().where(discord_posts.c.session_id == session_id,
                                                  discord_posts.c.kind == key).values(**values))
    else:
        conn.execute(discord_posts.insert().values(session_id=session_id, kind=key, **values))


def settle(conn: Connection, session_id: str, key: str, status: str, *, digest: Optional[str] = None,
           message_id: Optional[str] = None, error: Optional[str] = None) -> None:
    """The outcome of one request: sent (with its id), ambiguous or rejected (with the reason)."""
    values = dict(status=status, error=error[:_ERROR_CHARS] if error else None, retry_at=None, updated_at=now())
    if digest is not None:
        values["content_hash"] = digest
    if message_id is not None:
        values["message_id"] = str(message_id)
    conn.execute(discord_posts.update().where(discord_posts.c.session_id == session_id,
                                              discord_posts.c.kind == key).values(**values))


def record_rejected(conn: Connection, session_id: str, session_date: str, key: str, digest: str,
                    error: str, exists: bool) -> None:
    """Refused before sending (over Discord's limits): reported like Discord's own 400."""
    if exists:
        settle(conn, session_id, key, REJECTED, digest=digest, error=error)
    else:
        conn.execute(discord_posts.insert().values(session_id=session_id, kind=key, session_date=session_date,
                                                   message_id=None, content_hash=digest, status=REJECTED,
                                                   error=error[:_ERROR_CHARS], updated_at=now()))


def forget_intent(conn: Connection, session_id: str, key: str) -> None:
    """The POST certainly created nothing (refused connection, 5xx, a failure of the whole
    webhook): back to 'never posted', so the next run posts it."""
    conn.execute(discord_posts.delete().where(discord_posts.c.session_id == session_id,
                                              discord_posts.c.kind == key, discord_posts.c.status == PENDING))
