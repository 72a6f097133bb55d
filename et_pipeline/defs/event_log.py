"""Dagster's consolidated SQLite event log with one pooled engine per process.

The stock `ConsolidatedSqliteEventLogStorage` creates a new SQLAlchemy engine for every
event it stores, so each write pays engine creation and a cold statement-compile cache,
and commits with SQLite's default `synchronous=FULL`. A ranged run over 100 session dates
stores about 2,000 events (a planned and a materialisation event per asset and date), and
that alone took ~24 s of a 28 s run on the 2-core machine (bench/bench.py, "Dagster
floor"). Keeping one engine and using `synchronous=NORMAL` (safe with the WAL journal
Dagster enables: a power cut can lose the last commits, never corrupt the file; the
event log is re-created by re-running) brings that floor to ~4 s.

Only the connection handling changes; schema, migrations, watchers and every query are
Dagster's own. Used by the instances `et-pipeline run` writes (cli.INSTANCE_YAML);
production runs on PostgreSQL (deploy/dagster.yaml) and does not need it.
"""
import os
import threading
from contextlib import contextmanager

import sqlalchemy as sa
from dagster._core.storage.event_log import ConsolidatedSqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


class PooledSqliteEventLogStorage(ConsolidatedSqliteEventLogStorage):
    """ConsolidatedSqliteEventLogStorage that reuses one engine (re-created after a fork)."""

    def __init__(self, base_dir, inst_data=None):
        self._engine_lock = threading.Lock()
        self._engine: sa.Engine | None = None
        self._engine_pid: int | None = None
        self._tables: set[str] = set()
        super().__init__(base_dir, inst_data)

    def _pooled_engine(self) -> sa.Engine:
        with self._engine_lock:
            if self._engine is None or self._engine_pid != os.getpid():
                if self._engine is not None:
                    self._engine.dispose(close=False)   # a forked child must not reuse the parent's sockets
                engine = sa.create_engine(
                    self._conn_string, poolclass=sa.pool.QueuePool, pool_size=4, max_overflow=8,
                    connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False})
                sa.event.listen(engine, "connect", _sqlite_pragmas)
                self._engine, self._engine_pid = engine, os.getpid()
            return self._engine

    @contextmanager
    def _connect(self):
        with self._pooled_engine().connect() as conn:
            with conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        """Asked before every asset event; a table, once there, stays (migrations add)."""
        if table_name in self._tables:
            return True
        engine = self._pooled_engine()
        with engine.connect() as conn:
            found = bool(engine.dialect.has_table(conn, table_name))
        if found:
            self._tables.add(table_name)
        return found

    def dispose(self):
        super().dispose()
        with self._engine_lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None
