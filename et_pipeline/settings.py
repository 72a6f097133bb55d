"""How the pipeline runs, as opposed to the community's rules (config.py): the ET_*
settings of the sensor, the runs, the executor, publishing and the freshness window, read
and checked in one place, with the readers the rules use too.

A value that cannot be used raises SettingError naming the variable and the value: the
command line prints it as one line before any work (cli.main), the code location shows it
on its load error page. A blank value is the default, as when the variable is unset (a
`.env` copied from `.env.example` holds blank lines such as `ET_GRAPH_WORKERS=`).
"""
import math
import os
from dataclasses import dataclass
from typing import Mapping, get_args

from et_pipeline.choices import Executor, PublishMode


class SettingError(ValueError):
    """An ET_* variable that cannot be used, named with its value."""


def _given(env: Mapping[str, str], variable: str) -> str | None:
    text = env.get(variable)
    return None if text is None or not text.strip() else text.strip()


def number_setting(env: Mapping[str, str], variable: str, default: float, *, low: float = 0.0,
                   high: float = math.inf, whole: bool = False) -> float:
    """A finite number in [low, high] (a whole one when `whole`), else SettingError."""
    text = _given(env, variable)
    if text is None:
        return default
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        raise SettingError("%s=%r is not a %s" % (variable, text, "whole number" if whole else "number")) from None
    if not (math.isfinite(value) and low <= value <= high):
        raise SettingError("%s=%r is not %s" % (variable, text, _range(low, high)))
    return value


def _range(low: float, high: float) -> str:
    def show(x: float) -> str:
        return "%g" % x
    return "a number >= %s" % show(low) if high == math.inf else "between %s and %s" % (show(low), show(high))


def choice_setting(env: Mapping[str, str], variable: str, choices, default: str) -> str:
    """One of `choices` (a Literal's values), else SettingError."""
    text = _given(env, variable)
    if text is None:
        return default
    if text not in get_args(choices):
        raise SettingError("%s=%r is not one of %s" % (variable, text, ", ".join(get_args(choices))))
    return text


@dataclass(frozen=True)
class Settings:
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


def settings_from_env(env: Mapping[str, str] | None = None) -> Settings:
    """Every setting from its ET_<NAME> variable, else its default; SettingError names the
    first that cannot be used."""
    env = os.environ if env is None else env
    executor = choice_setting(env, "ET_EXECUTOR", Executor, Settings.executor)
    broker = _given(env, "ET_CELERY_BROKER")
    if executor == "celery" and broker is None:
        raise SettingError("ET_EXECUTOR='celery' needs ET_CELERY_BROKER (the broker's URL, e.g. redis://127.0.0.1:6379/0)")
    thread = _given(env, "ET_DISCORD_DETAILS_THREAD_ID")
    if thread is not None and not (thread.isascii() and thread.isdigit()):
        raise SettingError("ET_DISCORD_DETAILS_THREAD_ID=%r is not a Discord thread id (digits only)" % thread)
    url = env.get("ET_DAGSTER_URL")
    if url and not url.strip().startswith(("http://", "https://")):
        raise SettingError("ET_DAGSTER_URL=%r is not an http:// or https:// address (empty: no links)" % url)
    workers = _given(env, "ET_GRAPH_WORKERS")
    return Settings(
        settle_seconds=number_setting(env, "ET_SETTLE_SECONDS", Settings.settle_seconds, high=24 * 3600),
        partitions_per_run=number_setting(env, "ET_PARTITIONS_PER_RUN", Settings.partitions_per_run, low=1,
                                          high=100_000, whole=True),
        graph_workers=None if workers is None else number_setting(env, "ET_GRAPH_WORKERS", 1, low=1, high=256,
                                                                  whole=True),
        executor=executor, celery_broker=broker, celery_backend=_given(env, "ET_CELERY_BACKEND"),
        publish_mode=choice_setting(env, "ET_PUBLISH_MODE", PublishMode, Settings.publish_mode),
        out_dir=_given(env, "ET_OUT_DIR") or Settings.out_dir,
        details_thread_id=thread,
        dagster_url=None if url is None else url.strip(),
        night_deadline_cron=_given(env, "ET_NIGHT_DEADLINE_CRON"),
        # Dagster's window: at least a minute, at most the gap between two deadlines (a week at most)
        night_hours=number_setting(env, "ET_NIGHT_HOURS", Settings.night_hours, low=1 / 60, high=7 * 24),
    )
