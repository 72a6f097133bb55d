"""Builds the Definitions: one place, used by `dagster dev` (from the environment) and by
`et-pipeline run` (from its arguments), so both run the very same assets."""
import os

import dagster as dg

from et_pipeline.config import Rules, rules_from_env
from et_pipeline.defs.assets import ALL_ASSETS
from et_pipeline.defs.checks import ALL_CHECKS
from et_pipeline.defs.resources import DatabaseResource, DiscordWebhook, RulesResource, StatsSourceResource
from et_pipeline.defs.sensors import build_sensor, settle_seconds_from_env

JOB_NAME = "session_job"


def session_job():
    return dg.define_asset_job(JOB_NAME, selection=dg.AssetSelection.assets(*ALL_ASSETS),
                               executor_def=dg.in_process_executor,
                               description="Everything for one or more session dates: files to Discord.")


def build_definitions(*, source: StatsSourceResource, db_url: str | dg.EnvVar, rules: Rules, discord: DiscordWebhook,
                      settle_seconds: float = 120.0) -> dg.Definitions:
    """`db_url` holds a password in production: pass it as `dg.EnvVar`, so Dagster stores and
    shows the variable's name, never its value (the same for the webhook URL)."""
    job = session_job()
    return dg.Definitions(
        assets=ALL_ASSETS, asset_checks=ALL_CHECKS, jobs=[job],
        sensors=[build_sensor(job, settle_seconds)],
        resources={"source": source, "database": DatabaseResource(url=db_url),
                   "rules": RulesResource.from_rules(rules), "discord": discord},
        executor=dg.in_process_executor,
    )


def definitions_from_env() -> dg.Definitions:
    """`dagster dev` / the daemon: everything from ET_* variables (see .env.example)."""
    webhook = dg.EnvVar("ET_DISCORD_WEBHOOK_URL") if os.environ.get("ET_DISCORD_WEBHOOK_URL") else None
    source = StatsSourceResource(
        url=os.environ.get("ET_SOURCE", "sample_data/2026-02-05"),
        key_path=os.environ.get("ET_SFTP_KEY_PATH") or None,
        known_hosts=os.environ.get("ET_SFTP_KNOWN_HOSTS") or None,
        cache_dir=os.environ.get("ET_SFTP_CACHE_DIR") or None)
    return build_definitions(
        source=source, db_url=dg.EnvVar("ET_DB_URL") if os.environ.get("ET_DB_URL") else "sqlite:///et_pipeline.db",
        rules=rules_from_env(),
        discord=DiscordWebhook(url=webhook, mode=os.environ.get("ET_PUBLISH_MODE", "dry-run"),
                               out_dir=os.environ.get("ET_OUT_DIR", "out")),
        settle_seconds=settle_seconds_from_env())
