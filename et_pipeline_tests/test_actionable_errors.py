"""Errors a person can act on, and hostile names made harmless (issue 12 section 7).

Each start-up problem is one line on stderr naming the path or host, with its own exit
code (README, "Exit codes"); player names lose bidirectional and zero-width characters
at parse time; Discord text cannot link or make headings; file names with control
characters are printed escaped.
"""
import json

import pytest

from et_pipeline.cli import common
from et_pipeline.cli import main
from et_pipeline.parsers.stats_file import parse_stats_file
from et_pipeline.parsers.text import printable, strip_colours
from et_pipeline.parsers.timing_file import parse_own_timing_file
from et_pipeline.publish import embeds
from et_pipeline.publish.escape import discord_text

GOOD_R1 = "2026-02-05-211001-supply-round-1.txt"


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def _sftp(server, tmp_path, url=None, key=None, known_hosts=None, extra=()):
    url = url or "sftp://%s@%s:%d%s" % (server.user, server.host, server.port, server.remote_root)
    args = ["run", "--source", url, "--sftp-cache", str(tmp_path / "cache"),
            "--db", "sqlite:///%s" % (tmp_path / "et.db"), "--dagster-home", str(tmp_path / "dh"),
            "--publish", "off", "--season", "skip"]
    if key is not False:
        args += ["--sftp-key", key or server.client_key_path]
    args += ["--known-hosts", known_hosts or server.known_hosts_path]
    return main(args + list(extra))


def test_unwritable_dagster_home_is_one_line_with_its_own_code(night, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    home = blocker / "dagster_home"
    code = main(["run", "--source", str(night), "--db", "sqlite:///%s" % (tmp_path / "et.db"),
                 "--dagster-home", str(home), "--publish", "off", "--season", "skip"])
    assert code == common.EXIT_DAGSTER_HOME
    line = _one_line(capsys.readouterr().err)
    assert str(home) in line and "Dagster home" in line


def test_an_unusable_dagster_home_is_reported_even_with_nothing_new(night, tmp_path, capsys):
    """A run with nothing new starts no Dagster run, but a misconfigured home (a cron job's
    DAGSTER_HOME) still exits 3 at once, not on the next night with data."""
    args = ["run", "--source", str(night), "--db", "sqlite:///%s" % (tmp_path / "et.db"),
            "--publish", "off", "--season", "skip"]
    assert main(args + ["--dagster-home", str(tmp_path / "dh")]) == 0
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    capsys.readouterr()
    assert main(args + ["--dagster-home", str(blocker)]) == common.EXIT_DAGSTER_HOME
    assert "Dagster home" in _one_line(capsys.readouterr().err)


def test_unknown_host_key(sftp_server, tmp_path, capsys):
    empty = tmp_path / "empty_known_hosts"
    empty.write_text("")
    assert _sftp(sftp_server, tmp_path, known_hosts=str(empty)) == common.EXIT_HOST_KEY
    line = _one_line(capsys.readouterr().err)
    assert sftp_server.host in line and "not in the known_hosts" in line


def test_changed_host_key(sftp_server, tmp_path, capsys):
    assert _sftp(sftp_server, tmp_path, known_hosts=sftp_server.wrong_known_hosts_path) == common.EXIT_HOST_KEY
    line = _one_line(capsys.readouterr().err)
    assert sftp_server.host in line and "CHANGED" in line


def test_missing_key_file_and_no_key_at_all(sftp_server, tmp_path, capsys, monkeypatch):
    missing = tmp_path / "no-such-key"
    assert _sftp(sftp_server, tmp_path, key=str(missing)) == common.EXIT_KEY_FILE
    assert str(missing) in _one_line(capsys.readouterr().err)
    monkeypatch.delenv("ET_SFTP_KEY_PATH", raising=False)
    assert _sftp(sftp_server, tmp_path, key=False) == common.EXIT_KEY_FILE
    assert "key_path" in _one_line(capsys.readouterr().err)


def test_password_in_the_sftp_url(sftp_server, tmp_path, capsys):
    url = "sftp://%s:hunter2@%s:%d%s" % (sftp_server.user, sftp_server.host, sftp_server.port, sftp_server.remote_root)
    assert _sftp(sftp_server, tmp_path, url=url) == common.EXIT_PASSWORD_IN_URL
    line = _one_line(capsys.readouterr().err)
    assert sftp_server.host in line and "password" in line and "hunter2" not in line


def test_refused_key(sftp_server, tmp_path, capsys):
    assert _sftp(sftp_server, tmp_path, key=sftp_server.other_key_path) == common.EXIT_AUTH
    assert "refused the key" in _one_line(capsys.readouterr().err)


def test_exit_codes_are_distinct_and_documented():
    from pathlib import Path

    codes = {n: getattr(common, n) for n in dir(common) if n.startswith("EXIT_")}
    assert len(set(codes.values())) == len(codes) >= 7
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for value in codes.values():
        assert "| %d |" % value in readme


HOSTILE = "\u202eevil\u200b\u200dname\u2066x\u2069\ufeff"


def test_names_lose_bidi_and_zero_width_characters_at_parse_time(night):
    assert strip_colours("^1" + HOSTILE) == "evilnamex"
    data = (night / "gamestats" / GOOD_R1).read_bytes().decode()
    header, first, rest = data.split("\n", 2)
    guid, name, tail = first.split("\\", 2)
    sf = parse_stats_file(("\n".join([header, "\\".join([guid, "^3" + HOSTILE, tail]), rest])).encode())
    assert sf.players[0].name == "evilnamex"
    timing = parse_own_timing_file(json.dumps({
        "round_start_unix": 1770320000, "round_end_unix": 1770320600, "lua_playtime_seconds": 600,
        "axis_players": [{"guid": "ABCDEF12", "name": HOSTILE}]}).encode(), "supply", 1)
    assert timing.axis_players[0]["name"] == "evilnamex"


@pytest.mark.parametrize("raw, shown", [
    ("# big", "\\# big"),
    ("-# small", "\\-# small"),
    ("  #x", "  \\#x"),
    ("a#b", "a#b"),
    ("visit https://evil.example/x", "visit https:/\u200b/evil.example/x"),
    ("HTTP://A.B", "HTTP:/\u200b/A.B"),
    ("a*b_c`d|e>f[g]", "a\\*b\\_c\\`d\\|e\\>f\\[g\\]"),
])
def test_discord_text_cannot_link_or_make_headings(raw, shown):
    assert discord_text(raw) == shown


def test_embeds_escape_through_the_one_function():
    assert embeds.esc("# http://x.io", 40) == discord_text("# http://x.io")
    assert "://" not in embeds.esc("https://discord.gg/abc", 40)


def test_file_names_with_control_characters_are_printed_escaped(night, tmp_path, capsys):
    assert printable("a\x1b[31mb\x07\u202e") == "a\\x1b[31mb\\x07\\u202e"
    (night / "gamestats" / "2026-02-05-21\x1b[2Jsupply-round-1.txt").write_bytes(b"x\n")
    assert main(["run", "--source", str(night), "--db", "sqlite:///%s" % (tmp_path / "et.db"),
                 "--dagster-home", str(tmp_path / "dh"), "--publish", "off", "--season", "skip"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "2026-02-05-21\\x1b[2Jsupply-round-1.txt" in out


# ---------------------------------------------------------------- arguments a person mistyped

@pytest.mark.parametrize("db, says", [
    ("/tmp/et.db", "--db '/tmp/et.db' is not a database URL (sqlite:///PATH or postgresql+psycopg2://USER@HOST/DB)"),
    ("mysql://u:secret@h/x", "--db: mysql databases are not supported (sqlite:///PATH or postgresql+psycopg2://USER@HOST/DB)"),
    ("sqlite:////no/such/folder/et.db", "--db sqlite:////no/such/folder/et.db: the folder /no/such/folder does not exist"),
])
@pytest.mark.parametrize("command", [["run", "--source", "sample_data/2026-02-05", "--publish", "off"],
                                     ["report", "--date", "2026-02-05"], ["season"], ["discord"]])
def test_a_database_url_that_cannot_work_is_named_by_every_command(db, says, command, tmp_path, capsys):
    """These were SQLAlchemy's words (`Could not parse SQLAlchemy URL`, a MySQLdb
    ModuleNotFoundError traceback, `unable to open database file`), without --db."""
    code = main(command + ["--db", db] + (["--dagster-home", str(tmp_path / "dh")] if command[0] == "run" else []))
    assert code == common.EXIT_USAGE
    assert _one_line(capsys.readouterr().err) == "et-pipeline: " + says
    assert "secret" not in says


def test_a_blank_et_db_url_is_the_default_database(monkeypatch):
    """A `.env` copied from `.env.example` with the value deleted: the default, as for every setting."""
    from et_pipeline.cli import build_parser, finish_parser

    monkeypatch.setenv("ET_DB_URL", "")
    a = finish_parser(build_parser()).parse_args(["report", "--date", "2026-02-05"])
    assert a.db == "sqlite:///et_pipeline.db"


@pytest.mark.parametrize("yaml_text, says", [
    ("run_storage: [\n", "its dagster.yaml does not open an instance: "),
    ("storage:\n  postgres:\n    postgres_db:\n      username: {env: DAGSTER_PG_NO_SUCH}\n      password: x\n"
     "      hostname: 127.0.0.1\n      db_name: d\n", "it needs DAGSTER_PG_NO_SUCH, which is not set"),
])
def test_a_dagster_home_whose_instance_cannot_open_is_one_line_with_its_code(yaml_text, says, night, tmp_path, capsys):
    """A production dagster.yaml copied into a home without its DAGSTER_PG_* variables, or a
    broken one, was an 87-line traceback."""
    home = tmp_path / "dh"
    home.mkdir()
    (home / "dagster.yaml").write_text(yaml_text)
    code = main(["run", "--source", str(night), "--db", "sqlite:///%s" % (tmp_path / "et.db"),
                 "--dagster-home", str(home), "--publish", "off", "--season", "skip"])
    assert code == common.EXIT_DAGSTER_HOME
    line = _one_line(capsys.readouterr().err)
    assert str(home) in line and says in line, line


@pytest.mark.parametrize("argv, says", [
    (["synth", "--nights", "1", "--out", "/proc/no-such-folder"], "--out /proc/no-such-folder cannot be written"),
    (["synth", "--nights", "1", "--out", "OUT", "--start-date", "2026-13-01"], "argument --start-date"),
    (["synth", "--nights", "0", "--out", "OUT"], "argument --nights"),
    (["synth", "--nights", "1", "--out", "OUT", "--edge-rate", "5"], "argument --edge-rate"),
    (["leaderboard", "--limit", "-3"], "argument --limit"),
])
def test_a_mistyped_argument_is_named(argv, says, tmp_path, capsys):
    argv = [str(tmp_path / "out") if x == "OUT" else x for x in argv]
    try:
        code = main(argv)
    except SystemExit as e:             # argparse: usage and one error line, exit 2
        code = e.code
    err = capsys.readouterr().err
    assert code == 2 and says in err and "Traceback" not in err, err
    assert not (tmp_path / "out").exists()


def test_a_calendar_date_that_does_not_exist_is_said_so(capsys):
    assert main(["report", "--date", "2026-02-30"]) == 2
    assert _one_line(capsys.readouterr().err) == "et-pipeline: malformed date '2026-02-30' (no such day; expected YYYY-MM-DD)"


def test_an_unwritable_dagster_home_leaves_no_database_behind(night, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code = main(["run", "--source", str(night), "--db", "sqlite:///%s" % (tmp_path / "et.db"),
                 "--dagster-home", str(blocker / "dh"), "--publish", "off", "--season", "skip"])
    assert code == common.EXIT_DAGSTER_HOME
    assert not (tmp_path / "et.db").exists()


@pytest.mark.parametrize("source, says", [
    ("sftp://u@h:abc/p", "--source sftp://u@h:abc/p: the port is not a number from 1 to 65535"),
    ("sftp://u@h:99999/p", "--source sftp://u@h:99999/p: the port is not a number from 1 to 65535"),
    ("ftp://h/p", "--source ftp://h/p: only a local folder or sftp://user@host[:port]/path is supported"),
])
def test_a_source_url_that_cannot_work_is_named(source, says, tmp_path, capsys):
    """These said `Port could not be cast to integer value as 'abc'` without the option, or
    (ftp://) that a folder of that name does not exist."""
    code = main(["run", "--source", source, "--db", "sqlite:///%s" % (tmp_path / "et.db"),
                 "--dagster-home", str(tmp_path / "dh"), "--publish", "off"])
    assert code == common.EXIT_USAGE
    assert _one_line(capsys.readouterr().err) == "et-pipeline: " + says


def test_a_player_named_twice_for_balance_is_named():
    """`balance --players rambo,rambo` said `a player is named twice`, not which."""
    from et_pipeline.season.balance import _resolve

    players = [{"guid": "AAAA1111", "name": "rambo", "aliases": ["rambo", "RaMbO"], "is_bot": False},
               {"guid": "BBBB2222", "name": "ghost", "aliases": ["ghost"], "is_bot": False}]
    assert _resolve(players, ["rambo", "ghost", "RaMbO"]) == (
        [], "'rambo' and 'RaMbO' are the same player (AAAA1111): name each player once")


def test_a_bad_database_url_from_the_environment_is_named_as_the_variable(monkeypatch, capsys):
    monkeypatch.setenv("ET_DB_URL", "mysql://u@h/x")
    assert main(["season"]) == common.EXIT_USAGE
    assert _one_line(capsys.readouterr().err).startswith("et-pipeline: ET_DB_URL: mysql databases are not supported")


@pytest.mark.parametrize("text", ["2025-W02-1", "20250107xx", "2025-1-07x"])
def test_only_yyyy_mm_dd_is_a_date(text):
    """Python's fromisoformat also reads 2025-W02-1 (a week date) and 20250107xx's first
    eight digits; a session date is written one way."""
    assert common.session_date(text) is None
