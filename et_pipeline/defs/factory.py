"""Builds the Definitions: one place, used by `dagster dev` (from the environment) and by
`et-pipeline run` (from its arguments), so both run the very same assets."""
import os

import dagster as dg

from et_pipeline.config import Rules, rules_from_env
from et_pipeline.env_values import SettingError
from et_pipeline.settings import Settings, settings_from_env
from et_pipeline.sources.errors import SFTPSourceError
from et_pipeline.defs.assets import ALL_ASSETS
from et_pipeline.defs.catalog import owned
from et_pipeline.defs.admin_alerts import build_failure_sensor
from et_pipeline.defs.checks import ALL_CHECKS
from et_pipeline.defs.dead_runs import dead_run_sensor
from et_pipeline.defs.freshness import night_freshness, with_night_freshness
from et_pipeline.defs.game_server import game_server
from et_pipeline.defs.metadata import with_kinds
from et_pipeline.defs.run_events import progress_logger
from et_pipeline.defs.resources import (DatabaseResource, DiscordWebhook, RulesResource, StatsSourceResource,
                                        env_secret)
from et_pipeline.defs.season_assets import SEASON_ASSETS
from et_pipeline.defs.season_automation import SEASON_GROUP, season_automation_sensor
from et_pipeline.defs.sensors import build_sensor
from et_pipeline.storage.database import DEFAULT_URL

JOB_NAME = "session_job"
SEASON_JOB_NAME = "season_job"


def session_job(executor_def=None):
    return dg.define_asset_job(JOB_NAME, selection=dg.AssetSelection.assets(*ALL_ASSETS),
                               executor_def=executor_def or dg.in_process_executor,
                               description="Everything for one or more session dates: files to Discord.")


def season_job(executor_def=None):
    """Every season asset (group `season`): what `et-pipeline run` and the automation bring
    up to date after the nights changed."""
    return dg.define_asset_job(SEASON_JOB_NAME, selection=dg.AssetSelection.groups(SEASON_GROUP),
                               executor_def=executor_def or dg.in_process_executor,
                               description="The season across nights: its tables and the night digest.")


def executor_for(settings: Settings):
    """ET_EXECUTOR: `in_process` (default) or `celery` - Dagster's celery executor: every
    step is a task on the broker at ET_CELERY_BROKER (results in ET_CELERY_BACKEND, by
    default the broker), run by `dagster-celery worker start` workers (README, Scaling out)."""
    if settings.executor == "in_process":
        return dg.in_process_executor
    from dagster_celery import celery_executor

    broker = settings.celery_broker
    return celery_executor.configured({"broker": broker, "backend": settings.celery_backend or broker}, name="celery")


def build_definitions(*, source: StatsSourceResource, db_url: str | dg.EnvVar, rules: Rules, discord: DiscordWebhook,
                      settle_seconds: float = 10.0, executor=None,
                      night_freshness: dg.FreshnessPolicy | None = None) -> dg.Definitions:
    """`db_url` holds a password in production: pass it as `dg.EnvVar`, so Dagster stores and
    shows the variable's name, never its value (the same for the webhook URL).
    `night_freshness`: the fixed game night's policy (defs/freshness.py), if any."""
    executor = executor or dg.in_process_executor
    job = session_job(executor)
    assets = with_night_freshness([game_server, *ALL_ASSETS, *SEASON_ASSETS], night_freshness)
    return dg.Definitions(
        assets=owned(with_kinds(assets, source.url, db_url)),
        asset_checks=ALL_CHECKS, jobs=[job, season_job(executor)],
        sensors=[build_sensor(job, settle_seconds), build_failure_sensor(job), season_automation_sensor(),
                 dead_run_sensor()],
        resources={"source": source, "database": DatabaseResource(url=db_url),
                   "rules": RulesResource.from_rules(rules), "discord": discord},
        executor=executor,
        # Dagster's own console logger for runs that configure none (the UI's, the daemon's);
        # `progress` for `et-pipeline run`'s display, enabled by its run config
        loggers={"console": dg.colored_console_logger, "progress": progress_logger},
    )


def definitions_from_env() -> dg.Definitions:
    """`dagster dev` / the daemon: everything from ET_* variables (see .env.example)."""
    rules, settings = rules_from_env(), settings_from_env()
    source = StatsSourceResource(
        url=settings.source,
        key_path=os.environ.get("ET_SFTP_KEY_PATH") or None,
        known_hosts=os.environ.get("ET_SFTP_KNOWN_HOSTS") or None,
        cache_dir=os.environ.get("ET_SFTP_CACHE_DIR") or None)
    try:
        source.get_source()      # its form and options only: nothing is connected or listed here
    except (ValueError, SFTPSourceError) as e:
        raise SettingError("ET_SOURCE: %s" % str(e).splitlines()[0]) from None
    return build_definitions(
        source=source, db_url=env_secret("ET_DB_URL") or DEFAULT_URL,
        rules=rules, night_freshness=night_freshness(settings, rules.timezone),
        discord=DiscordWebhook(url=env_secret("ET_DISCORD_WEBHOOK_URL"),
                               mode=settings.publish_mode, out_dir=settings.out_dir,
                               admin_url=env_secret("ET_DISCORD_ADMIN_WEBHOOK_URL"),
                               details_thread_id=settings.details_thread_id, dagster_url=settings.dagster_url),
        settle_seconds=settings.settle_seconds, executor=executor_for(settings))


def session_job_from_env() -> dg.JobDefinition:
    """The job as a worker process rebuilds it (`dg.reconstructable`): Dagster's
    multi-process executors (celery, k8s) load it by this module-level name."""
    return definitions_from_env().resolve_job_def(JOB_NAME)


def season_job_from_env() -> dg.JobDefinition:
    """The season job as a worker process rebuilds it (see `session_job_from_env`)."""
    return definitions_from_env().resolve_job_def(SEASON_JOB_NAME)
