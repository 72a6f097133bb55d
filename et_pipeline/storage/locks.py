"""One writer per session date at a time, across processes.

Two runs of one date at once (the sensor asking again while the previous run is still
going, a UI backfill beside `et-pipeline run`, two concurrent runs on PostgreSQL) both
delete the date's rows and insert their own: on PostgreSQL the second insert then hits
the first one's rows (`UniqueViolation`, 4 of 10 pairs), and two publishers of one
session would race on the outbox. Every partitioned asset therefore does its work under
`date_lock(engine, dates)`: the second run of a date waits for the first one's step,
then replaces what it wrote. Dates of different nights never wait for each other on
PostgreSQL. The season's build takes `season_lock` (its own key, its own lock file) the
same way.

* PostgreSQL: session-level advisory locks (one per date, taken in date order so two
  ranged runs cannot deadlock) on a connection of their own, closed at the end (never
  returned to the pool holding them); a killed process's locks go with its connection.
* SQLite: an exclusive `flock` on `<database file>.lock` (SQLite has one writer anyway;
  the lock makes a step's read-then-write atomic, and the kernel drops it when the
  process dies). An in-memory database needs none.
"""
import contextlib
import fcntl
import os
from typing import Iterator, Sequence

from sqlalchemy import text
from sqlalchemy.engine import Engine

LOCK_NAMESPACE = 0x65742D64      # "et-d": the first key of every date lock (migrations use their own)
SEASON_KEY = 0                   # the season build's key in that namespace: no date maps to 0


def _date_key(date: str) -> int:
    """2026-02-05 -> 20260205 (fits PostgreSQL's int4 advisory key)."""
    return int(date.replace("-", ""))


@contextlib.contextmanager
def date_lock(engine: Engine, dates: Sequence[str]) -> Iterator[None]:
    with _locked(engine, sorted({_date_key(d) for d in dates}), ".lock"):
        yield


@contextlib.contextmanager
def season_lock(engine: Engine) -> Iterator[None]:
    """One season build writes at a time: each replaces every season table whole, and on
    PostgreSQL the second one's delete did not see the first one's new rows, so its insert
    hit them (`UniqueViolation`, 5 of 5 pairs). Nights never wait for it."""
    with _locked(engine, [SEASON_KEY], ".season.lock"):
        yield


@contextlib.contextmanager
def _locked(engine: Engine, keys: Sequence[int], suffix: str) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            for key in keys:
                conn.execute(text("SELECT pg_advisory_lock(:ns, :key)"), {"ns": LOCK_NAMESPACE, "key": key})
            yield
        finally:
            conn.invalidate()    # the session ends, and its locks with it (never back into the pool)
            conn.close()
        return
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:":
        yield
        return
    fd = os.open(os.path.abspath(path) + suffix, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)             # closing the file releases the lock
