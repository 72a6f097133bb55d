"""How the pipeline runs, as opposed to the community's rules (config.py): the ET_*
settings of the source, the sensor, the runs, the executor, publishing and the freshness
window, read and checked in one place (with env_values' readers, as the rules are).

A value that cannot be used raises SettingError naming the variable and the value: the
command line prints it as one line before any work (cli.main), the code location shows it
on its load error page. A blank value is the default, as when the variable is unset (a
`.env` copied from `.env.example` holds blank lines such as `ET_GRAPH_WORKERS=`), but for
ET_DAGSTER_URL, where blank is how links are turned off.
"""
import os
from dataclasses import dataclass
from typing import Mapping

from et_pipeline.choices import Executor, PublishMode
from et_pipeline.env_values import SettingError, choice_setting, given, number_setting
from et_pipeline.sources import unsupported_scheme

DEFAULT_SOURCE = "sample_data/2026-02-05"   # the night `make demo` runs


@dataclass(frozen=True)
class Settings:
    source: str = DEFAULT_SOURCE            # a folder or sftp:// URL (its form: sources.source_from_url)
    settle_seconds: float = 10.0            # a round's stats file waits this long for its other files
    partitions_per_run: int = 100           # dates in one run: ~1 MB of rows each, memory stays flat
    graph_workers: int | None = None        # processes drawing graphs; None: one per core
    executor: Executor = "in_process"
    celery_broker: str | None = None
    celery_backend: str | None = None       # None: the broker
    publish_mode: PublishMode = "dry-run"   # of the code location (the command has --publish)
    out_dir: str = "out"
    details_thread_id: str | None = None
    dagster_url: str | None = None          # None: the default; "": no links
    night_deadline_cron: str | None = None  # None: no freshness policy
    night_hours: float = 10.0


def partitions_per_run(env: Mapping[str, str] | None = None) -> int:
    """ET_PARTITIONS_PER_RUN alone: the assets' backfill policy reads it when their module is
    imported, where another setting's mistake must not stop the import."""
    return number_setting(os.environ if env is None else env, "ET_PARTITIONS_PER_RUN", Settings.partitions_per_run,
                          low=1, high=100_000, whole=True)


def settings_from_env(env: Mapping[str, str] | None = None) -> Settings:
    """Every setting from its ET_<NAME> variable, else its default; SettingError names the
    first that cannot be used."""
    env = os.environ if env is None else env
    executor = choice_setting(env, "ET_EXECUTOR", Executor, Settings.executor)
    broker = given(env, "ET_CELERY_BROKER")
    if executor == "celery" and broker is None:
        raise SettingError("ET_EXECUTOR='celery' needs ET_CELERY_BROKER (the broker's URL, e.g. redis://127.0.0.1:6379/0)")
    thread = given(env, "ET_DISCORD_DETAILS_THREAD_ID")
    if thread is not None and not (thread.isascii() and thread.isdigit()):
        raise SettingError("ET_DISCORD_DETAILS_THREAD_ID=%r is not a Discord thread id (digits only)" % thread)
    url = env.get("ET_DAGSTER_URL")
    if url is not None and url.strip() and not url.strip().startswith(("http://", "https://")):
        raise SettingError("ET_DAGSTER_URL=%r is not an http:// or https:// address (empty: no links)" % url)
    workers = number_setting(env, "ET_GRAPH_WORKERS", 0, high=256, whole=True)      # 0, as blank: one per core
    source = given(env, "ET_SOURCE") or DEFAULT_SOURCE
    if unsupported_scheme(source):      # the rest of an sftp:// URL is checked with its key, at the load
        raise SettingError("ET_SOURCE=%s" % unsupported_scheme(source))
    return Settings(
        source=source,
        settle_seconds=number_setting(env, "ET_SETTLE_SECONDS", Settings.settle_seconds, high=24 * 3600),
        partitions_per_run=partitions_per_run(env),
        graph_workers=workers or None,
        executor=executor, celery_broker=broker, celery_backend=given(env, "ET_CELERY_BACKEND"),
        publish_mode=choice_setting(env, "ET_PUBLISH_MODE", PublishMode, Settings.publish_mode),
        out_dir=given(env, "ET_OUT_DIR") or Settings.out_dir,
        details_thread_id=thread,
        dagster_url=None if url is None else url.strip(),
        night_deadline_cron=given(env, "ET_NIGHT_DEADLINE_CRON"),
        # Dagster's window: at least a minute, at most the gap between two deadlines (a week at most)
        night_hours=number_setting(env, "ET_NIGHT_HOURS", Settings.night_hours, low=1 / 60, high=7 * 24),
    )
