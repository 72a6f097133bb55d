"""`et-pipeline run`'s Dagster half: runs of the code location's own `session_job`,
started from the command's process.

* The job is the one workspace.yaml's location loads (`et_pipeline.definitions`), and
  each run carries that location's origin: the UI files it like a run it launched itself
  (the job page, the Overview timeline, the code-location filter).
* The command's options configure the run as the UI's launchpad would, through run
  config: a secret by its variable's name (`{"env": "ET_DB_URL"}`), never its value, and
  nothing is written into this process's environment.
* The run executes in this process, one run per block of dates: a run worker's own
  process would add two seconds of start to a night's half second.
"""
import os
import socket
import uuid
from typing import Callable, Mapping

import dagster as dg
from sqlalchemy.exc import SQLAlchemyError

from et_pipeline.config import Rules
from et_pipeline.settings import settings_from_env
from et_pipeline.defs.dagster_private import LocatedJob, partition_tags
from et_pipeline.defs.dead_runs import HOST_TAG, process_tag
from et_pipeline.defs.factory import JOB_NAME, SEASON_JOB_NAME
from et_pipeline.defs.partitions import session_dates
from et_pipeline.defs.progress import RunEvent
from et_pipeline.defs.resources import RulesResource
from et_pipeline.defs.run_events import forwarding_to

CODE_LOCATION = "et_pipeline"               # workspace.yaml's location_name (test_cli_runtime keeps them equal)
SESSION_JOB = LocatedJob("et_pipeline.definitions", "defs", CODE_LOCATION, JOB_NAME)
SEASON_JOB = LocatedJob("et_pipeline.definitions", "defs", CODE_LOCATION, SEASON_JOB_NAME)
# with the host and process tags, defs/dead_runs.py fails the run when this process is gone
# (a SIGKILLed `run`)
STARTED_BY = {"et_pipeline/started_by": "et-pipeline run", HOST_TAG: socket.gethostname()}


def open_instance(home: str) -> dg.DagsterInstance:
    """The persistent instance of a Dagster home, configured by its dagster.yaml.
    `DagsterInstance.local_temp(tempdir=...)` is the public call that opens one in a given
    folder (`get()` reads DAGSTER_HOME from the environment; `from_config`, the same call
    as local_temp, is not public); test_dagster_private checks that it reads the folder's
    dagster.yaml."""
    return dg.DagsterInstance.local_temp(tempdir=home)


def by_name_or_value(value: str | None, variable: str):
    """Run config for a setting that may be a secret: `{"env": variable}` when `value` is
    the variable's own (Dagster then stores the name only), else the value itself (the
    caller refuses a secret that is not in the environment)."""
    if value is not None and value == os.environ.get(variable):
        return {"env": variable}
    return value


def run_config(*, source: Mapping[str, str | None], db_url: str, rules: Rules, publish: str, out_dir: str) -> dict:
    """The run config of a command-line run: its source, database, rules (the ones its plan
    used) and publishing, and the `progress` logger instead of the console."""
    live, settings = publish == "live", settings_from_env()
    return {
        "loggers": {"progress": {}},
        "resources": {
            "source": {"config": dict(source)},
            "rules": {"config": RulesResource.config_of(rules)},
            "database": {"config": {"url": by_name_or_value(db_url, "ET_DB_URL")}},
            "discord": {"config": {
                "url": by_name_or_value(os.environ.get("ET_DISCORD_WEBHOOK_URL") if live else None,
                                        "ET_DISCORD_WEBHOOK_URL"),
                "admin_url": by_name_or_value(os.environ.get("ET_DISCORD_ADMIN_WEBHOOK_URL") if live else None,
                                              "ET_DISCORD_ADMIN_WEBHOOK_URL"),
                "mode": publish, "out_dir": out_dir,
                "details_thread_id": settings.details_thread_id, "dagster_url": settings.dagster_url}},
        },
    }


def register_dates(instance: dg.DagsterInstance, dates: list[str]) -> list[str]:
    """Add the dates the instance does not know as session-date partitions; returns every
    partition in the instance's order. Dagster's storage reads the known ones, then inserts:
    a second `run` (or the sensor) adding the same date at the same moment made this insert
    fail with a traceback although the date was then registered; read again and add what
    is still missing."""
    for attempt in range(3):
        new = [d for d in dates if d not in set(instance.get_dynamic_partitions(session_dates.name))]
        if not new:
            break
        try:
            instance.add_dynamic_partitions(session_dates.name, new)
            break
        except SQLAlchemyError:
            if attempt == 2:
                raise
    return list(instance.get_dynamic_partitions(session_dates.name))


def steps_per_run() -> int:
    return len(SESSION_JOB.definition().graph.nodes)


def run_dates(instance: dg.DagsterInstance, dates: list[str], config: dict,
              on_event: Callable[[RunEvent], None]) -> list[str]:
    """One run of the job over these dates (one date, or a contiguous range); returns why
    it failed, one reason per failed step or failed check (empty: it succeeded)."""
    return _execute(SESSION_JOB, instance, {**partition_tags(dates), **STARTED_BY}, config, on_event)


def run_season(instance: dg.DagsterInstance, config: dict, on_event: Callable[[RunEvent], None]) -> list[str]:
    """One run of the season job (every season asset: the tables, then the digest) after
    the nights changed, as the daemon's automation would run it; why it failed, as above."""
    return _execute(SEASON_JOB, instance, dict(STARTED_BY), config, on_event)


def _execute(job: LocatedJob, instance: dg.DagsterInstance, tags: dict, config: dict,
             on_event: Callable[[RunEvent], None]) -> list[str]:
    run_id = str(uuid.uuid4())                   # Dagster's own run ids are uuid4 strings
    with forwarding_to(on_event):
        events = list(job.execute(instance, run_id, {**tags, **process_tag(run_id)}, config))
    if any(ev.event_type == dg.DagsterEventType.RUN_SUCCESS for ev in events):
        return []
    return failures(events) or ["run failed"]


def failures(events: list[dg.DagsterEvent]) -> list[str]:
    """The failed steps (with the user's exception, not Dagster's wrapper) and the failed
    checks of severity ERROR among a run's events."""
    out = []
    for ev in events:
        if ev.is_step_failure:
            err = ev.event_specific_data.error
            while err is not None and err.cause is not None:   # the user's exception, not Dagster's wrapper
                err = err.cause
            out.append("%s: %s" % (ev.step_key, (err.message if err else "failed").strip().splitlines()[0]))
        elif ev.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            data = ev.event_specific_data
            if not data.passed and data.severity == dg.AssetCheckSeverity.ERROR:
                out.append("check %s failed" % data.check_name)
    return out
