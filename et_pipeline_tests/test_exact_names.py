"""File names are matched exactly: a round number with a leading zero, a name with a
trailing newline or space is not a round file of the night but a misnamed one
(quarantined, never read), so it can neither take the place of the genuine file nor
freeze its date."""
import pytest

from et_pipeline.parsers.errors import ParseError
from et_pipeline.parsers.filenames import classify
from et_pipeline.storage import schema as t
from et_pipeline.storage.database import make_engine
from et_pipeline_tests.pipeline_fixtures import (NIGHT_DATE, lay_out_night, other_round, registry_row, report_cli,
                                                  run_cli)

DATE = NIGHT_DATE
R1 = "2026-02-05-211001-supply-round-1.txt"
R1_ENDSTATS = "2026-02-05-210959-supply-round-1-endstats.txt"


@pytest.mark.parametrize("name", [
    "2026-02-05-211001-supply-round-01.txt",
    "2026-02-05-211001-supply-round-001.txt",
    "2026-02-05-210959-supply-round-01-endstats.txt",
    "2026-02-05-211000-supply-round-02-timing.txt",
    "gametime-supply-R01-1770322198.json",
    "gametime-supply-R1-01770322198.json",
    R1 + "\n",
    R1 + " ",
    " " + R1,
    R1.replace(".txt", "\n.txt"),
    "2026-02-05-211001-supply\n-round-1.txt",
])
def test_a_name_that_is_almost_a_round_file_is_refused(name):
    with pytest.raises(ParseError) as e:
        classify(name)
    assert "malformed" in str(e.value) or "whitespace" in str(e.value)


def test_a_zero_padded_round_never_replaces_the_genuine_file(tmp_path, capsys):
    night = lay_out_night(tmp_path / "server")
    genuine = (night / "gamestats" / R1).read_bytes()
    bogus = R1.replace("round-1", "round-01")
    (night / "gamestats" / bogus).write_bytes(other_round(genuine))
    bogus_endstats = R1_ENDSTATS.replace("round-1", "round-01")
    (night / "gamestats" / bogus_endstats).write_bytes((night / "gamestats" / R1_ENDSTATS).read_bytes()
                                                       .replace(b"Most kills", b"Most kills "))
    db = "sqlite:///%s" % (tmp_path / "et.db")
    code, out = run_cli(night, db, tmp_path, capsys)
    assert code == 0, out
    registry = {n: registry_row(db, n) for n in (R1, bogus, bogus_endstats)}
    assert registry[R1].status == "parsed"
    for name in (bogus, bogus_endstats):
        assert registry[name].status == "quarantined" and "malformed" in registry[name].error
        assert name in out
    session = report_cli(db, capsys)["sessions"][0]
    assert len(session["rounds"]) == 10
    rnd = next(r for r in session["rounds"] if r["file"] == R1)
    clean = tmp_path / "clean"
    lay_out_night(clean)
    code, _ = run_cli(clean, "sqlite:///%s" % (tmp_path / "clean.db"), tmp_path / "c", capsys)
    assert code == 0
    expected = next(r for r in report_cli("sqlite:///%s" % (tmp_path / "clean.db"), capsys)["sessions"][0]["rounds"]
                    if r["file"] == R1)
    assert rnd == expected                       # the genuine file's numbers and awards, nothing merged


def test_a_listed_name_with_a_trailing_newline_does_not_freeze_its_date(tmp_path, capsys):
    night = lay_out_night(tmp_path / "server")
    odd = R1.replace("211001", "224500") + "\n"
    (night / "gamestats" / odd).write_bytes((night / "gamestats" / R1).read_bytes())
    db = "sqlite:///%s" % (tmp_path / "et.db")
    code, out = run_cli(night, db, tmp_path, capsys)
    assert code == 0, out
    assert "FAILED" not in out
    row = registry_row(db, odd)
    assert row.status == "quarantined" and row.session_date is None
    assert "\\n" in out                            # printed escaped, on one line
    assert len(report_cli(db, capsys)["sessions"][0]["rounds"]) == 10


def test_a_zero_padded_copy_archived_by_an_earlier_version_is_left_out(tmp_path, capsys):
    """Earlier versions archived `round-01` under the date (the report used it, and only
    `forget` undid it): the next run of the date leaves it out, listed or deleted."""
    night = lay_out_night(tmp_path / "server")
    db = "sqlite:///%s" % (tmp_path / "et.db")
    assert run_cli(night, db, tmp_path, capsys)[0] == 0
    good = report_cli(db, capsys)
    bogus = R1.replace("round-1", "round-01")
    data = other_round((night / "gamestats" / R1).read_bytes())
    (night / "gamestats" / bogus).write_bytes(data)
    engine = make_engine(db)
    with engine.begin() as conn:                 # what the earlier version stored
        conn.execute(t.server_files.insert().values(
            path="gamestats/" + bogus, session_date=DATE, folder="gamestats", name=bogus, kind="stats",
            size=len(data), mtime=0.0, sha256="0" * 64, status="parsed", error=None, round_key=None, on_server=True))
        conn.execute(t.raw_files.insert().values(path="gamestats/" + bogus, session_date=DATE, sha256="0" * 64,
                                                 content=data))
    code, out = run_cli(night, db, tmp_path, capsys, "--force")
    assert code == 0, out
    assert report_cli(db, capsys) == good
    assert registry_row(db, bogus).status == "quarantined"
    (night / "gamestats" / bogus).unlink()        # deleted from the server: still left out
    assert run_cli(night, db, tmp_path, capsys, "--force")[0] == 0
    assert report_cli(db, capsys) == good
