"""(e) Live latency: the recorded night replayed round by round into a folder while
`dagster-daemon` runs the sensor and the job with the default settings, publishing
live to a loopback stand-in for Discord (et_pipeline_tests/fixtures/publish/fake_discord).

For each round its files are written (timing and award file first, the stats file
last, as the game server does), at a random phase of the sensor's 5 s loop; the
latency is from the last file written to the first POST the stand-in receives.
"""
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NIGHT = ROOT / "sample_data" / "2026-02-05"
INSTANCE_CONFIG = ROOT / "deploy" / "dagster.dev.yaml"     # the default instance settings (make dev's)
ACTIVE = ("QUEUED", "NOT_STARTED", "STARTING", "STARTED", "CANCELING")


def _exe(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _wait(pred, timeout: float, step: float = 0.05):
    end = time.time() + timeout
    while time.time() < end:
        value = pred()
        if value:
            return value
        time.sleep(step)
    return None


def _finished_session_run(instance, after: float):
    """The first session_job run created after `after`, once it has ended (None before)."""
    import dagster as dg

    records = instance.get_run_records(dg.RunsFilter(job_name="session_job"), limit=5)
    mine = sorted((r for r in records if r.create_timestamp.timestamp() >= after),
                  key=lambda r: r.create_timestamp)
    if mine and mine[0].end_time and mine[0].dagster_run.status.value not in ACTIVE:
        return mine[0]
    return None


PARTS = ("files land to run created (sensor)", "run created to launched (queue)",
         "launched to run start (worker process: spawn, imports)", "run start to discord_posts step (upstream steps)",
         "discord_posts step to first message")


def _parts(instance, rec, landed: float, first_at: float) -> list[float | None]:
    """Where one round's latency went, from its run's own events (None: event not found)."""
    import dagster as dg

    def at(event_type, step=None):
        for e in instance.all_logs(rec.dagster_run.run_id, of_type=event_type):
            if step is None or e.step_key == step:
                return e.timestamp
        return None

    created = rec.create_timestamp.timestamp()
    launched = at(dg.DagsterEventType.RUN_STARTING)
    posts = at(dg.DagsterEventType.STEP_START, "discord_posts")
    marks = [landed, created, launched, rec.start_time, posts, first_at]
    return [b - a if a is not None and b is not None else None for a, b in zip(marks, marks[1:])]


def bench_live(work: Path, out, max_rounds: int = 10, seed: int = 15) -> tuple[list[float], list[int], dict]:
    """(latency per round that reached Discord, the rounds that never did, latency parts)."""
    import dagster as dg

    sys.path.insert(0, str(ROOT))
    from et_pipeline_tests.fixtures.publish.fake_discord import FakeDiscord
    from et_pipeline_tests.pipeline_fixtures import rounds_of
    from et_pipeline_tests.servers import stop_process_group

    rng = random.Random(seed)
    server, home = work / "live_server", work / "live_home"
    for d in (server, home):
        shutil.rmtree(d, ignore_errors=True)
    (server / "gamestats").mkdir(parents=True)
    (server / "gametimes").mkdir(parents=True)
    home.mkdir(parents=True)
    shutil.copy(INSTANCE_CONFIG, home / "dagster.yaml")
    rounds = rounds_of(NIGHT)[:max_rounds]
    latencies, missed, parts = [], [], {name: [] for name in PARTS}
    with FakeDiscord() as fake:
        env = dict(os.environ, DAGSTER_HOME=str(home), ET_SOURCE=str(server), ET_PUBLISH_MODE="live",
                   ET_DB_URL="sqlite:///%s" % (home / "et.db"), ET_DISCORD_WEBHOOK_URL=fake.url,
                   ET_OUT_DIR=str(home / "out"), DAGSTER_DISABLE_TELEMETRY="yes")
        env.pop("ET_SETTLE_SECONDS", None)                         # default settings
        # the sensor is turned on in the instance first: two processes creating a fresh
        # instance's SQLite storage at once can collide
        subprocess.run([_exe("dagster"), "sensor", "start", "session_files_sensor", "-w",
                        str(ROOT / "workspace.yaml")], cwd=ROOT, env=env, check=True, capture_output=True)
        log = open(work / "live_daemon.log", "wb")
        daemon = subprocess.Popen([_exe("dagster-daemon"), "run", "-w", str(ROOT / "workspace.yaml")], cwd=ROOT,
                                  env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            ticked = _wait(lambda: b"session_files_sensor" in (work / "live_daemon.log").read_bytes(), 180, 0.5)
            if not ticked:
                out("live: the daemon never evaluated the sensor (see %s)" % (work / "live_daemon.log"))
                return [], list(range(1, len(rounds) + 1)), parts
            time.sleep(6)
            instance = dg.DagsterInstance.from_config(str(home))
            for i, files in enumerate(rounds, 1):
                time.sleep(rng.uniform(0, 5))                      # a random phase of the sensor loop
                seen, copying = len(fake.requests), time.time()
                for f in files:                                    # companions first, the stats file last
                    sub = "gametimes" if f.name.startswith("gametime-") else "gamestats"
                    shutil.copyfile(f, server / sub / f.name)
                    landed = time.time()                           # the last file written
                    time.sleep(0.2)
                # the round's own run: the sensor's first session_job run since its files began
                # to land, finished (runs are one at a time here, so a season run's digest
                # cannot interleave with it)
                rec = _wait(lambda: _finished_session_run(instance, copying), 180, 0.2)
                # the round in Discord: that run's first new message (a map's first round, the
                # summary) or edit (a map's round 2 completes its card: issue 14's compact channel)
                first = rec and rec.start_time and next(
                    (r for r in fake.requests[seen:] if r["method"] in ("POST", "PATCH")
                     and rec.start_time <= r["at"] <= rec.end_time), None)
                if first is None:
                    out("live: round %d: %s" % (i, "no run within 180 s" if rec is None else
                                                "its run %s (%s) posted or edited nothing"
                                                % (rec.dagster_run.run_id[:8], rec.dagster_run.status.value)))
                    missed.append(i)
                else:
                    latencies.append(first["at"] - landed)
                    for name, seconds in zip(PARTS, _parts(instance, rec, landed, first["at"])):
                        if seconds is not None:
                            parts[name].append(seconds)
                _wait(lambda: not [r for r in instance.get_runs(limit=3) if r.status.value in ACTIVE], 300, 0.2)
            failed = [r.run_id for r in instance.get_runs() if r.status.value == "FAILURE"]
            if failed:
                out("live: %d failed run(s): %s" % (len(failed), ", ".join(failed[:3])))
            instance.dispose()
        finally:
            stop_process_group(daemon)
            log.close()
    return latencies, missed, parts


def summarise(latencies: list[float]) -> tuple[float, float]:
    return statistics.median(latencies), max(latencies)
