"""Issue 12 §5: two runs at once on a fresh database raced while creating the schema (4 of
15 tries one process died). Migrations are serialised (an advisory lock on PostgreSQL, an
exclusive transaction on SQLite): processes started together all succeed."""
import subprocess
import sys
import textwrap
import time
import uuid

from sqlalchemy import func, select, text

from et_pipeline.storage.database import ensure_schema, make_engine

PROCESSES = 5
TRIES = 3

MIGRATE = textwrap.dedent("""
    import os, sys, time
    from et_pipeline.storage.database import ensure_schema, make_engine
    engine = make_engine(sys.argv[1])
    while not os.path.exists(sys.argv[2]):       # start together
        time.sleep(0.001)
    ensure_schema(engine)
""")


def _migrate_together(url, tmp_path):
    go = tmp_path / ("go-" + uuid.uuid4().hex)
    procs = [subprocess.Popen([sys.executable, "-c", MIGRATE, url, str(go)], stderr=subprocess.PIPE, text=True)
             for _ in range(PROCESSES)]
    time.sleep(2.0)                              # every interpreter imported and waiting
    go.touch()
    errors = []
    for p in procs:
        _, err = p.communicate(timeout=180)
        if p.returncode:
            lines = [x for x in err.strip().splitlines() if "Error" in x] or ["exit %d" % p.returncode]
            errors.append(lines[-1][:200])
    return errors


def _check_schema(url):
    from et_pipeline_tests.test_migrations import _diff

    engine = make_engine(url)
    try:
        assert _diff(engine) == []
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(text("alembic_version"))).scalar() == 1
        ensure_schema(engine)
    finally:
        engine.dispose()


def test_processes_migrating_a_fresh_sqlite_database_together_all_succeed(tmp_path):
    for i in range(TRIES):
        url = "sqlite:///%s" % (tmp_path / ("fresh%d.db" % i))
        assert _migrate_together(url, tmp_path) == []
        _check_schema(url)


def test_processes_migrating_a_fresh_postgresql_database_together_all_succeed(postgres_server, tmp_path):
    for _ in range(TRIES):
        name = "mig_" + uuid.uuid4().hex[:12]
        url = postgres_server.create_database(name)
        try:
            assert _migrate_together(url, tmp_path) == []
            _check_schema(url)
        finally:
            postgres_server.drop_database(name)
