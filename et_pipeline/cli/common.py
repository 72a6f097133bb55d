"""What every `et-pipeline` command shares: the exit codes, the one-line error on stderr,
the `--db` option and its checks, the JSON printer, the Discord messages that need an
admin. The commands' modules import these from here and from nowhere else, so no command
module imports another's helpers (test_import_layers)."""
import argparse
import datetime as dt
import json
import os
import signal
import sys
import threading

from et_pipeline.env_values import number_problem
from et_pipeline.storage.database import DEFAULT_URL as DEFAULT_DB, sqlite_path

# Exit codes (README, "Exit codes"): each problem a person must fix has its own.
EXIT_FAILED = 1           # a partition failed (one FAILED line each)
EXIT_USAGE = 2            # bad arguments, missing source folder, unreachable database
EXIT_DAGSTER_HOME = 3     # the Dagster home cannot be created or written
EXIT_HOST_KEY = 4         # SFTP host key unknown or changed
EXIT_KEY_FILE = 5         # SSH key or known_hosts file not configured, missing or unreadable
EXIT_PASSWORD_IN_URL = 6  # a password in the sftp:// URL
EXIT_AUTH = 7             # the SFTP server refused the key


def keep_sigterm_working() -> None:
    """A process started in the background by a script ignores SIGINT, and Dagster points
    SIGTERM at SIGINT's handler while it executes a run: `kill` did nothing, and every
    process started afterwards (an ignored signal is inherited) ignored SIGTERM too.
    SIGINT gets Python's default handler instead (there is no terminal to press ^C in)."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def die(msg: str, code: int = 2) -> int:
    print("et-pipeline: " + msg, file=sys.stderr)
    return code


def session_date(text: str) -> dt.date | None:
    """A `--date` argument: exactly YYYY-MM-DD, else None."""
    if not _date_shaped(text):      # fromisoformat also takes 2025-W02-1 and 20250107
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _date_shaped(text: str) -> bool:
    return len(text) == 10 and text[4] == text[7] == "-" and text.replace("-", "").isdigit()


def date_problem(text: str, what: str = "date") -> str:
    """Why `text` is not a session date: its shape, or a day the calendar does not have."""
    return "malformed %s %r (%sexpected YYYY-MM-DD)" % (what, text, "no such day; " if _date_shaped(text) else "")


def _number_type(**limits):
    """An argparse type of env_values' number rule (argparse names the option when it fails)."""
    def parse(text: str):
        value, problem = number_problem(text, **limits)
        if problem:
            raise argparse.ArgumentTypeError("%r %s" % (text, problem))
        return value
    return parse


def whole_number(low: int):
    """An argparse type: a whole number >= low."""
    return _number_type(low=low, whole=True)


def calendar_date(text: str) -> str:
    """An argparse type: YYYY-MM-DD, a day the calendar has."""
    if session_date(text) is None:
        raise argparse.ArgumentTypeError(date_problem(text))
    return text


probability = _number_type(low=0.0, high=1.0)   # an argparse type: a number from 0 to 1


def missing_sqlite_file(db: str) -> bool:
    """A SQLite URL whose file does not exist (SQLAlchemy would create an empty one)."""
    path = sqlite_path(db)
    return path is not None and not os.path.exists(path)


def print_json(doc) -> None:
    """A JSON document on stdout as every command prints one: indented, UTF-8 as is."""
    json.dump(doc, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def dated_database(a) -> tuple[str | None, int | None]:
    """(`--date` as YYYY-MM-DD, None) when it is well-formed and `--db` exists, else
    (None, exit code) after saying which is wrong."""
    date = session_date(a.date)
    if date is None:
        return None, die(date_problem(a.date))
    if missing_sqlite_file(a.db):
        return None, die("database %s not found" % a.db)
    return date.isoformat(), None


def add_db_option(parser, help: str = "app database URL ($ET_DB_URL)") -> None:
    parser.add_argument("--db", default=os.environ.get("ET_DB_URL") or DEFAULT_DB, help=help)   # blank: the default


def load_season(a):
    """The season of `--db` up to `--as-of` (`season`, `player`, `leaderboard`, `balance`):
    (Season, None) or (None, exit code) after a message naming what is wrong."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import SQLAlchemyError

    from et_pipeline.config import rules_from_env
    from et_pipeline.season.season import compute_season
    from et_pipeline.storage.database import make_engine

    if a.as_of is not None and session_date(a.as_of) is None:
        return None, die(date_problem(a.as_of, "--as-of"))
    if missing_sqlite_file(a.db):
        return None, die("database %s not found" % a.db)
    try:
        engine = make_engine(a.db)
        with engine.connect() as conn:
            if not inspect(conn).has_table("map_results"):
                return None, die("database %s holds no et-pipeline data (run `et-pipeline run` first)" % a.db)
            return compute_season(conn, a.as_of, getattr(a, "period", "month"), rules_from_env()), None
    except SQLAlchemyError as e:
        return None, die("cannot read database: %s" % str(e).splitlines()[0])


def discord_problem_lines(engine) -> list[str]:
    """Messages maybe posted (ambiguous) or refused (rejected): printed on every run until an
    admin settles them with `et-pipeline discord`."""
    from sqlalchemy import inspect

    from et_pipeline.publish.outbox import publish_problems

    with engine.connect() as conn:
        if not inspect(conn).has_table("discord_posts"):
            return []
        return ["DISCORD %s %s %s %s: %s" % (p.status.upper(), p.session_date, p.session_id, p.key,
                                             (p.error or "").splitlines()[0] if p.error else "")
                for p in publish_problems(conn)]
