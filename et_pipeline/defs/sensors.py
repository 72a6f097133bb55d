"""The sensor that turns new files on the game server into partition runs.

It ticks every 5 s (the daemon's own loop floor) and keeps listing the server (never
downloads) for most of the tick (steps/sensor_watch), so it asks for a run within about a
second of a round's files being complete and stable (steps/sensor_logic).
It looks up the last run of each date it asked for, through the instance's public run
API, and asks again for dates whose run failed for good, and for dates whose Discord
messages a long 429 deferred (the app database's outbox) once they are due.
"""
import json
import time

import dagster as dg

from et_pipeline.defs.game_server import listing_version, observation
from et_pipeline.defs.partitions import session_dates
from et_pipeline.defs.resources import DatabaseResource, RulesResource, StatsSourceResource
from et_pipeline.publish.outbox import deferred_dates
from et_pipeline.steps.plan import make_plan
from et_pipeline.steps.sensor_logic import RunState, decide
from et_pipeline.steps.sensor_watch import watch

PARTITION_TAG = "dagster/partition"
MAX_RETRIES_TAG = "dagster/max_retries"     # Dagster's run retries (run_retries in dagster.yaml)
WILL_RETRY_TAG = "dagster/will_retry"       # set by Dagster on a failed run it is going to retry
RUN_RETRIES = 1
_IN_PROGRESS = {dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
                dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.MANAGED, dg.DagsterRunStatus.CANCELING}


def last_run_state(instance: dg.DagsterInstance, date: str) -> RunState:
    """The state of the latest run of the date (any origin: sensor, UI, retry)."""
    records = instance.get_run_records(filters=dg.RunsFilter(tags={PARTITION_TAG: date}), limit=1)
    if not records:
        return RunState("none", False, None)
    record = records[0]
    run = record.dagster_run
    if run.status == dg.DagsterRunStatus.SUCCESS:
        return RunState("success", False, record.end_time)
    if run.status in _IN_PROGRESS:
        return RunState("in_progress", False, None)
    return RunState("failure", run.tags.get(WILL_RETRY_TAG) == "true", record.end_time or record.update_timestamp.timestamp())


def build_sensor(job, settle_seconds: float = 10.0, interval_seconds: int = 5, relist_seconds: float = 0.5,
                 retry_backoff_seconds: float = 30.0, watch_seconds: float | None = None) -> dg.SensorDefinition:
    """settle_seconds: how long a round's stats file waits for its award and timing files;
    watch_seconds: how long a tick keeps listing (default: the interval less 1 s)."""
    watch_seconds = max(0.0, interval_seconds - 1.0) if watch_seconds is None else watch_seconds

    @dg.sensor(name="session_files_sensor", target=job, minimum_interval_seconds=interval_seconds,
               description="Lists the game server's files (never downloads) every %d s and requests a date's run "
                           "as soon as its new rounds are complete (award and timing files there, or %g s after "
                           "the stats file) and unchanged on two listings; asks again for dates whose last run "
                           "failed, with a doubling backoff." % (interval_seconds, settle_seconds))
    def session_files_sensor(context: dg.SensorEvaluationContext, source: StatsSourceResource,
                             rules: RulesResource, database: DatabaseResource) -> dg.SensorResult:
        src, r = source.get_source(), rules.rules()
        cursor = json.loads(context.cursor or "{}")
        with database.get_engine().connect() as conn:      # Discord messages a long 429 deferred, now due
            deferred = deferred_dates(conn, time.time())
        runs = {d: last_run_state(context.instance, d) for d in set(cursor.get("pending", {})) | set(deferred)}
        kw = dict(grace_seconds=settle_seconds, runs=runs, retry_backoff_seconds=retry_backoff_seconds, rules=r,
                  deferred=deferred)
        listed = {}                # the tick's last listing
        with src.open() as conn:   # one connection for every listing of the tick
            def listing():
                listed["files"] = conn.list_files()
                return make_plan(listed["files"], r)

            plan, d = watch(listing, lambda p, c: decide(p, c, time.time(), **kw), cursor, relist_seconds,
                            watch_seconds)
        files = listed["files"]
        # the game server's observation, when its files differ from the last one recorded
        version = listing_version(files)
        observed = [observation(files, src.describe())] if version != cursor.get("observed") else []
        known = set(context.instance.get_dynamic_partitions(session_dates.name))
        new = sorted({q.date for q in d.requests} - known)
        for date, why in sorted(d.waiting.items()):
            context.log.info("%s: %s", date, why)
        return dg.SensorResult(
            asset_events=observed,
            run_requests=[dg.RunRequest(partition_key=q.date, run_key=q.run_key,
                                        tags={MAX_RETRIES_TAG: str(RUN_RETRIES), "et/attempt": str(q.attempt)})
                          for q in d.requests],
            dynamic_partitions_requests=[session_dates.build_add_request(new)] if new else [],
            cursor=json.dumps({**d.cursor, "observed": version}, sort_keys=True),
            skip_reason=None if d.requests else (not files and src.problem()) or
            "nothing complete and new (%d partitions known, %d waiting)" % (len(plan.dates), len(d.waiting)),
        )

    return session_files_sensor

