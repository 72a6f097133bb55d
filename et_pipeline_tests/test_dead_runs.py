"""No run stays STARTED after its process died: a run worker killed with the daemon (a
crash, an OOM kill, a reboot) held the queue's only slot until `max_runtime_seconds`
(2 h), so the night froze. The project's own check (defs/dead_runs.py, a sensor the
daemon runs) fails such a run within a minute, and the session sensor asks for the
date again."""
import os
import time

import dagster as dg

from et_pipeline_tests.daemon_fixtures import Daemon, live_env, runs, sftp_source_env, wait_for
from et_pipeline_tests.fixtures.publish.fake_discord import FakeDiscord
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
    home = tmp_path / "home"
    with FakeDiscord() as fake:
        env = live_env(home, "", fake.url, **sftp_source_env(sftp_server, tmp_path / "cache"))
        daemon = Daemon(env, tmp_path / "daemon.log")
        try:
            daemon.start()
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
        finally:
            daemon.stop()
