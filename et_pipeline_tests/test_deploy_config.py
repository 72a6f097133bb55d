"""The production instance config (dagster.yaml beside workspace.yaml) loads and really
puts Dagster's storage on PostgreSQL."""
import shutil
from pathlib import Path

import dagster as dg

ROOT = Path(__file__).parent.parent


def test_production_instance_uses_postgresql(postgres_server, tmp_path, monkeypatch):
    url = postgres_server.create_database("dagster_prod")
    user_host = url.split("://", 1)[1].split("/")[0]
    host, port = user_host.split("@")[1].split(":")
    text = (ROOT / "dagster.yaml").read_text().replace("port: 5432", "port: %s" % port)
    (tmp_path / "dagster.yaml").write_text(text)
    monkeypatch.setenv("DAGSTER_PG_USER", "postgres")
    monkeypatch.setenv("DAGSTER_PG_PASSWORD", "")
    monkeypatch.setenv("DAGSTER_PG_HOST", host)
    monkeypatch.setenv("DAGSTER_PG_DB", "dagster_prod")
    instance = dg.DagsterInstance.from_config(str(tmp_path))
    try:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        assert type(instance.schedule_storage).__name__ == "PostgresScheduleStorage"
        assert instance.run_monitoring_enabled and instance.run_monitoring_max_runtime_seconds > 0   # issue 12 §5
        limits = instance.get_settings("concurrency")["runs"]["tag_concurrency_limits"]
        assert instance.get_concurrency_config().run_queue_config.tag_concurrency_limits == limits
        assert {"key": "dagster/partition", "value": {"applyLimitPerUniqueValue": True}, "limit": 1} in limits
        instance.add_dynamic_partitions("session_dates", ["2026-02-05"])
        assert instance.get_dynamic_partitions("session_dates") == ["2026-02-05"]
    finally:
        instance.dispose()
    shutil.rmtree(tmp_path, ignore_errors=True)
