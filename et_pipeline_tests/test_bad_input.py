"""Bad input loses nothing: each bad file is quarantined with its reason and shown by
`run`, the rest of the night is processed, and a later good copy is picked up."""
import json
import shutil

from sqlalchemy import select

from et_pipeline.cli import main
from et_pipeline.storage import schema as t
from et_pipeline.storage.database import make_engine
from et_pipeline_tests.dagster_homes import cli_home

GOOD_R1 = "2026-02-05-211001-supply-round-1.txt"


def registry(db_url):
    with make_engine(db_url).connect() as conn:
        return {r.name: r for r in conn.execute(select(t.server_files))}


def report(db_url, capsys, date="2026-02-05"):
    assert main(["report", "--db", db_url, "--date", date]) == 0
    return json.loads(capsys.readouterr().out)


def test_each_bad_file_is_quarantined_and_the_night_still_counts(night, tmp_path, capsys):
    gs = night / "gamestats"
    good = (gs / GOOD_R1).read_bytes()
    growing = gs / "2026-02-05-222302-sw_goldrush_te-round-1.txt"   # still being written at the first run
    complete = growing.read_bytes()
    growing.write_bytes(complete[: len(complete) * 2 // 3])
    lines = good.split(b"\n")
    bad = {
        "2026-02-05-224600-supply-round-2.txt": b"\x00\x01\x02\xff" * 300,                 # binary junk
        "2026-02-05-224700-supply-round-1.txt": b"",                                         # empty
        "2026-02-05-224800-supply-round-1.txt": b"srv\\supply\\legacy3\\1\n" + b"\n".join(lines[1:]),  # short header
        "2026-02-05-224900-supply-round-1.txt": lines[0] + b"\n" + b"\t".join(lines[1].split(b"\t")[:-2]) + b"\n",  # short line
        "2026-02-05-225000-supply-round-1.txt": b"other header\\supply\\legacy3\\1\\1\\2\\12:00\\10:10\n" + b"\n".join(lines[1:]),  # renamed copy
        "2026-02-05-2110-supply-round-1.txt": good,                                          # misnamed
        "2026-02-05-225100-supply-round-3.txt": good,                                        # no round 3 in stopwatch
    }
    for name, data in bad.items():
        (gs / name).write_bytes(data)
    (night / "gametimes" / "gametime-supply-R1-1770327900.json").write_bytes(b'{"meta": {"map": "supply", ')
    (gs / "notes.txt").write_text("not a server file")
    db = "sqlite:///%s" % (tmp_path / "et.db")
    args = ["run", "--source", str(night), "--db", db, "--dagster-home", cli_home(tmp_path / "dh"),
            "--publish", "off", "--season", "skip", "--out", str(tmp_path / "out")]
    assert main(args) == 0
    out = capsys.readouterr().out
    reg = registry(db)
    expect = {
        growing.name: "truncated",
        "2026-02-05-224600-supply-round-2.txt": "binary",
        "2026-02-05-224700-supply-round-1.txt": "empty",
        "2026-02-05-224800-supply-round-1.txt": "header has 4 fields",
        "2026-02-05-224900-supply-round-1.txt": "extended fields",
        "2026-02-05-225000-supply-round-1.txt": "same player lines as " + GOOD_R1,
        "2026-02-05-2110-supply-round-1.txt": "malformed round file name",
        "2026-02-05-225100-supply-round-3.txt": "only round 1 or 2",
        "gametime-supply-R1-1770327900.json": "invalid JSON",
    }
    for name, reason in expect.items():
        row = reg[name]
        assert row.status in ("quarantined", "duplicate"), (name, row.status)
        assert reason in row.error, (name, row.error)
        assert name in out and reason in out, name          # `run` shows name and reason
    assert "notes.txt" not in reg and "ignored 1 unrelated file" in out
    rep = report(db, capsys)
    files = [r["file"] for s in rep["sessions"] for r in s["rounds"]]
    assert len(files) == 9 and not set(bad) & set(files)      # the good rounds, only them
    s = rep["sessions"][0]
    assert s["score"] == {"A": 1, "B": 3}                        # goldrush (a tie) is simply not there yet
    goldrush_r2 = [r for r in s["rounds"] if r["map"] == "sw_goldrush_te"][0]
    assert goldrush_r2["orphan"] is True

    # the file finishes writing: the next run picks up the complete copy and pairs its R2
    growing.write_bytes(complete)
    assert main(args) == 0
    capsys.readouterr()
    assert registry(db)[growing.name].status == "parsed"
    s = report(db, capsys)["sessions"][0]
    assert len(s["rounds"]) == 10 and not any(r["orphan"] for r in s["rounds"])
    assert [m["winner"] for m in s["maps"] if m["map"] == "sw_goldrush_te"] == ["tie"]


def test_r2_without_r1_is_an_orphan_that_never_inflates(night, tmp_path, capsys):
    (night / "gamestats" / GOOD_R1).unlink()
    db = "sqlite:///%s" % (tmp_path / "et.db")
    assert main(["run", "--source", str(night), "--db", db, "--dagster-home", cli_home(tmp_path / "dh"),
                 "--publish", "off", "--season", "skip"]) == 0
    capsys.readouterr()
    s = report(db, capsys)["sessions"][0]
    r2 = [r for r in s["rounds"] if r["file"] == "2026-02-05-212035-supply-round-2.txt"][0]
    assert r2["orphan"] is True and r2["pairing"] == "orphan_r2"
    supply = [m for m in s["maps"] if m["map"] == "supply"]
    assert supply == []                       # no R1: no map play, nothing scored
    rambo = [p for p in s["players"] if p["name"] == "rambo"][0]
    orphan_kills = [p["kills"] for p in r2["players"] if p["name"] == "rambo"][0]
    assert rambo["kills"] == sum(p["kills"] for r in s["rounds"] if not r["orphan"] for p in r["players"]
                                 if p["name"] == "rambo")
    assert orphan_kills > 0


def test_copy_of_a_whole_night_under_other_names_counts_once(night, tmp_path, capsys):
    for f in list((night / "gamestats").iterdir()):
        if f.name.endswith("round-1.txt"):
            shutil.copy2(f, night / "gamestats" / f.name.replace("-round-1.txt", "-copy-round-1.txt"))
    db = "sqlite:///%s" % (tmp_path / "et.db")
    assert main(["run", "--source", str(night), "--db", db, "--dagster-home", cli_home(tmp_path / "dh"),
                 "--publish", "off", "--season", "skip"]) == 0
    capsys.readouterr()
    reg = registry(db)
    copies = [r for n, r in reg.items() if "-copy-" in n]
    assert len(copies) == 5 and all(r.status == "quarantined" and "header" in r.error for r in copies)
