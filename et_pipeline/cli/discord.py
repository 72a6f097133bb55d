"""`et-pipeline discord`: the Discord messages that need an admin (maybe posted, or
rejected), and settling one of them. `run` prints the same lines on every run."""
from sqlalchemy.exc import SQLAlchemyError

from et_pipeline.cli.common import die, discord_problem_lines, missing_sqlite_file


def cmd_discord(a) -> int:
    """List the Discord messages that need an admin, or settle one of them."""
    from et_pipeline.publish.outbox import mark_found, retry_message
    from et_pipeline.storage.database import ensure_schema, make_engine

    if missing_sqlite_file(a.db):
        return die("database %s not found" % a.db)
    try:
        engine = make_engine(a.db)
        ensure_schema(engine)
        with engine.begin() as conn:
            if a.retry:
                if not retry_message(conn, *a.retry):
                    return die("no ambiguous or rejected new message %s of session %s" % (a.retry[1], a.retry[0]))
                print("%s %s: will be posted on the next live run" % tuple(a.retry))
                return 0
            if a.found:
                if not mark_found(conn, *a.found):
                    return die("no ambiguous message %s of session %s" % (a.found[1], a.found[0]))
                print("%s %s: recorded as message %s" % tuple(a.found))
                return 0
        for line in discord_problem_lines(engine):
            print(line)
    except SQLAlchemyError as e:
        return die("cannot read database: %s" % str(e).splitlines()[0])
    return 0


