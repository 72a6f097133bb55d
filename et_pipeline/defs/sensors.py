"""The sensor that turns new files on the game server into partition runs."""
import json
import os
import time

import dagster as dg

from et_pipeline.defs.partitions import session_dates
from et_pipeline.defs.resources import RulesResource, StatsSourceResource
from et_pipeline.steps.plan import make_plan
from et_pipeline.steps.sensor_logic import decide


def build_sensor(job, settle_seconds: float, interval_seconds: int = 30) -> dg.SensorDefinition:
    @dg.sensor(name="session_files_sensor", job=job, minimum_interval_seconds=interval_seconds,
               description="Lists the game server's files (never downloads), waits until a session's files "
                           "have been quiet for %d s, then adds its date partition and requests a run keyed "
                           "by the file set's fingerprint." % settle_seconds)
    def session_files_sensor(context: dg.SensorEvaluationContext, source: StatsSourceResource,
                             rules: RulesResource) -> dg.SensorResult:
        plan = make_plan(source.get_source().list_files(), rules.rules())
        d = decide(plan, json.loads(context.cursor or "{}"), time.time(), settle_seconds)
        known = set(context.instance.get_dynamic_partitions(session_dates.name))
        new = sorted({date for date, _ in d.requests} - known)
        if d.settling:
            context.log.info("waiting for files to settle: %s", ", ".join(d.settling))
        return dg.SensorResult(
            run_requests=[dg.RunRequest(partition_key=date, run_key="%s:%s" % (date, fp[:16]))
                          for date, fp in d.requests],
            dynamic_partitions_requests=[session_dates.build_add_request(new)] if new else [],
            cursor=json.dumps(d.cursor, sort_keys=True),
            skip_reason=None if d.requests else "no settled changes (%d partitions known)" % len(plan.dates),
        )

    return session_files_sensor


def settle_seconds_from_env() -> float:
    return float(os.environ.get("ET_SETTLE_SECONDS", "120"))
