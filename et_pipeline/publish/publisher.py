"""Publish one session's messages: nothing, to files (dry-run), or to Discord (live).

Live publishing is idempotent through `discord_posts` (session_id, kind = message key):
a key never seen is posted and its id and content hash stored at once (one commit per
message, so a failure midway leaves the table matching what Discord has); a known key
whose hash is unchanged is skipped; a changed one is edited in place. Keys that vanish
from a session are left alone (their message stays, nothing is deleted). Re-running
never posts a message twice.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Sequence

from sqlalchemy import select
from sqlalchemy.engine import Engine

from et_pipeline.publish import limits
from et_pipeline.publish.embeds import ADMINS, PLAYERS, Message, build_messages
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
      `client`). Raises PublishError on a final failure, after recording what succeeded
      (the error's `summary` holds the counts so far).
    """
    if mode not in MODES:
        raise ValueError("publish mode must be one of %s, not %r" % (", ".join(MODES), mode))
    summary = PublishSummary()
    if mode == "off":
        return summary
    msgs = list(messages) if messages is not None else build_messages(
        session, details_thread=details_thread, admin=admin_facts)
    problems = ["%s: %s" % (m.key, v) for m in msgs for v in limits.violations(m.payload, m.files)]
    if problems:
        raise PublishError("messages over Discord's limits (not sent): " + "; ".join(problems[:5]))
    if mode == "dry-run":
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

def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _live(session: dict, msgs: Sequence[Message], engine: Engine, clients: dict,
          summary: PublishSummary) -> PublishSummary:
    session_id = str(session.get("session_id"))
    session_date = str(session.get("date") or (session.get("start") or "")[:10])
    discord_posts.create(engine, checkfirst=True)
    with engine.connect() as conn:
        rows = conn.execute(select(discord_posts.c.kind, discord_posts.c.message_id, discord_posts.c.content_hash)
                            .where(discord_posts.c.session_id == session_id)).all()
    known = {r.kind: (r.message_id, r.content_hash) for r in rows}
    for m in msgs:
        client = clients[(m.channel, m.thread)]
        digest = content_hash(m)
        message_id, old_hash = known.get(m.key, (None, None))
        try:
            if m.key in known and message_id and old_hash == digest:
                summary.unchanged += 1
                continue
            if m.key in known and message_id:
                try:
                    client.edit(message_id, m.payload, m.files)
                    summary.edited += 1
                except PublishError as exc:
                    if not (exc.code == UNKNOWN_MESSAGE or (exc.status == 404 and exc.code is None)):
                        raise
                    log.warning("message for %s was deleted in Discord; posting it again", m.key)
                    message_id = client.post(m.payload, m.files)
                    summary.posted += 1
                _store(engine, session_id, session_date, m.key, message_id, digest, update=True)
            else:
                message_id = client.post(m.payload, m.files)
                summary.posted += 1
                _store(engine, session_id, session_date, m.key, message_id, digest, update=m.key in known)
        except PublishError as exc:
            exc.summary = summary
            exc.args = ("%s (while publishing %s of session %s; %d posted, %d edited, %d unchanged before it)"
                        % (exc.args[0] if exc.args else exc, m.key, session_id, summary.posted, summary.edited,
                           summary.unchanged),)
            raise
    return summary


def _store(engine: Engine, session_id: str, session_date: str, key: str, message_id: str, digest: str,
           update: bool) -> None:
    values = {"session_date": session_date, "message_id": str(message_id), "content_hash": digest, "updated_at": _now()}
    with engine.begin() as conn:
        if update:
            conn.execute(discord_posts.update()
                         .where(discord_posts.c.session_id == session_id, discord_posts.c.kind == key)
                         .values(**values))
        else:
            conn.execute(discord_posts.insert().values(session_id=session_id, kind=key, **values))
