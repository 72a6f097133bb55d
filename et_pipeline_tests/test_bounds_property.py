"""Fuzz: whatever number sits in any field of a stats, timing or endstats file, the parse
steps either quarantine the file with a reason or emit rows every database can store
and nobody would call implausible (issue 12 section 2). One bad file never stops the
others of its partition.

Hypothesis runs derandomized (deterministic suite), with small budgets.
"""
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from et_pipeline.config import Rules
from et_pipeline.parsers.filenames import classify
from et_pipeline.steps.awards import build_awards
from et_pipeline.steps.rounds import build_rounds
from et_pipeline.steps.timings import build_timings

NIGHT = Path(__file__).resolve().parent / "fixtures" / "corpus" / "2026-02-05"
R1 = "2026-02-05-211001-supply-round-1.txt"
R2 = "2026-02-05-212035-supply-round-2.txt"
INT32 = 2 ** 31 - 1
FAST = settings(max_examples=120, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

numbers = st.one_of(
    st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
    st.sampled_from([2 ** 31, 2 ** 40, 2 ** 63, 2 ** 63 - 1, 2 ** 64, -1, -(2 ** 63)]).map(int),
    st.floats(allow_nan=True, allow_infinity=True).map(lambda f: float(f)),
    st.sampled_from(["9.9e14", "1e308", "-0.0", "0x10", "1_000"]),
).map(str)


def _files(r1: bytes):
    return [("gamestats/" + R1, classify(R1), r1),
            ("gamestats/" + R2, classify(R2), (NIGHT / "gamestats" / R2).read_bytes())]


def _rows_fit(rows):
    for row in rows:
        for col, v in row.items():
            if isinstance(v, bool) or v is None:
                continue
            if isinstance(v, int):
                assert -INT32 <= v <= INT32, (col, v)
            if isinstance(v, float):
                assert v == v and abs(v) < 1e12, (col, v)


def _check_rounds(r1: bytes):
    result = build_rounds(_files(r1), "2026-02-05", Rules())
    status = {o.path: o for o in result.outcomes}
    assert status["gamestats/" + R2].status == "parsed"            # the other file is processed
    o = status["gamestats/" + R1]
    assert o.status == "parsed" or (o.status == "quarantined" and o.error)
    _rows_fit(result.rounds + result.player_dicts() + result.weapon_dicts())
    for p in result.player_dicts():
        assert p["damage_given"] >= 0 and p["dpm"] >= 0 and p["kills"] >= 0


@FAST
@given(line=st.integers(1, 6), field=st.integers(0, 37), value=numbers)
def test_any_number_in_any_extended_field(line, field, value):
    lines = (NIGHT / "gamestats" / R1).read_bytes().decode().split("\n")
    head, *tab = lines[line].split("\t")
    tab[field] = value
    lines[line] = "\t".join([head, *tab])
    _check_rounds("\n".join(lines).encode())


@FAST
@given(line=st.integers(1, 6), token=st.integers(1, 12), value=numbers)
def test_any_number_in_the_weapon_block(line, token, value):
    lines = (NIGHT / "gamestats" / R1).read_bytes().decode().split("\n")
    head, rest = lines[line].split("\t", 1)
    *front, weapons = head.split("\\")
    parts = weapons.split(" ")
    parts[min(token, len(parts) - 2)] = value
    lines[line] = "\\".join([*front, " ".join(parts)]) + "\t" + rest
    _check_rounds("\n".join(lines).encode())


@FAST
@given(field=st.sampled_from([3, 4, 5, 8]), value=numbers)
def test_any_number_in_a_header_field(field, value):
    lines = (NIGHT / "gamestats" / R1).read_bytes().decode().split("\n")
    parts = lines[0].split("\\") + ["600000"]
    parts[field] = value
    lines[0] = "\\".join(parts)
    _check_rounds("\n".join(lines).encode())


TIMING = "2026-02-05-211000-supply-round-1-timing.txt"
KEYS = ["round_start_unix", "round_end_unix", "playtime", "warmup", "pauses", "pause_seconds", "winner",
        "defender", "timelimit", "surrender_team", "round"]


@FAST
@given(key=st.sampled_from(KEYS), value=numbers)
def test_any_number_in_a_timing_file(key, value):
    values = dict(round_start_unix="1770321600", round_end_unix="1770322200", playtime="600", warmup="10",
                  pauses="1", pause_seconds="5", winner="1", defender="1", timelimit="12", round="1")
    values[key] = value
    data = " ".join("%s=%s" % kv for kv in values.items()).encode()
    rows, outcomes = build_timings([("gametimes/" + TIMING, classify(TIMING), data)], "2026-02-05", Rules())
    (o,) = outcomes
    assert o.status in ("parsed", "skipped") or (o.status in ("quarantined", "duplicate") and o.error)
    _rows_fit([{k: v for k, v in r.items() if k not in ("round_start_unix", "round_end_unix")} for r in rows])
    for r in rows:
        assert 0 <= (r["playtime_seconds"] or 0) <= 86400 and 0 <= r["pause_count"] <= 1000


ENDSTATS = "2026-02-05-212034-supply-round-2-endstats.txt"


@FAST
@given(value=numbers)
def test_any_number_in_an_endstats_vs_line(value):
    text = (NIGHT / "endstats" / ENDSTATS).read_text()
    lines = text.split("\n")
    vs = [i for i, ln in enumerate(lines) if ln.count("\t") >= 2 and not ln.startswith(("VS_HEADER", "#"))]
    if vs:
        cells = lines[vs[-1]].split("\t")
        cells[-2] = value
        lines[vs[-1]] = "\t".join(cells)
    awards, vs_rows, outcomes = build_awards([("gamestats/" + ENDSTATS, classify(ENDSTATS), "\n".join(lines).encode())],
                                             [], {}, "2026-02-05", Rules())
    (o,) = outcomes
    assert o.status == "parsed" or (o.status == "quarantined" and o.error)
    _rows_fit(vs_rows)
    _rows_fit([{k: v for k, v in a.items() if k != "value_numeric"} for a in awards])


@FAST
@given(field=st.integers(min_value=0, max_value=60), value=numbers)
def test_the_quick_bounds_check_and_the_one_that_names_the_field_agree(field, value):
    """check_stats_file asks a quick yes or no per player line and names the field only
    when the answer is no: both must draw the line at the same place for every number."""
    from et_pipeline.parsers import bounds
    from et_pipeline.parsers.errors import ParseError
    from et_pipeline.parsers.stats_file import parse_stats_file

    lines = (NIGHT / "gamestats" / R1).read_bytes().decode().split("\n")
    cells = lines[1].split("\t")
    cells[field % len(cells)] = value
    lines[1] = "\t".join(cells)
    try:
        sf = parse_stats_file("\n".join(lines).encode())
    except ParseError:
        return
    for n, p in enumerate(sf.players, start=2):
        try:
            bounds._check_player(n, p)
            named = True
        except ParseError:
            named = False
        assert bounds._player_within_bounds(p) == named
