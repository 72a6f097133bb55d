"""The night checks itself (domain/night_checks.py): the recorded night, both script
generations, has no `fail`; every check fails when one of its two sources is changed
(and only then); an award changed in the award file fails its round through the whole
pipeline and the night is still published; a failure that makes the night's totals
wrong holds the summary back."""
import copy
import json

import pytest
from sqlalchemy import select

from et_pipeline.domain.night_checks import CHECKS, FAIL, PASS, WARN, held_messages, session_checks
from et_pipeline.parsers.stats_file import parse_stats_file
from et_pipeline.parsers.text import strip_colours
from et_pipeline.publish.admin_problems import LOST, QUIRK, check_problems
from et_pipeline.publish.embeds import build_messages
from et_pipeline.publish.message import _Ctx
from et_pipeline.report import build_report, build_sessions
from et_pipeline.storage import schema as t
from et_pipeline.storage.database import select_partition
from et_pipeline_tests.pipeline_fixtures import Pipeline, ephemeral_instance, lay_out_night

DATE = "2026-02-05"
SUPPLY_R1, SUPPLY_R2 = "2026-02-05-211001-supply-round-1.txt", "2026-02-05-212035-supply-round-2.txt"
SUPPLY_R1_AWARDS = "2026-02-05-210959-supply-round-1-endstats.txt"


class Night:
    """One pipeline run of the recorded night: the report's session without checks, its
    stats files parsed, its VS lines; `checks()` runs the checks on (changed) copies."""

    def __init__(self, pipeline: Pipeline):
        with pipeline.engine.connect() as conn:
            [self.session] = build_sessions(conn, [DATE], checks=False)
            file_of = {r["round_key"]: r["file"] for r in select_partition(conn, t.rounds, [DATE])}
            self.vs = {}
            for v in select_partition(conn, t.vs_stats, [DATE]):
                self.vs.setdefault(file_of.get(v["round_key"]), []).append(v)
            self.report = build_report(conn, DATE)
        gs = pipeline.source / "gamestats"
        self.raw = {r["file"]: (gs / r["file"]).read_bytes() for r in self.session["rounds"]}

    def checks(self, session=None, raw=None, vs=None) -> list[dict]:
        files = {name: parse_stats_file(data) for name, data in (raw or self.raw).items()}
        return session_checks(session or self.session, files, vs or self.vs)


def _night(tmp_path_factory, variant) -> Night:
    root = tmp_path_factory.mktemp(variant)
    with ephemeral_instance() as instance:
        p = Pipeline(lay_out_night(root / "server", variant), "sqlite:///%s" % (root / "et.db"), root / "out",
                     instance)
        assert p.materialize([DATE]).success
        return Night(p)


@pytest.fixture(scope="module")
def feb(tmp_path_factory) -> Night:
    return _night(tmp_path_factory, "feb2026")


@pytest.fixture(scope="module")
def head(tmp_path_factory) -> Night:
    return _night(tmp_path_factory, "head")


def _by(checks, name, round_file=None):
    return [c for c in checks if c["check"] == name and (round_file is None or c["round_file"] == round_file)]


def _round(session, name):
    return next(r for r in session["rounds"] if r["file"] == name)


def _player(rnd, name):
    return next(p for p in rnd["players"] if p["name"] == name)


@pytest.mark.parametrize("variant", ["feb", "head"])
def test_the_recorded_night_has_no_fail_and_every_check_looks(variant, request):
    night: Night = request.getfixturevalue(variant)
    checks = night.report["sessions"][0]["checks"]
    assert checks == night.checks()                            # the report carries what the asset stored
    assert [c for c in checks if c["status"] == FAIL] == []
    assert {c["check"] for c in checks} == {c.name for c in CHECKS}
    # the two quirks of the night: the R1 surrender on adlernest (the stats clock shows the
    # limit), and kRm!'s reconnect during delivery's R2 (what he did before it is lost)
    warned = {(c["check"], c["round_file"][18:]) for c in checks if c["status"] == WARN}
    expected = {(name, "etl_sp_delivery-round-2.txt") for name in ("kills_match_deaths", "vs_matches_stats")}
    if variant == "feb":       # c0rnp0rn7: the clock is the stats file's only duration
        expected.add(("timing_matches_stats", "etl_adlernest-round-1.txt"))
    assert warned == expected
    assert all(c["action"] for c in checks if c["status"] != PASS)
    assert all(c["action"] is None for c in checks if c["status"] == PASS)


def test_order_is_rounds_then_checks_then_the_session(feb):
    checks = feb.checks()
    order = [r["file"] for r in feb.session["rounds"]]
    names = [c.name for c in CHECKS]
    keys = [(order.index(c["round_file"]) if c["round_file"] else len(order), names.index(c["check"])) for c in checks]
    assert keys == sorted(keys) and checks[-1]["check"] == "totals_add_up"
    assert feb.checks() == checks


def _edit_line(raw: bytes, name: str, edit) -> bytes:
    lines = raw.decode().split("\n")
    for i, line in enumerate(lines):
        parts = line.split("\\")
        if len(parts) == 5 and name in strip_colours(parts[1]):
            weapons, tabs = parts[4].split("\t", 1)
            w, tab = weapons.split(), tabs.split("\t")
            edit(w, tab)
            parts[4] = " ".join(w) + " \t" + "\t".join(tab)
            lines[i] = "\\".join(parts)
    return "\n".join(lines).encode()


def _only_fail(checks, name, round_file):
    failed = [(c["check"], c["round_file"]) for c in checks if c["status"] == FAIL]
    assert failed == [(name, round_file)], failed
    return _by(checks, name, round_file)[0]


def test_an_award_that_disagrees_with_the_stats_file_fails_its_round(feb):
    s = copy.deepcopy(feb.session)
    award = next(a for a in _round(s, SUPPLY_R1)["awards"] if a["award"] == "Most damage given")
    award["value"], award["value_text"] = 9502.0, "9502"
    c = _only_fail(feb.checks(s), "award_matches_stats", SUPPLY_R1)
    assert c["detail"] == "Most damage given: award says 9502 for [SX]Vektor, the stats file 2502"


def test_round_2_awards_describe_the_round_2_line_as_written(feb):
    """A round-2 award of an engine counter counts both rounds (the file's cumulative
    line), one of a script counter round 2 only: both equal the line as written, never
    the differential, which would make every R2 award a false alarm."""
    r2 = _round(feb.session, SUPPLY_R2)
    award = next(a for a in r2["awards"] if a["award"] == "Most damage given")
    assert award["value"] == 4610 and _player(r2, award["player"])["damage_given"] < 4610
    assert _by(feb.checks(), "award_matches_stats", SUPPLY_R2)[0]["status"] == PASS


def test_a_timing_file_minutes_away_fails(head):
    s = copy.deepcopy(head.session)
    r = _round(s, SUPPLY_R1)
    assert (r["lua"]["version"], r["timing"]["stats_source"]) == ("1.7.2", "header_playtime")
    r["timing"]["diff_seconds"] = r["timing"]["stats_seconds"] - (r["timing"]["lua_seconds"] + 150)
    r["timing"]["lua_seconds"] += 150
    _only_fail(head.checks(s), "timing_matches_stats", SUPPLY_R1)
    r["timing"]["diff_seconds"] += 100     # 50 s: the timing script may start its clock early
    assert _by(head.checks(s), "timing_matches_stats", SUPPLY_R1)[0]["status"] == WARN
    r["timing"]["diff_seconds"] -= 100
    r["lua"]["version"] = "1.6.0"          # that script counts pauses as play: Lua longer is a quirk
    assert _by(head.checks(s), "timing_matches_stats", SUPPLY_R1)[0]["status"] == WARN
    r["lua"]["pause_seconds"], r["lua"]["version"] = 150, "1.7.2"     # or the pauses it measured
    assert "pauses explain" in _by(head.checks(s), "timing_matches_stats", SUPPLY_R1)[0]["detail"]


def test_a_header_winner_against_its_own_times_fails(feb):
    raw = dict(feb.raw)
    head, rest = raw[SUPPLY_R1].split(b"\n", 1)
    fields = head.split(b"\\")
    fields[5] = fields[4]                  # the defence held, yet the clock says 10:10 of 12:00
    raw[SUPPLY_R1] = b"\\".join(fields) + b"\n" + rest
    c = _only_fail(feb.checks(raw=raw), "winner_matches_times", SUPPLY_R1)
    assert "defence" in c["detail"] and "timing file" in c["detail"]


def test_a_round_2_counter_below_round_1_fails_for_a_differenced_player(feb):
    raw = dict(feb.raw)
    raw[SUPPLY_R2] = _edit_line(raw[SUPPLY_R2], "Vektor", lambda w, tab: tab.__setitem__(4, "0"))   # gibs
    c = _only_fail(feb.checks(raw=raw), "r2_not_below_r1", SUPPLY_R2)
    assert c["detail"] == "[SX]Vektor: gibs 0 in round 2, 4 in round 1"


def test_kills_that_the_other_side_did_not_die_fail(feb):
    s = copy.deepcopy(feb.session)
    _player(_round(s, SUPPLY_R1), "rambo")["deaths"] += 2
    checks = feb.checks(s)
    c = _by(checks, "kills_match_deaths", SUPPLY_R1)[0]
    assert c["status"] == FAIL and "Allies killed 38, the Axis lines hold 40 deaths" in c["detail"]


def test_vs_lines_against_this_rounds_kills(feb):
    vs = copy.deepcopy(feb.vs)
    row = next(v for v in vs[SUPPLY_R2] if v["subject_name"] == "rambo")
    row["kills"] += 3
    c = _only_fail(feb.checks(vs=vs), "vs_matches_stats", SUPPLY_R2)
    assert c["detail"].startswith("rambo: VS lines 14 kills")


def test_a_line_that_contradicts_itself_fails(feb):
    raw = dict(feb.raw)
    raw[SUPPLY_R1] = _edit_line(raw[SUPPLY_R1], "rambo", lambda w, tab: tab.__setitem__(20, str(int(tab[20]) + 7)))
    c = _only_fail(feb.checks(raw=raw), "lines_consistent", SUPPLY_R1)
    assert "bullets fired" in c["detail"]


def test_more_time_on_a_team_than_the_round_lasted_fails(feb):
    s = copy.deepcopy(feb.session)
    _round(s, SUPPLY_R2)["playtime_seconds"] = 300
    c = _only_fail(feb.checks(s), "time_fits_round", SUPPLY_R2)
    assert "the round lasted 300 s" in c["detail"]


def test_night_totals_that_do_not_add_up_hold_the_summary_back(feb):
    s = copy.deepcopy(feb.session)
    next(p for p in s["players"] if p["name"] == "rambo")["kills"] += 1
    s["checks"] = feb.checks(s)
    c = _only_fail(s["checks"], "totals_add_up", None)
    assert "rambo: kills" in c["detail"] and "team " in c["detail"]
    assert set(held_messages(s["checks"])) == {"session:summary", "session:graphs"}
    messages = {m.key: m for m in build_messages(s, graphs=False, admin={})}
    summary = json.dumps(messages["session:summary"].payload)
    assert "held back" in summary and "Player of the night" not in summary
    admins = json.dumps(messages["admin:checks"].payload, ensure_ascii=False)
    assert "totals_add_up" in admins and "held back" in admins
    # no fail: the summary is the summary
    clean = dict(feb.session, checks=feb.checks())
    assert "Player of the night" in json.dumps(
        {m.key: m for m in build_messages(clean, graphs=False, admin={})}["session:summary"].payload)


def test_the_admins_get_every_fail_and_warn_with_what_to_do(feb):
    s = dict(feb.session, checks=feb.report["sessions"][0]["checks"])
    problems = check_problems(_Ctx(s))
    assert [p.severity for p in problems] == sorted((p.severity for p in problems), key=(LOST, QUIRK).index)
    embed = {m.key: m for m in build_messages(s, graphs=False, admin={})}["admin:checks"].payload["embeds"][0]
    text = json.dumps(embed, ensure_ascii=False)
    shown = [c for c in s["checks"] if c["status"] in ("fail", "warn") and c["check"] != "timing_matches_stats"]
    assert shown and sum(len(p.where) for p in problems) == len(shown)
    for c in shown:
        assert c["check"] in text and c["action"][:40] in text


def test_a_changed_award_fails_through_the_pipeline_and_the_night_is_still_published(tmp_path, dagster_instance):
    night = lay_out_night(tmp_path / "server")
    path = night / "gamestats" / SUPPLY_R1_AWARDS
    award = b"Most damage given\t[SX]Vektor\t"
    path.write_bytes(path.read_bytes().replace(award + b"2502", award + b"9502"))
    p = Pipeline(night, "sqlite:///%s" % (tmp_path / "et.db"), tmp_path / "out", dagster_instance)
    result = p.materialize([DATE])
    assert result.success
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert not evaluations["award_matches_stats"].passed
    assert evaluations["winner_matches_times"].passed
    with p.engine.connect() as conn:
        s = build_report(conn, DATE)["sessions"][0]
        published = conn.execute(select(t.partition_state.c.completed)).scalars().all()
    [c] = [c for c in s["checks"] if c["status"] == FAIL]
    assert (c["check"], c["round_file"]) == ("award_matches_stats", SUPPLY_R1)
    assert published == [True]
    players = list((tmp_path / "out" / DATE).glob("*/players/session_summary.json"))
    admins = list((tmp_path / "out" / DATE).glob("*/admins/admin_checks.json"))
    assert players and admins and "award says 9502" in admins[0].read_text()


@pytest.mark.system   # 20 generated nights through the pipeline
def test_twenty_generated_nights_have_no_fail(tmp_path):
    """Generated nights with every edge case and every player-comes-and-goes case at a
    high rate, both script generations: no check fails (`make bench` runs 100 nights)."""
    import subprocess
    import sys
    from pathlib import Path

    from et_pipeline.storage.database import make_engine
    from et_pipeline.synth import generate

    truth = generate(20, str(tmp_path / "src"), seed=44, edge_rate=0.3)
    exe = Path(sys.executable).with_name("et-pipeline")
    db = "sqlite:///%s" % (tmp_path / "et.db")
    run = subprocess.run([str(exe), "run", "--source", str(tmp_path / "src"), "--db", db, "--dagster-home",
                          str(tmp_path / "dh"),
                          "--publish", "off", "--season", "skip"], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    seen, fails = set(), []
    with make_engine(db).connect() as conn:
        for n in truth["nights"]:
            for s in build_report(conn, n["date"])["sessions"]:
                seen |= {c["check"] for c in s["checks"]}
                fails += [(n["date"], c["check"], c["round_file"], c["detail"]) for c in s["checks"]
                          if c["status"] == FAIL]
    assert fails == []
    assert seen == {c.name for c in CHECKS}
    assert {n["variant"]["stats"] for n in truth["nights"]} == {"c0rnp0rn7", "c0rnp0rn8"}
