"""Failed runs reach the admins' channel once (defs/admin_alerts.py)."""
import json

import dagster as dg

from et_pipeline.defs.admin_alerts import build_failure_sensor, run_dates
from et_pipeline.defs.resources import DatabaseResource, DiscordWebhook
from et_pipeline_tests.pipeline_fixtures import ephemeral_instance


@dg.asset(partitions_def=dg.StaticPartitionsDefinition(["2026-02-05"]))
def broken(context) -> None:
    raise ValueError("the night's files could not be read")


def test_run_dates_from_tags():
    assert run_dates({"dagster/partition": "2026-02-05"}) == ("2026-02-05", "2026-02-05")
    assert run_dates({"dagster/asset_partition_range_start": "2026-02-01",
                      "dagster/asset_partition_range_end": "2026-02-05"}) == ("2026-02-01", "2026-02-01 … 2026-02-05")


def test_a_failed_run_is_written_once_for_the_admins(tmp_path):
    job = dg.define_asset_job("session_job", selection=[broken])
    defs = dg.Definitions(assets=[broken], jobs=[job])
    sensor = build_failure_sensor(job)
    resources = {"database": DatabaseResource(url="sqlite:///%s" % (tmp_path / "app.db")),
                 "discord": DiscordWebhook(mode="dry-run", out_dir=str(tmp_path / "out"),
                                           dagster_url="http://dagster.example/")}
    with ephemeral_instance() as instance:
        result = defs.resolve_job_def("session_job").execute_in_process(
            instance=instance, partition_key="2026-02-05", raise_on_error=False)
        assert not result.success
        failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE)
        run = instance.get_run_by_id(result.run_id)
        for _ in range(2):                   # evaluated twice: still one message
            ctx = dg.build_run_status_sensor_context(sensor_name=sensor.name, dagster_event=failure,
                                                     dagster_instance=instance, dagster_run=run,
                                                     resources=resources).for_run_failure()
            sensor(ctx)
    folder = tmp_path / "out" / "2026-02-05" / "runs" / "admins"
    index = json.loads((folder / "index.json").read_text())
    assert [m["key"] for m in index["messages"]] == ["admin:run-failed:%s" % result.run_id]
    doc = json.loads((folder / index["messages"][0]["file"]).read_text())
    embed = doc["payload"]["embeds"][0]
    assert "2026-02-05" in embed["description"]
    assert "(http://dagster.example/runs/%s)" % result.run_id in embed["description"]      # the run, linked
    (field,) = embed["fields"]
    assert field["name"].startswith("🟥") and "the night's files could not be read" in field["value"]
    assert "➡️ " in field["value"]
    assert result.run_id not in json.dumps(embed.get("footer"))          # no id to copy by hand
    assert not (tmp_path / "out" / "2026-02-05" / "runs" / "players").exists()
