"""Issue 12 §5: a run killed with SIGKILL must not stay STARTED forever (with
`max_concurrent_runs: 1` it blocks the queue). Every instance config the project writes
turns on Dagster's run monitoring, and the daemon then fails such a run."""
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import dagster as dg
import pytest

from et_pipeline_tests.dagster_homes import cli_home
from et_pipeline_tests.servers import stop_process_group

ROOT = Path(__file__).parent.parent
BIN = Path(sys.executable).parent

SLOW_JOB = textwrap.dedent("""
    import time
    import dagster as dg

    @dg.op
    def wait_long():
        time.sleep(300)

    @dg.job
    def slow_job():
        wait_long()

    defs = dg.Definitions(jobs=[slow_job])
""")


@pytest.mark.parametrize("config", ["repository", "cli"])
def test_the_instance_configs_turn_run_monitoring_on(tmp_path, config):
    if config == "repository":
        (tmp_path / "dagster.yaml").write_text((ROOT / "deploy" / "dagster.dev.yaml").read_text())
        home = tmp_path
    else:
        home = Path(cli_home(tmp_path / "dh"))
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert instance.run_monitoring_enabled
        assert 0 < instance.run_monitoring_max_runtime_seconds <= 4 * 3600
        assert instance.run_monitoring_max_resume_run_attempts == 0     # the default launcher cannot resume


def _status(home, run_id):
    with dg.DagsterInstance.from_config(str(home)) as instance:
        return instance.get_run_by_id(run_id).status


@pytest.mark.system   # a real dagster-daemon's run monitoring
def test_a_run_killed_with_sigkill_is_failed_by_the_daemon(tmp_path):
    home = Path(cli_home(tmp_path / "dh"))
    (tmp_path / "slow_location.py").write_text(SLOW_JOB)
    env = dict(os.environ, DAGSTER_HOME=str(home), PYTHONPATH=str(tmp_path))
    worker = subprocess.Popen([sys.executable, "-c", "import dagster as dg, slow_location as s; "
                               "s.slow_job.execute_in_process(instance=dg.DagsterInstance.get(), "
                               "tags={'dagster/max_runtime': '2'})"], env=env, cwd=tmp_path)
    run_id = None
    try:
        deadline = time.monotonic() + 120
        while run_id is None:
            assert worker.poll() is None and time.monotonic() < deadline, "the run never started"
            time.sleep(0.2)
            with dg.DagsterInstance.from_config(str(home)) as instance:
                runs = instance.get_runs()
                if runs and runs[0].status == dg.DagsterRunStatus.STARTED:
                    run_id = runs[0].run_id
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    time.sleep(3)                                   # past the run's maximum runtime
    assert _status(home, run_id) == dg.DagsterRunStatus.STARTED          # nothing else would ever change it
    daemon = subprocess.Popen([str(BIN / "dagster-daemon"), "run", "-f", str(tmp_path / "slow_location.py")],
                              env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while _status(home, run_id) == dg.DagsterRunStatus.STARTED:
            assert daemon.poll() is None, "dagster-daemon exited"
            assert time.monotonic() < deadline, "the killed run is still STARTED"
            time.sleep(1)
        assert _status(home, run_id) == dg.DagsterRunStatus.FAILURE
    finally:
        stop_process_group(daemon)
