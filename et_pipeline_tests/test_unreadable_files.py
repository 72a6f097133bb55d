"""A file the server lists but will not let us read is quarantined after its retries,
with the reason; the rest of its night goes on, and later rounds of the night are
processed. Only a lost connection keeps everything as it was ("nothing replaced")."""
import json

from sqlalchemy import select

from et_pipeline.cli import main
from et_pipeline.storage import schema as t
from et_pipeline.storage.database import make_engine
from et_pipeline_tests.pipeline_fixtures import lay_out_night, other_round

DATE = "2026-02-05"
R1 = "2026-02-05-211001-supply-round-1.txt"
LOCKED = "2026-02-05-215043-te_escape2-round-2.txt"
LATE = "2026-02-05-224500-supply-round-1.txt"


def _args(server, tmp_path, db):
    url = "sftp://%s@%s:%d%s" % (server.user, server.host, server.port, server.remote_root)
    return ["run", "--source", url, "--sftp-key", server.client_key_path, "--known-hosts", server.known_hosts_path,
            "--sftp-cache", str(tmp_path / "cache"), "--db", db, "--dagster-home", str(tmp_path / "dh"),
            "--publish", "off"]


def _report(db, capsys):
    capsys.readouterr()
    assert main(["report", "--db", db, "--date", DATE]) == 0
    return json.loads(capsys.readouterr().out)


def _row(db, name):
    with make_engine(db).connect() as conn:
        return conn.execute(select(t.server_files).where(t.server_files.c.name == name)).one()


def test_a_file_denied_over_sftp_is_quarantined_and_the_night_goes_on(sftp_server, tmp_path, capsys):
    lay_out_night(sftp_server.root)
    sftp_server.refused.add(LOCKED)
    db = "sqlite:///%s" % (tmp_path / "et.db")
    code = main(_args(sftp_server, tmp_path, db))
    out = capsys.readouterr().out
    assert code == 0, out
    row = _row(db, LOCKED)
    assert row.status == "read_error" and "could not be read" in row.error and "ermission denied" in row.error
    assert LOCKED in out
    opens = [p for p, _ in sftp_server.opened if p.endswith(LOCKED)]
    assert len(opens) == 2                              # tried again over a new connection, then given up
    rounds = {r["file"] for r in _report(db, capsys)["sessions"][0]["rounds"]}
    assert len(rounds) == 9 and LOCKED not in rounds

    # a late round of the same night is processed although the locked file is still there
    (sftp_server.root / "gamestats" / LATE).write_bytes(other_round((sftp_server.root / "gamestats" / R1).read_bytes()))
    assert main(_args(sftp_server, tmp_path, db)) == 0, capsys.readouterr().out
    assert LATE in {r["file"] for r in _report(db, capsys)["sessions"][0]["rounds"]}

    # the admin fixes the file and touches it: it is read on the next run
    sftp_server.refused.clear()
    (sftp_server.root / "gamestats" / LOCKED).touch()
    assert main(_args(sftp_server, tmp_path, db)) == 0, capsys.readouterr().out
    assert _row(db, LOCKED).status == "parsed"
    assert LOCKED in {r["file"] for r in _report(db, capsys)["sessions"][0]["rounds"]}


def test_an_archived_file_that_becomes_unreadable_keeps_its_archived_copy(sftp_server, tmp_path, capsys):
    lay_out_night(sftp_server.root)
    db = "sqlite:///%s" % (tmp_path / "et.db")
    assert main(_args(sftp_server, tmp_path, db)) == 0
    good = _report(db, capsys)
    sftp_server.refused.add(LOCKED)
    assert main(_args(sftp_server, tmp_path, db) + ["--force", "--sftp-cache", str(tmp_path / "cold")]) == 0
    assert _report(db, capsys) == good                  # nothing lost to a read error
