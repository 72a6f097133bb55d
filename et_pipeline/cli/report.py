"""`et-pipeline report --db URL --date D`: the JSON session report of one date."""
import sys

from sqlalchemy import func, inspect, select
from sqlalchemy.exc import SQLAlchemyError

from et_pipeline.cli.common import dated_database, die, print_json


def _no_sessions(conn, date: str) -> str:
    """Stderr note for a date without sessions: the nearest dates that have some."""
    from et_pipeline.storage import schema as t

    d = t.sessions.c.session_date
    before = conn.execute(select(func.max(d)).where(d < date)).scalar()
    after = conn.execute(select(func.min(d)).where(d > date)).scalar()
    near = " and ".join(x for x in (before and "before: " + before, after and "after: " + after) if x)
    return "no session started on %s (%s)" % (date, "nearest %s" % near if near else "the database holds no session")


def cmd_report(a) -> int:
    from et_pipeline.report import build_report
    from et_pipeline.storage.database import make_engine

    date, code = dated_database(a)
    if date is None:
        return code
    try:
        engine = make_engine(a.db)
        with engine.connect() as conn:
            if not inspect(conn).has_table("sessions"):
                return die("database %s holds no et-pipeline data (run `et-pipeline run` first)" % a.db)
            report = build_report(conn, date)
            if not report["sessions"]:
                print("et-pipeline: " + _no_sessions(conn, date), file=sys.stderr)
    except SQLAlchemyError as e:
        return die("cannot read database: %s" % str(e).splitlines()[0])
    print_json(report)
    return 0


