"""Issue 12 §5: two runs at once on a fresh database raced while creating the schema (4 of
15 tries one process died). Migrations are serialised (an advisory lock on PostgreSQL, an
exclusive transaction on SQLite): processes started together all succeed."""
import selectors
import subprocess
import sys
import textwrap
import time
import uuid

import pytest
from sqlalchemy import func, select, text

from et_pipeline.storage.database import ensure_schema, make_engine

# The system tier (`make test-system`): racing processes migrating one database.
pytestmark = pytest.mark.system

PROCESSES = 5
TRIES = 3
TRY_SECONDS = 120                # the engines' busy timeout is 30 s

# one process of the group: started once, it migrates each fresh database in turn, all
# the processes at the same moment (the parent creates that try's go file), and answers a line
MIGRATE = textwrap.dedent("""
    import os, sys, time, traceback
    from et_pipeline.storage.database import ensure_schema, make_engine
    for url, go in zip(sys.argv[1::2], sys.argv[2::2]):
        engine = make_engine(url)
        while not os.path.exists(go):            # start together
            time.sleep(0.001)
        try:
            ensure_schema(engine)
            print("ok", flush=True)
        except Exception as e:
            print("FAILED %s: %s" % (type(e).__name__, str(e).splitlines()[0][:200]), flush=True)
        engine.dispose()
""")


def _answer(proc, deadline: float) -> str:
    """The process's next line, or why there is none: a migration that waits forever (a
    deadlock) fails the test at the deadline instead of hanging the suite."""
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        if not sel.select(timeout=max(0.0, deadline - time.monotonic())):
            return "no answer within %d s" % TRY_SECONDS
    return proc.stdout.readline().strip() or "exit %s" % proc.wait(timeout=10)


def _migrate_together(urls, tmp_path):
    """Each of `urls` (fresh databases) migrated by PROCESSES processes at once; the
    processes start Python once for all the tries. The failures, one line each."""
    gos = [tmp_path / ("go-" + uuid.uuid4().hex) for _ in urls]
    args = [str(x) for pair in zip(urls, gos) for x in pair]
    procs = [subprocess.Popen([sys.executable, "-c", MIGRATE, *args], stdout=subprocess.PIPE, text=True, bufsize=0)
             for _ in range(PROCESSES)]
    time.sleep(2.0)                              # every interpreter imported and waiting
    errors = []
    try:
        for i, go in enumerate(gos):
            go.touch()
            deadline = time.monotonic() + TRY_SECONDS
            answers = [_answer(p, deadline) for p in procs]
            errors += ["try %d: %s" % (i, a) for a in answers if a != "ok"]
            if any(a.startswith("no answer") for a in answers):
                break
    finally:
        for p in procs:
            p.kill()
            p.wait(timeout=30)
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
    urls = ["sqlite:///%s" % (tmp_path / ("fresh%d.db" % i)) for i in range(TRIES)]
    assert _migrate_together(urls, tmp_path) == []
    for url in urls:
        _check_schema(url)


def test_processes_migrating_a_fresh_postgresql_database_together_all_succeed(postgres_server, tmp_path):
    names = ["mig_" + uuid.uuid4().hex[:12] for _ in range(TRIES)]
    urls = [postgres_server.create_database(name) for name in names]
    try:
        assert _migrate_together(urls, tmp_path) == []
        for url in urls:
            _check_schema(url)
    finally:
        for name in names:
            postgres_server.drop_database(name)
