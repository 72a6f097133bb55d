"""`et-pipeline`: run the Dagster job over a server folder, print a session report.

`run` goes through the very same assets as the UI and the sensor: it only decides
which session-date partitions changed, registers them, and executes ranged in-process
runs of `session_job` (one run per contiguous block of at most
ET_PARTITIONS_PER_RUN dates, not one per date).
"""
import argparse
import contextlib
import datetime as dt
import gc
import glob
import json
import os
import re
import sys
import time

from sqlalchemy import func, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from et_pipeline.storage.database import DEFAULT_URL as DEFAULT_DB
# A fresh --dagster-home gets deploy/dagster.dev.yaml (test_cli keeps them equal) plus one
# consolidated SQLite event log instead of a file per run: a ranged run writes two events per
# asset-partition, and those writes are what bounds a 100-night run (README, Benchmarks).
INSTANCE_YAML = """# The development instance config: `make dev` copies it into .dagster_home/ (the instance
# `make demo` wrote), and `et-pipeline run` writes the same into a fresh --dagster-home, plus
# a consolidated event log (see cli.py). Not in the repository root: `dagster dev` would warn
# that it is ignored there. Production with PostgreSQL storage: deploy/dagster.yaml.
telemetry:
  enabled: false
nux:
  enabled: false
# SQLite storage: one run at a time.
run_coordinator:
  module: dagster._core.run_coordinator
  class: QueuedRunCoordinator
  config:
    max_concurrent_runs: 1
    dequeue_interval_seconds: 1   # a sensor's run leaves the queue within a second (issue 15)
# A failed run is re-executed once by Dagster when it carries the dagster/max_retries tag (the
# sensor's runs do); after that the sensor asks again with a doubling backoff (issue 12 5.1).
run_retries:
  enabled: true
  max_retries: 0
# Run monitoring (dagster-daemon): a run whose worker was killed (SIGKILL, OOM, a reboot) is
# failed instead of staying STARTED and holding the queue's only slot. The default launcher
# cannot check or resume a worker, so the backstop is the maximum runtime (a night's run
# takes seconds to minutes; a 100-night backfill runs in chunks well below 2 h).
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


# Exit codes (README, "Exit codes"): each problem a person must fix has its own.
EXIT_FAILED = 1           # a partition failed (one FAILED line each)
EXIT_USAGE = 2            # bad arguments, missing source folder, unreachable database
EXIT_DAGSTER_HOME = 3     # the Dagster home cannot be created or written
EXIT_HOST_KEY = 4         # SFTP host key unknown or changed
EXIT_KEY_FILE = 5         # SSH key or known_hosts file not configured, missing or unreadable
EXIT_PASSWORD_IN_URL = 6  # a password in the sftp:// URL
EXIT_AUTH = 7             # the SFTP server refused the key


def _source_exit_code(e: Exception) -> int:
    """The exit code of a source problem that retrying will not fix."""
    from et_pipeline.sources.errors import AuthenticationError, HostKeyError, KeyFileError, PasswordInURLError

    for cls, code in ((HostKeyError, EXIT_HOST_KEY), (KeyFileError, EXIT_KEY_FILE),
                      (PasswordInURLError, EXIT_PASSWORD_IN_URL), (AuthenticationError, EXIT_AUTH)):
        if isinstance(e, cls):
            return code
    return EXIT_USAGE


def _die(msg: str, code: int = 2) -> int:
    print("et-pipeline: " + msg, file=sys.stderr)
    return code


def _session_date(text: str) -> dt.date | None:
    """A `--date` argument: exactly YYYY-MM-DD, else None."""
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def _missing_sqlite_file(db: str) -> bool:
    """A `sqlite:///` URL whose file does not exist (SQLAlchemy would create an empty one)."""
    return db.startswith("sqlite:///") and not os.path.exists(db[len("sqlite:///"):])


def _print_json(doc) -> None:
    """A JSON document on stdout as every command prints one: indented, UTF-8 as is."""
    json.dump(doc, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def _dated_database(a) -> tuple[str | None, int | None]:
    """(`--date` as YYYY-MM-DD, None) when it is well-formed and `--db` exists, else
    (None, exit code) after saying which is wrong."""
    date = _session_date(a.date)
    if date is None:
        return None, _die("malformed date %r (expected YYYY-MM-DD)" % a.date)
    if _missing_sqlite_file(a.db):
        return None, _die("database %s not found" % a.db)
    return date.isoformat(), None


def _add_db_option(parser, help: str = "app database URL ($ET_DB_URL)") -> None:
    parser.add_argument("--db", default=os.environ.get("ET_DB_URL", DEFAULT_DB), help=help)


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


def _step_failures(result) -> list[str]:
    out = []
    for ev in result.all_events:
        if ev.is_step_failure:
            err = ev.event_specific_data.error
            while err is not None and err.cause is not None:   # the user's exception, not Dagster's wrapper
                err = err.cause
            out.append("%s: %s" % (ev.step_key, (err.message if err else "failed").strip().splitlines()[0]))
        elif ev.event_type_value == "ASSET_CHECK_EVALUATION":
            data = ev.event_specific_data
            if not data.passed and str(data.severity).endswith("ERROR"):
                out.append("check %s failed" % data.check_name)
    return out


def _source_error(path: str) -> str | None:
    """Why a local --source is not a server folder (no gamestats/), with a hint where it might be."""
    if os.path.isdir(os.path.join(path, "gamestats")):
        return None
    if not os.path.isdir(path):
        return "source folder %s does not exist" % path
    near = sorted(os.path.dirname(p) for pattern in ("*", os.path.join("*", "*"))
                  for p in glob.glob(os.path.join(glob.escape(path), pattern, "gamestats")))
    hint = ("did you mean %s?" % " or ".join(near[:3]) if near else
            "it should be the server's fs_game folder (legacy/ on ET:Legacy) holding gamestats/ and gametimes/")
    what = "is empty" if not os.listdir(path) else "has no gamestats/ folder"
    return "source folder %s %s; %s" % (path, what, hint)


def _summaries(engine, plan, ran: set[str]):
    from et_pipeline.cli_output import DateSummary
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
    out = {d: DateSummary(d, d in ran, rounds.get(d, 0), files.get(d, 0)) for d in plan.dates}
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


def _dagster_home(a) -> tuple[str | None, int | None]:
    """(the Dagster home, None), made and checked writable, or (None, exit code) after saying
    why: checked on every run, also one with nothing new that starts no Dagster run."""
    home = os.path.abspath(a.dagster_home or os.environ.get("DAGSTER_HOME") or ".dagster_home")
    try:
        os.makedirs(home, exist_ok=True)
        if not os.path.exists(os.path.join(home, "dagster.yaml")):
            with open(os.path.join(home, "dagster.yaml"), "w") as f:
                f.write(INSTANCE_YAML + CONSOLIDATED_EVENT_LOG % json.dumps(home))
        if not os.access(home, os.W_OK):
            raise PermissionError("not writable")
    except OSError as e:
        return None, _home_unusable(home, e)
    return home, None


def _home_unusable(home: str, e: Exception) -> int:
    why = e.strerror if isinstance(e, OSError) and e.strerror else str(e).splitlines()[0]
    return _die("Dagster home %s is not usable: %s (set --dagster-home or DAGSTER_HOME to a writable folder)"
                % (home, why), EXIT_DAGSTER_HOME)


def _run(a, started_up) -> int:
    from et_pipeline.cli_output import RunProgress, summary_lines
    from et_pipeline.config import rules_from_env
    from et_pipeline.sources import source_from_url
    from et_pipeline.sources.errors import SFTPSourceError
    from et_pipeline.steps.plan import make_plan
    from et_pipeline.storage import schema as t
    from et_pipeline.storage.database import ensure_schema, make_engine
    from et_pipeline.storage.registry import archived_stats_names, sync_registry

    started = time.monotonic()
    rules = rules_from_env()
    try:
        src = source_from_url(**_source_args(a))
    except (SFTPSourceError, ValueError) as e:
        hint = " (--sftp-key/--known-hosts or ET_SFTP_KEY_PATH/ET_SFTP_KNOWN_HOSTS)" if "key_path" in str(e) else ""
        return _die(str(e).splitlines()[0] + hint, _source_exit_code(e))
    if not a.source.startswith("sftp://"):
        problem = _source_error(a.source)
        if problem:
            return _die(problem)
    with RunProgress(verbose=a.verbose) as progress:
        try:
            progress.phase("listing %s" % src.describe())
            listing = src.list_files()
        except SFTPSourceError as e:
            return _die(str(e).splitlines()[0], _source_exit_code(e))
        except (OSError, ValueError) as e:
            return _die("cannot list the source: %s" % str(e).splitlines()[0])
        try:
            engine = make_engine(a.db)
            ensure_schema(engine)
            with engine.begin() as conn:   # the registry as the server is now, whatever runs below
                plan = make_plan(listing, rules, archived_stats_names(conn))
                sync_registry(conn, plan)
            with engine.connect() as conn:
                state = {r.session_date: r for r in conn.execute(select(t.partition_state))}
        except (OSError, SQLAlchemyError) as e:
            return _die("cannot start: %s" % str(e).splitlines()[0])
        wanted = {d for d in plan.dates
                  if a.force or d not in state or state[d].fingerprint != plan.fingerprint(d) or not state[d].completed}
        # a date whose files are all gone (sessions re-grouped, files pruned): run it once; what
        # was archived stays (storage.registry), the state then records the empty listing
        wanted |= {d for d in state if d not in plan.by_date and state[d].file_count > 0}
        home, code = _dagster_home(a)
        if code is not None:
            return code
        failed: list[str] = []
        if wanted:          # nothing new: no Dagster at all (a cron job's usual minute)
            code, failed = _run_dates(a, rules, home, sorted(wanted), progress, started_up)
            if code is not None:
                return code
    dates, unassigned = _summaries(engine, plan, wanted)
    for line in summary_lines(dates, unassigned, len(plan.ignored), failed, time.monotonic() - started):
        print(line)
    for line in _discord_problem_lines(engine):
        print(line)
    sys.stdout.flush()
    return EXIT_FAILED if failed else 0


def _run_dates(a, rules, home: str, wanted: list[str], progress, started_up) -> tuple[int | None, list[str]]:
    """The Dagster half of `run`: the instance in the Dagster home, the wanted dates as
    partitions, the job executed in bounded chunks. (exit code when it cannot start, None
    otherwise; one FAILED line per date of a failed chunk)."""
    import dagster as dg

    from et_pipeline.defs.factory import JOB_NAME, build_definitions
    from et_pipeline.defs.partitions import max_partitions_per_run, session_dates
    from et_pipeline.defs.resources import DiscordWebhook, StatsSourceResource, env_secret
    from et_pipeline.defs.run_events import forwarding_logger
    from et_pipeline.defs.run_tags import ui_run_tags

    try:
        instance = dg.DagsterInstance.from_config(home)
    except (OSError, SQLAlchemyError) as e:
        return _home_unusable(home, e), []
    known = set(instance.get_dynamic_partitions(session_dates.name))
    new = [d for d in wanted if d not in known]
    if new:
        instance.add_dynamic_partitions(session_dates.name, new)
    # secrets reach the resources as dg.EnvVar: the run storage keeps the names, not the values
    webhook, admin_webhook = (env_secret(name) if a.publish == "live" else None
                              for name in ("ET_DISCORD_WEBHOOK_URL", "ET_DISCORD_ADMIN_WEBHOOK_URL"))
    saved_db_env = os.environ.get("ET_DB_URL")
    os.environ["ET_DB_URL"] = a.db
    try:
        defs = build_definitions(source=StatsSourceResource(**_source_args(a)), db_url=dg.EnvVar("ET_DB_URL"),
                                 rules=rules, discord=DiscordWebhook(url=webhook, mode=a.publish, out_dir=a.out,
                                                                    admin_url=admin_webhook,
                                                                    details_thread_id=os.environ.get(
                                                                        "ET_DISCORD_DETAILS_THREAD_ID") or None))
        # the run's events drive the progress display; Dagster's own console stream stays off
        job = defs.resolve_job_def(JOB_NAME).with_logger_defs({"progress": forwarding_logger(progress.on_event)})
        started_up()
        failed = []
        blocks = _blocks(instance.get_dynamic_partitions(session_dates.name), set(wanted), max_partitions_per_run())
        progress.start_runs(blocks, len(job.graph.nodes))
        for i, block in enumerate(blocks):
            progress.start_block(i, blocks)
            result = job.execute_in_process(instance=instance, tags=ui_run_tags(block, CODE_LOCATION),
                                            raise_on_error=False,
                                            partition_key=block[0] if len(block) == 1 else None,
                                            run_config={"loggers": {"progress": {}}})
            progress.end_block(i)
            if not result.success:
                reasons = "; ".join(_step_failures(result)) or "run failed"
                failed += ["FAILED %s: %s" % (d, reasons) for d in block]
    finally:
        _restore_env("ET_DB_URL", saved_db_env)
    return None, failed


def _restore_env(name: str, value) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


CODE_LOCATION = "et_pipeline"      # workspace.yaml's location_name (test_cli_presentation keeps them equal)


def _no_sessions(conn, date: str) -> str:
    """Stderr note for a date without sessions: the nearest dates that have some."""
    from et_pipeline.storage import schema as t

    d = t.sessions.c.session_date
    before = conn.execute(select(func.max(d)).where(d < date)).scalar()
    after = conn.execute(select(func.min(d)).where(d > date)).scalar()
    near = " and ".join(x for x in (before and "before: " + before, after and "after: " + after) if x)
    return "no session started on %s (%s)" % (date, "nearest %s" % near if near else "the database holds no session")


def _discord_problem_lines(engine) -> list[str]:
    """Messages maybe posted (ambiguous) or refused (rejected): printed on every run until an
    admin settles them with `et-pipeline discord`."""
    from et_pipeline.publish.outbox import publish_problems

    with engine.connect() as conn:
        if not inspect(conn).has_table("discord_posts"):
            return []
        return ["DISCORD %s %s %s %s: %s" % (p.status.upper(), p.session_date, p.session_id, p.key,
                                             (p.error or "").splitlines()[0] if p.error else "")
                for p in publish_problems(conn)]


def cmd_discord(a) -> int:
    """List the Discord messages that need an admin, or settle one of them."""
    from et_pipeline.publish.outbox import mark_found, retry_message
    from et_pipeline.storage.database import ensure_schema, make_engine

    if _missing_sqlite_file(a.db):
        return _die("database %s not found" % a.db)
    try:
        engine = make_engine(a.db)
        ensure_schema(engine)
        with engine.begin() as conn:
            if a.retry:
                if not retry_message(conn, *a.retry):
                    return _die("no ambiguous or rejected new message %s of session %s" % (a.retry[1], a.retry[0]))
                print("%s %s: will be posted on the next live run" % tuple(a.retry))
                return 0
            if a.found:
                if not mark_found(conn, *a.found):
                    return _die("no ambiguous message %s of session %s" % (a.found[1], a.found[0]))
                print("%s %s: recorded as message %s" % tuple(a.found))
                return 0
        for line in _discord_problem_lines(engine):
            print(line)
    except SQLAlchemyError as e:
        return _die("cannot read database: %s" % str(e).splitlines()[0])
    return 0


def cmd_report(a) -> int:
    from et_pipeline.report import build_report
    from et_pipeline.storage.database import make_engine

    date, code = _dated_database(a)
    if date is None:
        return code
    try:
        engine = make_engine(a.db)
        with engine.connect() as conn:
            if not inspect(conn).has_table("sessions"):
                return _die("database %s holds no et-pipeline data (run `et-pipeline run` first)" % a.db)
            report = build_report(conn, date)
            if not report["sessions"]:
                print("et-pipeline: " + _no_sessions(conn, date), file=sys.stderr)
    except SQLAlchemyError as e:
        return _die("cannot read database: %s" % str(e).splitlines()[0])
    _print_json(report)
    return 0


def cmd_forget(a) -> int:
    """Remove one night from the archive: the explicit, logged act DESIGN 1 asks for."""
    import logging

    from et_pipeline.storage.database import make_engine
    from et_pipeline.storage.registry import forget_dates

    date, code = _dated_database(a)
    if date is None:
        return code
    try:
        engine = make_engine(a.db)
        with engine.begin() as conn:
            if not inspect(conn).has_table("server_files"):
                return _die("database %s holds no et-pipeline data" % a.db)
            counts = forget_dates(conn, [date])
    except SQLAlchemyError as e:
        return _die("cannot write database: %s" % str(e).splitlines()[0])
    line = "forgot %s: %d rows (%s)" % (date, sum(counts.values()),
                                        ", ".join("%s %d" % kv for kv in sorted(counts.items())) or "nothing archived")
    logging.getLogger("et_pipeline.forget").info(line)
    print(line)
    return 0


class _HelpFormatter(argparse.HelpFormatter):
    """Every option's help ends with its default (when it has one worth showing), passwords masked."""

    def _get_help_string(self, action):
        text = action.help or ""
        if "%(default)" in text or action.default in (None, False, argparse.SUPPRESS) or not action.option_strings:
            return text
        return text + " (default: %s)" % re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", str(action.default))


def finish_parser(ap: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Give every subcommand (also ones added later) the same help treatment: defaults shown."""
    for action in ap._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                sub.formatter_class = _HelpFormatter
                finish_parser(sub)
    return ap


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="et-pipeline", description=__doc__.splitlines()[0],
                                 formatter_class=_HelpFormatter)
    ap.add_argument("--version", action="version", version="%(prog)s " + _version())
    sub = ap.add_subparsers(dest="cmd", required=True, metavar="COMMAND")
    r = sub.add_parser("run", help="process a server folder (or sftp://) through the Dagster assets",
                       description="Process a game-server folder through the Dagster assets: only the session "
                                   "dates whose files changed, one ranged run per block of dates.")
    r.add_argument("--source", required=True, help="the server's fs_game folder holding gamestats/ and gametimes/, "
                                                   "or sftp://user@host:port/path")
    _add_db_option(r, "app database: sqlite:///file.db or postgresql+psycopg2://user:pass@host/db ($ET_DB_URL)")
    r.add_argument("--dagster-home", default=None,
                   help="Dagster instance folder (default: $DAGSTER_HOME, else ./.dagster_home)")
    r.add_argument("--publish", choices=["off", "dry-run", "live"], default="dry-run",
                   help="Discord: off, dry-run (payloads and graphs written under --out) or live "
                        "($ET_DISCORD_WEBHOOK_URL)")
    r.add_argument("--out", default="out", help="folder for dry-run payloads and graphs")
    r.add_argument("--force", action="store_true", help="re-run every date, changed or not (re-score)")
    r.add_argument("--sftp-key", default=os.environ.get("ET_SFTP_KEY_PATH"),
                   help="SFTP only: private key file ($ET_SFTP_KEY_PATH)")
    r.add_argument("--known-hosts", default=os.environ.get("ET_SFTP_KNOWN_HOSTS"),
                   help="SFTP only: known_hosts file holding the server's host key ($ET_SFTP_KNOWN_HOSTS)")
    r.add_argument("--sftp-cache", default=os.environ.get("ET_SFTP_CACHE_DIR"),
                   help="SFTP only: download cache folder ($ET_SFTP_CACHE_DIR)")
    r.add_argument("-v", "--verbose", action="store_true",
                   help="print each step as it finishes, with its numbers and the assets' own messages")
    r.set_defaults(fn=cmd_run)
    p = sub.add_parser("report", help="print the JSON session report of one date",
                       description="Print the JSON report of the sessions that started on one local date.")
    _add_db_option(p)
    p.add_argument("--date", required=True, help="local date of the session's first round, YYYY-MM-DD")
    p.set_defaults(fn=cmd_report)
    f = sub.add_parser("forget", help="remove one night from the archive (raw files and every derived row)")
    _add_db_option(f)
    f.add_argument("--date", required=True, help="the session date to forget, YYYY-MM-DD")
    f.set_defaults(fn=cmd_forget)
    d = sub.add_parser("discord", help="list Discord messages that were maybe posted or rejected; settle one")
    _add_db_option(d)
    d.add_argument("--retry", nargs=2, metavar=("SESSION_ID", "KEY"),
                   help="the message is not in the channel: post it on the next live run")
    d.add_argument("--found", nargs=3, metavar=("SESSION_ID", "KEY", "MESSAGE_ID"),
                   help="the message is in the channel with this id: keep it (later changes edit it)")
    d.set_defaults(fn=cmd_discord)
    from et_pipeline.cli_synth import add_synth_parser

    add_synth_parser(sub)
    from et_pipeline.season.cli import add_season_parsers

    add_season_parsers(sub)
    from et_pipeline.season.balance_cli import add_balance_parser

    add_balance_parser(sub)
    return ap


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("et-pipeline")
    except PackageNotFoundError:
        return "unknown"


def main(argv=None) -> int:
    a = finish_parser(build_parser()).parse_args(argv)
    try:
        return a.fn(a)
    except BrokenPipeError:          # `et-pipeline run | head`: the reader left, nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def console_main() -> int:
    """The `et-pipeline` command (pyproject's entry point; in-process callers use main()).
    After the command, the heap (about 300,000 objects of Dagster's and ours after a run) is
    parked in the permanent generation: the interpreter's collections at exit skip it. They
    took 0.5 s of a 2 s one-night run to free memory the process was about to give back."""
    rc = main()
    gc.freeze()
    return rc


if __name__ == "__main__":
    sys.exit(console_main())
