"""The file registry (`server_files`) and the archive (`raw_files`): writes and the one query.

* `archive_partitions` upserts a run's files by path and keeps what the server no longer
  lists (`on_server` false): game servers rotate old files, the archive is ours (DESIGN 1).
* `sync_registry` makes the registry reflect the server as it is now (files that belong to
  no date, which archived files are still listed) without re-running any date's assets;
  `run` calls it on every invocation, `server_files` on every materialisation.
* `current_quarantine` is the quarantine list per date as the server is now, for `run`'s
  output and the admins' channel (admin_report.admin_facts).
* `forget_dates` is the one way to remove a night from the archive (`et-pipeline forget`).
* `claim_source`: a database holds one game server's nights. Two servers writing into one
  re-ran each other's dates (each one's listing lacks the other's files, so those dates
  looked emptied) and marked the other's files as gone from the server.
"""
from dataclasses import dataclass
from typing import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from et_pipeline.steps.ingest import READ_ERROR, Ingest, unassigned_rows
from et_pipeline.steps.plan import Plan
from et_pipeline.storage import schema as t
from et_pipeline.storage.database import replace_partition
from et_pipeline.storage.season_state import mark_dates_changed, mark_nights_changed

# read_error: the server refused to give us the file (re-read on every run of its date)
QUARANTINE_STATUSES = ("quarantined", "duplicate", "unassigned", READ_ERROR)
_CHUNK = 500


@dataclass(frozen=True)
class QuarantinedFile:
    path: str
    name: str
    status: str          # quarantined | duplicate | unassigned | read_error
    reason: str
    mtime: float         # the file's time on the server (the admins' "still quarantined" alert)


class SourceMismatch(ValueError):
    """The database holds another game server's nights."""


def claim_source(conn: Connection, described: str) -> None:
    """Record `described` (StatsSource.describe()) as the database's server on its first
    run; raise SourceMismatch when the database already holds another server's nights."""
    held = conn.execute(select(t.app_settings.c.value).where(t.app_settings.c.key == "source")).scalar()
    if held is None:
        conn.execute(t.app_settings.insert().values(key="source", value=described))
    elif held != described:
        raise SourceMismatch(
            "the database holds the nights of %s, not of %s: use one database per game server (if the same server "
            "moved, change the `source` row of the app_settings table to the new address)" % (held, described))


def _chunks(items: Sequence) -> Iterable[list]:
    items = list(items)
    for i in range(0, len(items), _CHUNK):
        yield items[i:i + _CHUNK]


def _delete_paths(conn: Connection, paths) -> None:
    for part in _chunks(sorted(paths)):
        conn.execute(t.server_files.delete().where(t.server_files.c.path.in_(part)))
        conn.execute(t.raw_files.delete().where(t.raw_files.c.path.in_(part)))


def listed_paths(plan: Plan) -> set[str]:
    return {p.file.path for files in plan.by_date.values() for p in files} | {p.file.path for p in plan.unassigned}


def archived_stats_names(conn: Connection) -> list[str]:
    """Names of the archived stats files (listed or not): they shape sessions (steps.plan)."""
    sf = t.server_files
    return list(conn.execute(select(sf.c.name).where(sf.c.kind == "stats", sf.c.session_date.is_not(None))).scalars())


def archive_partitions(conn: Connection, dates: list[str], plan: Plan, ingest: Ingest, states: list[dict]) -> None:
    """Write a run's registry and raw rows (one transaction, the caller's). Nothing of a
    date is deleted because the server stopped listing it; a file the plan now puts in a
    date outside this run moved there (sessions re-grouped) and leaves these dates, and so
    does one it now refuses (a name an earlier version accepted: sync_registry records it
    as quarantined)."""
    elsewhere = {p.file.path for d, files in plan.by_date.items() if d not in dates for p in files}
    elsewhere |= {p.file.path for p in plan.unassigned if p.error is not None}
    registered = set(conn.execute(select(t.server_files.c.path)
                                  .where(t.server_files.c.session_date.in_(dates))).scalars())
    unread = [r["path"] for r in ingest.files if r["status"] == READ_ERROR]
    kept = set()                # an archived file the server now refuses keeps its archived copy
    for part in _chunks(unread):
        kept |= set(conn.execute(select(t.raw_files.c.path).where(t.raw_files.c.path.in_(part))).scalars())
    files = [r for r in ingest.files if r["path"] not in kept]
    _delete_paths(conn, (registered & elsewhere) | {r["path"] for r in files})
    if files:
        conn.execute(t.server_files.insert(), files)
    if ingest.raws:
        conn.execute(t.raw_files.insert(), ingest.raws)
    replace_partition(conn, t.partition_state, dates, states)


def sync_registry(conn: Connection, plan: Plan) -> dict:
    """Files of no date replaced by the listing's; `on_server` set from the listing.
    Returns counts (for logs): unassigned rows, archived files no longer listed."""
    listed = listed_paths(plan)
    archived = dict(conn.execute(select(t.server_files.c.path, t.server_files.c.on_server)
                                 .where(t.server_files.c.session_date.is_not(None))).all())
    conn.execute(t.server_files.delete().where(t.server_files.c.session_date.is_(None)))
    rows = [r for r in unassigned_rows(plan) if r["path"] not in archived]
    for part in _chunks(rows):
        conn.execute(t.server_files.insert(), part)
    for flag in (True, False):
        change = [p for p, on in archived.items() if (p in listed) == flag and bool(on) != flag]
        for part in _chunks(change):
            conn.execute(t.server_files.update().where(t.server_files.c.path.in_(part)).values(on_server=flag))
    return {"unassigned": len(rows), "gone_from_server": sum(p not in listed for p in archived)}


def current_quarantine(conn: Connection, dates: Sequence[str] | None = None) -> dict[str | None, list[QuarantinedFile]]:
    """Session date (None: the file belongs to no date) -> the files the server lists now
    that were refused, with their reasons, ordered by path. Files the server deleted are
    not listed. `dates`: only these dates (the unassigned files are always included)."""
    sf = t.server_files
    q = select(sf.c.session_date, sf.c.path, sf.c.name, sf.c.status, sf.c.error, sf.c.mtime).where(
        sf.c.status.in_(QUARANTINE_STATUSES), sf.c.on_server.is_(True))
    if dates is not None:
        q = q.where(sf.c.session_date.in_(list(dates)) | sf.c.session_date.is_(None))
    out: dict[str | None, list[QuarantinedFile]] = {}
    for date, path, name, status, error, mtime in conn.execute(q.order_by(sf.c.path)):
        out.setdefault(date, []).append(QuarantinedFile(path, name, status, error or "", mtime))
    return out


def incomplete(conn: Connection, dates: Sequence[str]) -> dict[str, list[str]]:
    """Date -> why its data is partial (empty: complete): its last run did not finish (the
    job's last asset marks it; until then some tables may hold that run's rows and others
    the previous run's), or files of it the server refused to give us."""
    why: dict[str, list[str]] = {d: [] for d in dates}
    ps = t.partition_state
    for date, done in conn.execute(select(ps.c.session_date, ps.c.completed).where(ps.c.session_date.in_(list(dates)))):
        if not done:
            why[date].append("its last run did not finish: some numbers may be from the run before "
                             "(see the failed run in Dagster, or run et-pipeline run again)")
    for date, files in current_quarantine(conn, dates).items():
        unread = [q.name for q in files if q.status == READ_ERROR]
        if date in why and unread:
            why[date].append("%d file(s) could not be read from the server: %s" % (len(unread), ", ".join(unread)))
    return why


def forget_dates(conn: Connection, dates: Sequence[str]) -> dict[str, int]:
    """Delete every archived and derived row of these dates (not `discord_posts`: the
    messages stay in Discord, and a re-import must edit them, not post them again).
    Returns rows deleted per table."""
    counts = {}
    for table in reversed(t.PARTITIONED_TABLES):
        n = conn.execute(select(func.count()).select_from(table).where(table.c.session_date.in_(list(dates)))).scalar()
        if n:
            conn.execute(table.delete().where(table.c.session_date.in_(list(dates))))
            counts[table.name] = n
    if counts:
        mark_nights_changed(conn)
        mark_dates_changed(conn, dates)
    return counts
