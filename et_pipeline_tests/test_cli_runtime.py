"""`et-pipeline run` is no second runtime: it runs the code location's own job (the
definitions workspace.yaml loads), its runs carry the code-location origin a UI-launched
run has (the Overview timeline drops a run without one), and it configures the run the
way the UI's launchpad does, through run config, never by rewriting its own environment."""
import os

import dagster as dg
import pytest
import yaml

from et_pipeline.cli import main
from et_pipeline.cli.common import EXIT_USAGE
from et_pipeline_tests.dagster_homes import cli_home
from et_pipeline_tests.test_setup import ROOT


def _runs(home, job="session_job"):
    with dg.DagsterInstance.local_temp(tempdir=str(home)) as instance:
        return [r for r in instance.get_runs() if r.job_name == job]


def _run(night, tmp_path, *extra):
    return main(["run", "--source", str(night), "--db", "sqlite:///%s" % (tmp_path / "et.db"),
                 "--dagster-home", cli_home(tmp_path / "dh"), "--publish", "off", *extra])


def test_a_cli_run_is_a_run_of_the_code_location_job_with_its_origin(tmp_path, night, capsys):
    assert _run(night, tmp_path) == 0
    capsys.readouterr()
    [run] = _runs(tmp_path / "dh")
    location = yaml.safe_load((ROOT / "workspace.yaml").read_text())["load_from"][0]["python_module"]
    origin = run.remote_job_origin
    assert origin is not None, "the UI's timeline leaves out a run without a remote origin"
    assert origin.repository_origin.code_location_origin.location_name == location["location_name"]
    assert origin.repository_origin.repository_name == "__repository__"
    assert origin.job_name == "session_job"
    # the origin a run worker (or a re-execution) reloads the job from: the same module
    assert run.job_code_origin.repository_origin.code_pointer.module == location["module_name"]
    assert run.tags["et_pipeline/started_by"] == "et-pipeline run"
    [season] = _runs(tmp_path / "dh", "season_job")            # then the season, from the same code location
    assert season.remote_job_origin.repository_origin.code_location_origin.location_name == location["location_name"]
    assert season.remote_job_origin.job_name == "season_job"
    assert season.run_config["resources"]["database"] == run.run_config["resources"]["database"]


def test_run_never_writes_the_environment(tmp_path, night, capsys, monkeypatch):
    """The database URL reaches the run as run config (`{"env": "ET_DB_URL"}` when it is the
    variable's value, the URL itself when it holds no secret), not as a rewritten variable."""
    writes = []

    class Guarded(os._Environ):
        def __setitem__(self, key, value):
            writes.append(key)
            super().__setitem__(key, value)

        def __delitem__(self, key):
            writes.append(key)
            super().__delitem__(key)

    guarded = Guarded(os.environ._data, os.environ.encodekey, os.environ.decodekey, os.environ.encodevalue,
                      os.environ.decodevalue)
    monkeypatch.setattr(os, "environ", guarded)
    monkeypatch.delenv("ET_DB_URL", raising=False)
    writes.clear()
    assert _run(night, tmp_path) == 0
    capsys.readouterr()
    assert [k for k in writes if k.startswith("ET_")] == []
    [run] = _runs(tmp_path / "dh")
    assert run.run_config["resources"]["database"]["config"]["url"] == "sqlite:///%s" % (tmp_path / "et.db")


def test_the_database_variable_reaches_the_run_by_its_name(tmp_path, night, capsys, monkeypatch):
    db = "sqlite:///%s" % (tmp_path / "et.db")
    monkeypatch.setenv("ET_DB_URL", db)
    assert main(["run", "--source", str(night), "--dagster-home", cli_home(tmp_path / "dh"), "--publish", "off"]) == 0
    capsys.readouterr()
    [run] = _runs(tmp_path / "dh")
    assert run.run_config["resources"]["database"]["config"]["url"] == {"env": "ET_DB_URL"}


@pytest.mark.parametrize("url", ["postgresql+psycopg2://et:hunter2@127.0.0.1:1/et"])
def test_a_password_on_the_command_line_is_used_by_a_child_never_shown(tmp_path, night, capfd, monkeypatch, url):
    """The child that holds the URL in its environment is the one that reaches (here: fails
    to reach) the database; the password appears in no output and this process's
    environment is untouched (test_secrets runs the same against a real PostgreSQL)."""
    monkeypatch.delenv("ET_DB_URL", raising=False)
    rc = main(["run", "--source", str(night), "--db", url, "--dagster-home", cli_home(tmp_path / "dh")])
    out, err = capfd.readouterr()
    assert rc == EXIT_USAGE
    assert "cannot start" in err and "hunter2" not in out + err and len(err.strip().splitlines()) == 1
    assert "ET_DB_URL" not in os.environ


def test_a_command_started_with_sigint_ignored_still_obeys_sigterm(tmp_path):
    """A script's background job ignores SIGINT, and Dagster points SIGTERM at SIGINT's
    handler while it executes a run: after `run`, SIGTERM was ignored too, so `kill` did
    nothing and every process started afterwards inherited it (a test's fake Discord
    outlived its SIGTERM and the suite hung). The command's entry point prevents it."""
    import subprocess
    import sys

    code = ("import signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); "
            "from et_pipeline.cli import console_main; sys.argv = ['et-pipeline'] + sys.argv[1:]; rc = console_main(); "
            "print('SIGTERM ignored' if signal.getsignal(signal.SIGTERM) is signal.SIG_IGN else 'SIGTERM works'); "
            "sys.exit(rc)")
    p = subprocess.run([sys.executable, "-c", code, "run", "--source", str(ROOT / "sample_data" / "2026-02-05"),
                        "--db", "sqlite:///%s" % (tmp_path / "et.db"), "--dagster-home", cli_home(tmp_path / "dh"),
                        "--out", str(tmp_path / "out"), "--publish", "off", "--season", "skip"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    assert p.stdout.strip().splitlines()[-1] == "SIGTERM works"
