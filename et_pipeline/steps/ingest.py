"""A listing and the bytes read from it -> file registry and archive rows (`server_files`).

Two rules keep the archive whole (DESIGN 1, "the archive is ours"):
* a read that failed because the connection did is never written: the caller fails the
  date and names the files (`Ingest.unreadable`), so archived bytes and derived rows stay
  as they were and the date is not marked done. A file the server refuses on its own
  (permission denied, not a regular file) after the caller's retry is a `read_error`: the
  rest of its night goes on (one such file must not freeze every later round), and an
  archived copy of it stays archived (storage.registry.archive_partitions);
* rows are upserted by path, never replaced by date: what the server no longer lists
  stays archived (storage.registry.archive_partitions keeps it).
"""
import hashlib
from dataclasses import dataclass, field

from et_pipeline.sources.base import RefusedFile, connection_lost
from et_pipeline.steps.plan import Plan, PlannedFile

READ_ERROR = "read_error"


@dataclass
class Ingest:
    files: list[dict] = field(default_factory=list)       # registry rows of the listed files
    raws: list[dict] = field(default_factory=list)        # their bytes
    unreadable: list[str] = field(default_factory=list)   # "path: reason" of reads the connection lost


def to_read(plan: Plan, dates: list[str]) -> list[PlannedFile]:
    """The files of these dates that must be read (a refused file never is)."""
    return [p for d in dates for p in plan.by_date.get(d, []) if p.error is None]


def registry_row(p: PlannedFile, session_date: str | None, status: str, error: str | None = None) -> dict:
    return dict(path=p.file.path, session_date=session_date, folder=p.file.folder, name=p.file.name,
                kind=p.name.kind if p.name else None, size=p.file.size, mtime=p.file.mtime, sha256=None,
                status=status, error=error, round_key=None, on_server=True)


def build_ingest(plan: Plan, dates: list[str], contents: dict[str, bytes | Exception],
                 vanished: frozenset[str] = frozenset()) -> Ingest:
    """Registry and raw rows of the dates' listed files; `contents` maps path -> bytes or
    the error of its read. `vanished`: paths that failed and are no longer listed (the
    server removed them during the run): skipped, their archived rows stay. Byte-identical
    copies are recorded as duplicates, not archived."""
    out = Ingest()
    seen_sha: dict[str, str] = {}
    planned = sorted(((p, d) for d in dates for p in plan.by_date.get(d, [])), key=lambda pd: pd[0].file.path)
    for p, date in planned:
        if p.file.path in vanished:
            continue
        if p.error is not None:
            out.files.append(registry_row(p, date, "quarantined", p.error))
            continue
        data = contents.get(p.file.path)
        if data is None or (isinstance(data, Exception) and connection_lost(data)):
            out.unreadable.append("%s: %s" % (p.file.path, data if data is not None else "not read"))
            continue
        if isinstance(data, RefusedFile):
            out.files.append(registry_row(p, date, "quarantined", data.strerror or str(data)))
            continue
        if not isinstance(data, bytes):
            out.files.append(registry_row(p, date, READ_ERROR, "could not be read from the server: %s" % data))
            continue
        row = registry_row(p, date, "registered")
        sha = hashlib.sha256(data).hexdigest()
        row.update(sha256=sha, size=len(data))
        if sha in seen_sha:
            row.update(status="duplicate", error="same content as %s" % seen_sha[sha])
        else:
            seen_sha[sha] = p.file.name
            out.raws.append(dict(path=p.file.path, session_date=date, sha256=sha, content=data))
        out.files.append(row)
    return out


def unassigned_rows(plan: Plan) -> list[dict]:
    """Registry rows of the listed files that belong to no date (misnamed, or no round near)."""
    return [registry_row(p, None, "quarantined" if p.error else "unassigned",
                         p.error or "no round of any session within the link window") for p in plan.unassigned]
