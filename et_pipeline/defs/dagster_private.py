"""Every private Dagster name et-pipeline uses, in this one module.

Dagster 1.13's public API has no way to do three things the project needs:

* give a run started from a Python process the origin a run launched from the UI has:
  the code location and repository it belongs to (the UI's Overview timeline leaves out
  a run without one; its job page and code-location filter select runs by the tags
  Dagster derives from it) and the Python origin a run worker reloads the job from.
  `execute_in_process` and `execute_job` create runs without a code location;
* name the tags of a partition range (`dagster/asset_partition_range_start`/`_end`), the
  tag where a launched run records the code server that runs it (`GRPC_INFO_TAG`:
  defs/dead_runs.py judges a run worker's process only on its own host) and the tag the
  UI selects a code location's runs by (`REPOSITORY_LABEL_TAG`: the tests ask for runs
  as the UI does; `location_origins_from_yaml_paths`, how Dagster reads workspace.yaml,
  is here for test_dagster_private to hold the origin above against it);
* keep one SQLite engine per process for the consolidated event log: Dagster's own
  class builds an engine for every event it stores (README, Benchmarks).

test_dagster_private pins every name imported here and what it does, so an upgrade that
moves or changes one fails there, not as runs missing from the UI.
"""
import os
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping

import sqlalchemy as sa
from dagster import DagsterEvent, DagsterInstance, JobDefinition
from dagster._core.definitions.reconstruct import ReconstructableJob, ReconstructableRepository
from dagster._core.definitions.repository_definition.valid_definitions import SINGLETON_REPOSITORY_NAME
from dagster._core.execution.api import execute_run_iterator
from dagster._core.remote_origin import RemoteJobOrigin, RemoteRepositoryOrigin
from dagster._core.storage.event_log import ConsolidatedSqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.storage.tags import (ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG,
                                        GRPC_INFO_TAG, PARTITION_NAME_TAG, REPOSITORY_LABEL_TAG)
from dagster._core.workspace.load import location_origin_from_module_name, location_origins_from_yaml_paths

__all__ = ["ASSET_PARTITION_RANGE_END_TAG", "ASSET_PARTITION_RANGE_START_TAG", "GRPC_INFO_TAG", "PARTITION_NAME_TAG",
           "REPOSITORY_LABEL_TAG", "SINGLETON_REPOSITORY_NAME", "LocatedJob", "PooledSqliteEventLogStorage",
           "location_origins_from_yaml_paths", "partition_tags"]


def partition_tags(dates: list[str]) -> dict[str, str]:
    """The tags of a run over these partitions, as a UI launch or backfill sets them: one
    date is `dagster/partition`, several a range."""
    if len(dates) == 1:
        return {PARTITION_NAME_TAG: dates[0]}
    return {ASSET_PARTITION_RANGE_START_TAG: dates[0], ASSET_PARTITION_RANGE_END_TAG: dates[-1]}


@dataclass(frozen=True)
class LocatedJob:
    """A job of a code location as workspace.yaml declares it (`python_module`:
    module_name, attribute, location_name, working_directory), reloadable from its module
    like a run worker reloads it. The working directory is the project's folder, where
    workspace.yaml's `.` points when `make dev` starts the webserver, whatever folder the
    command was started in (cron starts it in the home folder): the package's parent,
    which is the project's folder for the editable install `make` does."""

    module_name: str
    attribute: str
    location_name: str
    job_name: str
    working_directory: str = str(Path(__file__).resolve().parents[2])

    @property
    def _reconstructable(self) -> ReconstructableJob:
        repository = ReconstructableRepository.for_module(self.module_name, self.attribute, self.working_directory)
        return repository.get_reconstructable_job(self.job_name)

    def definition(self) -> JobDefinition:
        """The job as the code location loads it (the module is imported once per process)."""
        return self._reconstructable.get_definition()

    def remote_origin(self) -> RemoteJobOrigin:
        """What the webserver makes of the workspace.yaml entry (Dagster's own loader), and
        the one repository a `Definitions` object holds."""
        location = location_origin_from_module_name(self.module_name, None, self.working_directory, self.location_name,
                                                    sys.executable)
        return RemoteJobOrigin(RemoteRepositoryOrigin(location, SINGLETON_REPOSITORY_NAME), self.job_name)

    def execute(self, instance: DagsterInstance, run_id: str, tags: Mapping[str, str],
                run_config: Mapping[str, object]) -> Iterator[DagsterEvent]:
        """Create the run with both origins, as a launch from the UI does, and execute it in
        this process, as the run worker a launch starts would (without a process start:
        a night's run takes half a second, a run worker's start two). Yields its events."""
        job = self._reconstructable
        run = instance.create_run_for_job(job.get_definition(), run_id=run_id, run_config=run_config, tags=tags,
                                          remote_job_origin=self.remote_origin(),
                                          job_code_origin=job.get_python_origin())
        yield from execute_run_iterator(job, run, instance)


# ---------------------------------------------------------------- the pooled SQLite event log

def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


class PooledSqliteEventLogStorage(ConsolidatedSqliteEventLogStorage):
    """Dagster's consolidated SQLite event log with one pooled engine per process
    (re-created after a fork).

    The stock class creates a new SQLAlchemy engine for every event it stores, so each
    write pays engine creation and a cold statement-compile cache, and commits with
    SQLite's default `synchronous=FULL`. A ranged run over 100 session dates stores about
    2,000 events, and that alone took ~24 s of a 28 s run on the 2-core machine
    (bench/bench.py, "Dagster floor"). One engine and `synchronous=NORMAL` (safe with the
    WAL journal Dagster enables: a power cut can lose the last commits, never corrupt the
    file) bring that floor to ~4 s. Only the connection handling changes; schema,
    migrations, watchers and every query are Dagster's own. Production runs on PostgreSQL
    and does not need it."""

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
