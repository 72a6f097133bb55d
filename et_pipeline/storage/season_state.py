"""Whether the season tables are built from the nights as they are now.

`app_settings` rows: `nights_changed`, a new token each time a night's data is replaced
(a date's run completes, `forget` deletes a date); `season_tables_from`, the token the
season tables were built from (read before they load the nightly tables, under the
season lock, so a night completing meanwhile leaves the season behind, never falsely
current); and `season_built_from`, that token once the whole season job is done (the
digest published after the tables). `et-pipeline run` runs the season job when the
nights' token and `season_built_from` differ: after a season run that failed (the tables
or the digest) or was skipped (`run --season skip`), the next `run`, even with nothing
new on the server, brings the season up to date.

`night_versions` rows: one per session date, a new version each time any of that date's
nightly rows are replaced or deleted (`mark_dates_changed`, from `database.replace_partition`
and `registry.forget_dates`, in the writer's transaction); never deleted, so a set of
versions, once changed, never comes back. What is computed from some nights only (the
rating before a night, season.rating_cache) is keyed by their versions (`versions_before`).
"""
import uuid

from sqlalchemy import select
from sqlalchemy.engine import Connection

from et_pipeline.storage import dialects, schema as t

NIGHTS_CHANGED = "nights_changed"
SEASON_TABLES_FROM = "season_tables_from"
SEASON_BUILT_FROM = "season_built_from"


def _upsert(conn: Connection, table, key: dict, values: dict) -> None:
    """Insert or update one row (two runs of different dates may write at the same moment)."""
    conn.execute(dialects.insert(conn, table).values(**key, **values).on_conflict_do_update(
        index_elements=[table.c[k] for k in key], set_=values))


def _set(conn: Connection, key: str, value: str) -> None:
    _upsert(conn, t.app_settings, {"key": key}, {"value": value})


def _get(conn: Connection, key: str) -> str | None:
    return conn.execute(select(t.app_settings.c.value).where(t.app_settings.c.key == key)).scalar()


def mark_nights_changed(conn: Connection) -> None:
    """A night's data was replaced or deleted: whatever season was built before is behind."""
    _set(conn, NIGHTS_CHANGED, uuid.uuid4().hex)


def nights_token(conn: Connection) -> str | None:
    """The nights as they are now (None: no night completed since the database was made)."""
    return _get(conn, NIGHTS_CHANGED)


def mark_season_tables_built(conn: Connection, token: str) -> None:
    """The season tables now hold what the nights held at `token` (read before the load)."""
    _set(conn, SEASON_TABLES_FROM, token)


def mark_season_published(conn: Connection) -> None:
    """The rest of the season job (the digest) is done over those tables."""
    token = _get(conn, SEASON_TABLES_FROM)
    if token is not None:
        _set(conn, SEASON_BUILT_FROM, token)


def nights_token_for_a_build(conn: Connection) -> str:
    """The token a season build records; a database made before the token existed gets
    its first one here (its season was built from nobody knows which nights)."""
    token = nights_token(conn)
    if token is None:
        mark_nights_changed(conn)
        token = nights_token(conn)
    return token


def season_behind(conn: Connection) -> bool:
    """Whether a night changed since the season was last built. Without a token yet: a
    fresh database is not behind, one made before the token existed is when it holds a
    completed night."""
    token = nights_token(conn)
    if token is None:
        return conn.execute(select(t.partition_state.c.session_date)
                            .where(t.partition_state.c.completed.is_(True)).limit(1)).first() is not None
    return token != _get(conn, SEASON_BUILT_FROM)


def mark_dates_changed(conn: Connection, dates) -> None:
    """These dates' nightly rows are being replaced or deleted: a new version for each."""
    for date in sorted(set(dates)):
        _upsert(conn, t.night_versions, {"night": date}, {"version": uuid.uuid4().hex})


def versions_before(conn: Connection, night: str) -> list[tuple[str, str]]:
    """(date, version) of every date before `night`, in date order."""
    v = t.night_versions
    return [tuple(r) for r in conn.execute(select(v.c.night, v.c.version).where(v.c.night < night)
                                           .order_by(v.c.night))]
