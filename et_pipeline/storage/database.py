"""Engine creation and the one write pattern: replace a partition's rows in one transaction."""
import os
import sqlite3
import time
from typing import Iterable, Sequence

from sqlalchemy import Table, create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine

from et_pipeline.storage.season_state import mark_dates_changed

SQLITE_BUSY_MS = 30_000       # how long a SQLite connection waits for another writer
DEFAULT_URL = "sqlite:///et_pipeline.db"   # the CLI's --db, the resource's and the code location's default


URL_FORMS = "sqlite:///PATH or postgresql+psycopg2://USER@HOST/DB"


def sqlite_path(url: str) -> str | None:
    """The file of a SQLite URL; None for another database, an in-memory one or no URL."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return parsed.database


def database_url_problem(url: str, name: str = "--db") -> str | None:
    """Why the database URL given as `name` (--db, ET_DB_URL) cannot work, never quoting a
    password, or None. SQLAlchemy would say `Could not parse SQLAlchemy URL`, fail to import
    a driver for another database, or `unable to open database file` for a missing folder."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        shown = "" if "@" in url else " %r" % url
        return "%s%s is not a database URL (%s)" % (name, shown, URL_FORMS)
    if backend not in ("sqlite", "postgresql", "postgres"):
        return "%s: %s databases are not supported (%s)" % (name, backend, URL_FORMS)
    path = sqlite_path(url)
    if path is not None and not os.path.isdir(os.path.dirname(os.path.abspath(path))):
        return "%s %s: the folder %s does not exist" % (name, url, os.path.dirname(os.path.abspath(path)))
    return None


def make_engine(url: str) -> Engine:
    """SQLite gets WAL, foreign keys and a busy timeout; PostgreSQL must be named with
    its driver (`postgresql+psycopg2://`), never the bare scheme."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg2://" + url.split("://", 1)[1]
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            _wal(cur)
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def _wal(cur, wait_seconds: float = 30.0) -> None:
    """Put the file in WAL mode (persistent: later connections find it so and skip the
    switch). Switching needs the file to itself and SQLite answers "database is locked" at
    once, without its busy timeout, while another process migrates a fresh file in an
    exclusive transaction: wait for that like any other lock."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            if cur.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


MIGRATIONS = os.path.join(os.path.dirname(__file__), "migrations")
# The newest migration's revision. A database stamped with it is checked with one query,
# without importing Alembic (0.2 s of every start); test_migrations keeps it equal to
# Alembic's own head, so a new migration that does not move it fails the tests.
SCHEMA_HEAD = "0006_night_versions"


def alembic_config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", MIGRATIONS)
    return cfg


# Any constant, the same in every process: the key of the PostgreSQL advisory lock that
# serialises migrations ("et-pipeline migrate" as two int4).
MIGRATION_LOCK_KEY = (0x65742D70, 0x6D696772)


def _lock_for_migration(conn: Connection) -> None:
    """Two runs starting at once on a fresh database both saw no tables and both created
    them (one died). The whole upgrade runs in one transaction that first takes a lock;
    the second process waits, then finds the schema at head and does nothing.
    PostgreSQL: a transaction-scoped advisory lock (DDL is transactional there).
    SQLite: BEGIN EXCLUSIVE (pysqlite runs DDL outside a transaction unless one is open;
    the wait is bounded by the engine's 30 s busy timeout)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:a, :b)"),
                     {"a": MIGRATION_LOCK_KEY[0], "b": MIGRATION_LOCK_KEY[1]})
    elif conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN EXCLUSIVE")


def ensure_schema(engine: Engine) -> None:
    """Bring the database to the newest schema through the Alembic migrations (one path
    for every database, so no importer can ever write to a table another never created),
    one process at a time."""
    with engine.connect() as conn:     # at head already (every run but the first): no lock, no wait
        if inspect(conn).has_table("alembic_version") and \
                [r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))] == [SCHEMA_HEAD]:
            return
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as conn:
        _lock_for_migration(conn)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def replace_partition(conn: Connection, table: Table, session_dates: Sequence[str], rows: Iterable,
                      columns: Sequence[str] | None = None) -> int:
    """Delete the given partitions' rows from `table` and insert `rows` (same transaction
    as the caller's `conn`). Returns the number of rows inserted. Rows are dicts, or, with
    `columns` (every column of the table), tuples in that order (`insert_tuples`). The
    dates get new data versions (storage.season_state.mark_dates_changed)."""
    mark_dates_changed(conn, session_dates)
    conn.execute(table.delete().where(table.c.session_date.in_(list(session_dates))))
    rows = list(rows)
    if rows:
        if columns is None:
            conn.execute(table.insert(), rows)
        else:
            insert_tuples(conn, table, columns, rows)
    return len(rows)


def insert_tuples(conn: Connection, table: Table, columns: Sequence[str], rows: list[tuple]) -> None:
    """Insert rows given as tuples straight through the driver: SQLAlchemy's executemany
    builds and processes a parameter dict per row, which for the per-player tables (tens
    of thousands of rows a run) cost twice as much as computing them. Every column must
    be given (no SQLAlchemy-side default is applied here), and the values must be what
    the driver stores as they are (numbers, text, None, bool: the types of these tables)."""
    if sorted(columns) != sorted(table.c.keys()):
        raise ValueError("insert_tuples(%s) needs every column once, got %s" % (table.name, list(columns)))
    quote = conn.dialect.identifier_preparer.quote
    target = "INSERT INTO %s (%s) VALUES " % (quote(table.name), ", ".join(quote(c) for c in columns))
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(target + "(%s)" % ", ".join("?" * len(columns)), rows)   # sqlite3's executemany
    else:   # PostgreSQL through psycopg2, the other driver make_engine accepts: pages of multi-row VALUES
        from psycopg2.extras import execute_values

        with conn.connection.cursor() as cursor:
            execute_values(cursor, target + "%s", rows, page_size=1000)


def select_partition(conn: Connection, table: Table, session_dates: Sequence[str], *where) -> list[dict]:
    """All rows of the given partitions, as plain dicts, in a stable order."""
    q = table.select().where(table.c.session_date.in_(list(session_dates)), *where)
    order = [c for c in table.primary_key.columns] or list(table.c)
    return [dict(r) for r in conn.execute(q.order_by(*order)).mappings()]
