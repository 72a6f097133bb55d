"""The same night on a distributed engine through Dagster's own executor (issue 15 §3):
the celery executor, a Redis broker on loopback (Debian's redis-server) and one local
celery worker process give the very same report as the in-process run, byte for byte.

(The dask executor was tried first: dagster-dask 0.29.27 cannot submit a partitioned
run to any dask release that walks task arguments, the run's partition subset refuses
iteration; see README, Scaling out.)"""
import json
import os

import dagster as dg
import pytest

from et_pipeline.cli import main
from et_pipeline.cli.run import INSTANCE_YAML
from et_pipeline.defs.assets import ALL_ASSETS
from et_pipeline.defs.factory import session_job_from_env
from et_pipeline.report import build_report
from et_pipeline.storage.database import make_engine
from et_pipeline_tests.dagster_homes import cli_home
from et_pipeline_tests.servers import celery_worker

# The system tier (`make test-system`): the Celery executor with a Redis broker.
pytestmark = pytest.mark.system

DATE = "2026-02-05"
RANGE = {"dagster/asset_partition_range_start": DATE, "dagster/asset_partition_range_end": DATE}


@pytest.fixture
def celery_env(redis_url, tmp_path, night):
    """The environment of the worker and of the run: one instance, one database, celery."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(INSTANCE_YAML)
    env = dict(os.environ, DAGSTER_HOME=str(home), ET_SOURCE=str(night), ET_PUBLISH_MODE="off",
               ET_DB_URL="sqlite:///%s" % (tmp_path / "celery.db"), ET_OUT_DIR=str(tmp_path / "out"),
               ET_EXECUTOR="celery", ET_CELERY_BROKER=redis_url)
    with celery_worker(tmp_path, redis_url, env):
        yield env


def report_bytes(db_url: str) -> bytes:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        doc = build_report(conn, DATE)
    engine.dispose()
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True).encode()


def test_a_night_on_the_celery_executor_gives_the_in_process_report(tmp_path, night, celery_env, monkeypatch, capsys):
    in_process = "sqlite:///%s" % (tmp_path / "in_process.db")
    assert main(["run", "--source", str(night), "--db", in_process, "--dagster-home", cli_home(tmp_path / "dh"),
                 "--publish", "off"]) == 0
    capsys.readouterr()

    for key in ("DAGSTER_HOME", "ET_SOURCE", "ET_PUBLISH_MODE", "ET_DB_URL", "ET_OUT_DIR", "ET_EXECUTOR",
                "ET_CELERY_BROKER"):
        monkeypatch.setenv(key, celery_env[key])
    assert session_job_from_env().executor_def.name == "celery"
    with dg.DagsterInstance.get() as instance:
        instance.add_dynamic_partitions("session_dates", [DATE])
        with dg.execute_job(dg.reconstructable(session_job_from_env), instance=instance, tags=RANGE) as result:
            assert result.success, (tmp_path / "worker.log").read_text()[-3000:]
            starts = [e for e in result.all_events if e.event_type_value == "STEP_START"]
            assert {a.key.to_user_string() for a in ALL_ASSETS} <= {e.step_key for e in starts}
            assert all(e.pid != os.getpid() for e in starts)        # every step ran in the celery worker
    assert report_bytes(celery_env["ET_DB_URL"]) == report_bytes(in_process)
