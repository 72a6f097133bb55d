"""Issue 15: what every start pays. `et-pipeline run` and every code-server load import the
definitions and build the command line; the season's pandas, the graphs' matplotlib and
the SFTP client's paramiko are imported only when they are used (together 0.4 s of a
one-night run that must take under 2 s)."""
import gc
import subprocess
import sys

from et_pipeline.cli import main

HEAVY = ("pandas", "numpy", "matplotlib", "paramiko", "alembic")


def _imported_after(code: str) -> list[str]:
    probe = code + "\nimport sys; print(' '.join(sorted({m.split('.')[0] for m in sys.modules} & set(%r))))" % (HEAVY,)
    return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()


def test_the_command_line_starts_without_the_heavy_libraries():
    assert _imported_after("from et_pipeline.cli import build_parser, finish_parser; finish_parser(build_parser())") == []


def test_the_definitions_load_without_pandas_matplotlib_or_paramiko():
    # alembic comes with Dagster's own SQLite storages; these three are ours to keep lazy
    assert set(_imported_after("import et_pipeline.definitions")) & {"pandas", "numpy", "matplotlib", "paramiko"} \
        == set()


def test_a_run_leaves_the_collector_as_it_found_it(tmp_path, capsys):
    """`run` pauses the cyclic collector while it starts and freezes what start-up made; a
    caller in the same process (these tests, a notebook) gets it back enabled, nothing frozen."""
    source = tmp_path / "src"
    (source / "gamestats").mkdir(parents=True)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    rc = main(["run", "--source", str(source), "--db", "sqlite:///%s" % (tmp_path / "et.db"),
               "--dagster-home", str(tmp_path / "home"), "--publish", "off"])
    assert rc == 0
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.disable()
    try:
        main(["run", "--source", str(source), "--db", "sqlite:///%s" % (tmp_path / "et.db"),
              "--dagster-home", str(tmp_path / "home"), "--publish", "off"])
        assert not gc.isenabled()          # a caller that had it off keeps it off
    finally:
        gc.enable()
    gc.freeze()                            # a caller that froze objects itself keeps them frozen
    try:
        frozen = gc.get_freeze_count()
        main(["run", "--source", str(source), "--db", "sqlite:///%s" % (tmp_path / "et.db"),
              "--dagster-home", str(tmp_path / "home"), "--publish", "off"])
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()


def test_the_command_parks_the_heap_before_the_interpreter_exits(monkeypatch):
    """The installed `et-pipeline` is console_main: main's exit code, then gc.freeze(), so the
    collections at interpreter exit skip what the run built (0.5 s of a one-night run)."""
    import tomllib
    from pathlib import Path

    from et_pipeline import cli

    scripts = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["et-pipeline"] == "et_pipeline.cli:console_main"
    monkeypatch.setattr(cli, "main", lambda: 3)
    try:
        assert cli.console_main() == 3
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_nothing_new_answers_without_dagster(tmp_path, night, capsys):
    """A run that finds nothing new (a cron job's usual minute) lists, compares and prints
    its summary without importing Dagster, let alone starting a run."""
    args = ["run", "--source", str(night), "--db", "sqlite:///%s" % (tmp_path / "et.db"),
            "--dagster-home", str(tmp_path / "home"), "--publish", "off"]
    assert main(args) == 0
    capsys.readouterr()
    code = ("import sys; from et_pipeline.cli import main; rc = main(%r); "
            "print('dagster imported:', 'dagster' in sys.modules); sys.exit(rc)" % (args,))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "0 dates processed, 1 unchanged" in out and "dagster imported: False" in out
