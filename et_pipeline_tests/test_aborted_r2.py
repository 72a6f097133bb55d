"""A round 2 cut short by a map vote (issue 11), in every layer: the stats header rule
(FORMATS.md 5 #9), pairing and the round-2 differential, scoring, the timing file and the
session report end to end.

The night is made up from FORMATS.md (fixtures/aborted_r2/, see make_fixtures.py there):
supply (B wins), etl_adlernest whose round 2 a map vote ends after 280.05 s, te_escape2
(A wins). The vote resets g_currentRound and g_nextTimeLimit before the game unloads, so
the shutdown file is labelled round 2 with a header winner and a field 8 (71:05) larger
than its limit (6:30); the c0rnp0rn8 copy also has a negative field 9.
"""
import shutil
from pathlib import Path

import pytest

from et_pipeline.config import Rules
from et_pipeline.domain.pairing import RoundRef, pair_rounds
from et_pipeline.parsers.filenames import classify
from et_pipeline.parsers.stats_file import parse_header, parse_stats_file
from et_pipeline.parsers.timing_file import parse_own_timing_file
from et_pipeline.report import build_report
from et_pipeline.steps.links import build_lua_round_teams
from et_pipeline.steps.rounds import build_rounds
from et_pipeline.steps.scores import build_map_results, build_session_results
from et_pipeline.steps.teams import build_session_teams
from et_pipeline.steps.timings import build_timings
from et_pipeline_tests.pipeline_fixtures import Pipeline

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "aborted_r2"
FORMATS = ("c0rnp0rn7", "c0rnp0rn8")
DATE = "2026-02-12"
ABORTED = "2026-02-12-213705-etl_adlernest-round-2.txt"
ABORTED_TIMING = "2026-02-12-213704-etl_adlernest-round-2-timing.json"
R1_TIMING = "2026-02-12-213109-etl_adlernest-round-1-timing.json"
# what each player did in the 280 s of the aborted round 2 alone (make_fixtures.py):
# guid -> (kills, deaths, damage given)
THIS_ROUND = {"A1A1A1A1": (10, 8, 2124), "A2B2C2D2": (7, 6, 1397), "A3E3F3A3": (9, 8, 1510),
              "B1B1B1B1": (11, 8, 655), "B2C2D2E2": (5, 8, 2272), "B3D3F3B3": (5, 4, 1879)}


def stats_files(fmt):
    return [("gamestats/" + p.name, classify(p.name), p.read_bytes()) for p in sorted((FIXTURES / fmt).iterdir())]


# --------------------------------------------------------------------------- layer 1: the header rule


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_shutdown_file_is_recognised_in_both_formats(fmt):
    header = parse_stats_file((FIXTURES / fmt / ABORTED).read_bytes()).header
    assert (header.round, header.winner, header.time_limit, header.next_time_limit) == (2, 1, "6:30", "71:05")
    assert header.shutdown_path is True


@pytest.mark.parametrize("fmt", FORMATS)
def test_files_written_at_intermission_are_not_shutdown_files(fmt):
    for p in sorted((FIXTURES / fmt).iterdir()):
        if p.name != ABORTED:
            assert parse_stats_file(p.read_bytes()).header.shutdown_path is False, p.name


@pytest.mark.parametrize("line, shutdown", [
    ("srv\\supply\\legacy3\\2\\1\\1\\7:30\\84:05", True),              # c0rnp0rn7: field 8 > field 7
    ("srv\\supply\\legacy3\\2\\1\\1\\7:30\\7:30", False),              # R2 held to the clock
    ("srv\\supply\\legacy3\\2\\1\\2\\7:30\\6:12", False),              # R2 beat the time
    ("srv\\supply\\legacy3\\1\\1\\2\\12:00\\7:31\\-4200", True),       # c0rnp0rn8: field 9 <= 0
    ("srv\\supply\\legacy3\\1\\1\\2\\12:00\\7:31\\0", True),
    ("srv\\supply\\legacy3\\1\\1\\2\\12:00\\7:31\\451000", False),
    ("srv\\supply\\legacy3\\2\\1\\1\\7:30\\84:05\\449000", True),      # either sign is enough
    ("srv\\supply\\legacy3\\1\\1\\2\\0:00\\7:31", False),              # no time limit: nothing to exceed
])
def test_header_rule_of_formats_5_row_9(line, shutdown):
    assert parse_header(line).shutdown_path is shutdown


# --------------------------------------------------------------------------- pairing and layer 2


def ref(stamp, label, shutdown=False, counter=1):
    t = classify("2026-02-12-%s-supply-round-%d.txt" % (stamp, label)).local_time
    return RoundRef("%s-%d" % (stamp, label), "supply", label, t, shutdown,
                    tuple(("G%07d" % i, counter) for i in range(6)))


def test_a_shutdown_file_labelled_round_2_after_its_r1_is_the_aborted_round_2():
    r1, cut = ref("210000", 1, counter=1), ref("211500", 2, shutdown=True, counter=2)
    got = pair_rounds([r1, cut])
    assert (got[cut.key].status, got[cut.key].round_number, got[cut.key].pair_key) == ("aborted_r2", 2, r1.key)
    assert got[cut.key].match_id == got[r1.key].match_id and got[r1.key].pair_key == cut.key


def test_a_shutdown_file_labelled_round_2_whose_counters_started_afresh_is_an_orphan():
    """The map was loaded again and round 1 cut short (FORMATS 6.3: labelled 2): the
    engine restarted its counters, so this is not the earlier R1's round 2."""
    r1, cut = ref("210000", 1, counter=1), ref("211500", 2, shutdown=True, counter=1)
    got = pair_rounds([r1, cut])
    assert got[cut.key].status == "orphan_r2" and got[r1.key].status == "abandoned_r1"


@pytest.mark.parametrize("fmt", FORMATS)
def test_aborted_round_is_paired_flagged_and_holds_this_round_only(fmt):
    res = build_rounds(stats_files(fmt), DATE, Rules())
    [row] = [r for r in res.rounds if r["file"] == ABORTED]
    assert (row["round_number"], row["pairing"], row["aborted"], row["orphan"]) == (2, "aborted_r2", True, False)
    players = {p["guid"]: p for p in res.player_dicts() if p["round_key"] == row["round_key"]}
    assert {g: (p["kills"], p["deaths"], p["damage_given"]) for g, p in players.items()} == THIS_ROUND
    assert {p["values_from"] for p in players.values()} == {"differential"}
    others = [r for r in res.rounds if r["file"] != ABORTED]
    assert [r["aborted"] for r in others] == [False] * 5


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_same_round_labelled_round_1_is_the_aborted_round_2_too(fmt):
    """An admin `map` or a restart unloads without resetting g_currentRound: the scripts
    read it unflipped and label the file round 1 (FORMATS 6.3), and g_nextTimeLimit
    still holds R1's time, so a c0rnp0rn7 header looks like an ordinary file: only the
    `rounds` counters, gone up since the R1, tell (FORMATS 5 #9)."""
    files = []
    for path, name, data in stats_files(fmt):
        if name.name == ABORTED:
            header, rest = data.split(b"\n", 1)
            fields = header.split(b"\\")
            fields[3], fields[7] = b"1", b"6:30"
            relabelled = ABORTED.replace("round-2", "round-1")
            path, name, data = "gamestats/" + relabelled, classify(relabelled), b"\\".join(fields) + b"\n" + rest
        files.append((path, name, data))
    res = build_rounds(files, DATE, Rules())
    [row] = [r for r in res.rounds if r["file"] == ABORTED.replace("round-2", "round-1")]
    assert (row["round_number"], row["pairing"], row["aborted"], row["orphan"]) == (2, "aborted_r2", True, False)
    players = [p for p in res.player_dicts() if p["round_key"] == row["round_key"]]
    assert {p["guid"]: (p["kills"], p["deaths"], p["damage_given"]) for p in players} == THIS_ROUND
    teams = build_session_teams(res.rounds, res.player_dicts(), ())
    [adler] = [m for m in build_map_results(res.rounds, res.player_dicts(), {}, teams, "tie") if m["map"] == "etl_adlernest"]
    assert adler["counted"] is False and "aborted" in adler["note"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_aborted_round_leaves_the_map_out_of_the_score(fmt):
    res = build_rounds(stats_files(fmt), DATE, Rules())
    teams = build_session_teams(res.rounds, res.player_dicts(), ())
    maps = build_map_results(res.rounds, res.player_dicts(), {}, teams, "tie")
    by_map = {m["map"]: m for m in maps}
    adler = by_map["etl_adlernest"]
    assert (adler["counted"], adler["winner"], adler["points_a"], adler["points_b"]) == (False, None, 0, 0)
    assert adler["r2_key"] == ABORTED[:-4] and "aborted" in adler["note"]
    assert (by_map["supply"]["winner"], by_map["te_escape2"]["winner"]) == ("B", "A")
    [s] = build_session_results(res.sessions, maps, teams)
    assert (s["score_a"], s["score_b"], s["winner"], s["maps_counted"]) == (1, 1, "tie", 2)


# --------------------------------------------------------------------------- layer 3: the timing file


def test_timing_file_playtime_in_ms_and_older_files_in_seconds():
    new = parse_own_timing_file((FIXTURES / "gametimes" / ABORTED_TIMING).read_bytes(), "etl_adlernest", 2)
    assert new.playtime_seconds == pytest.approx(280.05)
    assert (new.round, new.end_reason, new.winner) == (2, "map_change", 0)
    old = parse_own_timing_file((FIXTURES / "gametimes" / R1_TIMING).read_bytes(), "etl_adlernest", 1)
    assert old.playtime_seconds == 390


@pytest.mark.parametrize("ms, seconds, expected", [
    (280050, 280, 280.05), ("280050", 279, 280.05), (None, 279, 279.0), ("garbage", 279, 279.0), (-5, 279, 279.0),
])
def test_timing_file_ms_wins_over_whole_seconds(ms, seconds, expected):
    doc = '{"round_start_unix":1770928344,"round_end_unix":1770928624,"lua_playtime_seconds":%d%s}' % (
        seconds, "" if ms is None else ',"lua_playtime_ms":%s' % (ms if isinstance(ms, int) else '"%s"' % ms))
    assert parse_own_timing_file(doc.encode(), "etl_adlernest", 2).playtime_seconds == pytest.approx(expected)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_cut_short_timing_file_links_to_the_aborted_round_whatever_its_label(fmt):
    """Module 1.0.0 read g_currentRound at shutdown, after the vote had reset it, and
    named the aborted R2's timing file round 1. It says the round ended by a map change,
    so it belongs to the aborted round, not to the R1 of the same map 6 minutes earlier."""
    res = build_rounds(stats_files(fmt), DATE, Rules())
    old = (FIXTURES / "gametimes" / ABORTED_TIMING).read_text().replace('"round":2', '"round":1')
    old_name = ABORTED_TIMING.replace("round-2", "round-1")
    timing_rows, _ = build_timings([("gametimes/" + old_name, classify(old_name), old.encode())], DATE, Rules())
    [link] = build_lua_round_teams(timing_rows, res.rounds, Rules().link_window_minutes)
    assert (link["round_key"], link["link_status"]) == (ABORTED[:-4], "exact")


# --------------------------------------------------------------------------- the report, end to end


def lay_out(dest: Path, fmt: str) -> Path:
    for sub, src in (("gamestats", FIXTURES / fmt), ("gametimes", FIXTURES / "gametimes")):
        (dest / sub).mkdir(parents=True)
        for f in sorted(src.iterdir()):
            shutil.copy2(f, dest / sub / f.name)
    return dest


@pytest.mark.parametrize("fmt", FORMATS)
def test_report_of_a_night_with_a_map_vote_in_round_2(tmp_path, dagster_instance, fmt):
    night = lay_out(tmp_path / "server", fmt)
    p = Pipeline(night, "sqlite:///%s" % (tmp_path / "et.db"), tmp_path / "out", dagster_instance)
    assert p.materialize([DATE]).success
    with p.engine.connect() as conn:
        [s] = build_report(conn, DATE)["sessions"]
    # listed and flagged
    assert [r["file"] for r in s["rounds"]] == sorted(f.name for f in (FIXTURES / fmt).iterdir())
    [cut] = [r for r in s["rounds"] if r["file"] == ABORTED]
    assert (cut["round"], cut["pairing"], cut["aborted"], cut["orphan"]) == (2, "aborted_r2", True, False)
    # this round only
    assert {pl["guid"]: (pl["kills"], pl["deaths"], pl["damage_given"]) for pl in cut["players"]} == THIS_ROUND
    # its timing file, and the one of its R1 (written by the older module, whole seconds)
    assert cut["lua"]["source"] == ABORTED_TIMING and cut["lua"]["end_reason"] == "map_change"
    assert cut["playtime_seconds"] == pytest.approx(280.05)
    [r1] = [r for r in s["rounds"] if r["file"] == "2026-02-12-213112-etl_adlernest-round-1.txt"]
    assert r1["lua"]["source"] == R1_TIMING and r1["playtime_seconds"] == 390
    # the score leaves the map out
    [adler] = [m for m in s["maps"] if m["map"] == "etl_adlernest"]
    assert (adler["r2_file"], adler["counted"], adler["winner"]) == (ABORTED, False, None)
    assert "aborted" in adler["note"]
    assert s["score"] == {"A": 1, "B": 1} and s["winner"] == "tie"
    # the session totals hold the aborted round's own numbers, not R1 + R2 twice
    alpha = [pl for pl in s["players"] if pl["guid"] == "A1A1A1A1"][0]
    per_round = [pl["kills"] for r in s["rounds"] for pl in r["players"] if pl["guid"] == "A1A1A1A1"]
    assert alpha["kills"] == sum(per_round)
