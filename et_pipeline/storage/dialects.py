"""The one place that picks the dialect's INSERT, for `ON CONFLICT` (an upsert, or an
insert that leaves an existing row alone): SQLite and PostgreSQL spell it alike, but
SQLAlchemy builds it from each dialect's own `insert`."""
from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection


def insert(conn: Connection, table: Table):
    """`table`'s INSERT for `conn`'s database, with `on_conflict_do_update`/`_do_nothing`."""
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)
