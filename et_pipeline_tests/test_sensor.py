"""The sensor through Dagster's build_sensor_context: new night, unchanged night, late
file, a round requested as soon as its files are complete, a failed run asked again."""
import json
import os
import shutil
import time

import dagster as dg

from et_pipeline.config import Rules
from et_pipeline.defs.assets import ALL_ASSETS
from et_pipeline.defs.factory import session_job
from et_pipeline.defs.resources import DatabaseResource, DiscordWebhook, RulesResource, StatsSourceResource
from et_pipeline.defs.sensors import build_sensor
from et_pipeline_tests.pipeline_fixtures import CORPUS

SETTLE = 60
DATE = "2026-02-05"


def tick(sensor, instance, source, cursor=None):
    ctx = dg.build_sensor_context(instance=instance, cursor=cursor,
                                  resources={"source": StatsSourceResource(url=str(source)),
                                             "rules": RulesResource.from_rules(Rules()),
                                             "database": DatabaseResource(url="sqlite:///%s" % (source.parent / "et.db"))})
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
    [seen] = first.asset_events                       # the game server observed: what it holds now
    assert seen.asset_key == dg.AssetKey("game_server") and seen.metadata["files"].value == 28
    assert first.dynamic_partitions_requests[0].partition_keys == ["2026-02-05"]
    assert first.run_requests[0].run_key.startswith("2026-02-05:")
    dagster_instance.add_dynamic_partitions("session_dates", ["2026-02-05"])

    unchanged = tick(sensor, dagster_instance, night, first.cursor)
    assert unchanged.run_requests == [] and unchanged.dynamic_partitions_requests == []
    assert unchanged.asset_events == []              # the same listing is not observed twice
    assert unchanged.skip_reason is not None

    late = "gametime-supply-R2-1770322832.json"
    shutil.copy(CORPUS / "gametimes_webhook_v1.7.2" / late, night / "gametimes" / late)  # mtime: now
    again = tick(sensor, dagster_instance, night, unchanged.cursor)
    # just written, but complete and the same on two listings: no quiet period for the session
    assert [r.partition_key for r in again.run_requests] == ["2026-02-05"]
    assert again.run_requests[0].run_key != first.run_requests[0].run_key
    assert again.dynamic_partitions_requests == []   # the partition exists already
    [grown] = again.asset_events
    assert grown.metadata["files"].value == 29
    assert grown.metadata["listing version"].value != seen.metadata["listing version"].value
    assert json.loads(again.cursor)["done"]["2026-02-05"]


def test_round_just_written_is_requested_in_the_same_tick(night, dagster_instance):
    """Issue 15: files land -> run requested at the next tick, not after a 120 s quiet period."""
    sensor = build_sensor(session_job(), settle_seconds=SETTLE)
    age_all(night, 3600)
    newest = sorted((night / "gamestats").iterdir())[-1]
    os.utime(newest, None)                            # touched just now
    result = tick(sensor, dagster_instance, night)
    assert [r.partition_key for r in result.run_requests] == [DATE]
    assert result.run_requests[0].tags.get("dagster/max_retries")   # Dagster's own run retries


def _failing_run(instance, night, tmp_path):
    """A real run of the date that fails (its database cannot be created)."""
    return dg.materialize(ALL_ASSETS, partition_key=DATE, instance=instance, raise_on_error=False, resources={
        "source": StatsSourceResource(url=str(night)), "rules": RulesResource.from_rules(Rules()),
        "database": DatabaseResource(url="sqlite:///%s" % (tmp_path / "missing" / "dir" / "et.db")),
        "discord": DiscordWebhook(mode="off", out_dir=str(tmp_path / "out"))})


def test_failed_run_is_requested_again_and_success_ends_it(night, dagster_instance, tmp_path):
    """Issue 12 §5.1: the sensor marked a date done when it requested it, so a failed live
    run was never retried."""
    sensor = build_sensor(session_job(), settle_seconds=SETTLE, retry_backoff_seconds=0)
    age_all(night, 3600)
    first = tick(sensor, dagster_instance, night)
    assert [r.partition_key for r in first.run_requests] == [DATE]
    dagster_instance.add_dynamic_partitions("session_dates", [DATE])
    assert not _failing_run(dagster_instance, night, tmp_path).success
    retry = tick(sensor, dagster_instance, night, first.cursor)
    assert [r.partition_key for r in retry.run_requests] == [DATE]
    assert retry.run_requests[0].run_key != first.run_requests[0].run_key
    ok = dg.materialize(ALL_ASSETS, partition_key=DATE, instance=dagster_instance, resources={
        "source": StatsSourceResource(url=str(night)), "rules": RulesResource.from_rules(Rules()),
        "database": DatabaseResource(url="sqlite:///%s" % (tmp_path / "et.db")),
        "discord": DiscordWebhook(mode="off", out_dir=str(tmp_path / "out"))})
    assert ok.success
    healed = tick(sensor, dagster_instance, night, retry.cursor)
    assert healed.run_requests == []
    assert DATE not in json.loads(healed.cursor).get("pending", {})


def test_the_code_locations_sensor_targets_the_session_job_and_ticks_at_the_daemons_floor():
    from et_pipeline.definitions import defs

    sensor = defs.resolve_sensor_def("session_files_sensor")
    assert [j.name for j in sensor.jobs] == ["session_job"]
    assert sensor.minimum_interval_seconds == 5
    # the job it asks for is the one that builds every nightly asset from the game server's files
    job = defs.resolve_job_def(sensor.job_name)
    assert {a.key for a in ALL_ASSETS} <= set(job.asset_layer.executable_asset_keys)
    assert dg.AssetKey("game_server") in defs.resolve_asset_graph().get(dg.AssetKey("server_files")).parent_keys


def test_the_game_servers_metadata_keeps_one_type_per_key():
    """The UI plots and compares an observation's metadata by key: an empty server must not
    turn a timestamp into the text "none"; it leaves the newest file out instead."""
    from et_pipeline.defs.game_server import listing_metadata
    from et_pipeline.sources.base import ServerFile

    full = listing_metadata([ServerFile("gamestats", "2026-02-05-211337-supply-round-1.txt", 10, 1770322000.0)], "x")
    empty = listing_metadata([], "x")
    assert isinstance(full["newest file time"], dg.TimestampMetadataValue)
    assert full["newest file"] == "gamestats/2026-02-05-211337-supply-round-1.txt"
    assert {k: type(v) for k, v in empty.items()} == {k: type(v) for k, v in full.items()
                                                        if not k.startswith("newest")}
    assert empty["files"].value == 0


def test_a_source_folder_that_is_not_there_says_so_on_every_tick(tmp_path, dagster_instance):
    """ET_SOURCE with a typo listed nothing and said `nothing complete and new` on every
    tick: the production typo was invisible in the UI."""
    sensor = build_sensor(session_job(), settle_seconds=SETTLE)
    missing = tmp_path / "legcy"
    result = tick(sensor, dagster_instance, missing)
    assert result.run_requests == []
    assert result.skip_reason.skip_message.startswith("source folder %s does not exist" % missing), result.skip_reason
    (tmp_path / "legacy" / "gamestats").mkdir(parents=True)
    assert "did you mean %s?" % (tmp_path / "legacy") in tick(sensor, dagster_instance, tmp_path).skip_reason.skip_message
