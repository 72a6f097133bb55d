"""The same night on a distributed engine through Dagster's own executor (issue 15 §3):
the celery executor, a Redis broker on loopback (Debian's redis-server) and one local
celery worker process give the very same report as the in-process run, byte for byte.

(The dask executor was tried first: dagster-dask 0.29.27 cannot submit a partitioned
run to any dask release that walks task arguments, the run's partition subset refuses
iteration; see README, Scaling out.)"""
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from et_pipeline.cli import main
from et_pipeline.cli.run import INSTANCE_YAML
from et_pipeline.defs.assets import ALL_ASSETS
from et_pipeline.defs.factory import session_job_from_env
from et_pipeline.report import build_report
from et_pipeline.storage.database import make_engine
from et_pipeline_tests.servers import stop_process_group

DATE = "2026-02-05"
RANGE = {"dagster/asset_partition_range_start": DATE, "dagster/asset_partition_range_end": DATE}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 20) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise RuntimeError("redis-server exited with %s" % proc.returncode)
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("redis-server did not listen on %d" % port)


@pytest.fixture
def redis_url(tmp_path):
    exe = shutil.which("redis-server")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing: `make system-deps` installs it")
        pytest.skip("redis-server is not installed (make system-deps)")
    port = _free_port()
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        _wait_for_port(port, proc)
        yield "redis://127.0.0.1:%d/0" % port
    finally:
        stop_process_group(proc, grace=15)


@pytest.fixture
def celery_worker(redis_url, tmp_path, night):
    """One local celery worker with the app dagster-celery ships (`dagster_celery.app`),
    configured the way `dagster-celery worker start -y` does: a dagster_celery_config module."""
    home, conf = tmp_path / "dagster_home", tmp_path / "celery_config"
    home.mkdir()
    conf.mkdir()
    (home / "dagster.yaml").write_text(INSTANCE_YAML)
    (conf / "dagster_celery_config.py").write_text("broker_url = %r\nresult_backend = %r\n" % (redis_url, redis_url))
    env = dict(os.environ, DAGSTER_HOME=str(home), ET_SOURCE=str(night), ET_PUBLISH_MODE="off",
               ET_DB_URL="sqlite:///%s" % (tmp_path / "celery.db"), ET_OUT_DIR=str(tmp_path / "out"),
               ET_EXECUTOR="celery", ET_CELERY_BROKER=redis_url,
               PYTHONPATH=os.pathsep.join([str(conf), os.environ.get("PYTHONPATH", "")]))
    celery = str(Path(sys.executable).with_name("celery"))
    log = open(tmp_path / "worker.log", "wb")
    proc = subprocess.Popen([celery, "-A", "dagster_celery.app", "worker", "-Q", "dagster", "--concurrency", "1",
                             "--prefetch-multiplier", "1", "--loglevel", "WARNING", "-n", "et-test@%h"],
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield env
    finally:
        stop_process_group(proc, grace=15)
        log.close()


def report_bytes(db_url: str) -> bytes:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        doc = build_report(conn, DATE)
    engine.dispose()
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True).encode()


def test_a_night_on_the_celery_executor_gives_the_in_process_report(tmp_path, night, celery_worker, monkeypatch,
                                                                     capsys):
    in_process = "sqlite:///%s" % (tmp_path / "in_process.db")
    assert main(["run", "--source", str(night), "--db", in_process, "--dagster-home", str(tmp_path / "dh"),
                 "--publish", "off"]) == 0
    capsys.readouterr()

    for key in ("DAGSTER_HOME", "ET_SOURCE", "ET_PUBLISH_MODE", "ET_DB_URL", "ET_OUT_DIR", "ET_EXECUTOR",
                "ET_CELERY_BROKER"):
        monkeypatch.setenv(key, celery_worker[key])
    assert session_job_from_env().executor_def.name == "celery"
    with dg.DagsterInstance.get() as instance:
        instance.add_dynamic_partitions("session_dates", [DATE])
        with dg.execute_job(dg.reconstructable(session_job_from_env), instance=instance, tags=RANGE) as result:
            assert result.success, (tmp_path / "worker.log").read_text()[-3000:]
            starts = [e for e in result.all_events if e.event_type_value == "STEP_START"]
            assert {a.key.to_user_string() for a in ALL_ASSETS} <= {e.step_key for e in starts}
            assert all(e.pid != os.getpid() for e in starts)        # every step ran in the celery worker
    assert report_bytes(celery_worker["ET_DB_URL"]) == report_bytes(in_process)
