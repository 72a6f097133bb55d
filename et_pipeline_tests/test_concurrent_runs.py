"""Two runs of one date at once are serialised, on SQLite and PostgreSQL: the sensor
asked for a date again while its previous run was going, and production allows two
concurrent runs, so on PostgreSQL one of the pair failed with `UniqueViolation` (4 of 10
pairs). Each pair here is two processes materialising the same date through the same
assets (each on its own Dagster instance: what is shared is the app database)."""
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from et_pipeline_tests.pipeline_fixtures import NIGHT_DATE, Pipeline, ephemeral_instance, lay_out_night, report_cli

# The system tier (`make test-system`): racing `et-pipeline run` processes.
pytestmark = pytest.mark.system

DATE = NIGHT_DATE
ROOT = Path(__file__).resolve().parents[1]
# one process of a pair: started once, it materialises the date each time it reads a line
# (both processes of the pair get theirs at the same moment), and answers with one line
RUNNER = textwrap.dedent("""
    import sys
    from pathlib import Path

    from et_pipeline.defs.launch import failures
    from et_pipeline_tests.pipeline_fixtures import Pipeline, ephemeral_instance

    source, db, out, date = sys.argv[1:5]
    with ephemeral_instance() as instance:
        pipeline = Pipeline(Path(source), db, Path(out), instance, publish="dry-run")
        print("ready", flush=True)
        for _ in sys.stdin:
            result = pipeline.materialize([date])
            why = failures(result.all_events) or ["run failed"]     # the user's exceptions, as `run` says them
            print("ok" if result.success else "FAILED " + " | ".join(why), flush=True)
""")


def _pairs(tmp_path, db, count):
    """`count` pairs of runs of one date at once, by two processes that start Dagster once."""
    night = lay_out_night(tmp_path / "server")
    procs = [subprocess.Popen([sys.executable, "-c", RUNNER, str(night), db, str(tmp_path / ("out%d" % j)), DATE],
                              cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
             for j in range(2)]
    failures = []
    try:
        assert [p.stdout.readline().strip() for p in procs] == ["ready", "ready"]
        for i in range(count):
            for p in procs:
                p.stdin.write("go\n")
                p.stdin.flush()
            answers = [p.stdout.readline().strip() for p in procs]
            failures += ["pair %d: %s" % (i, a[:500]) for a in answers if a != "ok"]
    finally:
        for p in procs:
            p.stdin.close()
            p.wait(timeout=300)
    return failures


def test_every_partitioned_asset_works_under_the_date_lock():
    """The lock holds only where an asset takes it: a partitioned asset added without it
    (the night checks were) let a pair fail with UniqueViolation on PostgreSQL again."""
    from et_pipeline.defs.assets import ALL_ASSETS, one_writer_per_date

    locked = one_writer_per_date(lambda context, **kwargs: None).__code__     # every wrapper shares it
    unlocked = [a.key.to_user_string() for a in ALL_ASSETS if a.partitions_def is not None
                and a.op.compute_fn.decorated_fn.__code__ is not locked]
    assert unlocked == []


@pytest.mark.parametrize("pairs", [10])
def test_two_runs_of_one_date_at_once_on_postgresql(postgres_url, tmp_path, capsys, pairs):
    failures = _pairs(tmp_path, postgres_url, pairs)
    assert failures == []
    assert len(report_cli(postgres_url, capsys)["sessions"][0]["rounds"]) == 10


def test_two_runs_of_one_date_at_once_on_sqlite(tmp_path, capsys):
    db = "sqlite:///%s" % (tmp_path / "et.db")
    failures = _pairs(tmp_path, db, 3)
    assert failures == []
    assert len(report_cli(db, capsys)["sessions"][0]["rounds"]) == 10


def test_one_database_holds_one_game_servers_nights(tmp_path, capsys):
    """Two servers writing into one database re-ran each other's dates (each one's listing
    lacks the other's files, so those dates looked emptied) and marked the other's files as
    gone: the database remembers its server, and a run from another one fails saying so."""
    first, second = lay_out_night(tmp_path / "first"), lay_out_night(tmp_path / "second")
    db = "sqlite:///%s" % (tmp_path / "et.db")
    with ephemeral_instance() as instance:
        assert Pipeline(first, db, tmp_path / "out", instance, publish="off").materialize([DATE]).success
        good = report_cli(db, capsys)
        result = Pipeline(second, db, tmp_path / "out", instance, publish="off").materialize([DATE])
        assert not result.success
        [failure] = [e for e in result.all_events if e.is_step_failure]
        text = failure.event_specific_data.error.message
        assert str(first) in text and str(second) in text
        assert report_cli(db, capsys) == good
        assert Pipeline(first, db, tmp_path / "out", instance, publish="off").materialize([DATE]).success
