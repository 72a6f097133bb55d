"""A file the server lists but will not let us read is quarantined after its retries,
with the reason; the rest of its night goes on, and later rounds of the night are
processed. Only a lost connection keeps everything as it was ("nothing replaced")."""
import pytest

from et_pipeline_tests.pipeline_fixtures import (lay_out_night, other_round, registry_row, report_cli, run_cli,
                                                  sftp_source_args)

R1 = "2026-02-05-211001-supply-round-1.txt"
LOCKED = "2026-02-05-215043-te_escape2-round-2.txt"
LATE = "2026-02-05-224500-supply-round-1.txt"


def _run(server, tmp_path, db, capsys, cache="cache", *extra):
    return run_cli(sftp_source_args(server, tmp_path / cache), db, tmp_path, capsys, *extra)


@pytest.mark.system   # runs over SFTP while a file's permissions change
def test_a_file_denied_over_sftp_is_quarantined_and_the_night_goes_on(sftp_server, tmp_path, capsys):
    lay_out_night(sftp_server.root)
    sftp_server.refused.add(LOCKED)
    db = "sqlite:///%s" % (tmp_path / "et.db")
    code, out = _run(sftp_server, tmp_path, db, capsys)
    assert code == 0, out
    row = registry_row(db, LOCKED)
    assert row.status == "read_error" and "could not be read" in row.error and "ermission denied" in row.error
    assert LOCKED in out
    opens = [p for p, _ in sftp_server.opened if p.endswith(LOCKED)]
    assert len(opens) == 2                              # tried again over a new connection, then given up
    rounds = {r["file"] for r in report_cli(db, capsys)["sessions"][0]["rounds"]}
    assert len(rounds) == 9 and LOCKED not in rounds

    # a late round of the same night is processed although the locked file is still there
    (sftp_server.root / "gamestats" / LATE).write_bytes(other_round((sftp_server.root / "gamestats" / R1).read_bytes()))
    assert _run(sftp_server, tmp_path, db, capsys)[0] == 0
    assert LATE in {r["file"] for r in report_cli(db, capsys)["sessions"][0]["rounds"]}

    # the admin fixes the file and touches it: it is read on the next run
    sftp_server.refused.clear()
    (sftp_server.root / "gamestats" / LOCKED).touch()
    assert _run(sftp_server, tmp_path, db, capsys)[0] == 0
    assert registry_row(db, LOCKED).status == "parsed"
    assert LOCKED in {r["file"] for r in report_cli(db, capsys)["sessions"][0]["rounds"]}


@pytest.mark.system   # runs while an archived file's permissions change
def test_an_archived_file_that_becomes_unreadable_keeps_its_archived_copy(sftp_server, tmp_path, capsys):
    lay_out_night(sftp_server.root)
    db = "sqlite:///%s" % (tmp_path / "et.db")
    assert _run(sftp_server, tmp_path, db, capsys)[0] == 0
    good = report_cli(db, capsys)
    sftp_server.refused.add(LOCKED)
    assert _run(sftp_server, tmp_path, db, capsys, "cold", "--force")[0] == 0
    assert report_cli(db, capsys) == good                  # nothing lost to a read error
