"""One bad file never fails a date (issue 12 section 2).

Each case adds one file to the recorded night: the run exits 0, the file is quarantined
with its reason (shown by `run`), the ten good rounds are all reported, and no
implausible number reaches the report. The cases share one night (a file each, run
once); some also run on PostgreSQL, whose `integer` overflows long before SQLite's.
"""
import contextlib
import io
import json
import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from et_pipeline.cli import main
from et_pipeline.storage import schema as t
from et_pipeline.storage.database import make_engine
from et_pipeline_tests.dagster_homes import cli_home
from et_pipeline_tests.pipeline_fixtures import lay_out_night

DATE = "2026-02-05"
GOOD_R1 = "2026-02-05-211001-supply-round-1.txt"
BAD = "2026-02-05-224500-supply-round-1.txt"          # one more round of the night
BIG = 2 ** 63


def _lines(night):
    return (night / "gamestats" / GOOD_R1).read_bytes().decode().split("\n")[:-1]


def _with_tab(line: str, index: int, value) -> str:
    head, *tab = line.split("\t")
    tab[index] = str(value)
    return "\t".join([head, *tab])


def _file(lines) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def _stats(night, mutate) -> dict:
    return {"gamestats/" + BAD: _file(mutate(_lines(night)))}


def _header(lines, index, value):
    """The header field changed, and one player's gibs, so it is not a copy of a real round."""
    parts = lines[0].split("\\")
    while len(parts) <= index:
        parts.append("600000")
    parts[index] = str(value)
    return ["\\".join(parts), _with_tab(lines[1], 4, 9)] + lines[2:]


def _many_players(lines):
    base = lines[1].split("\\", 1)[1]
    return [lines[0]] + ["%08X\\%s" % (0x10000000 + i, base.replace("olz", "p%d" % i, 1)) for i in range(65)]


def _timing(text: str) -> dict:
    return {"gametimes/2026-02-05-224500-supply-round-1-timing.txt": text.encode()}


LUA = "map=supply round=1 round_start_unix=1770327300 round_end_unix=1770327900 playtime=%s pauses=%s"

# case -> (files to add (folder/name -> bytes), expected reason in the registry)
CASES = {
    "int_2_63_in_a_stats_field": (lambda n: _stats(n, lambda ls: [ls[0], _with_tab(ls[1], 0, BIG)] + ls[2:]),
                                  "damage_given on line 2 out of range"),
    "int_2_63_in_a_weapon_counter": (lambda n: _stats(n, lambda ls: [ls[0], ls[1].replace(" 0 0 0 10 ", " %d 0 0 10 " % BIG, 1)] + ls[2:]),
                                     "weapon"),
    "int_2_63_in_the_winner_field": (lambda n: _stats(n, lambda ls: _header(ls, 5, BIG)), "header field 6 (winner)"),
    "int_2_63_in_the_playtime_field": (lambda n: _stats(n, lambda ls: _header(ls, 8, BIG)), "header field 9"),
    "huge_time_limit": (lambda n: _stats(n, lambda ls: _header(ls, 6, "99999999999999999999:00")), "header field 7"),
    "damage_2_40": (lambda n: _stats(n, lambda ls: [ls[0], _with_tab(ls[1], 0, 2 ** 40)] + ls[2:]),
                    "damage_given on line 2 out of range"),
    "negative_damage": (lambda n: _stats(n, lambda ls: [ls[0], _with_tab(ls[1], 0, -2034)] + ls[2:]),
                        "damage_given on line 2 out of range"),
    "line_written_twice": (lambda n: _stats(n, lambda ls: ls[:2] + [ls[1]] + ls[2:]), "written twice"),
    "two_lines_of_one_guid": (lambda n: _stats(n, lambda ls: ls[:2] + [_with_tab(ls[1], 4, 9)] + ls[2:]),
                              "same GUID"),
    "more_players_than_the_engine_has": (lambda n: _stats(n, _many_players), "number of player lines"),
    "file_larger_than_the_game_writes": (lambda n: {"gamestats/" + BAD: b"x" * (2 << 20)},
                                         "larger than any the game writes"),
    "lua_playtime_9_9e14": (lambda n: _timing(LUA % ("990000000000000", "0")), "Lua playtime (s) out of range"),
    "lua_pause_count_1e14": (lambda n: _timing(LUA % ("600", "100000000000000")), "Lua pause count out of range"),
    # text longer than its column: SQLite stores it, PostgreSQL refuses the whole partition
    "long_config_field": (lambda n: _stats(n, lambda ls: _header(ls, 2, "legacy" * 20)), "header field 3 (config) too long"),
    "zero_padded_time_limit": (lambda n: _stats(n, lambda ls: _header(ls, 6, "0" * 20 + "12:00")), "header field 7 (time limit) too long"),
    "long_lua_end_reason": (lambda n: _timing(LUA % ("600", "0") + " end_reason=" + "x" * 40), "Lua end reason too long"),
    "long_lua_version": (lambda n: _timing(LUA % ("600", "0") + " version=" + "1." * 20), "Lua version too long"),
}


def _cli(argv) -> tuple[int, str]:
    """An `et-pipeline` command in this process: its exit code and what it printed (a
    module fixture has no capsys)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(argv)
    return code, out.getvalue()


def _run(night, db, tmp_path):
    return _cli(["run", "--source", str(night), "--db", db, "--dagster-home", cli_home(tmp_path / "dh"),
                 "--publish", "off", "--season", "skip"])


def _report(db):
    code, out = _cli(["report", "--db", db, "--date", DATE])
    assert code == 0
    return json.loads(out)


def _registry(db):
    with make_engine(db).connect() as conn:
        return {r.path: r for r in conn.execute(select(t.server_files))}


def _case_path(path: str, i: int) -> str:
    """Case i's own file name, so every case lands beside the others in one night: a timing
    file at 22:45:00 + i s, as alone (8 minutes after the night's last round, which it is
    linked to: timing files go to the session of the nearest stats file's name, bad ones
    included), a stats file 20 minutes later still, far from every timing case."""
    if path.startswith("gametimes/"):
        return path.replace("-224500-", "-2245%02d-" % i, 1)
    return path.replace("-224500-", "-2305%02d-" % i, 1)


def _run_cases(cases, tmp: Path, db: str) -> dict:
    """The recorded night with one bad file per case added, run once: the case's file
    names, what `run` printed, the registry and the report. One run for all the cases:
    each file is quarantined on its own, so together they also show that one night can
    hold many bad files and still be processed whole."""
    night = lay_out_night(tmp / "server")
    paths = {}
    for i, case in enumerate(cases):
        (rel, data), = CASES[case][0](night).items()
        paths[case] = _case_path(rel, i)
        (night / paths[case]).write_bytes(data)
    code, out = _run(night, db, tmp)
    return dict(code=code, out=out, paths=paths, registry=_registry(db), session=_report(db)["sessions"][0])


def _check_case(case, night) -> None:
    assert night["code"] == 0, night["out"]
    path, reason = night["paths"][case], CASES[case][1]
    row = night["registry"][path]
    assert row.status == "quarantined" and reason in row.error, (row.status, row.error)
    assert any(path in line and reason in line for line in night["out"].splitlines()), night["out"]  # which and why
    s = night["session"]
    assert len(s["rounds"]) == 10 and not set(night["paths"].values()) & {"gamestats/" + r["file"] for r in s["rounds"]}
    text = json.dumps(s)
    assert str(2 ** 40) not in text and "16500000000000" not in text


POSTGRES_CASES = ["damage_2_40", "int_2_63_in_the_winner_field", "lua_pause_count_1e14", "long_config_field",
                  "zero_padded_time_limit", "long_lua_end_reason", "long_lua_version"]


@pytest.fixture(scope="module")
def sqlite_night(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bad_sqlite")
    return _run_cases(sorted(CASES), tmp, "sqlite:///%s" % (tmp / "et.db"))


@pytest.fixture(scope="module")
def postgres_night(tmp_path_factory, postgres_server):
    name = "test_" + uuid.uuid4().hex[:12]
    url = postgres_server.create_database(name)
    try:
        yield _run_cases(POSTGRES_CASES, tmp_path_factory.mktemp("bad_pg"), url)
    finally:
        postgres_server.drop_database(name)


@pytest.mark.parametrize("case", sorted(CASES))
def test_one_bad_file_is_quarantined_and_the_night_is_processed(case, sqlite_night):
    _check_case(case, sqlite_night)


@pytest.mark.parametrize("case", POSTGRES_CASES)
def test_one_bad_file_on_postgresql(case, postgres_night):
    _check_case(case, postgres_night)


def test_a_bad_file_alone_is_quarantined_and_the_night_is_processed(tmp_path):
    """The cases above share one night; one of them alone, as the night usually has it."""
    night = _run_cases(["damage_2_40"], tmp_path, "sqlite:///%s" % (tmp_path / "et.db"))
    _check_case("damage_2_40", night)


def test_two_guidless_players_of_one_name_are_two_players(tmp_path):
    night = lay_out_night(tmp_path / "server")
    lines = _lines(night)
    guidless = [_with_tab("\\ETPlayer\\" + ln.split("\\", 2)[2], 0, 100 + i) for i, ln in enumerate(lines[1:3])]
    (night / "gamestats" / BAD).write_bytes(_file([lines[0], *guidless, *lines[3:]]))
    db = "sqlite:///%s" % (tmp_path / "et.db")
    code, out = _run(night, db, tmp_path)
    assert code == 0, out
    assert _registry(db)["gamestats/" + BAD].status == "parsed"
    rnd = [r for r in _report(db)["sessions"][0]["rounds"] if r["file"] == BAD][0]
    ets = [p for p in rnd["players"] if p["name"] == "ETPlayer"]
    assert sorted(p["damage_given"] for p in ets) == [100, 101]


def test_non_utf8_round_file_name_is_quarantined(tmp_path):
    night = lay_out_night(tmp_path / "server")
    raw = os.fsencode(str(night / "gamestats")) + b"/2026-02-05-224500-sup\xffply-round-1.txt"
    with open(raw, "wb") as f:
        f.write((night / "gamestats" / GOOD_R1).read_bytes())
    db = "sqlite:///%s" % (tmp_path / "et.db")
    code, out = _run(night, db, tmp_path)
    assert code == 0, out
    row = _registry(db)["gamestats/2026-02-05-224500-sup\\xffply-round-1.txt"]
    assert row.status == "quarantined" and "not valid UTF-8" in row.error
    assert "sup\\xffply" in out
    assert len(_report(db)["sessions"][0]["rounds"]) == 10


def test_a_failure_names_the_file_that_caused_it(tmp_path, monkeypatch):
    """A fault the parser does not foresee still fails the date, and the FAILED line says which file."""
    import et_pipeline.steps.rounds as rounds

    real = rounds.parse_stats_file

    def faulty(data):
        if b"FAULT" in data:
            raise RuntimeError("injected fault")
        return real(data)

    monkeypatch.setattr(rounds, "parse_stats_file", faulty)
    night = lay_out_night(tmp_path / "server")
    lines = _lines(night)
    (night / "gamestats" / BAD).write_bytes(_file(["FAULT" + lines[0]] + lines[1:]))
    code, out = _run(night, "sqlite:///%s" % (tmp_path / "et.db"), tmp_path)
    assert code == 1
    failed = [ln for ln in out.splitlines() if ln.startswith("FAILED")]
    assert failed and BAD in failed[0] and "injected fault" in failed[0]


def test_non_utf8_file_name_over_sftp_is_quarantined_not_fatal(sftp_server, tmp_path, capsys):
    """paramiko decodes names strictly: one such file made the whole server unlistable."""
    lay_out_night(sftp_server.root)
    raw = os.fsencode(str(sftp_server.root / "gamestats")) + b"/2026-02-05-224500-sup\xffply-round-1.txt"
    with open(raw, "wb") as f:
        f.write(b"x\n")
    url = "sftp://%s@%s:%d%s" % (sftp_server.user, sftp_server.host, sftp_server.port, sftp_server.remote_root)
    db = "sqlite:///%s" % (tmp_path / "et.db")
    code = main(["run", "--source", url, "--sftp-key", sftp_server.client_key_path,
                 "--known-hosts", sftp_server.known_hosts_path, "--sftp-cache", str(tmp_path / "cache"),
                 "--db", db, "--dagster-home", cli_home(tmp_path / "dh"), "--publish", "off", "--season", "skip"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "QUARANTINED  gamestats/2026-02-05-224500-sup\\xffply-round-1.txt: file name is not valid UTF-8" in out
    assert len(_report(db)["sessions"][0]["rounds"]) == 10
    assert sftp_server.write_ops == []
