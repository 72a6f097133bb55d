"""Publish one session's messages: nothing, to files (dry-run), or to Discord (live).

Live publishing is idempotent through `discord_posts` (session_id, kind = message key),
kept as an outbox (publish/outbox.py): a key never seen is recorded as pending, committed,
then posted, and its id stored at once; a POST whose answer is lost stays ambiguous and is
never re-posted blindly; a message Discord refuses for good is recorded as rejected and
skipped, and the rest of the session is posted. A known key whose hash is unchanged is
skipped; a changed one is edited in place. Keys that vanish from a session are left alone
(their message stays, nothing is deleted). Re-running never posts a message twice.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
from dataclasses import asdict, dataclass
from typing import Sequence

from sqlalchemy.engine import Engine

from et_pipeline.publish import limits, outbox
from et_pipeline.publish.embeds import build_messages
from et_pipeline.publish.message import ADMINS, PLAYERS, Message
from et_pipeline.publish.webhook import DiscordWebhookClient, PublishError
from et_pipeline.storage.schema import discord_posts

log = logging.getLogger(__name__)

MODES = ("off", "dry-run", "live")
UNKNOWN_MESSAGE = 10008


@dataclass
class PublishSummary:
    posted: int = 0
    edited: int = 0
    unchanged: int = 0
    written: int = 0
    rejected: int = 0       # refused by Discord (or over its limits): skipped, reported
    ambiguous: int = 0      # maybe posted, answer lost: not re-posted, reported
    deferred: int = 0       # Discord asked to wait (a long 429): left for a later run (outbox.retry_at)
    skipped: int = 0        # for a channel whose webhook is gone (reported once, outbox.webhook_gone)

    def as_dict(self) -> dict:
        return asdict(self)


def content_hash(message: Message) -> str:
    """sha256 over the canonical payload JSON and every attached file (name + bytes)."""
    h = hashlib.sha256()
    h.update(json.dumps(message.payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())
    for name, data in message.files:
        h.update(b"\0file\0" + name.encode() + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()


def publish_session(session: dict, *, mode: str, engine: Engine | None = None,
                    client: DiscordWebhookClient | None = None, out_dir: str = "out",
                    messages: Sequence[Message] | None = None,
                    admin_client: DiscordWebhookClient | None = None,
                    details_client: DiscordWebhookClient | None = None,
                    details_thread: bool = False, admin_facts: dict | None = None) -> PublishSummary:
    """Publish `session` (one session of the session report). `messages` may be passed
    when already built (otherwise `build_messages(session)`).

    Channels (issue 14): `client` posts the players' channel; `details_client` (the same
    webhook with `?thread_id=`) the players' details thread, when `details_thread`;
    `admin_client` the admins' channel (its messages are skipped without one). Every
    channel shares `discord_posts`: the admins' keys start with `admin:`, so each message
    is still posted once and edited on change.

    * off: nothing.
    * dry-run: `<out_dir>/<date>/<session_id>/players/` and `…/admins/` get one
      `<key>.json` per message of that channel (payload, hash, attachment names, whether
      it goes into the details thread), the attachments under their names and
      `index.json` (keys in posting order). Unchanged files are not rewritten; files of messages that
      no longer exist are removed. `written` counts messages whose files changed.
    * live: post / edit / skip per message against `discord_posts` (needs `engine` and
      `client`). Rejected and ambiguous messages are counted and recorded, not raised
      (`outbox.publish_problems` reports them). Raises PublishError when Discord cannot be
      reached or the webhook itself fails, after recording what succeeded (the error's
      `summary` holds the counts so far).
    """
    if mode not in MODES:
        raise ValueError("publish mode must be one of %s, not %r" % (", ".join(MODES), mode))
    summary = PublishSummary()
    if mode == "off":
        return summary
    msgs = list(messages) if messages is not None else build_messages(
        session, details_thread=details_thread, admin=admin_facts)
    if mode == "dry-run":
        problems = ["%s: %s" % (m.key, v) for m in msgs for v in limits.violations(m.payload, m.files)]
        if problems:
            raise PublishError("messages " + limits.refusal(problems))
        return _dry_run(session, msgs, out_dir, summary)
    if engine is None or client is None:
        raise ValueError("live publishing needs an engine and a DiscordWebhookClient")
    clients = {(PLAYERS, False): client, (PLAYERS, True): details_client, (ADMINS, False): admin_client}
    return _live(session, [m for m in msgs if clients.get((m.channel, m.thread))], engine, clients, summary)


# ---------------------------------------------------------------- dry-run

def _file_stem(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", key).strip("_") or "message"


def _write_if_changed(path: str, data: bytes) -> bool:
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return False
    except FileNotFoundError:
        pass
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return True


def _dry_run(session: dict, msgs: Sequence[Message], out_dir: str, summary: PublishSummary) -> PublishSummary:
    base = os.path.join(out_dir, _file_stem(session.get("date") or "undated"),
                        _file_stem(session.get("session_id") or "session"))
    for channel in (PLAYERS, ADMINS):
        mine = [m for m in msgs if m.channel == channel]
        if mine or os.path.isdir(os.path.join(base, channel)):
            _dry_run_folder(session, mine, os.path.join(base, channel), summary)
    return summary


def _dry_run_folder(session: dict, msgs: Sequence[Message], folder: str, summary: PublishSummary) -> None:
    os.makedirs(folder, exist_ok=True)
    names = [n for m in msgs for n, _ in m.files]
    keep = {"index.json"}
    index = []
    for m in msgs:
        stem = _file_stem(m.key)
        changed = False
        attachments = []
        for name, data in m.files:
            fname = name if names.count(name) == 1 else "%s__%s" % (stem, name)
            attachments.append(fname)
            keep.add(fname)
            changed |= _write_if_changed(os.path.join(folder, fname), data)
        digest = content_hash(m)
        doc = {"key": m.key, "hash": digest, "files": attachments, "payload": m.payload, "thread": m.thread}
        keep.add(stem + ".json")
        changed |= _write_if_changed(os.path.join(folder, stem + ".json"),
                                     (json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode())
        index.append({"key": m.key, "file": stem + ".json", "hash": digest, "thread": m.thread})
        if changed:
            summary.written += 1
        else:
            summary.unchanged += 1
    _write_if_changed(os.path.join(folder, "index.json"),
                      (json.dumps({"session_id": session.get("session_id"), "date": session.get("date"),
                                   "messages": index}, indent=2, ensure_ascii=False) + "\n").encode())
    for name in os.listdir(folder):
        if name not in keep and name.endswith((".json", ".png", ".txt")):
            os.unlink(os.path.join(folder, name))


# ---------------------------------------------------------------- live

def _live(session: dict, msgs: Sequence[Message], engine: Engine, clients: dict,
          summary: PublishSummary) -> PublishSummary:
    session_id = str(session.get("session_id"))
    session_date = str(session.get("date") or (session.get("start") or "")[:10])
    discord_posts.create(engine, checkfirst=True)
    with engine.begin() as conn:
        known = outbox.load(conn, session_id)
    held = outbox.held_until(known.values(), outbox.now())
    if held:                                  # Discord asked for quiet: a later run sends it all
        summary.deferred += len(msgs)
        return summary
    gone: dict[str, bool] = {}                # channel -> its webhook is gone (True) or answered (False)
    for i, m in enumerate(msgs):
        if gone.get(m.channel):
            summary.skipped += 1
            continue
        client = clients[(m.channel, m.thread)]
        sent_before = summary.posted + summary.edited
        try:
            _publish_one(m, known.get(m.key), session_id, session_date, engine, client, summary)
        except PublishError as exc:
            if exc.rate_limited:
                retry_at = outbox.now(exc.retry_after or 60.0)
                log.warning("Discord rate-limited session %s for %.0f s: %d message(s) deferred until %s",
                            session_id, exc.retry_after or 60.0, len(msgs) - i, retry_at)
                with engine.begin() as conn:
                    outbox.defer(conn, session_id, session_date, m.key, content_hash(m), retry_at, str(exc),
                                 known.get(m.key))
                summary.deferred += len(msgs) - i
                return summary
            if exc.webhook_gone and m.channel == ADMINS:
                log.error("the admins' webhook is gone; their messages are skipped: %s", exc)
                with engine.begin() as conn:
                    outbox.webhook_gone(conn, ADMINS, session_date, "the admins' webhook is gone (%s): their "
                                        "messages are skipped until ET_DISCORD_ADMIN_WEBHOOK_URL is fixed" % exc)
                gone[ADMINS] = True
                summary.skipped += 1
                continue
            exc.summary = summary
            exc.args = ("%s (while publishing %s of session %s; %d posted, %d edited, %d unchanged before it)"
                        % (exc.args[0] if exc.args else exc, m.key, session_id, summary.posted, summary.edited,
                           summary.unchanged),)
            raise
        if m.channel == ADMINS and ADMINS not in gone and summary.posted + summary.edited > sent_before:
            gone[ADMINS] = False
            with engine.begin() as conn:      # it answers: a "gone" report of an earlier run is over
                outbox.webhook_gone(conn, ADMINS, session_date, None)
    return summary


def _publish_one(m: Message, row, session_id: str, session_date: str, engine: Engine,
                 client: DiscordWebhookClient, summary: PublishSummary) -> None:
    """One message through the outbox (publish/outbox.py has the states and why)."""
    digest = content_hash(m)
    if row is not None and row.status == outbox.AMBIGUOUS:
        summary.ambiguous += 1            # never re-posted blindly; reported until an admin decides
        return
    if row is not None and row.content_hash == digest and row.status in (outbox.SENT, outbox.REJECTED):
        if row.status == outbox.SENT:
            summary.unchanged += 1
        else:
            summary.rejected += 1         # the same content would be refused again
        return
    over = limits.violations(m.payload, m.files)
    if over:
        with engine.begin() as conn:
            outbox.record_rejected(conn, session_id, session_date, m.key, digest, limits.refusal(over),
                                   exists=row is not None)
        summary.rejected += 1
        return
    if row is not None and row.message_id:
        try:
            client.edit(row.message_id, m.payload, m.files)
        except PublishError as exc:
            if exc.code == UNKNOWN_MESSAGE or (exc.status == 404 and exc.code is None):
                log.warning("message for %s was deleted in Discord; posting it again", m.key)
                _post(m, digest, True, session_id, session_date, engine, client, summary)
                return
            if not exc.rejects_message:
                raise                     # the edit is idempotent: the next run tries again
            with engine.begin() as conn:
                outbox.settle(conn, session_id, m.key, outbox.REJECTED, digest=digest, error=str(exc))
            summary.rejected += 1
            return
        with engine.begin() as conn:
            outbox.settle(conn, session_id, m.key, outbox.SENT, digest=digest)
        summary.edited += 1
        return
    _post(m, digest, row is not None, session_id, session_date, engine, client, summary)


def _post(m: Message, digest: str, exists: bool, session_id: str, session_date: str, engine: Engine,
          client: DiscordWebhookClient, summary: PublishSummary) -> None:
    with engine.begin() as conn:          # the intent is committed before the request leaves
        outbox.record_intent(conn, session_id, session_date, m.key, digest, exists)
    try:
        message_id = client.post(m.payload, m.files)
    except PublishError as exc:
        with engine.begin() as conn:
            if exc.ambiguous:
                log.error("message %s of session %s may have been posted (answer lost); not posting it again: %s",
                          m.key, session_id, exc)
                outbox.settle(conn, session_id, m.key, outbox.AMBIGUOUS, error=str(exc))
                summary.ambiguous += 1
                return
            if exc.rejects_message:
                log.error("Discord rejected message %s of session %s; skipped: %s", m.key, session_id, exc)
                outbox.settle(conn, session_id, m.key, outbox.REJECTED, error=str(exc))
                summary.rejected += 1
                return
            outbox.forget_intent(conn, session_id, m.key)      # nothing was created: the next run posts it
        raise
    with engine.begin() as conn:
        outbox.settle(conn, session_id, m.key, outbox.SENT, message_id=message_id)
    summary.posted += 1
