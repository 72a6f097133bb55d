"""The archive never loses a night (issue 12 section 1).

A dropped SFTP connection fails the run instead of replacing archived bytes; files the
server rotated away stay archived (a re-score gives the same report); forgetting a night
is an explicit command; the local source reads only regular files inside its root.
"""
import json
import os

import pytest
from sqlalchemy import func, select

from et_pipeline.cli import main
from et_pipeline.storage import schema as t
from et_pipeline.storage.database import make_engine
from et_pipeline_tests.dagster_homes import cli_home
from et_pipeline_tests.pipeline_fixtures import lay_out_night, lay_out_night_past_midnight

DATE = "2026-02-05"
LATE = "2026-02-05-224500-supply-round-1.txt"   # a late round of the same night


def _report(db, capsys):
    capsys.readouterr()
    assert main(["report", "--db", db, "--date", DATE]) == 0
    return json.loads(capsys.readouterr().out)


def _state(db):
    with make_engine(db).connect() as conn:
        return {r.session_date: (r.fingerprint, r.completed) for r in conn.execute(select(t.partition_state))}


def _raw_count(db):
    with make_engine(db).connect() as conn:
        return conn.execute(select(func.count()).select_from(t.raw_files)).scalar()


def _tree(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _sftp_args(server, tmp_path, db, cache, publish="dry-run"):
    url = "sftp://%s@%s:%d%s" % (server.user, server.host, server.port, server.remote_root)
    return ["run", "--source", url, "--sftp-key", server.client_key_path, "--known-hosts", server.known_hosts_path,
            "--sftp-cache", str(cache), "--db", db, "--dagster-home", cli_home(tmp_path / "dh"),
            "--publish", publish, "--out", str(tmp_path / "out")]


@pytest.mark.system   # a night run again and again while its files come and go
def test_dropped_connection_never_replaces_a_processed_night(sftp_server, tmp_path, capsys):
    lay_out_night(sftp_server.root)
    db = "sqlite:///%s" % (tmp_path / "et.db")
    assert main(_sftp_args(sftp_server, tmp_path, db, tmp_path / "cache1")) == 0
    good = _report(db, capsys)
    assert len(good["sessions"][0]["rounds"]) == 10
    posted = _tree(tmp_path / "out")
    state, raws = _state(db), _raw_count(db)

    # one dropped connection during a re-score is healed by a second read over a new one
    sftp_server.drop_next_transfer_after(1_000)
    assert main(_sftp_args(sftp_server, tmp_path, db, tmp_path / "cache_once") + ["--force"]) == 0
    assert _report(db, capsys) == good and _tree(tmp_path / "out") == posted
    state, raws = _state(db), _raw_count(db)

    # re-score over a cold cache; the connection keeps dropping after the first file
    sftp_server.drop_next_transfer_after(1_000, times=10)
    code = main(_sftp_args(sftp_server, tmp_path, db, tmp_path / "cache2") + ["--force"])
    out = capsys.readouterr().out
    assert code == 1
    failed = [ln for ln in out.splitlines() if ln.startswith("FAILED %s" % DATE)]
    assert failed and "could not read" in failed[0] and "gamestats/" in failed[0]   # says why, names a file
    assert _report(db, capsys) == good                    # no round lost, no row replaced
    assert _raw_count(db) == raws and _state(db) == state
    assert _tree(tmp_path / "out") == posted              # Discord keeps the last good content

    # a late file arrives, and the connection drops again: the date is not marked done ...
    (sftp_server.root / "gamestats" / LATE).write_bytes(
        (sftp_server.root / "gamestats" / "2026-02-05-211001-supply-round-1.txt").read_bytes())
    sftp_server.drop_next_transfer_after(1_000, times=10)
    assert main(_sftp_args(sftp_server, tmp_path, db, tmp_path / "cache3")) == 1
    capsys.readouterr()
    assert _report(db, capsys) == good and _state(db) == state
    # ... so the next healthy run retries it instead of printing `unchanged`
    sftp_server.drop_after = None
    assert main(_sftp_args(sftp_server, tmp_path, db, tmp_path / "cache3")) == 0
    out = capsys.readouterr().out
    assert "%s  updated" % DATE in out
    with make_engine(db).connect() as conn:
        late = conn.execute(select(t.server_files.c.status).where(t.server_files.c.name == LATE)).scalar()
    assert late in ("parsed", "duplicate")


@pytest.mark.system   # a night run again and again while its files come and go
def test_rotated_files_stay_archived_and_rescore_gives_the_same_report(night, tmp_path, capsys, pipeline):
    db = pipeline.db_url
    args = ["run", "--source", str(night), "--db", db, "--dagster-home", cli_home(tmp_path / "dh"),
            "--publish", "off", "--season", "skip"]
    assert main(args) == 0
    good = _report(db, capsys)
    raws = _raw_count(db)
    # the server rotates half the night away: a forced re-score keeps every round
    for f in sorted((night / "gamestats").iterdir())[:5]:
        f.unlink()
    assert main(args + ["--force"]) == 0
    assert _report(db, capsys) == good and _raw_count(db) == raws
    # then all of it; a UI backfill with server_files in it gives the same report too
    for folder in ("gamestats", "gametimes"):        # the folders stay, as on a server
        for f in (night / folder).iterdir():
            f.unlink()
    result = pipeline.materialize([DATE])
    assert result.success
    assert _report(db, capsys) == good and _raw_count(db) == raws
    assert main(args + ["--force"]) == 0
    out = capsys.readouterr().out
    assert _report(db, capsys) == good
    assert "QUARANTINED" not in out


def test_forget_is_the_one_way_to_remove_a_night(night, tmp_path, capsys):
    db = "sqlite:///%s" % (tmp_path / "et.db")
    assert main(["run", "--source", str(night), "--db", db, "--dagster-home", cli_home(tmp_path / "dh"),
                 "--publish", "off", "--season", "skip"]) == 0
    capsys.readouterr()
    assert main(["forget", "--db", db, "--date", DATE]) == 0
    captured = capsys.readouterr()
    assert "forgot %s" % DATE in captured.out + captured.err
    assert _report(db, capsys) == {"date": DATE, "sessions": []}
    with make_engine(db).connect() as conn:
        for table in t.PARTITIONED_TABLES:
            n = conn.execute(select(func.count()).select_from(table).where(table.c.session_date == DATE)).scalar()
            assert n == 0, table.name
    assert main(["forget", "--db", db, "--date", "2026-13-01"]) == 2
    assert "malformed date" in capsys.readouterr().err


def test_local_source_reads_only_regular_files_inside_its_root(night, tmp_path, capsys):
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.txt"
    secret.write_bytes(b"root:x:0:0:root:/root:/bin/bash\n")
    good = night / "gamestats" / "2026-02-05-211001-supply-round-1.txt"
    (night / "gamestats" / "2026-02-05-224000-supply-round-1.txt").symlink_to(secret)
    (night / "gamestats" / "2026-02-05-224100-supply-round-1.txt").symlink_to(good)
    os.symlink("/etc/passwd", night / "gametimes" / "gametime-supply-R1-1770327900.json")
    db = "sqlite:///%s" % (tmp_path / "et.db")
    assert main(["run", "--source", str(night), "--db", db, "--dagster-home", cli_home(tmp_path / "dh"),
                 "--publish", "off", "--season", "skip"]) == 0
    capsys.readouterr()
    with make_engine(db).connect() as conn:
        contents = [bytes(c) for (c,) in conn.execute(select(t.raw_files.c.content))]
        names = {n for (n,) in conn.execute(select(t.server_files.c.name))}
    assert not any(b"root:x:0:0" in c for c in contents)
    assert "2026-02-05-224000-supply-round-1.txt" not in names and "2026-02-05-224100-supply-round-1.txt" not in names
    assert len(_report(db, capsys)["sessions"][0]["rounds"]) == 10


def test_local_source_skips_a_folder_linked_out_of_the_root(tmp_path):
    from et_pipeline.sources.local import LocalFolderSource

    elsewhere = lay_out_night(tmp_path / "elsewhere")
    root = tmp_path / "root"
    root.mkdir()
    (root / "gamestats").symlink_to(elsewhere / "gamestats")
    assert LocalFolderSource(str(root)).list_files() == []


@pytest.mark.system   # a night run again and again while its files come and go
def test_rotation_through_a_night_past_midnight_keeps_the_session_on_its_date(tmp_path, capsys):
    """The server prunes by age: the files before midnight go first. The rounds after
    midnight still belong to the session that started the day before."""
    night = lay_out_night_past_midnight(tmp_path / "server")
    db = "sqlite:///%s" % (tmp_path / "et.db")
    args = ["run", "--source", str(night), "--db", db, "--dagster-home", cli_home(tmp_path / "dh"),
            "--publish", "off", "--season", "skip"]
    assert main(args) == 0
    good = _report(db, capsys)
    assert len(good["sessions"][0]["rounds"]) == 10
    for f in list((night / "gamestats").iterdir()):
        if f.name.startswith(DATE):
            f.unlink()
    assert main(args) == 0
    assert _report(db, capsys) == good
    capsys.readouterr()
    assert main(["report", "--db", db, "--date", "2026-02-06"]) == 0
    assert json.loads(capsys.readouterr().out)["sessions"] == []


def test_a_file_removed_during_the_run_is_gone_not_a_failure(night, tmp_path, capsys, monkeypatch):
    """The server rotates a file away between listing and reading: the run goes on, the
    archived copy stays, and the next run sees the new listing."""
    from et_pipeline.sources import local

    db = "sqlite:///%s" % (tmp_path / "et.db")
    args = ["run", "--source", str(night), "--db", db, "--dagster-home", cli_home(tmp_path / "dh"),
            "--publish", "off", "--season", "skip"]
    assert main(args) == 0
    good = _report(db, capsys)
    victim = "2026-02-05-211001-supply-round-1.txt"
    real = local._LocalConnection.read_bytes

    def rotating(self, f):
        if f.name == victim and (night / "gamestats" / victim).exists():
            (night / "gamestats" / victim).unlink()      # removed by the server just now
        return real(self, f)

    monkeypatch.setattr(local._LocalConnection, "read_bytes", rotating)
    assert main(args + ["--force"]) == 0
    assert _report(db, capsys) == good
    with make_engine(db).connect() as conn:
        row = conn.execute(select(t.server_files).where(t.server_files.c.name == victim)).one()
    assert row.status == "parsed"


@pytest.mark.system   # a night run again and again while its files come and go
def test_dropped_connection_in_live_mode_edits_no_message(sftp_server, tmp_path, capsys, monkeypatch):
    """In `--publish live` the issue saw 17 messages edited to the wrong results."""
    from et_pipeline_tests.fixtures.publish.fake_discord import FakeDiscord

    lay_out_night(sftp_server.root)
    db = "sqlite:///%s" % (tmp_path / "et.db")
    with FakeDiscord() as discord:
        monkeypatch.setenv("ET_DISCORD_WEBHOOK_URL", discord.url)
        assert main(_sftp_args(sftp_server, tmp_path, db, tmp_path / "cache1", publish="live")) == 0
        posted = len(discord.requests)
        assert posted > 0
        good = _report(db, capsys)
        sftp_server.drop_next_transfer_after(1_000, times=10)
        assert main(_sftp_args(sftp_server, tmp_path, db, tmp_path / "cache2", publish="live") + ["--force"]) == 1
        assert len(discord.requests) == posted            # nothing posted, nothing edited
        assert _report(db, capsys) == good
