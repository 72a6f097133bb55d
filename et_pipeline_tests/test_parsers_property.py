"""Robustness properties of every parser: whatever bytes arrive from the game server
(garbage, a file read while still being written, a flipped byte, a stray TAB or
backslash), a parser returns rows or raises `ParseError` with a reason. Any other
exception would stop a partition instead of quarantining one file (CONTRACT 3).

Hypothesis runs derandomized so the suite is deterministic; budgets keep the whole
module well under 20 s. Inputs that once broke the rule are pinned as explicit
regression cases at the end of the module.
"""
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from et_pipeline.parsers.endstats_file import parse_endstats_file
from et_pipeline.parsers.errors import ParseError
from et_pipeline.parsers.filenames import FileName, classify
from et_pipeline.parsers.stats_file import _Memo, _parse_player_line_carefully, parse_player_line, parse_stats_file
from et_pipeline.parsers.timing_file import parse_gametime_file, parse_own_timing_file

FIXTURES = Path(__file__).resolve().parent / "fixtures"
NIGHT = FIXTURES / "corpus" / "2026-02-05"
UNIT = FIXTURES / "unit"

PARSERS = {
    "stats": parse_stats_file,
    "endstats": parse_endstats_file,
    "gametime": parse_gametime_file,
    "own_timing": lambda data: parse_own_timing_file(data, "supply", 1),
}

REAL = {
    "stats": [NIGHT / "gamestats" / "2026-02-05-212035-supply-round-2.txt",
              NIGHT / "gamestats_c0rnp0rn8" / "2026-02-05-220813-etl_sp_delivery-round-2.txt",
              UNIT / "2026-02-06-210000-supply-round-1.txt"],
    "endstats": [NIGHT / "endstats" / "2026-02-05-212034-supply-round-2-endstats.txt",
                 UNIT / "2026-02-06-210001-supply-round-1-endstats.txt"],
    "gametime": [NIGHT / "gametimes" / "gametime-etl_adlernest-R1-1770323208.json",
                 NIGHT / "gametimes_webhook_v1.7.2" / "gametime-supply-R2-1770322832.json"],
    "own_timing": [UNIT / "2025-02-03-045845-supply-round-1-timing.txt",
                   UNIT / "2025-02-03-045845-supply-round-1-timing.json"],
}
SAMPLES = [(kind, p.read_bytes()) for kind, paths in REAL.items() for p in paths]

FAST = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def rows_or_parse_error(kind: str, data: bytes):
    """The property itself: a result, or a ParseError that says something."""
    try:
        return PARSERS[kind](data)
    except ParseError as e:
        assert str(e).strip(), "ParseError without a reason"
        return None


# --------------------------------------------------------------------------- the real files are fine


@pytest.mark.parametrize("kind, data", SAMPLES, ids=[f"{k}-{i}" for i, (k, _) in enumerate(SAMPLES)])
def test_samples_parse(kind, data):
    assert rows_or_parse_error(kind, data) is not None


# --------------------------------------------------------------------------- any bytes


@pytest.mark.parametrize("kind", sorted(PARSERS))
@FAST
@given(data=st.binary(max_size=600))
def test_any_bytes(kind, data):
    rows_or_parse_error(kind, data)


TOKENS = [b"\\", b"\t", b"\n", b"\r\n", b" ", b"^", b"^^", b"0", b"1", b"-1", b"12:00", b"8:41", b"40",
          b"VS_HEADER", b"Most damage given", b"Most objectives stolen", b"{", b"}", b"[", b"]", b"\"", b":",
          b",", b"=", b"round_start_unix=", b"playtime=", b"\"meta\"", b"\"payload\"", b"\xe9", b"\x80",
          b"\xff", b"OMNIBOT0", b"[BOT]", b"9999999999", b"3.5", b"nan", b"inf"]


@pytest.mark.parametrize("kind", sorted(PARSERS))
@FAST
@given(parts=st.lists(st.sampled_from(TOKENS) | st.binary(max_size=4), max_size=80))
def test_token_soup(kind, parts):
    """Bytes built from the formats' own separators and keywords reach deeper code paths
    than uniform random bytes."""
    rows_or_parse_error(kind, b"".join(parts))


# --------------------------------------------------------------------------- mutated real files


@pytest.mark.parametrize("kind, data", SAMPLES, ids=[f"{k}-{i}" for i, (k, _) in enumerate(SAMPLES)])
def test_every_truncation_of_a_real_file(kind, data):
    for n in range(len(data) + 1):
        rows_or_parse_error(kind, data[:n])


@pytest.mark.parametrize("path", REAL["stats"], ids=lambda p: p.name)
def test_a_truncated_stats_file_never_yields_a_damaged_player_line(path):
    """A file read while being written is refused, or it is a clean prefix: every
    player line it returns is one of the complete file's lines, unchanged."""
    data = path.read_bytes()
    full = parse_stats_file(data)
    complete = [(p.guid, p.raw_name, p.rounds, p.side, p.weapons, p.tab) for p in full.players]
    for n in range(len(data)):
        try:
            sf = parse_stats_file(data[:n])
        except ParseError:
            continue
        got = [(p.guid, p.raw_name, p.rounds, p.side, p.weapons, p.tab) for p in sf.players]
        assert got == complete[:len(got)], n


@FAST
@given(sample=st.sampled_from(SAMPLES), flips=st.lists(st.tuples(st.integers(0, 10 ** 6), st.integers(0, 255)),
                                                       min_size=1, max_size=6))
def test_random_byte_flips(sample, flips):
    kind, data = sample
    buf = bytearray(data)
    for pos, value in flips:
        buf[pos % len(buf)] = value
    rows_or_parse_error(kind, bytes(buf))


INSERTS = [b"\t", b"\\", b"\t\t", b"\\\\", b"\n", b"\r", b" ", b"\x00", b"\"", b"-", b".", b"e"]


@FAST
@given(sample=st.sampled_from(SAMPLES),
       edits=st.lists(st.tuples(st.integers(0, 10 ** 6), st.sampled_from(INSERTS)), min_size=1, max_size=5))
def test_inserted_tabs_backslashes_and_separators(sample, edits):
    kind, data = sample
    buf = bytearray(data)
    for pos, chunk in edits:
        i = pos % (len(buf) + 1)
        buf[i:i] = chunk
    rows_or_parse_error(kind, bytes(buf))


@FAST
@given(sample=st.sampled_from(SAMPLES), cuts=st.lists(st.integers(0, 10 ** 6), min_size=1, max_size=4))
def test_deleted_bytes(sample, cuts):
    kind, data = sample
    buf = bytearray(data)
    for pos in cuts:
        if buf:
            del buf[pos % len(buf)]
    rows_or_parse_error(kind, bytes(buf))


@pytest.mark.parametrize("path", REAL["stats"], ids=lambda p: p.name)
@FAST
@given(data=st.data())
def test_stats_lines_shuffled_or_dropped_stay_parseable(path, data):
    """Player-line order is arbitrary on a real server; any subset in any order parses."""
    lines = path.read_bytes().split(b"\n")[:-1]
    header, players = lines[0], lines[1:]
    chosen = data.draw(st.permutations(players))
    keep = data.draw(st.integers(0, len(chosen)))
    sf = parse_stats_file(b"\n".join([header] + list(chosen[:keep])) + b"\n")
    assert len(sf.players) == keep


def _outcome(parse, line: str):
    try:
        return parse(line, 2)
    except ParseError as e:
        return str(e)


PLAYER_LINES = [ln for _, data in SAMPLES[:3] for ln in data.decode("latin-1").split("\n")[1:-1]]
LINE_EDITS = ["\t", "\\", " ", "-", ".", "e", "1", "9" * 12, "\u0665", "_", "+", "nan", "inf", "1e999", ""]


@FAST
@given(line=st.sampled_from(PLAYER_LINES),
       edits=st.lists(st.tuples(st.integers(0, 10 ** 6), st.integers(0, 3), st.sampled_from(LINE_EDITS)),
                      max_size=4))
def test_fast_and_careful_player_line_paths_agree(line, edits):
    """The fast path accepts only what the careful path accepts, with the same values;
    everything else falls through to the careful path and its message."""
    for pos, cut, chunk in edits:
        i = pos % (len(line) + 1)
        line = line[:i] + chunk + line[i + cut:]
    assert _outcome(parse_player_line, line) == _outcome(_parse_player_line_carefully, line)


@pytest.mark.parametrize("edit", LINE_EDITS + ["\u0665\u0665", " 1", "1 ", "0x1", "1.0", "-0"])
def test_fast_and_careful_paths_agree_field_by_field(edit):
    """Each field of a real line replaced in turn: rounds, side, every weapon number,
    every extended field."""
    line = PLAYER_LINES[0]
    guid, name, rounds, side, rest = line.split("\\")
    weapons, tabs = rest.split("\t", 1)
    variants = [line.replace("\\%s\\%s\\" % (rounds, side), "\\%s\\%s\\" % (a, b), 1)
                for a, b in ((edit, side), (rounds, edit))]
    w, t = weapons.split(" "), tabs.split("\t")
    for i in range(len(w)):
        variants.append("\\".join([guid, name, rounds, side, " ".join(w[:i] + [edit] + w[i + 1:]) + "\t" + tabs]))
    for i in range(len(t)):
        variants.append("\\".join([guid, name, rounds, side, weapons + "\t" + "\t".join(t[:i] + [edit] + t[i + 1:])]))
    for variant in variants:
        assert _outcome(parse_player_line, variant) == _outcome(_parse_player_line_carefully, variant), variant


def test_memo_tables_stay_bounded_and_remember_no_failures(monkeypatch):
    monkeypatch.setattr(_Memo, "LIMIT", 3)
    memo = _Memo(int)
    for i in range(10):
        assert memo[str(i)] == i
        assert len(memo) <= 3
    with pytest.raises(ValueError):
        memo["x"]
    assert "x" not in memo


# --------------------------------------------------------------------------- file names


@FAST
@given(name=st.text(max_size=80))
def test_classify_any_text(name):
    try:
        got = classify(name)
    except ParseError as e:
        assert str(e)
        return
    assert got is None or isinstance(got, FileName)


@FAST
@given(name=st.from_regex(
    r"\A(\d{4}-\d{2}-\d{2}-\d{6}-[a-z0-9_. +-]{0,12}-round-\d{1,3}(-endstats|-timing|_ws)?\.(txt|json)"
    r"|gametime-[a-z_ -]{0,8}-R\d{1,2}-\d{1,12}\.json)\Z"))
def test_classify_round_like_names(name):
    try:
        got = classify(name)
    except ParseError as e:
        assert str(e)
        return
    if got is not None:
        assert got.round in (1, 2)
        assert got.map and " " not in got.map
        if got.local_time is not None:
            assert got.stem in name


# --------------------------------------------------------------------------- structured JSON timing documents

JSON_SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
                | st.text(max_size=12))
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)
FIELD_NAMES = ["Map", "Round", "Winner", "Defender", "Lua_Playtime", "Lua_Timelimit", "Lua_Pauses",
               "Lua_EndReason", "Lua_Warmup", "Lua_RoundStart", "Lua_RoundEnd", "Lua_SurrenderTeam",
               "Axis_JSON", "Allies_JSON", "Lua_Pauses_JSON"]
META_KEYS = ["map", "round", "round_start_unix", "round_end_unix", "actual_duration_seconds",
             "warmup_seconds", "pause_seconds", "pause_count", "spawn_stats"]
OWN_KEYS = ["map", "round", "round_start_unix", "round_end_unix", "playtime", "lua_playtime_seconds",
            "warmup", "pauses", "pause_seconds", "total_pause_seconds", "winner", "winner_team",
            "defender", "end_reason", "timelimit_minutes", "axis_players", "allies_players", "version"]


def gametime_docs():
    field = st.fixed_dictionaries({"name": st.sampled_from(FIELD_NAMES)}, optional={"value": JSON_VALUES})
    embed = st.fixed_dictionaries({}, optional={"fields": st.lists(field, max_size=8) | JSON_VALUES,
                                                "footer": JSON_VALUES})
    payload = st.fixed_dictionaries({}, optional={"embeds": st.lists(embed, max_size=2) | JSON_VALUES})
    meta = st.dictionaries(st.sampled_from(META_KEYS), JSON_VALUES, max_size=6)
    return st.fixed_dictionaries({}, optional={"meta": meta | JSON_VALUES, "payload": payload | JSON_VALUES})


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(doc=gametime_docs())
@example(doc={"meta": {"map": "supply", "round": 1}, "payload": {"embeds": [{"fields": 5}]}})
def test_gametime_any_json_document(doc):
    rows_or_parse_error("gametime", json.dumps(doc).encode())


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(doc=st.dictionaries(st.sampled_from(OWN_KEYS), JSON_VALUES, max_size=10), as_json=st.booleans())
@example(doc={"round_start_unix": float("inf"), "round_end_unix": 1, "playtime": 3}, as_json=True)
def test_own_timing_any_document(doc, as_json):
    if as_json:
        data = json.dumps(doc).encode()
    else:
        data = " ".join("%s=%s" % (k, str(v).replace(" ", "")) for k, v in doc.items()).encode()
    rows_or_parse_error("own_timing", data)


# --------------------------------------------------------------------------- regressions (one case per fixed bug)

DEEP = 5000
ESCAPES = [
    ("stats", b"srv\\supply\\cfg\\1\\1\\2\\1.5e999\\8:00\n",
     "clock_seconds: float('1.5e999') is inf and round(inf) raises OverflowError (header field 7/8)"),
    ("stats", b"srv\\supply\\cfg\\1\\1\\2\\12:00\\9.9e400\n",
     "clock_seconds: round(inf) raises OverflowError for header field 8"),
    ("endstats", b"Jerome\t" + b"1" * 5000 + b"\t2\n",
     "VS row: _INT matches but int() refuses more than 4300 digits (ValueError)"),
    ("gametime", b"[" * DEEP, "json.loads raises RecursionError on deep nesting (not caught)"),
    ("gametime", b"{\"meta\": {\"map\": \"supply\", \"round\": NaN}}", "_int(NaN) raises ValueError"),
    ("gametime", b"{\"meta\": {\"map\": \"supply\", \"round\": 1e999}}", "_int(inf) raises OverflowError"),
    ("gametime", b"{\"meta\": {\"map\": \"supply\", \"round\": 1" + b"0" * 400 + b"}}",
     "_num(10**400) raises OverflowError (int too large for float)"),
    ("gametime", b"{\"meta\": {\"map\": \"supply\", \"round\": \"" + b"9" * 400 + b"\"}}",
     "float of a 400-digit string is inf, int(inf) raises OverflowError"),
    ("gametime", b"{\"meta\": {\"map\": \"supply\", \"round\": 1}, \"payload\": {\"embeds\": [{\"fields\": 5}]}}",
     "iterating a non-list 'fields' raises TypeError"),
    ("gametime", b"{\"payload\": {\"embeds\": [{\"fields\": [{\"name\": \"Map\", \"value\": \"supply\"}, "
                 b"{\"name\": \"Round\", \"value\": \"1\"}, {\"name\": \"Axis_JSON\", \"value\": \""
                 + b"[" * DEEP + b"\"}]}]}}",
     "_players: json.loads RecursionError on a deeply nested roster string"),
    ("own_timing", b"round_start_unix=" + b"9" * 400 + b" round_end_unix=1738555125 playtime=325",
     "key=value: a 400-digit number becomes inf, int(inf) raises OverflowError"),
    ("own_timing", b"{\"round_start_unix\": NaN, \"round_end_unix\": 1738555125, \"playtime\": 325}",
     "_int(NaN) raises ValueError"),
    ("own_timing", b"{\"round_start_unix\": 1738e54800, \"round_end_unix\": 1738555125, \"playtime\": 325}",
     "one flipped digit ('0' -> 'e') in a real file gives inf: OverflowError"),
    ("own_timing", b"{\"a\": " + b"[" * DEEP, "json.loads raises RecursionError on deep nesting"),
]


@pytest.mark.parametrize("kind, data, why", [
    pytest.param(k, d, w, id="%s-%d" % (k, i))
    for i, (k, d, w) in enumerate(ESCAPES)])
def test_known_escapes_are_parse_errors(kind, data, why):
    rows_or_parse_error(kind, data)
