"""The pooled consolidated SQLite event log the CLI's Dagster instances use
(defs/event_log.py): same events as Dagster's own class, one engine per process."""
import os

import dagster as dg
import pytest

from et_pipeline.cli.run import instance_yaml
from et_pipeline.defs.event_log import PooledSqliteEventLogStorage

parts = dg.StaticPartitionsDefinition(["2026-02-05", "2026-02-06"])


@dg.asset(partitions_def=parts)
def first(context) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"date": context.partition_key})


@dg.asset(partitions_def=parts, deps=[first])
def second() -> None:
    return None


@pytest.fixture
def home(tmp_path):
    (tmp_path / "dagster.yaml").write_text(instance_yaml(str(tmp_path)))
    return tmp_path


def test_the_cli_instance_uses_it_and_another_process_view_reads_every_event(home):
    instance = dg.DagsterInstance.from_config(str(home))
    assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
    for key in parts.get_partition_keys():
        assert dg.materialize([first, second], instance=instance, partition_key=key).success
    engine = instance.event_log_storage._pooled_engine()
    assert instance.event_log_storage._pooled_engine() is engine          # one engine, reused
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1   # NORMAL
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"

    fresh = dg.DagsterInstance.from_config(str(home))                     # as the webserver would
    for asset in (first, second):
        status = fresh.get_status_by_partition(asset.key, parts.get_partition_keys(), parts)
        assert set(status.values()) == {dg.AssetPartitionStatus.MATERIALIZED}
    event = fresh.get_latest_materialization_event(first.key)
    assert event.asset_materialization.metadata["date"].value in parts.get_partition_keys()
    instance.dispose()
    fresh.dispose()


def test_has_table_caches_only_tables_that_exist(home):
    storage = dg.DagsterInstance.from_config(str(home)).event_log_storage
    assert storage.has_table("event_logs")
    assert "event_logs" in storage._tables
    assert not storage.has_table("no_such_table")
    assert "no_such_table" not in storage._tables


def test_a_forked_child_gets_its_own_engine_on_the_same_events(home, monkeypatch):
    instance = dg.DagsterInstance.from_config(str(home))
    assert dg.materialize([first], instance=instance, partition_key="2026-02-05").success
    storage = instance.event_log_storage
    parent = storage._pooled_engine()
    with storage._connect() as conn:
        written = conn.exec_driver_sql("SELECT count(*) FROM event_logs").scalar()
    monkeypatch.setattr(os, "getpid", lambda: -1)
    child = storage._pooled_engine()
    assert child is not parent and storage._pooled_engine() is child     # a new engine, kept for the child
    with storage._connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM event_logs").scalar() == written > 0
