"""A real `dagster-daemon` on the project's code location, for the live-path tests: the
sensor, the run queue, run workers and the season automation as production runs them,
against a server folder (local or the loopback SFTP server) and the loopback Discord."""
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg

from et_pipeline.defs.launch import open_instance
from et_pipeline_tests.servers import stop_process_group

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ACTIVE = ("QUEUED", "NOT_STARTED", "STARTING", "STARTED", "CANCELING")


def live_env(home: Path, source: str, webhook: str, **extra) -> dict:
    """The daemon's environment: the instance config `make dev` uses, publishing live."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "deploy" / "dagster.dev.yaml", home / "dagster.yaml")
    env = dict(os.environ, DAGSTER_HOME=str(home), ET_SOURCE=source, ET_PUBLISH_MODE="live",
               ET_DB_URL="sqlite:///%s" % (home / "et.db"), ET_DISCORD_WEBHOOK_URL=webhook,
               ET_OUT_DIR=str(home / "out"), DAGSTER_DISABLE_TELEMETRY="yes")
    env.update(extra)
    env.pop("ET_SETTLE_SECONDS", None)
    return env


def sftp_source_env(server, cache: Path) -> dict:
    url = "sftp://%s@%s:%d%s" % (server.user, server.host, server.port, server.remote_root)
    return dict(ET_SOURCE=url, ET_SFTP_KEY_PATH=server.client_key_path, ET_SFTP_KNOWN_HOSTS=server.known_hosts_path,
                ET_SFTP_CACHE_DIR=str(cache))


class Daemon:
    """`dagster-daemon run -w workspace.yaml` in its own process group (its code server and
    run workers with it), so `kill()` is what a crash of the host's service does."""

    def __init__(self, env: dict, log: Path):
        self.env, self.log = env, log
        self.proc = None
        subprocess.run([str(BIN / "dagster"), "sensor", "start", "session_files_sensor", "-w",
                        str(ROOT / "workspace.yaml")], cwd=ROOT, env=env, check=True, capture_output=True)

    def start(self) -> "Daemon":
        out = open(self.log, "ab")
        self.proc = subprocess.Popen([str(BIN / "dagster-daemon"), "run", "-w", str(ROOT / "workspace.yaml")],
                                     cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        out.close()
        return self

    def kill(self) -> None:
        """SIGKILL the whole group: daemon, code server, run workers."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None:
            stop_process_group(self.proc)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


@contextlib.contextmanager
def live_daemon(sftp_server, tmp_path: Path):
    """The daemon on the loopback SFTP server, publishing to a loopback Discord:
    yields (fake Discord, Dagster home, the daemon, its environment); stopped after."""
    from et_pipeline_tests.fixtures.publish.fake_discord import FakeDiscord

    home = tmp_path / "home"
    with FakeDiscord() as fake:
        env = live_env(home, "", fake.url, **sftp_source_env(sftp_server, tmp_path / "cache"))
        daemon = Daemon(env, tmp_path / "daemon.log")
        try:
            yield fake, home, daemon.start(), env
        finally:
            daemon.stop()
            forget_runs(home)


def wait_for(pred, timeout: float, step: float = 0.5, what: str = "condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = pred()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("%s not met within %.0f s" % (what, timeout))


_INSTANCES: dict[str, dg.DagsterInstance] = {}


def runs(home: Path, job: str = "session_job") -> list:
    """The job's run records, newest first. One instance handle per home, kept open: its
    run storage asks the database each time, so it sees what the daemon writes, and
    opening a handle costs ~45 ms of CPU against ~2 ms for the query (the tests poll twice
    a second for minutes)."""
    instance = _INSTANCES.get(str(home))
    if instance is None:
        instance = _INSTANCES[str(home)] = open_instance(str(home))
    return list(instance.get_run_records(dg.RunsFilter(job_name=job)))


def forget_runs(home: Path) -> None:
    """Close the handle `runs` keeps for `home`."""
    instance = _INSTANCES.pop(str(home), None)
    if instance is not None:
        instance.dispose()
