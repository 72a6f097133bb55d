"""No run stays STARTED after its process died: a run worker killed with the daemon (a
crash, an OOM kill, a reboot) held the queue's only slot until `max_runtime_seconds`
(2 h), so the night froze. The project's own check (defs/dead_runs.py, a sensor the
daemon runs) fails such a run within a minute, and the session sensor asks for the
date again."""
import os
import time
from pathlib import Path

import dagster as dg

from et_pipeline_tests.daemon_fixtures import forget_runs, live_daemon, runs, wait_for
from et_pipeline_tests.pipeline_fixtures import lay_out_night

LAST = "2026-02-05-223659-sw_goldrush_te-round-2.txt"


def _age(folder, seconds=3600):
    past = time.time() - seconds
    for root, _, files in os.walk(folder):
        for f in files:
            os.utime(os.path.join(root, f), (past, past))


def test_a_run_killed_with_the_daemon_is_failed_within_a_minute_and_asked_again(sftp_server, tmp_path):
    lay_out_night(sftp_server.root)
    _age(sftp_server.root)
    sftp_server.slow_reads[LAST] = 900               # the run hangs on a slow read: STARTED for minutes
    with live_daemon(sftp_server, tmp_path) as (fake, home, daemon, _):
        first = wait_for(lambda: next((r for r in runs(home) if r.dagster_run.status.value == "STARTED"), None),
                         300, what="a STARTED session run")
        time.sleep(3)
        daemon.kill()
        sftp_server.slow_reads.clear()
        time.sleep(2)
        restarted = time.monotonic()
        daemon.start()

        def status():
            return next(r for r in runs(home) if r.dagster_run.run_id == first.dagster_run.run_id).dagster_run.status

        wait_for(lambda: status() != dg.DagsterRunStatus.STARTED, 120, what="the killed run leaving STARTED")
        took = time.monotonic() - restarted
        assert status() == dg.DagsterRunStatus.FAILURE
        print("the killed run was failed %.1f s after the restart" % took)
        assert took <= 60, "the killed run was failed %.0f s after the restart" % took
        done = wait_for(lambda: next((r for r in runs(home) if r.dagster_run.status.value == "SUCCESS"), None),
                        240, what="a successful run of the night")
        assert done.dagster_run.tags.get("dagster/partition") == "2026-02-05"
        assert any(r["method"] == "POST" and r["status"] == 200 for r in fake.requests)


def test_a_killed_et_pipeline_run_is_failed_by_the_next_run(sftp_server, tmp_path):
    """`et-pipeline run` executes its runs in its own process: killed with SIGKILL, its run
    stayed STARTED (6 of 6), and with a daemon on the same instance it held the queue."""
    import signal
    import subprocess

    from et_pipeline.cli import main
    from et_pipeline_tests.daemon_fixtures import BIN
    from et_pipeline_tests.dagster_homes import cli_home

    lay_out_night(sftp_server.root)
    sftp_server.slow_reads[LAST] = 900
    url = "sftp://%s@%s:%d%s" % (sftp_server.user, sftp_server.host, sftp_server.port, sftp_server.remote_root)
    home = Path(cli_home(tmp_path / "dh"))
    args = ["run", "--source", url, "--sftp-key", sftp_server.client_key_path, "--known-hosts",
            sftp_server.known_hosts_path, "--sftp-cache", str(tmp_path / "cache"), "--db",
            "sqlite:///%s" % (tmp_path / "et.db"), "--dagster-home", str(home), "--publish", "off"]
    proc = subprocess.Popen([str(BIN / "et-pipeline"), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        try:
            killed = wait_for(lambda: next(
                (r for r in runs(home) if r.dagster_run.status.value == "STARTED"), None), 180, what="a STARTED run")
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        sftp_server.slow_reads.clear()
        assert main(args) == 0
        states = {r.dagster_run.run_id: r.dagster_run.status for r in runs(home)}
    finally:
        forget_runs(home)
    assert states[killed.dagster_run.run_id] == dg.DagsterRunStatus.FAILURE
    assert sum(s == dg.DagsterRunStatus.SUCCESS for s in states.values()) == 1
