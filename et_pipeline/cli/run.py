"""`et-pipeline run`: the changed session dates of a server folder through the Dagster job.

`run` goes through the very same assets as the UI and the sensor: it only decides
which session-date partitions changed, registers them, and executes ranged in-process
runs of `session_job` (one run per contiguous block of at most
ET_PARTITIONS_PER_RUN dates, not one per date).
"""
import contextlib
import gc
import json
import os
import re
import sys
import time

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from et_pipeline.cli.common import (EXIT_AUTH, EXIT_DAGSTER_HOME, EXIT_FAILED, EXIT_HOST_KEY, EXIT_KEY_FILE,
                                    EXIT_PASSWORD_IN_URL, EXIT_USAGE, die, discord_problem_lines)


# A fresh --dagster-home gets deploy/dagster.dev.yaml (test_cli keeps them equal) plus one
# consolidated SQLite event log instead of a file per run: a ranged run writes two events per
# asset-partition, and those writes are what bounds a 100-night run (README, Benchmarks).
INSTANCE_YAML = """# The development instance config: `make dev` copies it into .dagster_home/ (the instance
# `make demo` wrote), and `et-pipeline run` writes the same into a fresh --dagster-home, plus
# a consolidated event log (see cli/run.py). The repository root's dagster.yaml is production's
# (PostgreSQL storage).
telemetry:
  enabled: false
nux:
  enabled: false
run_coordinator:
  module: dagster
  class: QueuedRunCoordinator
  config:
    dequeue_interval_seconds: 1   # a sensor's run leaves the queue within a second
# Pools: the steps that post to Discord (discord_posts, night_digest) hold the `discord`
# pool, one step at a time, so two runs never interleave one channel's messages.
concurrency:
  runs:
    max_concurrent_runs: 1        # SQLite storage: one run at a time
  pools:
    default_limit: 1
# A failed run is re-executed once by Dagster when it carries the dagster/max_retries tag (the
# sensor's runs do); after that the sensor asks again with a doubling backoff (README, "Runs that heal").
run_retries:
  enabled: true
  max_retries: 0
# Run monitoring (dagster-daemon). The default launcher cannot check or resume a worker: a
# run whose worker was killed (SIGKILL, OOM, a reboot) is failed within a minute by the code
# location's dead_run_sensor (defs/dead_runs.py), and the maximum runtime stays the last
# backstop (a night's run takes seconds to minutes; a 100-night backfill runs in chunks
# well below 2 h).
run_monitoring:
  enabled: true
  start_timeout_seconds: 180
  cancel_timeout_seconds: 180
  max_runtime_seconds: 7200
  max_resume_run_attempts: 0
  poll_interval_seconds: 30
# The sensor ticks every 5 s: keep a day of skipped ticks, not Dagster's default week.
retention:
  sensor:
    purge_after_days:
      skipped: 1
      failure: 30
"""
CONSOLIDATED_EVENT_LOG = """event_log_storage:   # Dagster's consolidated SQLite event log, one pooled engine
  module: et_pipeline.defs.event_log
  class: PooledSqliteEventLogStorage
  config:
    base_dir: %s
"""


def _source_exit_code(e: Exception) -> int:
    """The exit code of a source problem that retrying will not fix."""
    from et_pipeline.sources.errors import AuthenticationError, HostKeyError, KeyFileError, PasswordInURLError

    for cls, code in ((HostKeyError, EXIT_HOST_KEY), (KeyFileError, EXIT_KEY_FILE),
                      (PasswordInURLError, EXIT_PASSWORD_IN_URL), (AuthenticationError, EXIT_AUTH)):
        if isinstance(e, cls):
            return code
    return EXIT_USAGE


def _blocks(order: list[str], wanted: set[str], max_size: int | None = None) -> list[list[str]]:
    """Contiguous runs of wanted keys in the instance's partition order, at most
    `max_size` keys each (bounded memory per run, as the assets' backfill policy)."""
    blocks, current = [], []
    for key in order:
        if key in wanted and (max_size is None or len(current) < max_size):
            current.append(key)
            continue
        if current:
            blocks.append(current)
        current = [key] if key in wanted else []
    if current:
        blocks.append(current)
    return blocks


def _summaries(engine, plan, ran: set[str], failed: set[str]):
    from et_pipeline.cli.output import DateSummary
    from et_pipeline.parsers.text import printable
    from et_pipeline.storage import schema as t
    from et_pipeline.storage.registry import current_quarantine

    f = t.server_files
    with engine.connect() as conn:
        rounds = dict(conn.execute(select(t.rounds.c.session_date, func.count()).group_by(t.rounds.c.session_date)).all())
        files = dict(conn.execute(select(f.c.session_date, func.count()).group_by(f.c.session_date)).all())
        results = conn.execute(select(t.session_results).order_by(t.session_results.c.session_id)).mappings().all()
        bad = [(date, q.status, printable(q.path), printable(q.reason))
               for date, files in current_quarantine(conn).items() for q in files]
    out = {d: DateSummary(d, d in ran, d in failed, rounds.get(d, 0), files.get(d, 0)) for d in plan.dates}
    for r in results:
        if r["session_date"] in out:
            out[r["session_date"]].sessions.append((r["team_a_name"], r["team_b_name"], r["score_a"], r["score_b"],
                                                    r["maps_total"]))
    unassigned = []
    for date, status, path, error in bad:
        (out[date].bad if date in out else unassigned).append((status, path, error))
    return list(out.values()), unassigned


@contextlib.contextmanager
def _collector_paused_for_start_up():
    """Starting a run (Dagster's import, the instance, the definitions) makes some 300,000
    objects that live as long as the process, and the cyclic collector re-scanned them again
    and again: 0.45 s of a 2.4 s one-night run. Collect nothing while starting; then park what
    start-up made in the permanent generation (gc.freeze) and collect as usual. Yields the
    function to call once started. On the way out the collector is as it was; a caller that
    had frozen objects itself keeps them frozen (we then freeze nothing: unfreeze is all or
    nothing)."""
    was_enabled = gc.isenabled()
    ours = gc.get_freeze_count() == 0
    gc.disable()

    def started():
        if ours:
            gc.freeze()
        if was_enabled:
            gc.enable()
    try:
        yield started
    finally:
        if ours:
            gc.unfreeze()
        if was_enabled:
            gc.enable()


def cmd_run(a) -> int:
    with _collector_paused_for_start_up() as started:
        return _run(a, started)


def _source_args(a) -> dict:
    """--source and its SFTP options, as both the listing here and the run's resource take them."""
    return dict(url=a.source, key_path=a.sftp_key, known_hosts=a.known_hosts, cache_dir=a.sftp_cache)


def _password_in_db(db: str) -> bool:
    """Whether a `--db` URL holds a password that is not ET_DB_URL's. Dagster keeps a run's
    configuration, so a secret reaches the run by its variable's name only."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        password = make_url(db).password
    except ArgumentError:           # not a URL at all: cli.main has said so already
        return False
    return bool(password) and db != os.environ.get("ET_DB_URL")


def _rerun_with_db_in_environment(a) -> int:
    """`run --db URL-with-password`: the same command in a child process whose environment
    holds the URL as ET_DB_URL, so the run's configuration names the variable, never the
    password, and this process's own environment is left as it is."""
    import subprocess

    env = dict(os.environ, ET_DB_URL=a.db)
    return subprocess.run([sys.executable, "-m", "et_pipeline.cli", *a.argv], env=env).returncode


def instance_yaml(home: str) -> str:
    """The dagster.yaml `run` writes into a new Dagster home: the instance settings and the
    pooled event log kept in `home`."""
    return INSTANCE_YAML + CONSOLIDATED_EVENT_LOG % json.dumps(home)


def _dagster_home(a) -> tuple[str | None, int | None]:
    """(the Dagster home, None), made and checked writable, or (None, exit code) after saying
    why: checked on every run, also one with nothing new that starts no Dagster run."""
    home = os.path.abspath(a.dagster_home or os.environ.get("DAGSTER_HOME") or ".dagster_home")
    try:
        os.makedirs(home, exist_ok=True)
        if not os.path.exists(os.path.join(home, "dagster.yaml")):
            with open(os.path.join(home, "dagster.yaml"), "w") as f:
                f.write(instance_yaml(home))
        if not os.access(home, os.W_OK):
            raise PermissionError("not writable")
    except OSError as e:
        return None, _home_unusable(home, e)
    return home, None


def _home_unusable(home: str, e: Exception) -> int:
    why = e.strerror if isinstance(e, OSError) and e.strerror else str(e).splitlines()[0]
    return die("Dagster home %s is not usable: %s (set --dagster-home or DAGSTER_HOME to a writable folder)"
               % (home, why), EXIT_DAGSTER_HOME)


def _instance_unusable(home: str, e: Exception) -> int:
    """The home's own dagster.yaml does not open: say what it lacks (Dagster's message
    starts with its config schema's repr, and names an unset variable further down)."""
    text = str(e)
    unset = re.search(r'environment variable "([^"]+)" which is not set', text)
    why = ("it needs %s, which is not set" % unset.group(1) if unset else
           text.strip().splitlines()[0][:300] if text.strip() else type(e).__name__)
    return die("Dagster home %s: its dagster.yaml does not open an instance: %s" % (home, why), EXIT_DAGSTER_HOME)


def _what_would_fail_late(a, rules) -> str | None:
    """What would fail the run only after the night's work, said before anything is read or
    written: a freshness window Dagster refuses (SettingError), the webhooks of a live run,
    the --out folder of a dry run."""
    from et_pipeline.publish.webhook import webhook_variable_problem
    from et_pipeline.settings import settings_from_env

    settings = settings_from_env()
    if settings.night_deadline_cron is not None:   # Dagster judges the window (and only then is imported)
        from et_pipeline.defs.freshness import night_freshness

        night_freshness(settings, rules.timezone)
    if a.publish == "live":
        return (webhook_variable_problem(os.environ, "ET_DISCORD_WEBHOOK_URL", required=True)
                or webhook_variable_problem(os.environ, "ET_DISCORD_ADMIN_WEBHOOK_URL", required=False))
    if a.publish == "dry-run":
        return _unwritable_folder(a.out, "--out")
    return None


def _unwritable_folder(path: str, option: str) -> str | None:
    """Why `path` cannot be (made) a writable folder, without making it: its nearest
    existing parent must be a writable folder (a cron minute with nothing new writes nothing)."""
    existing = os.path.abspath(path)
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        return "%s %s cannot be created: %s is not a folder" % (option, path, existing)
    if not os.access(existing, os.W_OK | os.X_OK):
        return "%s %s cannot be created: %s is not writable" % (option, path, existing)
    return None


def _run(a, started_up) -> int:
    from et_pipeline.cli.output import RunProgress, summary_lines
    from et_pipeline.config import rules_from_env
    from et_pipeline.publish.outbox import deferred_dates
    from et_pipeline.sources import source_from_url
    from et_pipeline.sources.errors import SFTPSourceError, SourceURLError
    from et_pipeline.steps.plan import make_plan
    from et_pipeline.steps.sensor_logic import changed_dates
    from et_pipeline.storage import schema as t
    from et_pipeline.storage.database import ensure_schema, make_engine
    from et_pipeline.storage.registry import SourceMismatch, archived_stats_names, claim_source, sync_registry

    started = time.monotonic()
    if _password_in_db(a.db):
        return _rerun_with_db_in_environment(a)
    rules = rules_from_env()
    problem = _what_would_fail_late(a, rules)
    if problem:
        return die(problem)
    try:
        src = source_from_url(**_source_args(a))
    except SourceURLError as e:
        return die("--source %s" % e)
    except (SFTPSourceError, ValueError) as e:
        hint = " (--sftp-key/--known-hosts or ET_SFTP_KEY_PATH/ET_SFTP_KNOWN_HOSTS)" if "key_path" in str(e) else ""
        return die(str(e).splitlines()[0] + hint, _source_exit_code(e))
    problem = src.problem()
    if problem:
        return die(problem)
    with RunProgress(verbose=a.verbose) as progress:
        try:
            progress.phase("listing %s" % src.describe())
            listing = src.list_files()
        except SFTPSourceError as e:
            return die(str(e).splitlines()[0], _source_exit_code(e))
        except (OSError, ValueError) as e:
            return die("cannot list the source: %s" % str(e).splitlines()[0])
        home, code = _dagster_home(a)     # before the database: a bad home leaves nothing written
        if code is not None:
            return code
        try:
            engine = make_engine(a.db)
            ensure_schema(engine)
            with engine.begin() as conn:   # the registry as the server is now, whatever runs below
                claim_source(conn, src.describe())
                plan = make_plan(listing, rules, archived_stats_names(conn))
                sync_registry(conn, plan)
            with engine.connect() as conn:
                state = {r.session_date: r for r in conn.execute(select(t.partition_state))}
                # Discord messages a long 429 deferred, now due: only a new run sends them
                due = set(deferred_dates(conn, time.time())) if a.publish == "live" else set()
        except SourceMismatch as e:
            return die(str(e))
        except (OSError, SQLAlchemyError) as e:
            return die("cannot start: %s" % str(e).splitlines()[0])
        # the sensor's change rule, over what the assets recorded (not what a cursor asked for)
        wanted = set(changed_dates(plan, {d: s.fingerprint if s.completed else None for d, s in state.items()}))
        if a.force:
            wanted |= set(plan.dates)
        wanted |= due & set(plan.by_date)   # Discord messages due again
        failed: dict[str, str] = {}
        season = None
        # nothing new and the season current (or skipped): no Dagster at all (a cron job's usual minute)
        behind = not wanted and _season_behind(engine)
        if wanted or (behind and a.season == "auto"):
            code, failed, season = _run_dates(a, rules, home, engine, sorted(wanted), progress, started_up)
            if code is not None:
                return code
        elif behind:
            season = SEASON_SKIPPED
    dates, unassigned = _summaries(engine, plan, wanted, set(failed))
    failures = ["FAILED %s: %s" % (d, why) for d, why in failed.items()]
    for line in summary_lines(dates, unassigned, len(plan.ignored), failures, time.monotonic() - started,
                              season):
        print(line)
    for line in discord_problem_lines(engine):
        print(line)
    sys.stdout.flush()
    return EXIT_FAILED if failed else 0


SEASON_SKIPPED = "the season is behind the nights: the next `et-pipeline run` brings it up to date"


def _season_behind(engine) -> bool:
    from et_pipeline.storage.season_state import season_behind

    with engine.connect() as conn:
        return season_behind(conn)


def _run_dates(a, rules, home: str, engine, wanted: list[str], progress,
               started_up) -> tuple[int | None, dict[str, str], str | None]:
    """The Dagster half of `run`: the instance in the Dagster home, the wanted dates as
    partitions, the code location's job run over them in bounded chunks, then the season
    job when the season is behind the nights (`--season auto`). (exit code when it cannot
    start, None otherwise; date -> why, for each date of a failed chunk and "season" when
    the season failed; the summary's line on the season)."""
    from et_pipeline.defs.dead_runs import fail_dead_runs
    from et_pipeline.defs.launch import (open_instance, register_dates, run_config, run_dates, run_season,
                                         steps_per_run)
    from et_pipeline.defs.partitions import max_partitions_per_run

    try:
        instance = open_instance(home)
    except OSError as e:
        return _home_unusable(home, e), {}, None
    except Exception as e:     # the folder's own dagster.yaml: bad YAML, an unset variable, a database down
        return _instance_unusable(home, e), {}, None
    for line in fail_dead_runs(instance):      # a killed `run` (or daemon worker) left its run STARTED
        print("et-pipeline: failed run %s: its process is gone" % line, file=sys.stderr)
    order = register_dates(instance, wanted)
    config = run_config(source=_source_args(a), db_url=a.db, rules=rules, publish=a.publish, out_dir=a.out)
    steps = steps_per_run()
    started_up()
    failed = {}
    blocks = _blocks(order, set(wanted), max_partitions_per_run())
    progress.start_runs(blocks, steps)
    for i, block in enumerate(blocks):
        progress.start_block(i, blocks)
        reasons = run_dates(instance, block, config, progress.on_event)
        progress.end_block(i)
        if reasons:
            failed.update({d: "; ".join(reasons) for d in block})
    if not _season_behind(engine):          # no night changed (every run failed), and none before
        return None, failed, None
    if a.season == "skip":
        return None, failed, SEASON_SKIPPED
    progress.phase("the season")
    reasons = run_season(instance, config, progress.on_event)
    if reasons:
        failed["season"] = "; ".join(reasons)
        return None, failed, None
    return None, failed, "the season brought up to date"
