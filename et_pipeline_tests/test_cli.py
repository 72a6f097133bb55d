"""The command line's fixed surface (CONTRACT.md 3, 4) beyond the end-to-end check."""
import json
from pathlib import Path

import pytest

from et_pipeline.cli import main
from et_pipeline.cli.run import INSTANCE_YAML
from et_pipeline_tests.dagster_homes import cli_home

ROOT = Path(__file__).parent.parent


def test_fresh_dagster_home_gets_the_repository_instance_config():
    assert INSTANCE_YAML == (ROOT / "deploy" / "dagster.dev.yaml").read_text()


def test_report_errors_and_unknown_dates(tmp_path, night, capsys):
    db = "sqlite:///%s" % (tmp_path / "et.db")
    assert main(["report", "--db", db, "--date", "2026-02-05"]) != 0          # no database yet
    assert "not found" in capsys.readouterr().err
    assert main(["run", "--source", str(night), "--db", db, "--dagster-home", cli_home(tmp_path / "dh"),
                 "--publish", "off"]) == 0
    capsys.readouterr()
    assert (tmp_path / "dh" / "event_log.db").exists()                        # the consolidated event log
    for bad in ("2026-2-5", "05.02.2026", "2026-02-30"):
        assert main(["report", "--db", db, "--date", bad]) != 0
        err = capsys.readouterr().err
        assert "malformed date" in err and len(err.strip().splitlines()) == 1
    assert main(["report", "--db", db, "--date", "2031-01-01"]) == 0
    assert json.loads(capsys.readouterr().out) == {"date": "2031-01-01", "sessions": []}
    assert main(["report", "--db", "postgresql+psycopg2://nobody@127.0.0.1:1/none", "--date", "2026-02-05"]) != 0
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_second_run_is_a_no_op_and_force_reruns(tmp_path, night, capsys):
    args = ["run", "--source", str(night), "--db", "sqlite:///%s" % (tmp_path / "et.db"),
            "--dagster-home", cli_home(tmp_path / "dh"), "--publish", "off"]
    assert main(args) == 0
    assert "2026-02-05  updated  10 rounds" in capsys.readouterr().out
    assert main(args) == 0
    assert "2026-02-05  unchanged  10 rounds" in capsys.readouterr().out
    assert main(args + ["--force"]) == 0
    assert "2026-02-05  updated  10 rounds" in capsys.readouterr().out


def test_missing_source_folder_is_a_clear_error(tmp_path, capsys):
    assert main(["run", "--source", str(tmp_path / "nope"), "--db", "sqlite:///%s" % (tmp_path / "et.db"),
                 "--dagster-home", cli_home(tmp_path / "dh")]) != 0
    assert "does not exist" in capsys.readouterr().err


def test_a_date_whose_files_are_gone_stays_archived_and_is_rerun_once(tmp_path, night, capsys):
    """The server rotated the night away: the archive keeps it (DESIGN 1); only `forget` removes it."""
    args = ["run", "--source", str(night), "--db", "sqlite:///%s" % (tmp_path / "et.db"),
            "--dagster-home", cli_home(tmp_path / "dh"), "--publish", "off"]
    assert main(args) == 0
    capsys.readouterr()
    assert main(["report", "--db", args[4], "--date", "2026-02-05"]) == 0
    before = json.loads(capsys.readouterr().out)
    for f in (night / "gamestats").iterdir():
        f.unlink()
    assert main(args) == 0
    capsys.readouterr()
    assert main(["report", "--db", args[4], "--date", "2026-02-05"]) == 0
    assert json.loads(capsys.readouterr().out) == before
    from sqlalchemy import select

    from et_pipeline.storage import schema as t
    from et_pipeline.storage.database import make_engine
    with make_engine(args[4]).connect() as conn:
        runs_before = conn.execute(select(t.partition_state.c.file_count)).scalars().all()
    assert runs_before == [len(list((night / "gametimes").iterdir()))]   # the timing files still listed
    assert main(args) == 0            # nothing changed: no run
    assert "updated" not in capsys.readouterr().out


@pytest.mark.system   # live runs against the loopback Discord's faults
def test_live_run_skips_a_refused_message_posts_the_rest_and_reports_it(tmp_path, night, capsys, monkeypatch):
    """Issue 12 §4 'stuck': one message Discord always refuses blocked every later message
    of the session on every run (exit 1). Now: skipped, reported, the rest posted, exit 0."""
    from et_pipeline_tests.fixtures.publish.fake_discord import FakeDiscord

    assert main(["run", "--source", str(night), "--db", "sqlite:///%s" % (tmp_path / "dry.db"),
                 "--dagster-home", str(tmp_path / "dry"), "--out", str(tmp_path / "out")]) == 0
    indexes = list((tmp_path / "out").glob("*/*/players/index.json"))     # the night's, and the season's after it
    [index] = [i for i in indexes if i.parents[2].name == "2026-02-05" and not i.parents[1].name.endswith("-digest")]
    refused = json.loads((index.parent / json.loads(index.read_text())["messages"][2]["file"]).read_text())
    keys = [m["file"] for i in indexes for m in json.loads(i.read_text())["messages"]]
    capsys.readouterr()
    db = "sqlite:///%s" % (tmp_path / "et.db")
    args = ["run", "--source", str(night), "--db", db, "--dagster-home", cli_home(tmp_path / "dh"), "--publish", "live"]
    with FakeDiscord() as fake:
        fake.refuse(refused["payload"]["embeds"][0]["title"])
        monkeypatch.setenv("ET_DISCORD_WEBHOOK_URL", fake.url)
        assert main(args) == 0
        out = capsys.readouterr().out
        assert len(fake.messages) == len(keys) - 1
        line = [x for x in out.splitlines() if x.startswith("DISCORD REJECTED")]
        assert len(line) == 1 and refused["key"] in line[0] and "50035" in line[0]
        assert main(["run", "--source", str(night), "--db", db, "--dagster-home", cli_home(tmp_path / "dh"),
                     "--publish", "live", "--force"]) == 0
        assert len(fake.messages) == len(keys) - 1                       # nothing re-sent, nothing doubled
        assert main(["discord", "--db", db]) == 0
        assert capsys.readouterr().out.count("DISCORD REJECTED") == 2    # the run's line, then the list
        session_id = index.parent.parent.name
        assert main(["discord", "--db", db, "--retry", session_id, refused["key"]]) == 0
        assert main(["discord", "--db", db, "--retry", session_id, refused["key"]]) != 0   # settled already
        assert main(["discord", "--db", db]) == 0
        assert "DISCORD" not in capsys.readouterr().out
