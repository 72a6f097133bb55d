"""`et-pipeline`: run the Dagster job over a server folder, print a session report.

`run` goes through the very same assets as the UI and the sensor: it only decides
which session-date partitions changed, registers them, and executes ranged in-process
runs of `session_job` (one run per contiguous block of at most
ET_PARTITIONS_PER_RUN dates, not one per date).
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
    dequeue_interval_seconds: 1   # a sensor's run leaves the queue within a second (issue 15)
# A failed run is re-executed once by Dagster when it carries the dagster/max_retries tag (the
# sensor's runs do); after that the sensor asks again with a doubling backoff (issue 12 5.1).
run_retries:
  enabled: true
  max_retries: 0
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


def _die(msg: str, code: int = 2) -> int:
    print("et-pipeline: " + msg, file=sys.stderr)
    return code


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


def cmd_run(a) -> int:
    import dagster as dg
    from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

    from et_pipeline.config import rules_from_env
    from et_pipeline.defs.factory import JOB_NAME, build_definitions
    from et_pipeline.defs.partitions import max_partitions_per_run, session_dates
    from et_pipeline.defs.resources import DiscordWebhook, StatsSourceResource
    from et_pipeline.steps.plan import make_plan
    from et_pipeline.storage import schema as t
    from et_pipeline.storage.database import ensure_schema, make_engine

    rules = rules_from_env()
    source = StatsSourceResource(url=a.source, key_path=a.sftp_key, known_hosts=a.known_hosts,
                                 cache_dir=a.sftp_cache)
    src = source.get_source()
    if not a.source.startswith("sftp://") and not os.path.isdir(src.describe()):
        return _die("source folder %s does not exist" % src.describe())
    try:
        plan = make_plan(src.list_files(), rules)
        engine = make_engine(a.db)
        ensure_schema(engine)
        with engine.connect() as conn:
            state = {r.session_date: r for r in conn.execute(select(t.partition_state))}
    except (OSError, SQLAlchemyError) as e:
        return _die("cannot start: %s" % str(e).splitlines()[0])

    home = os.path.abspath(a.dagster_home or os.environ.get("DAGSTER_HOME") or ".dagster_home")
    os.makedirs(home, exist_ok=True)
    if not os.path.exists(os.path.join(home, "dagster.yaml")):
        with open(os.path.join(home, "dagster.yaml"), "w") as f:
            f.write(INSTANCE_YAML + CONSOLIDATED_EVENT_LOG % json.dumps(home))
    instance = dg.DagsterInstance.from_config(home)
    wanted = {d for d in plan.dates
              if a.force or d not in state or state[d].fingerprint != plan.fingerprint(d) or not state[d].completed}
    # a date whose files are all gone (sessions re-grouped, files removed): clear it, once
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
    for block in _blocks(instance.get_dynamic_partitions(session_dates.name), wanted, max_partitions_per_run()):
        tags = {ASSET_PARTITION_RANGE_START_TAG: block[0], ASSET_PARTITION_RANGE_END_TAG: block[-1]}
        result = job.execute_in_process(instance=instance, tags=tags, run_config=run_config, raise_on_error=False)
        if not result.success:
            reasons = "; ".join(_step_failures(result)) or "run failed"
            failed += ["FAILED %s: %s" % (d, reasons) for d in block]
    _print_summary(engine, plan, wanted, failed)
    return 1 if failed else 0


def _print_summary(engine, plan, ran: set[str], failed: list[str]) -> None:
    from et_pipeline.storage import schema as t

    with engine.connect() as conn:
        counts = dict(conn.execute(select(t.rounds.c.session_date, func.count()).group_by(t.rounds.c.session_date)).all())
        bad = conn.execute(select(t.server_files.c.path, t.server_files.c.status, t.server_files.c.error)
                           .where(t.server_files.c.status.in_(["quarantined", "duplicate", "read_error", "unassigned"]))
                           .order_by(t.server_files.c.path)).all()
    for d in plan.dates:
        print("%s  %s  %d rounds" % (d, "updated" if d in ran else "unchanged", counts.get(d, 0)))
    for path, status, error in bad:
        print("%s  %s: %s" % (status.upper(), path, error))
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
    from et_pipeline.synth.cli import add_synth_parser

    add_synth_parser(sub)
    a = ap.parse_args(argv)
    return a.fn(a)


if __name__ == "__main__":
    sys.exit(main())
