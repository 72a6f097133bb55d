"""The night generator (et_pipeline.synth): its files are what the server scripts write
(names, formats, cumulative round 2, stopwatch headers, timing), it is deterministic,
and the pipeline, run on generated nights, finds the map winners the truth says."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from et_pipeline.parsers.endstats_file import parse_endstats_file
from et_pipeline.parsers.filenames import ENDSTATS, GAMETIME, STATS, classify
from et_pipeline.parsers.stats_file import clock_seconds, parse_stats_file
from et_pipeline.parsers.timing_file import parse_gametime_file
from et_pipeline.synth import EDGE_CASES, generate
from et_pipeline.synth.night import local_stamp

CUMULATIVE_TABS = (0, 1, 2, 3, 4, 5, 6, 7, 20, 22)
STAT_FIELDS = ("kills", "deaths", "damage_given", "damage_received", "gibs", "self_kills", "team_kills")


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    """Eight nights, every edge case in every night (each gets its own map)."""
    out = tmp_path_factory.mktemp("synth") / "server"
    truth = generate(8, str(out), seed=5, edge_rate=1.0)
    return out, truth


def _files(root: Path):
    for folder in ("gamestats", "gametimes"):
        for p in sorted((root / folder).iterdir()):
            yield p


def _parse(path: Path):
    return parse_stats_file(path.read_bytes())


def test_every_file_classifies_and_parses(nights):
    root, truth = nights
    kinds = {STATS: 0, ENDSTATS: 0, GAMETIME: 0}
    for p in _files(root):
        name = classify(p.name)
        assert name is not None, p.name
        kinds[name.kind] += 1
        data = p.read_bytes()
        if name.kind == STATS:
            sf = parse_stats_file(data)
            assert sf.header.map == name.map and sf.header.round == name.round
            assert sf.players and data.endswith(b"\n") and b"\r" not in data
            assert len(data.split(b"\n", 1)[0].split(b"\\")) in (8, 9)
        elif name.kind == ENDSTATS:
            es = parse_endstats_file(data)
            assert es.awards and es.ignored_lines == 0
        else:
            lua = parse_gametime_file(data)
            assert (lua.map, lua.round, lua.round_end_unix) == (name.map, name.round, name.unix)
            assert lua.playtime_seconds and lua.round_start_unix < lua.round_end_unix
            assert not data.endswith(b"\n")
    assert all(kinds.values()), kinds
    listed = sorted(f for n in truth["nights"] for f in n["files"])
    assert listed == sorted("%s/%s" % (p.parent.name, p.name) for p in _files(root))


def test_truth_file_is_written_and_every_edge_case_occurs(nights):
    root, truth = nights
    assert json.loads((root / "truth.json").read_text()) == json.loads(json.dumps(truth))
    for n in truth["nights"]:
        assert set(EDGE_CASES) <= set(n["edge_cases"]), n["date"]
        assert n["crosses_midnight"]          # past_midnight: the session runs into the next date
        assert 3 <= n["team_size"] <= 6 and 4 <= len({m["map"] for m in n["maps"]}) <= 8
    starts = [n["start"] for n in truth["nights"]]
    ends = [n["end"] for n in truth["nights"]]
    assert all(e < s for e, s in zip(ends, starts[1:])), "sessions overlap"


def test_deterministic_and_prefix_stable(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(2, str(a), seed=9)
    generate(3, str(b), seed=9)
    generate(2, str(c), seed=10)
    files_a = {p.name: p.read_bytes() for p in _files(a)}
    files_b = {p.name: p.read_bytes() for p in _files(b)}
    assert files_a and all(files_b[k] == v for k, v in files_a.items())
    assert len(files_b) > len(files_a)
    assert {p.name for p in _files(c)} != set(files_a)
    assert all(os.stat(p).st_mtime < 2_000_000_000 for p in _files(a))


def test_round_two_files_are_cumulative(nights):
    root, truth = nights
    pairs = checked = 0
    for n in truth["nights"]:
        for m in n["maps"]:
            if not (m["r1_file"] and m["r2_file"]):
                continue
            pairs += 1
            r1 = {p.guid: p for p in _parse(root / "gamestats" / m["r1_file"]).players if not p.is_bot}
            r2 = {p.guid: p for p in _parse(root / "gamestats" / m["r2_file"]).players if not p.is_bot}
            r2_truth = next(r for r in n["rounds"] if r["file"] == m["r2_file"])["players"]
            for guid, now in r2.items():
                before = r1.get(guid)
                how = r2_truth[guid]["values_from"]
                if before is None:
                    assert how == "raw_joined" and now.rounds == 0
                    continue
                if how == "raw_reconnect":
                    # counters restarted: at least one cumulative counter went down (the reset check can see it)
                    assert now.rounds == 0
                    assert (now.weapon_total(2) < before.weapon_total(2) or now.weapon_total(3) < before.weapon_total(3)
                            or any(now.tab[i] < before.tab[i] for i in (0, 1, 22)))
                    continue
                if how == "raw_rejoined":
                    # left round 1, back with fresh counters: `rounds` 1 if back before round 2 began
                    m_presence = m["presence"]
                    assert m_presence["case"] == "drop_r1_back_r2" and m_presence["player"] == guid
                    assert now.rounds == (1 if m_presence["back_before_r2"] else 0)
                    continue
                checked += 1
                assert now.rounds == 1 and before.rounds == 0
                assert now.side == 3 - before.side
                for j, w in before.weapons.items():
                    assert all(x >= y for x, y in zip(now.weapons.get(j, (0,) * 5), w)), (m["r2_file"], guid, j)
                assert now.weapon_total(2) >= before.weapon_total(2)
                assert all(now.tab[i] >= before.tab[i] for i in CUMULATIVE_TABS)
                assert now.tab[20] == sum(w[1] for w in now.weapons.values())
                delta = dict(kills=now.weapon_total(2) - before.weapon_total(2),
                             deaths=now.weapon_total(3) - before.weapon_total(3),
                             damage_given=now.tab[0] - before.tab[0], damage_received=now.tab[1] - before.tab[1],
                             gibs=now.tab[4] - before.tab[4], self_kills=now.tab[5] - before.tab[5],
                             team_kills=now.tab[6] - before.tab[6])
                assert delta == r2_truth[guid]["this_round"], (m["r2_file"], guid)
    assert pairs > 20 and checked > 100


def test_headers_follow_stopwatch(nights):
    root, truth = nights
    seen = set()
    for n in truth["nights"]:
        rounds = {r["stats_name"]: r for r in n["rounds"]}
        for m in n["maps"]:
            if not (m["r1_file"] and m["r2_file"]):
                continue
            h1, h2 = _parse(root / "gamestats" / m["r1_file"]).header, _parse(root / "gamestats" / m["r2_file"]).header
            limit = m["timelimit_minutes"] * 60
            assert h1.defender == h2.defender == m["defender_side"]
            assert clock_seconds(h1.time_limit) == limit
            assert clock_seconds(h2.time_limit) == clock_seconds(h1.next_time_limit)   # R1's time is R2's limit
            assert clock_seconds(h1.next_time_limit) <= limit
            assert clock_seconds(h2.next_time_limit) <= clock_seconds(h2.time_limit)
            r1_set = h1.winner != h1.defender
            assert r1_set == (m["r1_outcome"] in ("objective", "surrender_def"))
            assert (clock_seconds(h1.next_time_limit) < limit) == r1_set
            r2_won = h2.winner != h2.defender
            assert (h1.playtime_ms is None) == (h2.playtime_ms is None) == (n["variant"]["stats"] == "c0rnp0rn7")
            want = m["winner_group"]
            if r2_won:
                assert want != m["r1_attacking_group"] and want != "tie"
                seen.add("r2 beat the time")
            elif r1_set:
                assert want == m["r1_attacking_group"]
                seen.add("r2 held")
            else:
                assert want == "tie"
                seen.add("double full hold")
            for name in (m["r1_file"], m["r2_file"]):
                assert rounds[name]["winner_side"] in (1, 2)
    assert seen == {"r2 beat the time", "r2 held", "double full hold"}


def test_file_times_follow_the_round_end(nights):
    root, truth = nights
    for n in truth["nights"]:
        for r in n["rounds"]:
            end = r["round_end_unix"]
            stats_time = classify(r["stats_name"]).local_time
            assert local_stamp(end + 3) <= stats_time.strftime("%Y-%m-%d-%H%M%S") <= local_stamp(end + 4)
            if r["endstats"]:
                lag = (stats_time - classify(r["endstats"]).local_time).total_seconds()
                assert 0 <= lag <= 2
            if r["gametime"]:
                assert r["gametime"] == "gametime-%s-R%d-%d.json" % (r["map"], r["round"], end)
    # the v1.6.0 pattern: an R2 after an R1 that set a fractional time has no gametime file
    v160 = [r for n in truth["nights"] if n["variant"]["webhook"] == "1.6.0" for r in n["rounds"]]
    missing = [r for r in v160 if r["round"] == 2 and r["time_limit_seconds"] % 60]
    assert missing and all(r["gametime"] is None for r in missing)
    assert all(r["gametime"] for r in v160 if r["round"] == 1)


def _cli() -> list[str]:
    exe = Path(sys.executable).with_name("et-pipeline")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "et_pipeline.cli"]


def _team_of(session: dict, guids: list[str]) -> str | None:
    for key, team in session["teams"].items():
        if len(set(guids) & {p["guid"] for p in team["players"]}) * 2 > len(guids):
            return key
    return None


@pytest.mark.system   # generated nights through the pipeline
def test_pipeline_finds_the_winners_the_truth_says(tmp_path):
    """`et-pipeline run` + `report` on three generated nights full of edge cases."""
    source = tmp_path / "server"
    truth = generate(3, str(source), seed=21, edge_rate=1.0)
    db = "sqlite:///%s" % (tmp_path / "et.db")
    run = subprocess.run(_cli() + ["run", "--source", str(source), "--db", db, "--dagster-home",
                                   str(tmp_path / "dagster_home"), "--publish", "off"],
                         capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    maps = players = came_and_went = 0
    for n in truth["nights"]:
        rep = subprocess.run(_cli() + ["report", "--db", db, "--date", n["date"]], capture_output=True, text=True,
                             timeout=60)
        assert rep.returncode == 0, rep.stderr
        sessions = json.loads(rep.stdout)["sessions"]
        assert len(sessions) == 1 and sessions[0]["start"] == n["start"] and sessions[0]["end"] == n["end"]
        s = sessions[0]
        by_r1 = {m["r1_file"]: m for m in s["maps"]}
        rounds = {r["file"]: r for r in s["rounds"]}
        assert set(rounds) == {r["file"] for r in n["rounds"] if r["file"]}
        want_score = {"A": 0, "B": 0}
        for tm in n["maps"]:
            label = "%s map %d %s (%s)" % (n["date"], tm["index"], tm["map"], tm["edge_case"])
            if tm["r1_file"] is None:                       # orphan R2: listed, flagged, never scored
                assert rounds[tm["r2_file"]]["orphan"], label
                assert not any(m["r2_file"] == tm["r2_file"] and m["counted"] for m in s["maps"]), label
                continue
            got = by_r1[tm["r1_file"]]
            assert got["r2_file"] == tm["r2_file"], label
            if not tm["counted"]:
                assert not got["counted"] and got["winner"] in (None, "tie"), label
                continue
            maps += 1
            if tm["winner_group"] == "tie":
                assert got["winner"] == "tie", label
                continue
            team = _team_of(s, tm["winner_guids"])
            assert team is not None and got["winner"] == team and got["counted"], (label, got)
            want_score[team] += 1
        assert s["score"] == want_score, n["date"]
        for tr in n["rounds"]:                                # this-round numbers (R2: the differential)
            if tr["file"] is None or tr["orphan"]:
                continue
            got = {p["guid"]: p for p in rounds[tr["file"]]["players"]}
            for guid, p in tr["players"].items():
                if p["in_file"]:
                    players += 1
                    want = p["this_round"]
                    assert {f: got[guid][f] for f in STAT_FIELDS} == want, (tr["file"], guid, p["values_from"])
                    assert got[guid].get("r2_rule") == p["r2_rule"], (tr["file"], guid, p["values_from"])
                    came_and_went += p["values_from"] not in ("file", "delta")
            has_lua = rounds[tr["file"]]["lua"] is not None
            assert has_lua == (tr["gametime"] is not None), tr["file"]
    assert maps >= 12 and players > 200
    cases = {(m["presence"] or {}).get("case") for n in truth["nights"] for m in n["maps"]}
    assert {"drop_r1_back_r2", "join_mid_r1"} <= cases and came_and_went >= 6, (cases, came_and_went)


# ------------------------------------------------------------------ players who come and go

def _only(*cases) -> dict:
    """An edge-rate dict: these cases on every night, nothing else."""
    from et_pipeline.synth.presence import PRESENCE_CASES

    return {e: (1.0 if e in cases else 0.0) for e in EDGE_CASES + PRESENCE_CASES}


def _rounds_of(root: Path, night: dict):
    """The night's stats files through the rounds step (sessions, pairing, the R2 rule)."""
    from et_pipeline.config import Rules
    from et_pipeline.steps.rounds import build_rounds

    files = [("gamestats/" + f.split("/", 1)[1], classify(f.split("/", 1)[1]), (root / f).read_bytes())
             for f in night["files"] if classify(f.split("/", 1)[1]).kind == STATS]
    return build_rounds(files, night["date"], Rules())


@pytest.mark.parametrize("case", ["drop_r1_back_r2", "join_mid_r1", "leave_in_r1", "leave_between_rounds",
                                  "reconnect_r2", "late_joiner_r2"])
def test_players_who_come_and_go_get_their_true_round_numbers(tmp_path, case):
    """Every variant of a player coming or going, on six nights each: every player's
    numbers of every round equal the truth (round 2: what he did in round 2, as far as
    his line can tell), and a round-2 line is differenced exactly when the truth says
    it is cumulative."""
    truth = generate(6, str(tmp_path), seed=31, edge_rate=_only(case))
    seen = 0
    for n in truth["nights"]:
        res = _rounds_of(tmp_path, n)
        rows = {(r["round_key"] + ".txt", r["guid"]): r for r in res.player_dicts()}
        for tr in n["rounds"]:
            if tr["file"] is None or tr["orphan"]:
                continue
            for guid, p in tr["players"].items():
                if not p["in_file"] or p["is_bot"]:
                    continue
                got = rows[(tr["file"], guid)]
                label = (tr["file"], guid, p["values_from"])
                assert {f: got[f] for f in STAT_FIELDS} == p["this_round"], label
                if tr["round"] == 2:
                    assert (got["values_from"] == "differential") == (p["r2_rule"] == "differential"), label
        affected = [m["presence"] or {"player": m["reconnected"] or m["late_joiner"]} for m in n["maps"]
                    if (m["presence"] or {}).get("case") == case or m["edge_case"] == case]
        seen += len(affected)
    assert seen >= 5, seen


def test_the_community_lives_through_a_season(tmp_path):
    """The life that breaks ratings (synth/life.py), at its stated rates: newcomers, players
    who stop, form that drifts, odd nights (a man down), and substitutes partway through a
    round: both are in that round's file, each with his part of it."""
    truth = generate(60, str(tmp_path / "s"), seed=14, write_truth=False)
    people, nights = truth["people"], truth["nights"]
    newcomers = [g for g, p in people.items() if p["newcomer"]]
    assert len(newcomers) >= 2 and all(people[g]["first_night"] > 0 for g in newcomers)
    played = {}
    for i, n in enumerate(nights):
        for g in n["players"]:
            played.setdefault(g, []).append(i)
    assert all(people[g]["first_night"] <= min(ix) and max(ix) <= people[g]["last_night"] for g, ix in played.items())
    regular = max(played, key=lambda g: len(played[g]))
    form = [n["skills"][regular] for n in nights if regular in n["skills"]]
    assert len(set(form)) > len(form) // 2                       # that night's skill, not one number
    maps = [m for n in nights for m in n["maps"] if m["counted"]]
    uneven = [m for m in maps if len(m["groups"]["A"]) != len(m["groups"]["B"])]
    assert 0.03 < len(uneven) / len(maps) < 0.5
    subs = [(n, m) for n in nights for m in n["maps"] if m.get("substitute")]
    assert 0.02 < len(subs) / len(maps) < 0.2
    for n, m in subs:
        s = m["substitute"]
        name = m["r1_stats_name"] if s["round"] == 1 else next(r["stats_name"] for r in n["rounds"]
                                                                 if r["file"] == m["r2_file"])
        r = next(r for r in n["rounds"] if r["stats_name"] == name)
        gone, came = r["players"][s["out"]], r["players"][s["came_in"]]
        assert abs(gone["presence"] - s["at"]) < 1e-3
        assert abs(came["presence"] - (1 - s["at"])) < 1e-3 and came["group"] == s["group"]
