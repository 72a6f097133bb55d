"""`et-pipeline forget --db URL --date D`: remove one night from the archive."""
from sqlalchemy import inspect
from sqlalchemy.exc import SQLAlchemyError

from et_pipeline.cli.common import dated_database, die


def cmd_forget(a) -> int:
    """Remove one night from the archive: an explicit, logged act (the archive never drops a night by itself)."""
    import logging

    from et_pipeline.storage.database import make_engine
    from et_pipeline.storage.registry import forget_dates

    date, code = dated_database(a)
    if date is None:
        return code
    try:
        engine = make_engine(a.db)
        with engine.begin() as conn:
            if not inspect(conn).has_table("server_files"):
                return die("database %s holds no et-pipeline data" % a.db)
            counts = forget_dates(conn, [date])
    except SQLAlchemyError as e:
        return die("cannot write database: %s" % str(e).splitlines()[0])
    line = "forgot %s: %d rows (%s)" % (date, sum(counts.values()),
                                        ", ".join("%s %d" % kv for kv in sorted(counts.items())) or "nothing archived")
    logging.getLogger("et_pipeline.forget").info(line)
    print(line)
    return 0


