"""What the admins' channel needs beyond the session report, from the app database:
files not read (as the server lists them now: the registry's rule, storage.registry),
files not linked, and Discord messages that need an admin's decision (the outbox's rule,
publish.outbox.publish_problems). publish/admin_embeds.py reads only the document
returned here.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.engine import Connection

from et_pipeline.publish.outbox import publish_problems
from et_pipeline.storage import schema as t
from et_pipeline.storage.registry import current_quarantine


DATE_LISTS = ("files", "timing_unlinked", "awards_unlinked", "discord")


def admin_facts(conn: Connection, dates: list[str], *, pairing_window_minutes: float,
                now: datetime | None = None, dagster_url: str | None = None) -> dict[str, dict]:
    """{session date: facts} for the given partitions. Facts: `files` (not read, with
    the reason and the file's time; files the server deleted are not listed),
    `timing_unlinked` and `awards_unlinked` (source and link status), `discord` (messages
    maybe posted or refused: key, status, error), `now` and `pairing_window_minutes` (for
    the time-dependent alerts), `dagster_url` (the UI the messages link to; None: no links)."""
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    out = {d: dict(files=[], timing_unlinked=[], awards_unlinked=[], discord=[], now=now.isoformat(timespec="seconds"),
                   pairing_window_minutes=pairing_window_minutes, dagster_url=dagster_url) for d in dates}
    for date, files in current_quarantine(conn, dates).items():
        for f in files if date in out else ():       # files in no session are listed by `run`
            out[date]["files"].append(dict(
                path=f.path, name=f.name, status=f.status, error=f.reason or None,
                mtime_at=datetime.fromtimestamp(f.mtime, timezone.utc).isoformat(timespec="seconds")))
    lt = t.lua_round_teams
    for r in conn.execute(select(lt.c.source, lt.c.session_date, lt.c.link_status)
                          .where(lt.c.session_date.in_(dates), lt.c.round_key.is_(None)).order_by(lt.c.source)):
        out[r.session_date]["timing_unlinked"].append(dict(source=r.source, link_status=r.link_status))
    aw = t.awards
    for r in conn.execute(select(aw.c.source, aw.c.session_date, aw.c.link_status)
                          .where(aw.c.session_date.in_(dates), aw.c.round_key.is_(None))
                          .group_by(aw.c.source, aw.c.session_date, aw.c.link_status).order_by(aw.c.source)):
        out[r.session_date]["awards_unlinked"].append(dict(source=r.source, link_status=r.link_status))
    for p in publish_problems(conn, dates):
        out[p.session_date]["discord"].append(dict(key=p.key, session_id=p.session_id, status=p.status, error=p.error))
    return out


def per_session(sessions: list[dict], facts: dict[str, dict]) -> list[dict | None]:
    """Each session's facts: a date's files and Discord problems go with its first session
    only (listed once); a later session of that date gets `None` for those lists."""
    seen, out = set(), []
    for s in sessions:
        day = facts.get(s["date"])
        if day is not None and s["date"] in seen:
            day = dict(day, **{k: None for k in DATE_LISTS})
        seen.add(s["date"])
        out.append(day)
    return out
