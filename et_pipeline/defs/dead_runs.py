"""Runs whose process is gone are failed, not left STARTED.

A run worker killed with the daemon (a crash, an OOM kill, a reboot) or an `et-pipeline
run` killed with SIGKILL leaves its run STARTED forever: Dagster's default launcher
cannot check a worker's health, so run monitoring frees the queue's only slot after
`max_runtime_seconds` (2 h), and the night freezes. Every run records the process that
executes it: a run `et-pipeline run` creates and executes in its own process carries
that process in a tag from its creation (`process_tag`), so it is judged even when the
command is killed before the run's first event; a launched run (and a run of an older
`et-pipeline`) names it in an engine event ("Started process for run (pid: N)",
"Executing steps in process (pid: N)"). A run whose process no longer exists on this
host is reported failed, so the queue moves on and the session sensor asks for the date
again.

`fail_dead_runs` is the one check: the `dead_run_sensor` runs it in the daemon (every
15 s), `et-pipeline run` before it starts its own runs. A process is judged only on the
host that runs it (a run's host tag, or a launched run's code server on this machine);
a pid that now belongs to a process started after the run's is a dead run too.
"""
import json
import os
import socket
import time

import dagster as dg

from et_pipeline.defs.dagster_private import GRPC_INFO_TAG

# The host whose process executes a run `et-pipeline run` starts (defs/launch.py tags it):
# only there can this check tell whether that process is gone. A launched run's host is
# its code server's, in Dagster's GRPC_INFO_TAG.
HOST_TAG = "et_pipeline/host"
# The process that created the run and executes it in place, with a time on this host's
# clock when it already ran (the run's creation time is the database server's clock), and
# the run it was written for: a re-execution from the UI copies a run's tags to a run that
# another process executes.
PROCESS_TAG = "et_pipeline/process"
_JUDGED = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]
_UNSTARTED = dg.DagsterRunStatus.NOT_STARTED
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", ""}
_CLOCK_SLACK = 2.0       # seconds: /proc's start time is in clock ticks, the event time from the run


def this_host() -> str:
    return socket.gethostname()


def _on_this_host(run: dg.DagsterRun) -> bool:
    host = run.tags.get(HOST_TAG)
    if host is not None:
        return host == this_host()
    grpc = run.tags.get(GRPC_INFO_TAG)
    if grpc is None:
        return False
    return str(json.loads(grpc).get("host") or "") in _LOCAL_HOSTS | {this_host()}


def process_tag(run_id: str) -> dict[str, str]:
    """The tag of a run with this id that this process creates and will execute."""
    return {PROCESS_TAG: json.dumps({"pid": os.getpid(), "time": round(time.time(), 3), "run": run_id})}


def _tagged_process(run: dg.DagsterRun) -> tuple[int, float] | None:
    try:
        tag = json.loads(run.tags[PROCESS_TAG])
        if tag["run"] == run.run_id:
            return int(tag["pid"]), float(tag["time"])
    except (KeyError, TypeError, ValueError):     # no tag, or not one this module wrote
        pass
    return None


def run_process(instance: dg.DagsterInstance, run: dg.DagsterRun) -> tuple[int, float] | None:
    """(pid, a time the process already ran) of the process executing the run: its process
    tag, else its first engine event that names one; None while the run has not said."""
    tagged = _tagged_process(run)
    if tagged is not None:
        return tagged
    records = instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.ENGINE_EVENT, limit=20).records
    for record in records:
        entry = record.event_log_entry
        data = entry.dagster_event and entry.dagster_event.engine_event_data
        pid = data and data.metadata.get("pid")
        if pid is not None:
            return int(pid.value), entry.timestamp
    return None


def _boot_time() -> float:
    with open("/proc/stat") as f:
        return float(next(line.split()[1] for line in f if line.startswith("btime ")))


def process_alive(pid: int, since: float) -> bool:
    """Whether process `pid` exists, is not a zombie, and was started no later than `since`
    (the same process, not a later one that was given the number)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return False
    except OSError:                       # no /proc (not Linux): existence is all we can ask
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    if fields[0] in ("Z", "X"):
        return False
    started = _boot_time() + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    return started <= since + _CLOCK_SLACK


def fail_dead_runs(instance: dg.DagsterInstance) -> list[str]:
    """Report every STARTING/STARTED run whose process on this host is gone as failed, and
    every NOT_STARTED one whose creating process is (a command killed before its run
    started: the session sensor counts the date as in progress while it stays so);
    returns "run_id (pid N)" of each."""
    failed = []
    for record in instance.get_run_records(filters=dg.RunsFilter(statuses=[*_JUDGED, _UNSTARTED])):
        run = record.dagster_run
        if not _on_this_host(run):
            continue
        # a NOT_STARTED run only by its tag: a launch on its way to the queue has no process yet
        found = _tagged_process(run) if run.status == _UNSTARTED else run_process(instance, run)
        if found is None or process_alive(*found):
            continue
        pid = found[0]
        current = instance.get_run_by_id(run.run_id)
        if current is None or current.status != run.status:
            continue
        instance.report_run_failed(current, "the process executing this run (pid %d) is gone: killed, crashed or "
                                            "its host restarted; the run is failed so the queue moves on" % pid)
        failed.append("%s (pid %d)" % (run.run_id, pid))
    return failed


def dead_run_sensor() -> dg.SensorDefinition:
    @dg.sensor(name="dead_run_sensor", minimum_interval_seconds=15, default_status=dg.DefaultSensorStatus.RUNNING,
               description="Fails every started run whose process on this host is gone (killed with the daemon, "
                           "an OOM kill, a SIGKILLed `et-pipeline run`), and every run an `et-pipeline run` "
                           "created but died before starting, so none holds the run queue or its date; the "
                           "session sensor then asks for its date again.")
    def _sensor(context: dg.SensorEvaluationContext) -> dg.SkipReason:
        failed = fail_dead_runs(context.instance)
        for line in failed:
            context.log.warning("failed run %s: its process is gone", line)
        return dg.SkipReason("failed %d run(s) whose process was gone: %s" % (len(failed), ", ".join(failed))
                             if failed else "no run lost its process")

    return _sensor
