"""Issue 14: a player shown dead for 100 % of a round with 5 kills.

Measured on the recorded night: the script's own dead-time counter (TAB 25) is
over-counted by c0rnp0rn7 and the first c0rnp0rn8 (FORMATS.md 1.5: the running dead
interval is re-added on every 5-second snapshot), by 1 to 386 s per row, and in four
round-2 rows it is larger than the round-2 time played itself. The engine's own counters
(alive % TAB 8 and team minutes TAB 22, which the R2 differential already turns into
this-round values) give the dead time to within a second of the simulation's truth.
"""
import json
from pathlib import Path

import pytest

from et_pipeline.domain.player_stats import differential, player_row
from et_pipeline.domain.r2_rule import DIFFERENTIAL, judge_round2
from et_pipeline.parsers.stats_file import parse_stats_file

CORPUS = Path(__file__).resolve().parent / "fixtures" / "corpus" / "2026-02-05"
TRUTH = json.loads((CORPUS / "truth.json").read_text())


def _rows(folder: Path):
    """(file, round number, player line as stored, truth player or None) for every row."""
    files = sorted(p for p in folder.glob("*-round-*.txt") if not p.name.endswith("-endstats.txt"))
    parsed = {p.name: parse_stats_file(p.read_bytes()) for p in files}
    for name, sf in parsed.items():
        rnd = 2 if name.endswith("-round-2.txt") else 1
        r1 = None
        if rnd == 2:
            stem = name[18:-len("-round-2.txt")]
            before = [n for n in parsed if n < name and n[18:] == stem + "-round-1.txt"]
            r1 = parsed[before[-1]] if before else None
        by_key = {p.key: p for p in r1.players} if r1 else {}
        rules = judge_round2([(p.key, p) for p in sf.players], by_key, None) if rnd == 2 else {}
        for p in sf.players:
            source = rules[p.key].rule if rnd == 2 else "r1"
            line = differential(p, by_key[p.key]) if source == DIFFERENTIAL else p
            yield name, rnd, source, p, line


@pytest.mark.parametrize("folder", ["gamestats", "gamestats_c0rnp0rn8"])
def test_dead_time_never_exceeds_time_played(folder):
    over = []
    for name, rnd, source, raw, line in _rows(CORPUS / folder):
        row = player_row(line, None)
        if row["time_dead_minutes"] * 60 > row["time_played_seconds"] + 1:
            over.append((name, raw.name, row["kills"], row["time_dead_minutes"] * 60, row["time_played_seconds"]))
        assert 0.0 <= row["time_dead_ratio"] <= 100.0
    assert not over


@pytest.mark.parametrize("folder", ["gamestats", "gamestats_c0rnp0rn8"])
def test_dead_time_matches_the_engine_truth(folder):
    """Team time minus alive time of the truth, per row, R1 and R2 (the differential)."""
    truth = {}
    for r in TRUTH["rounds"]:
        for f in r["files"].get("feb2026" if folder == "gamestats" else "head", []):
            truth[f.split("/", 1)[1]] = r
    checked = 0
    for name, rnd, source, raw, line in _rows(CORPUS / folder):
        if source not in ("r1", "differential") or name not in truth:
            continue
        tp = {p["guid"][:8].upper(): p for p in truth[name]["players"]}.get(raw.guid)
        counters = tp and (tp["this_round_delta"] if rnd == 2 else tp["engine_counters_at_end"])
        if not counters or "time_axis" not in counters:
            continue
        want = (counters["time_axis"] + counters["time_allies"] - counters["time_played"]) / 1000
        got = player_row(line, None)["time_dead_minutes"] * 60
        assert got == pytest.approx(want, abs=7), (name, raw.name)   # 0.1-minute and 0.1 % resolution
        checked += 1
    assert checked >= 50
