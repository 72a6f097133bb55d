"""Quarantine is reported when it happens (issue 12 section 3).

A junk file added to an already processed night shows up in the registry and in `run`'s
output at once, without re-running the date; a bad file deleted from the server stops
being reported. `storage.registry.current_quarantine` is the list the admins' view reads.
"""
import json

import pytest

from et_pipeline.cli import main
from et_pipeline.storage.database import make_engine
from et_pipeline.storage.registry import current_quarantine
from et_pipeline_tests.dagster_homes import cli_home

DATE = "2026-02-05"
MISNAMED = "2026-02-05-2245-supply-round-1.txt"
JUNK = "2026-02-05-224600-supply-round-2.txt"


def _run(night, db, tmp_path, capsys):
    assert main(["run", "--source", str(night), "--db", db, "--dagster-home", cli_home(tmp_path / "dh"),
                 "--publish", "off", "--season", "skip"]) == 0
    return capsys.readouterr().out


def _quarantine(db):
    with make_engine(db).connect() as conn:
        return {d: [(f.path, f.status, f.reason) for f in files] for d, files in current_quarantine(conn).items()}


@pytest.mark.system   # runs while the server's files change
def test_registry_follows_the_server_without_rerunning_the_date(night, tmp_path, capsys):
    db = "sqlite:///%s" % (tmp_path / "et.db")
    assert "%s  updated" % DATE in _run(night, db, tmp_path, capsys)
    assert _quarantine(db) == {}
    capsys.readouterr()
    assert main(["report", "--db", db, "--date", DATE]) == 0
    good = json.loads(capsys.readouterr().out)

    # a misnamed file appears on an already processed night: reported now, date not re-run
    (night / "gamestats" / MISNAMED).write_bytes(b"junk\n")
    out = _run(night, db, tmp_path, capsys)
    assert "%s  unchanged" % DATE in out
    assert "QUARANTINED  gamestats/%s: malformed round file name" % MISNAMED in out
    q = _quarantine(db)
    assert [p for p, _, _ in q[None]] == ["gamestats/" + MISNAMED]

    # a junk round file of the night: the date re-runs (its file set changed) and reports it
    (night / "gamestats" / JUNK).write_bytes(b"\x00\xff" * 50)
    out = _run(night, db, tmp_path, capsys)
    assert "QUARANTINED  gamestats/%s: binary content" % JUNK in out
    assert [p for p, _, _ in _quarantine(db)[DATE]] == ["gamestats/" + JUNK]

    # both deleted from the server: neither is reported any more, and the report is as before
    (night / "gamestats" / MISNAMED).unlink()
    (night / "gamestats" / JUNK).unlink()
    out = _run(night, db, tmp_path, capsys)
    assert "QUARANTINED" not in out
    assert _quarantine(db) == {}
    assert main(["report", "--db", db, "--date", DATE]) == 0
    assert json.loads(capsys.readouterr().out) == good


def test_current_quarantine_filters_dates(night, tmp_path, capsys):
    (night / "gamestats" / JUNK).write_bytes(b"")
    (night / "gamestats" / MISNAMED).write_bytes(b"junk\n")
    db = "sqlite:///%s" % (tmp_path / "et.db")
    _run(night, db, tmp_path, capsys)
    with make_engine(db).connect() as conn:
        assert set(current_quarantine(conn, [DATE])) == {DATE, None}
        assert set(current_quarantine(conn, ["2031-01-01"])) == {None}
        (empty,) = current_quarantine(conn, [DATE])[DATE]
    assert empty.name == JUNK and empty.status == "quarantined" and empty.reason == "empty file"
