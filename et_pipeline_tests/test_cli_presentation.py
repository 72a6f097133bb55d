"""The command line explains itself (issue 14 §3): help on every option, errors with hints,
progress from the run's own events, a summary per date, a note for an empty report."""
import argparse
import json

import pytest

from et_pipeline.cli import build_parser, finish_parser, main
from et_pipeline_tests.dagster_homes import cli_home


def _subparsers(ap):
    for action in ap._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield name, sub
                yield from _subparsers(sub)


def test_every_option_of_every_subcommand_has_help_text():
    ap = finish_parser(build_parser())
    subs = dict(_subparsers(ap))
    assert {"run", "report", "synth"} <= set(subs)
    missing = ["%s %s" % (name, "/".join(a.option_strings) or a.dest)
               for name, sub in [("et-pipeline", ap), *subs.items()] for a in sub._actions
               if not isinstance(a, argparse._SubParsersAction) and not (a.help or "").strip()]
    assert missing == []


def test_help_shows_defaults_and_version(capsys, monkeypatch):
    monkeypatch.setenv("ET_DB_URL", "postgresql+psycopg2://et:s3cret@db/etstats")
    with pytest.raises(SystemExit) as e:
        main(["run", "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert "(default: dry-run)" in out and "(default: out)" in out
    assert "s3cret" not in out and "postgresql+psycopg2://et:***@db/etstats" in out.replace("\n", "").replace(" ", "")
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0 and capsys.readouterr().out.startswith("et-pipeline ")


def test_a_source_without_gamestats_exits_non_zero_with_a_hint(tmp_path, night, capsys):
    args = ["--db", "sqlite:///%s" % (tmp_path / "et.db"), "--dagster-home", cli_home(tmp_path / "dh"), "--publish", "off"]
    assert main(["run", "--source", str(night.parent)] + args) != 0          # one level too high
    err = capsys.readouterr().err
    assert "no gamestats/" in err and "did you mean %s?" % night in err and len(err.strip().splitlines()) == 1
    (tmp_path / "empty").mkdir()
    assert main(["run", "--source", str(tmp_path / "empty")] + args) != 0
    err = capsys.readouterr().err
    assert "is empty" in err and "gamestats/" in err
    assert not (tmp_path / "et.db").exists()                                   # nothing was run


def test_an_sftp_source_without_its_key_options_is_one_line(tmp_path, capsys, monkeypatch):
    for var in ("ET_SFTP_KEY_PATH", "ET_SFTP_KNOWN_HOSTS"):
        monkeypatch.delenv(var, raising=False)
    assert main(["run", "--source", "sftp://et@127.0.0.1:1/legacy", "--db", "sqlite:///%s" % (tmp_path / "et.db"),
                 "--dagster-home", cli_home(tmp_path / "dh")]) != 0
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "--sftp-key" in err and "--known-hosts" in err


def test_run_summary_per_date_and_quiet_progress_off_a_terminal(tmp_path, night, capsys):
    (night / "gamestats" / "2026-02-05-224700-supply-round-1.txt").write_bytes(b"")
    assert main(["run", "--source", str(night), "--db", "sqlite:///%s" % (tmp_path / "et.db"),
                 "--dagster-home", cli_home(tmp_path / "dh"), "--publish", "off"]) == 0
    cap = capsys.readouterr()
    assert cap.err == ""                                                       # no progress bar into a pipe
    lines = cap.out.splitlines()
    date = [line for line in lines if line.startswith("2026-02-05  updated  10 rounds")]
    assert len(date) == 1
    assert "29 files read, 1 bad" in date[0] and date[0].endswith("Team A 1-3 Team B (5 maps)")
    bad = lines[lines.index(date[0]) + 1]
    assert bad.startswith("  QUARANTINED") and "2026-02-05-224700-supply-round-1.txt" in bad and "empty" in bad
    assert lines[-1].startswith("1 date processed, 0 unchanged, 1 bad file")


def test_verbose_shows_the_pipelines_own_steps_not_dagsters_debug_stream(tmp_path, night, capsys):
    assert main(["run", "-v", "--source", str(night), "--db", "sqlite:///%s" % (tmp_path / "et.db"),
                 "--dagster-home", cli_home(tmp_path / "dh"), "--publish", "off"]) == 0
    err = capsys.readouterr().err
    assert "DEBUG" not in err and "STEP_START" not in err
    steps = [line.split()[0] for line in err.splitlines() if line.startswith("  ") and " done " in line]
    assert steps[0] == "server_files" and "rounds" in steps
    assert steps[-3:] == ["discord_posts", "season_tables", "night_digest"]      # the season after the nights
    rounds = [line for line in err.splitlines() if line.split()[:1] == ["rounds"]][0]
    assert "rounds 10" in rounds and "player rows 60" in rounds               # the asset's own numbers
    assert "check scores_add_up passed" in err


def test_report_on_a_date_without_sessions_says_so_on_stderr(tmp_path, night, capsys):
    db = "sqlite:///%s" % (tmp_path / "et.db")
    assert main(["run", "--source", str(night), "--db", db, "--dagster-home", cli_home(tmp_path / "dh"),
                 "--publish", "off"]) == 0
    capsys.readouterr()
    assert main(["report", "--db", db, "--date", "2026-02-07"]) == 0
    cap = capsys.readouterr()
    assert json.loads(cap.out) == {"date": "2026-02-07", "sessions": []}      # CONTRACT §4 unchanged
    assert cap.err.strip() == "et-pipeline: no session started on 2026-02-07 (nearest before: 2026-02-05)"
    assert main(["report", "--db", db, "--date", "2026-02-05"]) == 0
    assert capsys.readouterr().err == ""


def test_progress_on_a_terminal_draws_the_bar_and_prints_the_steps(monkeypatch):
    """On a terminal the bar is rich's (imported only then) and -v lines go through its console."""
    import io

    from et_pipeline.cli.output import RunProgress
    from et_pipeline.defs.progress import Kind, RunEvent

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    err, out = Terminal(), Terminal()
    monkeypatch.setattr("sys.stdout", out)
    with RunProgress(verbose=True, stream=err) as progress:
        assert progress.live
        progress.start_runs([["2026-02-05"]], 2)
        progress.start_block(0, [["2026-02-05"]])
        progress.on_event(RunEvent(Kind.STEP_START, "rounds"))
        progress.on_event(RunEvent(Kind.ASSET_MATERIALIZATION, "rounds", counts={"rounds": 14}))
        progress.on_event(RunEvent(Kind.STEP_SUCCESS, "rounds"))
    text = err.getvalue()
    assert "run 2026-02-05" in text and "rounds" in text and "rounds 14" in text
