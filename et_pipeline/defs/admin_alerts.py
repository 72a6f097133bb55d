"""Failed runs to the admins' channel: a run-failure sensor that posts one
message per failed run through the same publisher and `discord_posts` table as the
nights (so a re-evaluated failure is never posted twice). Dry-run writes it under
OUT/<date>/runs/admins/ like every other message."""
from datetime import datetime, timezone

import dagster as dg

from et_pipeline.defs.resources import DatabaseResource, DiscordWebhook

PARTITION, RANGE_START, RANGE_END = "dagster/partition", "dagster/asset_partition_range_start", \
    "dagster/asset_partition_range_end"


def run_dates(tags: dict) -> tuple[str, str]:
    """(first date, readable dates) of a run from its partition tags."""
    if tags.get(PARTITION):
        return tags[PARTITION], tags[PARTITION]
    start, end = tags.get(RANGE_START), tags.get(RANGE_END)
    if start:
        return start, start if start == end or not end else "%s … %s" % (start, end)
    today = datetime.now(timezone.utc).date().isoformat()
    return today, ""


def _cause(step_failure) -> str:
    """The innermost error of a step failure (what an admin can act on), one line."""
    err = step_failure.event_specific_data and step_failure.event_specific_data.error
    if err is None:
        return (step_failure.message or "step failed").strip()
    while err.cause is not None:
        err = err.cause
    return err.message.strip()


def build_failure_sensor(job) -> dg.SensorDefinition:
    @dg.run_failure_sensor(name="failed_runs_to_admins", monitored_jobs=[job],
                           default_status=dg.DefaultSensorStatus.RUNNING,
                           description="Posts every failed run of the job (dates and error) to the admins' "
                                       "Discord channel (ET_DISCORD_ADMIN_WEBHOOK_URL), once per run.")
    def failed_runs_to_admins(context: dg.RunFailureSensorContext, database: DatabaseResource,
                              discord: DiscordWebhook) -> None:
        from et_pipeline.publish.admin_embeds import run_failure_message
        from et_pipeline.publish.publisher import publish_session

        run = context.dagster_run
        first, dates = run_dates(dict(run.tags))
        error = context.failure_event.message or "run failed"
        steps = context.get_step_failure_events()
        if steps:
            error = "\n".join("%s: %s" % (e.step_key, _cause(e)) for e in steps)
        record = context.instance.get_run_record_by_id(run.run_id)
        end = record and (record.end_time or record.update_timestamp.timestamp())
        when = datetime.fromtimestamp(end, timezone.utc).isoformat(timespec="seconds") if end else None
        msg = run_failure_message(run.run_id, run.job_name, dates, error, when, discord.links_to())
        publish_session({"session_id": "runs", "date": first}, mode=discord.mode, engine=database.get_engine(),
                        out_dir=discord.out_dir, admin_client=discord.admin_client(), messages=[msg])

    return failed_runs_to_admins
