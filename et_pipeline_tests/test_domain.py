"""Domain rules (DOMAIN.md): sessions §1, pairing and the R2 differential §2, linking §3,
teams §4, stopwatch scoring §5 (incl. the 11:11 versus 7:4 story of 5.5), timing §8.

Pure functions only (no Dagster). Expected values come from the specification and from
the corpus' truth.json, never from the code under test.
"""
import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from et_pipeline.config import Rules
from et_pipeline.domain.linking import RoundSlot, assign, link_endstats, link_timings
from et_pipeline.domain.pairing import RoundRef, pair_rounds
from et_pipeline.domain.player_stats import differential, player_row
from et_pipeline.domain.r2_rule import R2Rule, judge_round2
from et_pipeline.domain.scoring import MapPlay, RoundFacts, attackers_succeeded, score_map, session_score
from et_pipeline.domain.sessions import group_sessions
from et_pipeline.domain.teams import RoundSides, Teams, build_teams, side_of_team
from et_pipeline.domain.timing import best_duration, compare, no_lua_cause
from et_pipeline.parsers.filenames import classify
from et_pipeline.parsers.stats_file import TAB_FIELDS, parse_stats_file
from et_pipeline.sources.base import ServerFile
from et_pipeline.steps.links import build_lua_round_teams
from et_pipeline.steps.plan import make_plan
from et_pipeline.steps.rounds import build_rounds
from et_pipeline.steps.scores import build_map_results, build_session_results
from et_pipeline.steps.teams import build_session_teams
from et_pipeline.steps.timing_comparison import build_timing_comparison
from et_pipeline.steps.timings import build_timings

NIGHT = Path(__file__).resolve().parent / "fixtures" / "corpus" / "2026-02-05"
TRUTH = json.loads((NIGHT / "truth.json").read_text())
RULES = Rules()
T = TAB_FIELDS.index


def stats_name(stamp: str, map_name: str, rnd: int):
    return classify("%s-%s-round-%d.txt" % (stamp, map_name, rnd))


# =========================================================================== helpers: synthetic stats files

def player_line(guid, name, rounds, side, kills, deaths, dmg=1000, rec=900, minutes=8.0, xp=30, shots=100,
                hits=30, gibs=1, useful=2):
    """One c0rnp0rn player line with a single weapon (Thompson, bit 5)."""
    tab = [0] * 38
    tab[T("damage_given")], tab[T("damage_received")], tab[T("gibs")] = dmg, rec, gibs
    tab[T("time_played_percent")], tab[T("xp")], tab[T("bullets_fired")] = "80.0", xp, shots
    tab[T("dpm")], tab[T("time_played_minutes")] = "0.0", "%.1f" % minutes
    tab[T("tank_meatshield")], tab[T("time_dead_ratio")], tab[T("time_dead_minutes")] = "0.0", "0.0", "1.0"
    tab[T("kd_ratio")], tab[T("useful_kills")] = "1.0", useful
    weapons = "32 %d %d %d %d 0 " % (hits, shots, kills, deaths)
    return "%s\\%s\\%d\\%d\\%s\t%s" % (guid, name, rounds, side, weapons, "\t".join(str(v) for v in tab))


def stats_bytes(map_name, rnd, lines, defender=1, winner=2, limit="12:00", clock="8:00", playtime_ms=None):
    header = ["srv", map_name, "legacy3", str(rnd), str(defender), str(winner), limit, clock]
    if playtime_ms is not None:
        header.append(str(playtime_ms))
    return ("\\".join(header) + "\n" + "\n".join(lines) + "\n").encode()


def build(files):
    """files: [(stamp, map, label, bytes)] -> RoundsResult of one partition."""
    rows = [("gamestats/%s-%s-round-%d.txt" % (s, m, r), stats_name(s, m, r), b) for s, m, r, b in files]
    return build_rounds(rows, files[0][0][:10], RULES)


# =========================================================================== sessions (§1)


def test_a_gap_of_exactly_60_minutes_stays_in_the_session():
    sessions = group_sessions([stats_name("2026-02-05-210000", "supply", 1),
                               stats_name("2026-02-05-220000", "supply", 2)])
    assert len(sessions) == 1 and len(sessions[0].rounds) == 2


def test_a_gap_of_60_minutes_and_1_second_splits():
    sessions = group_sessions([stats_name("2026-02-05-210000", "supply", 1),
                               stats_name("2026-02-05-220001", "supply", 2)])
    assert [len(s.rounds) for s in sessions] == [1, 1]
    assert [s.session_id for s in sessions] == ["2026-02-05-210000", "2026-02-05-220001"]


def test_midnight_keeps_one_session_dated_by_its_first_round():
    names = [stats_name("2026-02-02-235830", "te_escape2", 1), stats_name("2026-02-03-001102", "te_escape2", 2),
             stats_name("2026-02-03-003015", "supply", 1)]
    [s] = group_sessions(list(reversed(names)))        # input order does not matter
    assert s.session_date == "2026-02-02"
    assert (s.start, s.end) == (dt.datetime(2026, 2, 2, 23, 58, 30), dt.datetime(2026, 2, 3, 0, 30, 15))
    assert [r.name for r in s.rounds] == [n.name for n in names]


def test_worked_example_of_section_12_3():
    stamps = [("2026-02-02-211352", "etl_adlernest", 1), ("2026-02-02-212610", "etl_adlernest", 2),
              ("2026-02-02-214105", "supply", 1), ("2026-02-02-215540", "supply", 2),
              ("2026-02-02-235830", "te_escape2", 1), ("2026-02-03-001102", "te_escape2", 2)]
    sessions = group_sessions([stats_name(*s) for s in stamps])
    assert [len(s.rounds) for s in sessions] == [4, 2]
    assert [s.session_date for s in sessions] == ["2026-02-02", "2026-02-02"]


def test_post_midnight_files_land_in_the_previous_dates_partition():
    names = ["2026-02-02-235830-te_escape2-round-1.txt", "2026-02-03-001102-te_escape2-round-2.txt",
             "2026-02-03-001101-te_escape2-round-2-endstats.txt"]
    files = [ServerFile("gamestats", n, 100, 0.0) for n in names]
    # the Lua round end of the R2, 3 s before its stats file (CET = UTC+1 in February)
    end = int(dt.datetime(2026, 2, 2, 23, 10, 59, tzinfo=dt.timezone.utc).timestamp())
    files.append(ServerFile("gametimes", "gametime-te_escape2-R2-%d.json" % end, 100, 0.0))
    plan = make_plan(files, RULES)
    assert plan.dates == ["2026-02-02"]
    assert len(plan.by_date["2026-02-02"]) == 4 and not plan.unassigned


# =========================================================================== pairing (§2.2, §2.8)

def ref(stamp, map_name, label, shutdown=False, counters=()):
    t = dt.datetime.strptime(stamp, "%H%M%S").replace(year=2026, month=2, day=5)
    return RoundRef("%s-%s-%d" % (stamp, map_name, label), map_name, label, t, shutdown, tuple(counters))


def statuses(result):
    return {k: (p.status, p.round_number, p.match_id, p.pair_key) for k, p in result.items()}


def test_single_slot_r1_r2_is_one_match():
    r1, r2 = ref("211001", "supply", 1), ref("212035", "supply", 2)
    got = statuses(pair_rounds([r2, r1]))
    assert got == {r1.key: ("complete", 1, "2026-02-05-211001", r2.key),
                   r2.key: ("complete", 2, "2026-02-05-211001", r1.key)}


def test_orphan_r2():
    r2 = ref("212035", "supply", 2)
    p = pair_rounds([r2])[r2.key]
    assert (p.status, p.round_number, p.pair_key, p.orphan) == ("orphan_r2", 2, None, True)
    assert p.match_id == "2026-02-05-212035"


def test_an_r2_of_another_map_is_an_orphan_and_abandons_the_open_r1():
    r1, r2 = ref("211001", "supply", 1), ref("212035", "te_escape2", 2)
    got = pair_rounds([r1, r2])
    assert got[r1.key].status in ("abandoned_r1", "r1_only") and got[r1.key].pair_key is None
    assert got[r2.key].orphan


def test_r1_then_r1_abandons_the_first():
    a, b, c = ref("210000", "supply", 1), ref("211500", "te_escape2", 1), ref("213000", "te_escape2", 2)
    got = pair_rounds([a, b, c])
    assert got[a.key].status == "abandoned_r1" and got[a.key].pair_key is None
    assert (got[b.key].status, got[b.key].pair_key) == ("complete", c.key)
    assert got[c.key].match_id == "2026-02-05-211500"


def test_same_map_r1_replayed_abandons_the_first_when_counters_did_not_advance():
    players = [("AAAAAAAA", 0), ("BBBBBBBB", 0), ("CCCCCCCC", 0)]
    a, b = ref("210000", "supply", 1, counters=players), ref("210700", "supply", 1, counters=players)
    c = ref("212000", "supply", 2, counters=[(k, 1) for k, _ in players])
    got = pair_rounds([a, b, c])
    assert got[a.key].status == "abandoned_r1"
    assert (got[b.key].status, got[c.key].status, got[c.key].pair_key) == ("complete", "complete", b.key)


def test_r1_left_open_at_the_end_is_r1_only():
    r1 = ref("223000", "supply", 1)
    assert pair_rounds([r1])[r1.key].status == "r1_only"


def test_a_map_played_twice_gives_two_matches():
    # DOMAIN 2.8 example: supply, te_escape2, te_escape2 -> three plays
    rounds = [ref("211000", "supply", 1), ref("212400", "supply", 2), ref("214000", "te_escape2", 1),
              ref("215200", "te_escape2", 2), ref("220500", "te_escape2", 1), ref("221900", "te_escape2", 2)]
    got = pair_rounds(rounds)
    assert all(p.status == "complete" for p in got.values())
    assert {p.match_id for p in got.values()} == {"2026-02-05-211000", "2026-02-05-214000", "2026-02-05-220500"}
    assert got[rounds[3].key].pair_key == rounds[2].key and got[rounds[5].key].pair_key == rounds[4].key


def test_r2_more_than_45_minutes_after_its_r1_is_an_orphan():
    r1, late = ref("210000", "supply", 1), ref("214501", "supply", 2)
    got = pair_rounds([r1, late])
    assert got[late.key].orphan and got[r1.key].pair_key is None
    r1, edge = ref("210000", "supply", 1), ref("214500", "supply", 2)
    assert pair_rounds([r1, edge])[edge.key].status == "complete"


def test_aborted_r2_labelled_round_1_via_shutdown_path():
    r1 = ref("210000", "supply", 1)
    aborted = ref("211200", "supply", 1, shutdown=True)   # R2 cut by a map vote: label inverted
    got = pair_rounds([r1, aborted])
    assert got[aborted.key].status == "aborted_r2"
    assert got[aborted.key].round_number == 2 and got[aborted.key].pair_key == r1.key
    assert got[aborted.key].match_id == got[r1.key].match_id == "2026-02-05-210000"
    assert got[r1.key].pair_key == aborted.key


def test_aborted_r2_labelled_round_1_via_rising_rounds_counters():
    r1 = ref("210000", "supply", 1, counters=[("AAAAAAAA", 0), ("BBBBBBBB", 0), ("CCCCCCCC", 0)])
    aborted = ref("211200", "supply", 1, counters=[("AAAAAAAA", 1), ("BBBBBBBB", 1), ("CCCCCCCC", 1)])
    got = pair_rounds([r1, aborted])
    assert (got[aborted.key].status, got[aborted.key].round_number) == ("aborted_r2", 2)


def test_aborted_r2_end_to_end_is_differenced_and_never_scored():
    """c0rnp0rn8 shutdown file (negative playtime) labelled round-1 right after an R1."""
    a = [("AAAAAAAA", 1), ("BBBBBBBB", 1)]
    b = [("CCCCCCCC", 2), ("DDDDDDDD", 2)]
    r1 = stats_bytes("supply", 1, [player_line(g, g.lower(), 0, s, 5, 4, dmg=1000) for g, s in a + b],
                     winner=2, clock="8:00", playtime_ms=480000)
    cut = stats_bytes("supply", 1, [player_line(g, g.lower(), 1, 3 - s, 7, 5, dmg=1300, minutes=11.0)
                                    for g, s in a + b], winner=1, limit="8:00", clock="71:05", playtime_ms=-17)
    res = build([("2026-02-05-210000", "supply", 1, r1), ("2026-02-05-211200", "supply", 1, cut)])
    rounds = {r["file"]: r for r in res.rounds}
    cut_row = rounds["2026-02-05-211200-supply-round-1.txt"]
    assert (cut_row["round_number"], cut_row["pairing"], cut_row["aborted"]) == (2, "aborted_r2", True)
    cut_players = [p for p in res.player_dicts() if p["round_key"] == cut_row["round_key"]]
    assert {(p["kills"], p["deaths"], p["damage_given"]) for p in cut_players} == {(2, 1, 300)}
    teams = build_session_teams(res.rounds, res.player_dicts(), ())
    [result] = build_map_results(res.rounds, res.player_dicts(), {}, teams, "tie")
    assert result["counted"] is False and result["winner"] is None


# =========================================================================== R2 differential (§2.4)

def _truth_round(map_name, rnd):
    [r] = [r for r in TRUTH["rounds"] if r["map"] == map_name and r["round"] == rnd]
    return r


def _real(folder, map_name, rnd):
    [p] = (NIGHT / folder).glob("*-%s-round-%d.txt" % (map_name, rnd))
    return parse_stats_file(p.read_bytes())


MAPS = [m["map"] for m in TRUTH["maps"]]
RECONNECTED = ("etl_sp_delivery", "2A5F5BEE")  # disconnected and reconnected during this R2


@pytest.mark.parametrize("folder", ["gamestats", "gamestats_c0rnp0rn8"])
@pytest.mark.parametrize("map_name", MAPS)
def test_r2_differential_equals_this_round_delta_of_truth(folder, map_name):
    r1, r2 = _real(folder, map_name, 1), _real(folder, map_name, 2)
    before = {p.key: p for p in r1.players}
    truth = {tp["guid"][:8].upper(): tp for tp in _truth_round(map_name, 2)["players"]}
    judged = judge_round2([(p.key, p) for p in r2.players], before, None)
    for p in r2.players:
        if (map_name, p.guid) == RECONNECTED:
            continue
        assert judged[p.key] == R2Rule("differential", "cumulative"), (map_name, p.key)
        line = differential(p, before[p.key])
        d = truth[p.guid]["this_round_delta"]
        row = player_row(line, None)
        for key in ("kills", "deaths", "damage_given", "damage_received", "gibs", "self_kills", "team_kills",
                    "team_damage_given", "team_damage_received"):
            assert row[key] == d[key], (map_name, p.name, key)
        cols = truth[p.guid]["weapon_stats_columns"]
        expected = {j: (w[cols.index("hits")], w[cols.index("atts")], w[cols.index("kills")],
                        w[cols.index("deaths")], w[cols.index("headshots")])
                    for j, w in enumerate(d["weapon_stats"]) if any(w)}
        assert line.weapons == expected, (map_name, p.name)
        assert line.tab_value("bullets_fired") == sum(w[1] for w in expected.values())
        minutes = (d["time_axis"] + d["time_allies"]) / 60000
        assert line.tab_value("time_played_minutes") == pytest.approx(minutes, abs=0.11)
        # R2-only script counters are taken as they are
        assert line.tab_value("xp") == p.tab_value("xp")
        assert line.tab_value("useful_kills") == p.tab_value("useful_kills")


@pytest.mark.parametrize("folder", ["gamestats", "gamestats_c0rnp0rn8"])
def test_reconnected_player_keeps_his_raw_r2_values(folder):
    r1, r2 = _real(folder, "etl_sp_delivery", 1), _real(folder, "etl_sp_delivery", 2)
    [now] = [p for p in r2.players if p.guid == RECONNECTED[1]]
    judged = judge_round2([(p.key, p) for p in r2.players], {p.key: p for p in r1.players}, None)
    assert judged[now.key] == R2Rule("raw_r2", "counter_reset")
    line = now
    [tp] = [tp for tp in _truth_round("etl_sp_delivery", 2)["players"] if tp["guid"].startswith(RECONNECTED[1])]
    e = tp["engine_counters_at_end"]
    row = player_row(line, None)
    assert (row["kills"], row["deaths"], row["damage_given"]) == (e["kills"], e["deaths"], e["damage_given"])


@pytest.mark.parametrize("field", ["kills", "deaths", "damage_given", "damage_received", "minutes"])
def test_any_cumulative_counter_dropping_means_a_reconnect(field):
    base = dict(kills=10, deaths=8, dmg=2000, rec=1800, minutes=9.0)
    r2 = dict(kills=14, deaths=11, dmg=2600, rec=2500, minutes=17.0)
    key = {"damage_given": "dmg", "damage_received": "rec"}.get(field, field)
    r2[key] = base[key] - 1 if key != "minutes" else 8.5
    one = lambda d, rounds: parse_stats_file(stats_bytes("supply", 1, [player_line(
        "AAAAAAAA", "a", rounds, 1, d["kills"], d["deaths"], dmg=d["dmg"], rec=d["rec"], minutes=d["minutes"])])).players[0]
    judged = judge_round2([("AAAAAAAA", one(r2, 1))], {"AAAAAAAA": one(base, 0)}, None)
    assert judged["AAAAAAAA"] == R2Rule("raw_r2", "counter_reset")


def test_player_who_joined_in_r2_keeps_raw_values_and_normal_player_is_differenced():
    r1 = stats_bytes("supply", 1, [player_line("AAAAAAAA", "a", 0, 1, 10, 8, dmg=2000, rec=1800, minutes=9.0, xp=40)])
    r2 = stats_bytes("supply", 2, [player_line("AAAAAAAA", "a", 1, 2, 14, 11, dmg=2600, rec=2500, minutes=16.0,
                                               xp=25),
                                   player_line("EEEEEEEE", "late", 0, 1, 3, 2, dmg=400, rec=300, minutes=4.0)])
    res = build([("2026-02-05-210000", "supply", 1, r1), ("2026-02-05-211500", "supply", 2, r2)])
    rows = {(p["round_key"][-7:], p["guid"]): p for p in res.player_dicts()}
    a, late = rows[("round-2", "AAAAAAAA")], rows[("round-2", "EEEEEEEE")]
    assert (a["values_from"], a["kills"], a["deaths"], a["damage_given"], a["damage_received"]) == \
           ("differential", 4, 3, 600, 700)
    assert a["xp"] == 25                                    # R2-only field taken as is
    assert a["time_played_seconds"] == 7 * 60               # 16.0 - 9.0 minutes
    assert (late["values_from"], late["values_reason"], late["kills"], late["damage_given"]) == \
        ("raw_r2_new", "not_in_r1", 3, 400)


def _team_night(drop_line_r1, drop_line_r2):
    """A 3 v 3 supply map, everybody present at both round starts but one: the two lines
    given are that player's (GUID DDDDDDDD) in round 1 and round 2."""
    r1 = [player_line(g, g.lower(), 0, side, 10, 8, dmg=2000, rec=1800, minutes=10.0)
          for g, side in (("AAAAAAAA", 1), ("BBBBBBBB", 1), ("CCCCCCCC", 2), ("EEEEEEEE", 2), ("FFFFFFFF", 2))]
    r2 = [player_line(g, g.lower(), 1, 3 - side, 17, 15, dmg=3500, rec=3300, minutes=18.0)
          for g, side in (("AAAAAAAA", 1), ("BBBBBBBB", 1), ("CCCCCCCC", 2), ("EEEEEEEE", 2), ("FFFFFFFF", 2))]
    res = build([("2026-02-05-210000", "supply", 1, stats_bytes("supply", 1, r1 + [drop_line_r1], clock="10:00")),
                 ("2026-02-05-211500", "supply", 2, stats_bytes("supply", 2, r2 + [drop_line_r2], limit="10:00"))])
    [row] = [p for p in res.player_dicts() if p["guid"] == "DDDDDDDD" and p["round_key"].endswith("round-2")]
    return row


def test_dropped_in_r1_back_in_r2_keeps_his_raw_r2_line():
    """The finding: he left round 1 after 1 kill and 534 damage, came back during round 2
    (fresh engine counters: `rounds` 0 where his team-mates have 1) and did 8 kills and
    1,149 damage. No counter is lower than in round 1, so the counter-reset check alone
    took 7 kills and 615 damage."""
    row = _team_night(player_line("DDDDDDDD", "d", 0, 1, 1, 2, dmg=534, rec=400, minutes=2.5),
                      player_line("DDDDDDDD", "d", 0, 2, 8, 6, dmg=1149, rec=900, minutes=6.0))
    assert (row["kills"], row["deaths"], row["damage_given"], row["damage_received"]) == (8, 6, 1149, 900)
    assert (row["values_from"], row["values_reason"]) == ("raw_r2_reset", "rounds_field")
    assert row["time_played_seconds"] == 360


def test_dropped_in_r1_back_before_r2_started_is_told_by_his_time():
    """Back before round 2 started, the engine counted the round start for him too
    (`rounds` 1 like everybody), but his line's time on a team (8 min) fits in round 2
    alone (8 min, by his team-mates' lines), though his round-1 line has 2.5 min of it."""
    row = _team_night(player_line("DDDDDDDD", "d", 0, 1, 1, 2, dmg=534, rec=400, minutes=2.5),
                      player_line("DDDDDDDD", "d", 1, 2, 8, 6, dmg=1149, rec=900, minutes=8.0))
    assert (row["kills"], row["damage_given"], row["values_from"], row["values_reason"]) == \
        (8, 1149, "raw_r2_reset", "time_played")


def test_joined_late_in_r1_is_differenced():
    """Joined round 1 at 7.5 min and stayed: his round-2 line is cumulative (10.5 min on
    a team, more than round 2's 8), so round 2 is the difference."""
    row = _team_night(player_line("DDDDDDDD", "d", 0, 1, 1, 2, dmg=534, rec=400, minutes=2.5),
                      player_line("DDDDDDDD", "d", 1, 2, 8, 6, dmg=1149, rec=900, minutes=10.5))
    assert (row["kills"], row["damage_given"], row["values_from"], row["values_reason"]) == \
        (7, 615, "differential", "cumulative")


def test_an_empty_guid_line_is_never_differenced_against_another_file():
    r1 = stats_bytes("supply", 1, [player_line("AAAAAAAA", "a", 0, 1, 10, 8),
                                   player_line("", "^3Anon", 0, 2, 6, 5, dmg=900)])
    r2 = stats_bytes("supply", 2, [player_line("AAAAAAAA", "a", 1, 2, 14, 11, dmg=1500, rec=1400, minutes=16.0),
                                   player_line("", "^3Anon", 1, 1, 9, 7, dmg=1400, rec=1400, minutes=16.0)])
    res = build([("2026-02-05-210000", "supply", 1, r1), ("2026-02-05-211500", "supply", 2, r2)])
    [anon] = [p for p in res.player_dicts() if p["guid"] == "" and p["round_key"].endswith("round-2")]
    assert (anon["values_from"], anon["values_reason"]) == ("raw_r2_new", "no_guid")
    assert anon["kills"] == 9


# =========================================================================== linking (§3)

BASE = dt.datetime(2026, 2, 5, 21, 10, 0)


def slot(key, seconds, map_name="supply", rnd=1):
    return RoundSlot(key, map_name, rnd, BASE + dt.timedelta(seconds=seconds))


def test_exact_beats_a_nearer_non_exact_round():
    # Lua end at BASE; stats file 2 s BEFORE it (impossible for its own round) vs 8 s after
    links = link_timings([slot("before", -2), slot("after", 8)], [("lua", "supply", 1, BASE)], 45)
    assert (links["lua"].round_key, links["lua"].status) == ("after", "exact")


def test_nearest_within_the_window():
    links = link_timings([slot("far", 1200), slot("near", 300)], [("lua", "SUPPLY", 1, BASE)], 45)
    assert (links["lua"].round_key, links["lua"].status, links["lua"].delta_seconds) == ("near", "nearest", 300)


def test_outside_the_window_stays_unlinked():
    links = link_timings([slot("r", 45 * 60 + 1)], [("lua", "supply", 1, BASE)], 45)
    assert links["lua"].round_key is None and links["lua"].status != "ambiguous_tie"
    links = link_endstats([slot("r", -(45 * 60 + 1))], [("e", "supply", 1, BASE)], 30, 45)
    assert links["e"].round_key is None


def test_other_map_or_round_number_never_links():
    links = link_timings([slot("r2", 3, rnd=2), slot("other", 3, map_name="te_escape2")],
                         [("lua", "supply", 1, BASE)], 45)
    assert links["lua"].round_key is None


def test_an_exact_tie_is_deferred():
    links = link_timings([slot("a", 5), slot("b", 5)], [("lua", "supply", 1, BASE)], 45)
    assert (links["lua"].round_key, links["lua"].status) == (None, "ambiguous_tie")
    links = link_endstats([slot("a", -4), slot("b", 4)], [("e", "supply", 1, BASE)], 30, 45)
    assert (links["e"].round_key, links["e"].status) == (None, "ambiguous_tie")


def test_a_nearest_tie_is_deferred():
    links = link_timings([slot("a", -600), slot("b", 600)], [("lua", "supply", 1, BASE)], 45)
    assert (links["lua"].round_key, links["lua"].status) == (None, "ambiguous_tie")


def test_two_items_never_share_one_round():
    items = [("lua1", "supply", 1, BASE), ("lua2", "supply", 1, BASE + dt.timedelta(seconds=4)),
             ("lua3", "supply", 1, BASE - dt.timedelta(seconds=300))]
    links = link_timings([slot("r", 6)], items, 45)
    assert [l.round_key for l in links.values()].count("r") == 1
    assert links["lua2"].round_key == "r"                 # the closest exact one


def test_two_items_equally_close_to_one_round_both_defer():
    items = [("lua1", "supply", 1, BASE), ("lua2", "supply", 1, BASE + dt.timedelta(seconds=600))]
    links = link_timings([slot("r", 300)], items, 45)
    assert links["lua1"].round_key is None and links["lua2"].round_key is None


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.dictionaries(st.sampled_from("ijklmn"), st.lists(
    st.tuples(st.sampled_from("ABCDE"), st.integers(0, 20).map(float), st.booleans()), max_size=5), max_size=6))
def test_assign_never_links_one_round_twice_nor_outside_the_candidates(cands):
    links = assign(cands)
    linked = [l.round_key for l in links.values() if l.round_key]
    assert len(linked) == len(set(linked))
    assert set(links) == set(cands)
    for item, link in links.items():
        if link.round_key:
            options = [(r, d, e) for r, d, e in cands[item] if r == link.round_key]
            assert options
            best = min((not e, d) for _, d, e in cands[item])
            assert min((not e, d) for _, d, e in options) >= best


def test_corpus_timings_link_exactly_to_their_rounds():
    rows = [(str(p), stats_name(p.name[:17], p.name[18:].rsplit("-round-", 1)[0], int(p.name[-5])), p.read_bytes())
            for p in sorted((NIGHT / "gamestats_c0rnp0rn8").iterdir())]
    res = build_rounds(rows, "2026-02-05", RULES)
    tfiles = [(str(p), classify(p.name), p.read_bytes()) for p in sorted((NIGHT / "gametimes_webhook_v1.7.2").iterdir())]
    trows, _ = build_timings(tfiles, "2026-02-05", RULES)
    links = build_lua_round_teams(trows, res.rounds, RULES.link_window_minutes)
    assert len(links) == 10 and all(l["link_status"] == "exact" for l in links)
    assert len({l["round_key"] for l in links}) == 10
    for l in links:
        assert l["round_key"].endswith("%s-round-%d" % (l["map"], l["round_number"]))


# =========================================================================== teams (§4)

def sides(key, rnd, valid, players):
    return RoundSides(key, rnd, valid, tuple((g, g, g.lower(), s) for g, s in players))


A3 = ["A1", "A2", "A3"]
B3 = ["B1", "B2", "B3"]


def on(team, side):
    return [(g, side) for g in team]


def test_seed_is_the_earliest_valid_r1_side_1_is_team_a():
    rounds = [
        sides("warmup-r1", 1, False, on(A3, 2) + on(B3, 1)),     # abandoned R1: sides the other way round
        sides("supply-r1", 1, True, on(A3, 1) + on(B3, 2)),
        sides("supply-r2", 2, False, on(A3, 2) + on(B3, 1)),
    ]
    t = build_teams(rounds)
    assert set(t.members["A"]) == set(A3) and set(t.members["B"]) == set(B3)
    assert all(v[2] == "supply-r1" for v in t.members["A"].values())


def test_late_joiner_goes_to_the_team_holding_his_side_in_that_round():
    rounds = [
        sides("m1-r1", 1, True, on(A3, 1) + on(B3, 2)),
        sides("m1-r2", 2, False, on(A3, 2) + on(B3, 1)),
        # map 2 R1: Team A now on Allies (2); newcomer N1 on Allies joins A, N2 on Axis joins B
        sides("m2-r1", 1, True, on(A3, 2) + on(B3, 1) + [("N1", 2), ("N2", 1)]),
    ]
    t = build_teams(rounds)
    assert t.team_of("N1") == "A" and t.team_of("N2") == "B"
    assert t.members["A"]["N1"][2] == "m2-r1"


def test_a_tied_vote_goes_to_team_b():
    rounds = [sides("r1", 1, True, [("A1", 1), ("B1", 2)]),
              sides("r2", 2, False, [("A1", 1), ("B1", 1), ("N", 1)])]
    assert build_teams(rounds).team_of("N") == "B"


def test_rosters_only_grow_nobody_moves():
    rounds = [sides("r1", 1, True, on(A3, 1) + on(B3, 2)),
              sides("r2", 2, False, on(A3[:2], 2) + [("A3", 1)] + on(B3, 1))]
    t = build_teams(rounds)
    assert t.team_of("A3") == "A"


def _rows(session_id, date, rounds):
    """rounds: [(key, label, time, players [(guid, name, side, is_bot)])] -> round and player rows."""
    rr, pr = [], []
    for key, label, when, players in rounds:
        rr.append(dict(round_key=key, round_number=label, pairing="complete", aborted=False, orphan=False,
                       local_time=when, session_id=session_id, session_date=date))
        for guid, name, side, bot in players:
            pr.append(dict(round_key=key, guid=guid, player_key=guid if not bot else "%s:%s" % (guid, name),
                           name=name, side=side, is_bot=bot))
    return rr, pr


def test_bots_spectators_and_other_sessions_never_become_members():
    morning_r, morning_p = _rows("2026-02-05-100000", "2026-02-05", [
        ("m-r1", 1, "2026-02-05T10:00:00", [("OLD1", "old1", 1, False), ("OLD2", "old2", 2, False),
                                            ("OMNIBOT0", "[BOT]x", 1, True)])])
    evening_r, evening_p = _rows("2026-02-05-210000", "2026-02-05", [
        ("e-r1", 1, "2026-02-05T21:00:00", [("A1", "a1", 1, False), ("A2", "a2", 1, False),
                                            ("OMNIBOT0", "[BOT]Hunter", 1, True), ("B1", "b1", 2, False),
                                            ("B2", "b2", 2, False), ("SPEC", "spec", 3, False)]),
        ("e-r2", 2, "2026-02-05T21:15:00", [("A1", "a1", 2, False), ("A2", "a2", 2, False),
                                            ("OMNIBOT0", "[BOT]Hunter", 2, True), ("B1", "b1", 1, False),
                                            ("B2", "b2", 1, False), ("SPEC", "spec", 3, False)])])
    rows = build_session_teams(morning_r + evening_r, morning_p + evening_p, ())
    evening = {(r["team"], r["guid"]) for r in rows if r["session_id"] == "2026-02-05-210000"}
    assert evening == {("A", "A1"), ("A", "A2"), ("B", "B1"), ("B", "B2")}
    morning = {(r["team"], r["guid"]) for r in rows if r["session_id"] == "2026-02-05-100000"}
    assert morning == {("A", "OLD1"), ("B", "OLD2")}
    assert all(r["team_name"] in ("Team A", "Team B") for r in rows)


def test_corpus_teams_are_the_two_groups_of_truth_without_the_bot():
    rows = [(str(p), classify(p.name), p.read_bytes()) for p in sorted((NIGHT / "gamestats").iterdir())]
    res = build_rounds(rows, "2026-02-05", RULES)
    teams = build_session_teams(res.rounds, res.player_dicts(), ())
    got = {t["team"]: {t["guid"] for t in teams if t["team"] == team} for t in teams for team in [t["team"]]}
    r1 = _truth_round("supply", 1)
    axis = {tp["guid"][:8] for tp in r1["players"] if tp["side"] == "axis"}
    allies = {tp["guid"][:8] for tp in r1["players"] if tp["side"] == "allies"}
    assert got == {"A": axis, "B": allies}
    assert not any(t["guid"].startswith("OMNIBOT") for t in teams)


# =========================================================================== scoring (§5)

TEAMS = Teams()
for _g in A3:
    TEAMS.members["A"][_g] = (_g, _g.lower(), "seed")
for _g in B3:
    TEAMS.members["B"][_g] = (_g, _g.lower(), "seed")


def lineup(a_side):
    return tuple((g, g, g.lower(), a_side) for g in A3) + tuple((g, g, g.lower(), 3 - a_side) for g in B3)


def facts(key, a_side, defender=1, winner=0, limit=720, clock=None, measured=None, end_reason=None,
          surrender=None, players=None):
    return RoundFacts(key, defender, winner, limit, clock, measured, end_reason, surrender,
                      players if players is not None else lineup(a_side))


def play(r1, r2, aborted=False, index=1, map_name="supply"):
    return MapPlay(index, map_name, r1, r2, aborted)


def test_header_winner_goes_through_team_as_r2_side():
    # A on Axis (defends) in R1, so A is on Allies in R2
    r1 = facts("r1", 1, winner=2, clock=525)
    won = score_map(play(r1, facts("r2", 2, winner=2, limit=525, clock=500)), TEAMS)
    assert (won["winner"], won["points_a"], won["points_b"], won["counted"], won["scoring_source"]) == \
           ("A", 1, 0, True, "header")
    lost = score_map(play(r1, facts("r2", 2, winner=1, limit=525, clock=525)), TEAMS)
    assert (lost["winner"], lost["points_a"], lost["points_b"]) == ("B", 0, 1)


def test_header_winner_works_when_team_a_attacks_first():
    r1 = facts("r1", 2, winner=2, clock=400)            # A on Allies attacks and sets 6:40
    result = score_map(play(r1, facts("r2", 1, winner=1, limit=400, clock=400)), TEAMS)
    assert result["winner"] == "A" and result["a_r1_side"] == 2


def test_time_fallback_faster_completion_wins():
    r1 = facts("r1", 1, clock=525)                       # B attacks in R1, sets 8:45; no winner field
    r2 = facts("r2", 2, limit=525, clock=400)            # A attacks in R2, 6:40
    result = score_map(play(r1, r2), TEAMS)
    assert (result["winner"], result["scoring_source"], result["counted"]) == ("A", "time", True)


def test_time_fallback_an_equal_time_goes_to_the_r1_attackers():
    r1 = facts("r1", 1, clock=525, measured=525)
    r2 = facts("r2", 2, limit=525, clock=525, measured=525)
    result = score_map(play(r1, r2), TEAMS)
    assert (result["winner"], result["scoring_source"]) == ("B", "time")


def test_time_fallback_r2_fullhold_and_r1_fullhold():
    r2_held = score_map(play(facts("r1", 1, clock=525), facts("r2", 2, limit=525, measured=525)), TEAMS)
    assert r2_held["winner"] == "B"
    r1_held = score_map(play(facts("r1", 1, clock=720, measured=720), facts("r2", 2, clock=610, measured=610)),
                        TEAMS)
    assert r1_held["winner"] == "A"


def test_time_fallback_r2_one_second_faster_wins():
    r1 = facts("r1", 1, clock=525)
    r2 = facts("r2", 2, limit=525, clock=524)
    assert score_map(play(r1, r2), TEAMS)["winner"] == "A"


def test_time_fallback_with_an_unknown_limit_counts_positive_times():
    r1 = facts("r1", 1, limit=0, clock=525)
    r2 = facts("r2", 2, limit=0, clock=400)
    result = score_map(play(r1, r2), TEAMS)
    assert (result["counted"], result["winner"]) == (True, "A")


def test_surrender_is_not_a_completion():
    # R1: B attacks (A on Axis defends) and surrenders after 4:00; the stats clock shows the full limit
    r1 = facts("r1", 1, winner=1, limit=600, clock=600, measured=240, end_reason="surrender", surrender=2)
    assert attackers_succeeded(r1) is False
    r2 = facts("r2", 2, winner=2, limit=600, clock=390, measured=390)
    result = score_map(play(r1, r2), TEAMS)
    assert result["winner"] == "A" and result["counted"]
    # the same without header winners (time fallback): 4:00 must not count as a time set
    r1_nohdr = facts("r1", 1, winner=0, defender=1, limit=600, clock=600, measured=240, end_reason="surrender",
                     surrender=2)
    assert attackers_succeeded(r1_nohdr) is False
    r2_nohdr = facts("r2", 2, winner=0, limit=600, clock=390, measured=390)
    assert score_map(play(r1_nohdr, r2_nohdr), TEAMS)["winner"] == "A"


def test_r1_only_is_listed_and_not_counted():
    result = score_map(play(facts("r1", 1, winner=2, clock=525), None), TEAMS)
    assert (result["counted"], result["winner"], result["points_a"], result["points_b"]) == (False, None, 0, 0)
    assert result["note"]


def test_aborted_r2_is_not_counted():
    result = score_map(play(facts("r1", 1, winner=2, clock=525), facts("r2", 2, winner=1, limit=525, clock=400),
                            aborted=True), TEAMS)
    assert (result["counted"], result["winner"]) == (False, None)


def test_ambiguous_sides_are_not_counted():
    mixed = (("A1", "A1", "a1", 1), ("A2", "A2", "a2", 2), ("B1", "B1", "b1", 1), ("B2", "B2", "b2", 2))
    r1 = facts("r1", 1, winner=2, clock=525, players=mixed)
    r2 = facts("r2", 2, winner=2, limit=525, clock=400, players=mixed)
    result = score_map(play(r1, r2), TEAMS)
    assert (result["counted"], result["winner"], result["scoring_source"]) == (False, None, "ambiguous")


def test_one_substitute_does_not_make_a_map_ambiguous():
    # DOMAIN 5.4 braundorf_b4: A has 2 on Axis and 1 on Allies, B 1 and 2
    players = (("A1", "A1", "a1", 1), ("A2", "A2", "a2", 1), ("A3", "A3", "a3", 2),
               ("B1", "B1", "b1", 1), ("B2", "B2", "b2", 2), ("B3", "B3", "b3", 2))
    swapped = tuple((k, g, n, 3 - s) for k, g, n, s in players)
    result = score_map(play(facts("r1", 1, winner=2, clock=525, players=players),
                            facts("r2", 2, winner=2, limit=525, clock=400, players=swapped)), TEAMS)
    assert result["counted"] and result["winner"] == "A"


@pytest.mark.parametrize("with_headers", [True, False])
def test_double_full_hold_under_both_rules(with_headers):
    r1 = facts("r1", 1, winner=1 if with_headers else 0, clock=720, measured=720)
    r2 = facts("r2", 2, winner=1 if with_headers else 0, limit=720, clock=720, measured=720)
    tie = score_map(play(r1, r2), TEAMS, double_fullhold="tie")
    assert (tie["winner"], tie["counted"], tie["points_a"], tie["points_b"]) == ("tie", True, 0, 0)
    assert (tie["time_a"], tie["time_b"]) == ("fullhold", "fullhold")
    # rule "r2_defenders": ET keeps w = defender, the map goes to the R2 defenders = the R1 attackers (B)
    r2d = score_map(play(r1, r2), TEAMS, double_fullhold="r2_defenders")
    assert (r2d["winner"], r2d["counted"], r2d["points_a"], r2d["points_b"]) == ("B", True, 0, 1)


def test_session_score_counts_maps_won():
    results = [dict(counted=True, points_a=1, points_b=0), dict(counted=True, points_a=0, points_b=1),
               dict(counted=True, points_a=0, points_b=0), dict(counted=False, points_a=0, points_b=0)]
    assert session_score(results) == dict(score_a=1, score_b=1, winner="tie", maps_counted=3, maps_total=4)
    assert session_score([dict(counted=False, points_a=0, points_b=0)])["winner"] is None


# ------------------------------------------------------------------ the 11:11 versus 7:4 night (DOMAIN 5.5)

# (R1 attackers, R1 time set, R2 attackers' time or None when they ran out of time); 12:00 limit
ELEVEN = [("A", 601, 540), ("B", 480, 530), ("A", 420, 300), ("B", 390, None), ("A", 555, 500),
          ("B", 600, 450), ("A", 300, None), ("B", 500, 420), ("A", 650, 589), ("B", 700, 690),
          ("A", 350, 300)]


def _eleven_maps(with_headers: bool):
    plays = []
    for i, (r1_att, t1, t2) in enumerate(ELEVEN, start=1):
        a_side_r1 = 2 if r1_att == "A" else 1          # defender is always Axis (1): attackers on Allies
        r2_done = t2 is not None and t2 < t1
        r1 = facts("m%d-r1" % i, a_side_r1, defender=1, winner=2 if with_headers else 0, limit=720, clock=t1,
                   measured=t1)
        r2_time = t2 if r2_done else t1
        r2 = facts("m%d-r2" % i, 3 - a_side_r1, defender=1, winner=(2 if r2_done else 1) if with_headers else 0,
                   limit=t1, clock=r2_time, measured=r2_time)
        plays.append(play(r1, r2, index=i, map_name="map%d" % i))
    return plays


def _independent_round_scoring(plays):
    """The outdated rule (b) of DOMAIN 5.5, for reference: +1 per round to the attackers if
    they 'completed' (any time below 12:00), else to the defenders."""
    score = {"A": 0, "B": 0}
    for p in plays:
        r1_att = "B" if side_of_team(TEAMS, p.r1.players, "A") == p.r1.defender else "A"
        r2_att = "B" if r1_att == "A" else "A"
        score[r1_att if 0 < p.r1.clock_s < 720 else r2_att] += 1
        score[r2_att if 0 < p.r2.clock_s < 720 else r1_att] += 1
    return score


def _stopwatch_truth():
    wins = {"A": 0, "B": 0}
    for r1_att, t1, t2 in ELEVEN:
        r2_att = "B" if r1_att == "A" else "A"
        wins[r2_att if t2 is not None and t2 < t1 else r1_att] += 1
    return wins


@pytest.mark.parametrize("with_headers", [True, False], ids=["header", "time-fallback"])
def test_eleven_maps_score_7_to_4_not_11_to_11(with_headers):
    plays = _eleven_maps(with_headers)
    assert _independent_round_scoring(plays) == {"A": 11, "B": 11}    # the wrong report
    assert _stopwatch_truth() == {"A": 4, "B": 7}                     # Superboyy's sheet
    results = [score_map(p, TEAMS) for p in plays]
    assert all(r["counted"] for r in results)
    assert [r["winner"] for r in results] == [
        ("B" if a == "A" else "A") if t2 is not None and t2 < t1 else a for a, t1, t2 in ELEVEN]
    score = session_score(results)
    assert (score["score_a"], score["score_b"], score["winner"]) == (4, 7, "B")


# ------------------------------------------------------------------ the real night end to end

@pytest.mark.parametrize("stack", [("gamestats", "gametimes"), ("gamestats_c0rnp0rn8", "gametimes_webhook_v1.7.2")],
                         ids=["feb2026", "head"])
@pytest.mark.parametrize("rule", ["tie", "r2_defenders"])
def test_corpus_map_winners_match_truth(stack, rule):
    stats_dir, timing_dir = stack
    rows = [(str(p), classify(p.name), p.read_bytes()) for p in sorted((NIGHT / stats_dir).iterdir())]
    res = build_rounds(rows, "2026-02-05", RULES)
    tfiles = [(str(p), classify(p.name), p.read_bytes()) for p in sorted((NIGHT / timing_dir).iterdir())]
    trows, _ = build_timings(tfiles, "2026-02-05", RULES)
    links = build_lua_round_teams(trows, res.rounds, RULES.link_window_minutes)
    by_source = {t["source"]: t for t in trows}
    lua = {l["round_key"]: by_source[l["source"]] for l in links if l["round_key"]}
    teams = build_session_teams(res.rounds, res.player_dicts(), ())
    results = build_map_results(res.rounds, res.player_dicts(), lua, teams, rule)
    # truth's group letters are its own: translate through the Axis players of the first R1
    first_r1 = _truth_round("supply", 1)
    axis_group = first_r1["defending_group"] if first_r1["defender_side"] == "axis" else first_r1["attacking_group"]
    letter = {axis_group: "A", ("B" if axis_group == "A" else "A"): "B"}
    expected = []
    for m in TRUTH["maps"]:
        sw = m["stopwatch"]
        expected.append("tie" if sw["double_fullhold"] and rule == "tie" else letter[sw["winner_group"]])
    assert [r["map"] for r in results] == MAPS
    assert [r["winner"] for r in results] == expected
    assert all(r["counted"] for r in results)
    [session] = build_session_results(res.sessions, results, teams)
    assert (session["score_a"], session["score_b"]) == (expected.count("A"), expected.count("B"))
    assert session["format"] == "3v3"


# =========================================================================== timing comparison (§8)

@pytest.mark.parametrize("stats, lua, status", [
    (600, 600, "ALIGNED"), (630, 600, "ALIGNED"), (570, 600, "ALIGNED"), (630.5, 600, "MINOR_DIFF"),
    (660, 600, "MINOR_DIFF"), (540, 600, "MINOR_DIFF"), (661, 600, "DISCREPANCY"), (539, 600, "DISCREPANCY"),
    (720, 240, "DISCREPANCY"), (600, None, "NO_LUA_DATA"), (None, None, "NO_LUA_DATA"),
])
def test_timing_thresholds(stats, lua, status):
    got, diff = compare(stats, lua)
    assert got == status
    if stats is not None and lua is not None:
        assert diff == pytest.approx(stats - lua)


def test_best_duration_prefers_lua_then_header_playtime_never_a_surrender_clock():
    assert best_duration(240, 600.0, 600, 600, True) == 240
    assert best_duration(None, 521.3, 525, 720, False) == 521.3
    assert best_duration(None, None, 525, 720, False) == 525
    assert best_duration(None, None, 600, 600, True) is None          # surrender: clock is the full limit
    assert best_duration(None, None, 4265, 720, False) is None        # fallback garbage (71:05 > 12:00)


def test_no_lua_data_causes():
    causes = {
        "tie": no_lua_cause("ambiguous_tie", False, 1, True),
        "unlinked": no_lua_cause("no_round_in_window", False, 1, True),
        "v160": no_lua_cause(None, True, 2, True),
        "none": no_lua_cause(None, False, 1, False),
        "missing": no_lua_cause(None, False, 1, True),
    }
    assert len(set(causes.values())) == 5
    assert "two rounds" in causes["tie"] or "ambiguous" in causes["tie"].lower() or "tie" in causes["tie"]
    assert "no_round_in_window" in causes["unlinked"]
    assert "1.6.0" in causes["v160"]
    assert "session" in causes["none"]


def _corpus_timing(stats_dir, timing_dir):
    rows = [(str(p), classify(p.name), p.read_bytes()) for p in sorted((NIGHT / stats_dir).iterdir())]
    res = build_rounds(rows, "2026-02-05", RULES)
    tfiles = [(str(p), classify(p.name), p.read_bytes()) for p in sorted((NIGHT / timing_dir).iterdir())] \
        if timing_dir else []
    trows, _ = build_timings(tfiles, "2026-02-05", RULES)
    links = build_lua_round_teams(trows, res.rounds, RULES.link_window_minutes)
    by_source = {t["source"]: t for t in trows}
    lua = {l["round_key"]: by_source[l["source"]] for l in links if l["round_key"]}
    out = build_timing_comparison(res.rounds, lua, trows, links)
    return {r["round_key"]: r for r in out}


def test_feb2026_night_no_lua_data_for_r2_after_a_set_time():
    rows = _corpus_timing("gamestats", "gametimes")
    missing = sorted(k for k, r in rows.items() if r["status"] == "NO_LUA_DATA")
    # v1.6.0 crashed on every R2 whose time limit was fractional: supply (10:10) and te_escape2 (5:30)
    assert missing == ["2026-02-05-212035-supply-round-2", "2026-02-05-215043-te_escape2-round-2"]
    assert all("1.6.0" in rows[k]["cause"] for k in missing)
    surrender = rows["2026-02-05-212651-etl_adlernest-round-1"]
    assert (surrender["status"], surrender["stats_seconds"], surrender["lua_seconds"]) == ("DISCREPANCY", 600, 240)
    assert "surrender" in surrender["cause"]
    others = [r for k, r in rows.items() if k not in missing and r is not surrender]
    assert all(r["status"] == "ALIGNED" for r in others)


def test_head_night_is_aligned_everywhere():
    rows = _corpus_timing("gamestats_c0rnp0rn8", "gametimes_webhook_v1.7.2")
    assert {r["status"] for r in rows.values()} == {"ALIGNED"}
    assert all(abs(r["diff_seconds"]) <= 1 for r in rows.values())


def test_no_timing_files_at_all():
    rows = _corpus_timing("gamestats", None)
    assert {r["status"] for r in rows.values()} == {"NO_LUA_DATA"}
    assert len({r["cause"] for r in rows.values()}) == 1 and "session" in next(iter(rows.values()))["cause"]


# =========================================================================== invariants (hypothesis)

_START = dt.datetime(2026, 2, 5, 20, 0, 0)
_offsets = st.lists(st.integers(0, 8 * 3600), min_size=1, max_size=25, unique=True)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(offsets=_offsets, data=st.data())
def test_sessions_are_maximal_runs_with_gaps_of_at_most_60_minutes(offsets, data):
    names = [stats_name((_START + dt.timedelta(seconds=o)).strftime("%Y-%m-%d-%H%M%S"), "supply", 1 + i % 2)
             for i, o in enumerate(offsets)]
    sessions = group_sessions(names)
    shuffled = group_sessions(data.draw(st.permutations(names)))
    assert [[r.name for r in s.rounds] for s in sessions] == [[r.name for r in s.rounds] for s in shuffled]
    assert sum(len(s.rounds) for s in sessions) == len(names)
    hour = dt.timedelta(minutes=60)
    for s in sessions:
        times = [r.local_time for r in s.rounds]
        assert times == sorted(times)
        assert all(b - a <= hour for a, b in zip(times, times[1:]))
        assert s.session_id == times[0].strftime("%Y-%m-%d-%H%M%S")
        assert s.session_date == times[0].date().isoformat()
    for a, b in zip(sessions, sessions[1:]):
        assert b.start - a.end > hour


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(0, 6 * 3600), st.sampled_from(["supply", "te_escape2", "Supply"]),
                          st.sampled_from([1, 2]), st.booleans()), min_size=1, max_size=14,
                unique_by=lambda t: t[0]))
def test_pairing_invariants(rounds):
    refs = [RoundRef("k%d" % i, m, label, _START + dt.timedelta(seconds=o), shutdown)
            for i, (o, m, label, shutdown) in enumerate(rounds)]
    got = pair_rounds(refs)
    assert set(got) == {r.key for r in refs}
    by_key = {r.key: r for r in refs}
    partners = [p.pair_key for p in got.values() if p.pair_key]
    assert len(partners) == len(set(partners))            # nobody is paired twice
    for key, p in got.items():
        r = by_key[key]
        assert p.status in ("complete", "abandoned_r1", "orphan_r2", "r1_only", "aborted_r2")
        if p.pair_key:
            other = got[p.pair_key]
            assert other.pair_key == key and other.match_id == p.match_id
            first, second = sorted([r, by_key[p.pair_key]], key=lambda x: x.time)
            assert first.map.lower() == second.map.lower()
            assert dt.timedelta(0) < second.time - first.time <= dt.timedelta(minutes=45)
            assert p.match_id == first.time.strftime("%Y-%m-%d-%H%M%S")
            assert got[first.key].round_number == 1 and got[second.key].round_number == 2
        else:
            assert p.status in ("abandoned_r1", "orphan_r2", "r1_only")
        if p.status == "orphan_r2":
            assert r.label == 2 and p.match_id == r.time.strftime("%Y-%m-%d-%H%M%S")


def test_an_ambiguous_timing_link_is_reported_as_the_cause():
    rounds = [dict(round_key=k, session_date="2026-02-05", map="supply", round_number=1, match_id=k[:17],
                   header_playtime_seconds=None, next_time_limit_seconds=500, time_limit_seconds=720)
              for k in ("2026-02-05-210000-supply-round-1", "2026-02-05-212000-supply-round-1")]
    timing = [dict(source="gametime-supply-R1-1770321900.json", session_date="2026-02-05", map="supply",
                   round_number=1, playtime_seconds=500)]
    links = [dict(source=timing[0]["source"], round_key=None, link_status="ambiguous_tie")]
    rows = build_timing_comparison(rounds, {}, timing, links)
    assert [r["status"] for r in rows] == ["NO_LUA_DATA", "NO_LUA_DATA"]
    assert all(r["cause"] == no_lua_cause("ambiguous_tie", False, 1, True) for r in rows)


# =========================================================================== per-player numbers (§6)

def test_player_row_formulas_and_zero_guards():
    line = parse_stats_file(stats_bytes("supply", 1, [
        player_line("AAAAAAAA", "a", 1, 1, 6, 0, dmg=1500, minutes=10.0, shots=200, hits=50),
        player_line("BBBBBBBB", "b", 1, 2, 0, 0, dmg=0, rec=0, minutes=0.0, shots=0, hits=0)])).players
    a, b = player_row(line[0], 480.0), player_row(line[1], 480.0)
    assert (a["kills"], a["deaths"], a["kd_ratio"], a["efficiency"]) == (6, 0, 6.0, 100.0)
    assert a["accuracy"] == 25.0 and a["time_played_seconds"] == 600 and a["dpm"] == 150.0
    assert a["time_dead_ratio"] == 20.0                     # 80 % alive of 10 minutes (TAB 8, not TAB 25)
    # nobody divides by zero; a player without team time falls back to the round duration
    assert (b["accuracy"], b["kd_ratio"], b["efficiency"], b["dpm"]) == (0.0, 0.0, 0.0, 0.0)
    assert b["time_played_seconds"] == 480


def test_session_aggregates_time_weighted_dpm_and_aimed_accuracy():
    from et_pipeline.domain.aggregates import session_players
    base = dict(player_key="AAAAAAAA", guid="AAAAAAAA", name="a", is_bot=False, kills=0, deaths=0, gibs=0,
                damage_received=0, self_kills=0, full_selfkills=0, team_kills=0, revives_given=0, times_revived=0,
                useful_kills=0, kill_assists=0, denied_playtime=0, multikill_2x=0, multikill_3x=0, multikill_4x=0,
                multikill_5x=0, multikill_6x=0)
    players = [dict(base, round_key="r1", damage_given=3000, time_played_seconds=600, time_dead_minutes=1.0),
               dict(base, round_key="r2", damage_given=500, time_played_seconds=60, time_dead_minutes=5.0)]
    weapons = [dict(player_key="AAAAAAAA", weapon="WS_THOMPSON", hits=30, shots=100, headshots=6),
               dict(player_key="AAAAAAAA", weapon="WS_GRENADE", hits=10, shots=10, headshots=0),
               dict(player_key="AAAAAAAA", weapon="WS_SYRINGE", hits=8, shots=8, headshots=0)]
    [p] = session_players(players, weapons, {"AAAAAAAA": "A"})
    assert p["dpm"] == pytest.approx(3500 * 60 / 660, abs=0.05)   # not the mean of 300 and 500
    assert (p["hits"], p["shots"], p["accuracy"], p["headshots"]) == (30, 100, 30.0, 6)
    assert p["time_dead_seconds"] == 60 + 60                        # capped at the round's play time
    assert (p["team"], p["rounds"]) == ("A", 2)
