"""Production shape, end to end: the sample night through the sensor and the assets with
the app database AND Dagster's own run/event storage on a real PostgreSQL server."""
import os
import time
import uuid

import dagster as dg

from et_pipeline.defs.factory import session_job
from et_pipeline.defs.sensors import build_sensor
from et_pipeline.report import build_report
from et_pipeline_tests.pipeline_fixtures import Pipeline, ephemeral_instance

DATE = "2026-02-05"


def test_sensor_and_assets_on_postgresql(postgres_server, night, tmp_path):
    app_url = postgres_server.create_database("app_" + uuid.uuid4().hex[:8])
    dagster_url = postgres_server.create_database("dagster_" + uuid.uuid4().hex[:8])
    past = time.time() - 3600
    for root, _, files in os.walk(night):
        for f in files:
            os.utime(os.path.join(root, f), (past, past))
    overrides = {"storage": {"postgres": {"postgres_url": dagster_url}}}
    with dg.instance_for_test(overrides=overrides) as instance:
        assert "Postgres" in type(instance.run_storage).__name__
        p = Pipeline(night, app_url, tmp_path / "out", instance)
        sensor = build_sensor(session_job(), settle_seconds=60)
        tick = sensor(dg.build_sensor_context(instance=instance, resources=p.resources))
        assert [r.partition_key for r in tick.run_requests] == [DATE]
        instance.add_dynamic_partitions("session_dates", tick.dynamic_partitions_requests[0].partition_keys)
        result = p.materialize([DATE])
        assert result.success
        assert instance.get_run_records()            # the run lives in PostgreSQL
        with p.engine.connect() as conn:
            on_postgres = build_report(conn, DATE)

    # the same night on SQLite gives the very same report
    with ephemeral_instance() as instance:
        lite = Pipeline(night, "sqlite:///%s" % (tmp_path / "et.db"), tmp_path / "out2", instance)
        assert lite.materialize([DATE]).success
        with lite.engine.connect() as conn:
            assert build_report(conn, DATE) == on_postgres
    s = on_postgres["sessions"][0]
    assert len(s["rounds"]) == 10 and s["score"] == {"A": 1, "B": 3}
