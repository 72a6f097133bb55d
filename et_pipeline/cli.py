"""`et-pipeline`: run the Dagster job over a server folder, print a session report.

`run` goes through the very same assets as the UI and the sensor: it only decides
which session-date partitions changed, registers them, and executes ranged in-process
runs of `session_job` (one run per contiguous block of dates, not one per date).
"""
import argparse
import datetime as dt
import json
import os
import sys

from sqlalchemy import func, inspect, select
from sqlalchemy.exc import SQLAlchemyError

DEFAULT_DB = "sqlite:///et_pipeline.db"
# A fresh --dagster-home gets the repository's dagster.yaml (test_cli keeps them equal) plus one
# consolidated SQLite event log instead of a file per run: a ranged run writes two events per
# asset-partition, and those writes are what bounds a 100-night run (README, Benchmarks).
INSTANCE_YAML = """# The development instance config, read by `dagster dev` from the repo root (a temporary
# DAGSTER_HOME) and copied by `make dev` into .dagster_home/. `et-pipeline run` writes the same
# into a fresh --dagster-home, plus a consolidated event log (see cli.py). Production with
# PostgreSQL storage: deploy/dagster.yaml.
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
    from et_pipeline.sources.sftp import AuthenticationError, HostKeyError, KeyFileError, PasswordInURLError

    for cls, code in ((HostKeyError, EXIT_HOST_KEY), (KeyFileError, EXIT_KEY_FILE),
                      (PasswordInURLError, EXIT_PASSWORD_IN_URL), (AuthenticationError, EXIT_AUTH)):
        if isinstance(e, cls):
            return code
    return EXIT_USAGE


def _die(msg: str, code: int = 2) -> int:
    print("et-pipeline: " + msg, file=sys.stderr)
    return code


def _blocks(order: list[str], wanted: set[str]) -> list[list[str]]:
    """Contiguous runs of wanted keys in the instance's partition order."""
    blocks, current = [], []
    for key in order:
        if key in wanted:
            current.append(key)
        elif current:
            blocks.append(current)
            current = []
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


def cmd_run(a) -> int:
    import dagster as dg
    from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

    from et_pipeline.config import rules_from_env
    from et_pipeline.defs.factory import JOB_NAME, build_definitions
    from et_pipeline.defs.partitions import session_dates
    from et_pipeline.defs.resources import DiscordWebhook, StatsSourceResource
    from et_pipeline.sources.sftp import SFTPSourceError
    from et_pipeline.steps.plan import make_plan
    from et_pipeline.storage import schema as t
    from et_pipeline.storage.database import ensure_schema, make_engine
    from et_pipeline.storage.registry import archived_stats_names, sync_registry

    rules = rules_from_env()
    source = StatsSourceResource(url=a.source, key_path=a.sftp_key, known_hosts=a.known_hosts,
                                 cache_dir=a.sftp_cache)
    try:
        src = source.get_source()
        if not a.source.startswith("sftp://") and not os.path.isdir(src.describe()):
            return _die("source folder %s does not exist" % src.describe())
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

    home = os.path.abspath(a.dagster_home or os.environ.get("DAGSTER_HOME") or ".dagster_home")
    try:
        os.makedirs(home, exist_ok=True)
        if not os.path.exists(os.path.join(home, "dagster.yaml")):
            with open(os.path.join(home, "dagster.yaml"), "w") as f:
                f.write(INSTANCE_YAML + CONSOLIDATED_EVENT_LOG % json.dumps(home))
        if not os.access(home, os.W_OK):
            raise PermissionError("not writable")
        instance = dg.DagsterInstance.from_config(home)
    except (OSError, SQLAlchemyError) as e:
        why = e.strerror if isinstance(e, OSError) and e.strerror else str(e).splitlines()[0]
        return _die("Dagster home %s is not usable: %s (set --dagster-home or DAGSTER_HOME to a writable folder)"
                    % (home, why), EXIT_DAGSTER_HOME)
    wanted = {d for d in plan.dates
              if a.force or d not in state or state[d].fingerprint != plan.fingerprint(d) or not state[d].completed}
    # a date whose files are all gone (sessions re-grouped, files pruned): run it once; what
    # was archived stays (storage.registry), the state then records the empty listing
    wanted |= {d for d in state if d not in plan.by_date and state[d].file_count > 0}
    known = set(instance.get_dynamic_partitions(session_dates.name))
    new = sorted(wanted - known)
    if new:
        instance.add_dynamic_partitions(session_dates.name, new)
    webhook = os.environ.get("ET_DISCORD_WEBHOOK_URL") if a.publish == "live" else None
    defs = build_definitions(source=source, db_url=a.db, rules=rules,
                             discord=DiscordWebhook(url=webhook, mode=a.publish, out_dir=a.out))
    job = defs.resolve_job_def(JOB_NAME)
    run_config = {"loggers": {"console": {"config": {"log_level": "DEBUG" if a.verbose else "ERROR"}}}}
    failed = []
    for block in _blocks(instance.get_dynamic_partitions(session_dates.name), wanted):
        tags = {ASSET_PARTITION_RANGE_START_TAG: block[0], ASSET_PARTITION_RANGE_END_TAG: block[-1]}
        result = job.execute_in_process(instance=instance, tags=tags, run_config=run_config, raise_on_error=False)
        if not result.success:
            reasons = "; ".join(_step_failures(result)) or "run failed"
            failed += ["FAILED %s: %s" % (d, reasons) for d in block]
    _print_summary(engine, plan, wanted, failed)
    return 1 if failed else 0


def _print_summary(engine, plan, ran: set[str], failed: list[str]) -> None:
    from et_pipeline.parsers.text import printable
    from et_pipeline.storage import schema as t
    from et_pipeline.storage.registry import current_quarantine

    with engine.connect() as conn:
        counts = dict(conn.execute(select(t.rounds.c.session_date, func.count()).group_by(t.rounds.c.session_date)).all())
        bad = sorted((f for files in current_quarantine(conn).values() for f in files), key=lambda f: f.path)
    for d in plan.dates:
        print("%s  %s  %d rounds" % (d, "updated" if d in ran else "unchanged", counts.get(d, 0)))
    for f in bad:
        print("%s  %s: %s" % (f.status.upper(), printable(f.path), printable(f.reason)))
    if plan.ignored:
        print("ignored %d unrelated file(s)" % len(plan.ignored))
    for line in failed:
        print(line)
    sys.stdout.flush()


def cmd_report(a) -> int:
    from et_pipeline.report import build_report
    from et_pipeline.storage.database import make_engine

    try:
        date = dt.date.fromisoformat(a.date)
        if len(a.date) != 10:
            raise ValueError
    except ValueError:
        return _die("malformed date %r (expected YYYY-MM-DD)" % a.date)
    if a.db.startswith("sqlite:///") and not os.path.exists(a.db[len("sqlite:///"):]):
        return _die("database %s not found" % a.db)
    try:
        engine = make_engine(a.db)
        with engine.connect() as conn:
            if not inspect(conn).has_table("sessions"):
                return _die("database %s holds no et-pipeline data (run `et-pipeline run` first)" % a.db)
            report = build_report(conn, date.isoformat())
    except SQLAlchemyError as e:
        return _die("cannot read database: %s" % str(e).splitlines()[0])
    json.dump(report, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def cmd_forget(a) -> int:
    """Remove one night from the archive: the explicit, logged act DESIGN 1 asks for."""
    import logging

    from et_pipeline.storage.database import make_engine
    from et_pipeline.storage.registry import forget_dates

    try:
        date = dt.date.fromisoformat(a.date)
        if len(a.date) != 10:
            raise ValueError
    except ValueError:
        return _die("malformed date %r (expected YYYY-MM-DD)" % a.date)
    if a.db.startswith("sqlite:///") and not os.path.exists(a.db[len("sqlite:///"):]):
        return _die("database %s not found" % a.db)
    try:
        engine = make_engine(a.db)
        with engine.begin() as conn:
            if not inspect(conn).has_table("server_files"):
                return _die("database %s holds no et-pipeline data" % a.db)
            counts = forget_dates(conn, [date.isoformat()])
    except SQLAlchemyError as e:
        return _die("cannot write database: %s" % str(e).splitlines()[0])
    line = "forgot %s: %d rows (%s)" % (date.isoformat(), sum(counts.values()),
                                        ", ".join("%s %d" % kv for kv in sorted(counts.items())) or "nothing archived")
    logging.getLogger("et_pipeline.forget").info(line)
    print(line)
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="et-pipeline", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="process a server folder (or sftp://) through the Dagster assets")
    r.add_argument("--source", required=True, help="folder with gamestats/ and gametimes/, or sftp://user@host:port/path")
    r.add_argument("--db", default=os.environ.get("ET_DB_URL", DEFAULT_DB))
    r.add_argument("--dagster-home", default=None)
    r.add_argument("--publish", choices=["off", "dry-run", "live"], default="dry-run")
    r.add_argument("--out", default="out")
    r.add_argument("--force", action="store_true", help="re-run every date, changed or not (re-score)")
    r.add_argument("--sftp-key", default=os.environ.get("ET_SFTP_KEY_PATH"))
    r.add_argument("--known-hosts", default=os.environ.get("ET_SFTP_KNOWN_HOSTS"))
    r.add_argument("--sftp-cache", default=os.environ.get("ET_SFTP_CACHE_DIR"))
    r.add_argument("-v", "--verbose", action="store_true", help="show Dagster's own log")
    r.set_defaults(fn=cmd_run)
    p = sub.add_parser("report", help="print the JSON session report of one date")
    p.add_argument("--db", default=os.environ.get("ET_DB_URL", DEFAULT_DB))
    p.add_argument("--date", required=True)
    p.set_defaults(fn=cmd_report)
    f = sub.add_parser("forget", help="remove one night from the archive (raw files and every derived row)")
    f.add_argument("--db", default=os.environ.get("ET_DB_URL", DEFAULT_DB))
    f.add_argument("--date", required=True)
    f.set_defaults(fn=cmd_forget)
    from et_pipeline.synth.cli import add_synth_parser

    add_synth_parser(sub)
    a = ap.parse_args(argv)
    return a.fn(a)


if __name__ == "__main__":
    sys.exit(main())
