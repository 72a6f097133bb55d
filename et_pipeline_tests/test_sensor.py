"""The sensor through Dagster's build_sensor_context: new night, unchanged night, late
file, file still settling."""
import json
import os
import shutil
import time

import dagster as dg

from et_pipeline.config import Rules
from et_pipeline.defs.factory import session_job
from et_pipeline.defs.resources import RulesResource, StatsSourceResource
from et_pipeline.defs.sensors import build_sensor
from et_pipeline_tests.pipeline_fixtures import CORPUS

SETTLE = 60


def tick(sensor, instance, source, cursor=None):
    ctx = dg.build_sensor_context(instance=instance, cursor=cursor,
                                  resources={"source": StatsSourceResource(url=str(source)),
                                             "rules": RulesResource.from_rules(Rules())})
    return sensor(ctx)


def age_all(folder, seconds):
    past = time.time() - seconds
    for root, _, files in os.walk(folder):
        for f in files:
            os.utime(os.path.join(root, f), (past, past))


def test_new_night_then_unchanged_then_late_file(night, dagster_instance):
    sensor = build_sensor(session_job(), settle_seconds=SETTLE)
    age_all(night, 3600)
    first = tick(sensor, dagster_instance, night)
    assert [r.partition_key for r in first.run_requests] == ["2026-02-05"]
    assert first.dynamic_partitions_requests[0].partition_keys == ["2026-02-05"]
    assert first.run_requests[0].run_key.startswith("2026-02-05:")
    dagster_instance.add_dynamic_partitions("session_dates", ["2026-02-05"])

    unchanged = tick(sensor, dagster_instance, night, first.cursor)
    assert unchanged.run_requests == [] and unchanged.dynamic_partitions_requests == []
    assert unchanged.skip_reason is not None

    late = "gametime-supply-R2-1770322832.json"
    shutil.copy(CORPUS / "gametimes_webhook_v1.7.2" / late, night / "gametimes" / late)  # mtime: now
    settling = tick(sensor, dagster_instance, night, unchanged.cursor)
    assert settling.run_requests == []          # just written: wait for the settle window
    age_all(night, 3600)
    again = tick(sensor, dagster_instance, night, settling.cursor)
    assert [r.partition_key for r in again.run_requests] == ["2026-02-05"]
    assert again.run_requests[0].run_key != first.run_requests[0].run_key
    assert again.dynamic_partitions_requests == []   # the partition exists already
    assert json.loads(again.cursor)["done"]["2026-02-05"]


def test_file_still_being_written_waits(night, dagster_instance):
    sensor = build_sensor(session_job(), settle_seconds=SETTLE)
    age_all(night, 3600)
    newest = sorted((night / "gamestats").iterdir())[-1]
    os.utime(newest, None)                            # touched just now
    result = tick(sensor, dagster_instance, night)
    assert result.run_requests == []
    assert "2026-02-05" not in json.loads(result.cursor)["done"]


def test_sensor_is_defined_on_the_session_job():
    sensor = build_sensor(session_job(), settle_seconds=SETTLE)
    assert sensor.job_name == "session_job"
