"""What is read is what the game wrote: the 1 MiB cap holds while reading (a file that
grew to 100 MB after the listing was stored), a hard link to a file outside the source
root is refused, and a file still being written is not read half-way."""
import os
import threading
import time

from sqlalchemy import select

from et_pipeline.parsers.bounds import MAX_FILE_BYTES
from et_pipeline.sources import local
from et_pipeline.storage import schema as t
from et_pipeline.storage.database import make_engine
from et_pipeline_tests.pipeline_fixtures import lay_out_night, other_round, registry_row, report_cli, run_cli

R1 = "2026-02-05-211001-supply-round-1.txt"
LATE = "2026-02-05-224500-supply-round-1.txt"


def _raw(db, name):
    with make_engine(db).connect() as conn:
        content = conn.execute(select(t.raw_files.c.content).where(t.raw_files.c.path == "gamestats/" + name)).scalar()
    return None if content is None else bytes(content)


def test_a_file_that_grew_past_the_cap_after_the_listing_is_not_stored(tmp_path, capsys, monkeypatch):
    night = lay_out_night(tmp_path / "server")
    big = night / "gamestats" / LATE
    big.write_bytes(other_round((night / "gamestats" / R1).read_bytes()))
    listed_size, listed_mtime = big.stat().st_size, big.stat().st_mtime - 3600   # listed as a settled file
    real = local._LocalConnection.list_files

    def listed_before_it_grew(self):
        files = real(self)
        with open(big, "ab") as f:                  # it grows to 100 MB between listing and reading
            f.truncate(100 << 20)
        return [f if f.name != LATE else type(f)(f.folder, f.name, listed_size, listed_mtime) for f in files]

    monkeypatch.setattr(local._LocalConnection, "list_files", listed_before_it_grew)
    db = "sqlite:///%s" % (tmp_path / "et.db")
    code, out = run_cli(night, db, tmp_path, capsys)
    assert code == 0, out
    row = registry_row(db, LATE)
    assert row.status == "quarantined" and "larger than any the game writes" in row.error
    assert _raw(db, LATE) is None
    assert len(report_cli(db, capsys)["sessions"][0]["rounds"]) == 10


def test_the_local_source_reads_at_most_the_cap(tmp_path):
    root = tmp_path / "server"
    (root / "gamestats").mkdir(parents=True)
    (root / "gamestats" / LATE).write_bytes(b"x" * (MAX_FILE_BYTES + 10))
    src = local.LocalFolderSource(str(root))
    [listed] = src.list_files()
    small = type(listed)(listed.folder, listed.name, 100, listed.mtime)
    [(_, result)] = list(src.read_many([small]))
    assert isinstance(result, OSError) and "larger than any the game writes" in str(result)


def test_a_hard_link_to_a_file_outside_the_root_is_refused(tmp_path, capsys):
    night = lay_out_night(tmp_path / "server")
    outside = tmp_path / "other_server_private.txt"
    outside.write_bytes(other_round((night / "gamestats" / R1).read_bytes()))
    os.link(outside, night / "gamestats" / LATE)
    db = "sqlite:///%s" % (tmp_path / "et.db")
    code, out = run_cli(night, db, tmp_path, capsys)
    assert code == 0, out
    row = registry_row(db, LATE)
    assert row.status == "quarantined" and "hard link" in row.error
    assert _raw(db, LATE) is None
    assert LATE not in {r["file"] for r in report_cli(db, capsys)["sessions"][0]["rounds"]}


def test_a_file_still_being_written_is_not_read_half_way(tmp_path, capsys, monkeypatch):
    """A stats file copied in slowly (a line every 0.8 s, from the moment `run` first lists
    the server): its first lines are a valid file of fewer players, and they were archived
    as the round."""
    night = lay_out_night(tmp_path / "server")
    db = "sqlite:///%s" % (tmp_path / "et.db")
    assert run_cli(night, db, tmp_path, capsys)[0] == 0
    content = other_round((night / "gamestats" / R1).read_bytes())
    lines = content.split(b"\n")
    target = night / "gamestats" / LATE
    target.write_bytes(b"\n".join(lines[:2]) + b"\n")          # the header and one player so far
    listed = threading.Event()
    real = local._LocalConnection.list_files

    def listing(self):
        listed.set()
        return real(self)

    def write_slowly():
        listed.wait(60)
        with open(target, "ab") as f:
            for line in lines[2:]:
                time.sleep(0.8)
                f.write(line + (b"\n" if line else b""))
                f.flush()
    monkeypatch.setattr(local._LocalConnection, "list_files", listing)
    writer = threading.Thread(target=write_slowly)
    writer.start()
    try:
        code, out = run_cli(night, db, tmp_path, capsys)
    finally:
        listed.set()
        writer.join()
    assert code == 0, out
    assert target.read_bytes() == content
    stored = _raw(db, LATE)
    assert stored in (None, content), "a half-written copy was archived"
    assert run_cli(night, db, tmp_path, capsys)[0] == 0             # the next run reads it whole
    assert _raw(db, LATE) == content
