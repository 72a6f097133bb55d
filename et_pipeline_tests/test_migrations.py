"""The Alembic migrations build exactly the schema the code declares, on both engines."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from et_pipeline.storage.database import ensure_schema, make_engine
from et_pipeline.storage.schema import metadata


def _diff(engine):
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, metadata)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request, tmp_path):
    if request.param == "sqlite":
        return "sqlite:///%s" % (tmp_path / "m.db")
    return request.getfixturevalue("postgres_url")


def test_migrated_database_equals_the_metadata(empty_db):
    engine = make_engine(empty_db)
    ensure_schema(engine)
    ensure_schema(engine)                      # idempotent: a second start changes nothing
    assert _diff(engine) == []
    assert "alembic_version" in inspect(engine).get_table_names()
    engine.dispose()


def test_sql_folder_matches_the_schema():
    from pathlib import Path

    from et_pipeline.storage.ddl import DIALECTS, ddl

    sql = Path(__file__).parent.parent / "sql"
    for name in DIALECTS:
        assert (sql / ("schema_%s.sql" % name)).read_text() == ddl(name), \
            "run `python -m et_pipeline.storage.ddl sql` after a schema change"


@pytest.mark.parametrize("query", ["season_leaderboard.sql", "map_wins_by_session.sql"])
def test_example_queries_run_on_both_engines(empty_db, query):
    from pathlib import Path

    from sqlalchemy import text

    engine = make_engine(empty_db)
    ensure_schema(engine)
    with engine.connect() as conn:
        conn.execute(text((Path(__file__).parent.parent / "sql" / "queries" / query).read_text())).all()
    engine.dispose()


def test_schema_head_is_alembics_head():
    """ensure_schema's fast path compares the database with SCHEMA_HEAD; a new migration
    must move it (or every start would take the slow path and import Alembic)."""
    from alembic.script import ScriptDirectory

    from et_pipeline.storage.database import SCHEMA_HEAD, alembic_config

    assert (SCHEMA_HEAD,) == tuple(ScriptDirectory.from_config(alembic_config()).get_heads())


def test_a_database_at_head_is_checked_without_alembic(tmp_path):
    """Every `et-pipeline run` and every run's resource checks the schema: at head that is
    one query, not an Alembic import (0.2 s of a 2 s run)."""
    import subprocess
    import sys

    url = "sqlite:///%s" % (tmp_path / "h.db")
    ensure_schema(make_engine(url))
    code = ("import sys; from et_pipeline.storage.database import ensure_schema, make_engine; "
            "ensure_schema(make_engine(%r)); print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))"
            % url)
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"
