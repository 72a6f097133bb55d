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
