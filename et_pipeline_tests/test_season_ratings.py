"""Ratings, rating quality, skill-driven generated nights and `balance`.

The pure parts run on hand-made `MapGame`s and on maps built straight from the
generator's truth; the command line runs on generated nights put through the nightly
assets (season_fixtures)."""
import json
import math
import subprocess
import sys
from dataclasses import replace

import pytest

from et_pipeline.season import balance as bal
from et_pipeline.season import quality, ratings
from et_pipeline.season.model import HOLD, OBJECTIVE, MapGame, MapRound
from et_pipeline.synth import generate, outcome
from et_pipeline.synth.oracle import map_games_from_truth, oracle_for


def _rounds(winner, team_a, team_b):
    """A attacks first and sets 6:40; B then beats it (B wins), is held (A wins), or both are held (a draw)."""
    r1 = (OBJECTIVE, 400.0) if winner != "tie" else (HOLD, None)
    r2 = (OBJECTIVE, 300.0) if winner == "B" else (HOLD, None)
    clock2 = 400.0 if winner != "tie" else 600.0
    return tuple(MapRound(number=n, attackers=att, team_a=team_a, team_b=team_b, outcome=o, seconds=t,
                          limit_seconds=clock, map_limit_seconds=600.0)
                 for n, att, (o, t), clock in ((1, "A", r1, 600.0), (2, "B", r2, clock2)))


def game(key, date, start, a, b, winner, end=None, shares=None):
    shares = shares or {}
    team_a, team_b = tuple((g, shares.get(g, 1.0)) for g in a), tuple((g, shares.get(g, 1.0)) for g in b)
    return MapGame(key=key, date=date, session_id=date + "-s", map="supply", start_unix=float(start),
                   end_unix=float(end if end is not None else start + 1200), team_a=team_a, team_b=team_b,
                   winner=winner, kd=tuple((g, 10, 10) for g in a + b), rounds=_rounds(winner, team_a, team_b))


def night(date, day, results, a=("P1", "P2", "P3"), b=("P4", "P5", "P6")):
    base = 1_700_000_000 + day * 86400
    return [game("%s:%d" % (date, i), date, base + i * 1500, list(a), list(b), w) for i, w in enumerate(results)]


@pytest.fixture(scope="module")
def eighty():
    """80 generated nights (seeded, default edge rate): truth and its counted maps."""
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        truth = generate(80, d, seed=7)
    return truth, map_games_from_truth(truth)


# ------------------------------------------------------------------ the generator

@pytest.mark.system   # 80 generated nights
def test_generated_outcomes_follow_the_latent_skill(eighty):
    truth, games = eighty
    skill = {n["date"]: n["skills"] for n in truth["nights"]}         # that night's (form drifts)
    for n in truth["nights"]:
        assert set(n["groups"]["A"] + n["groups"]["B"]) <= set(n["skills"]) <= set(truth["people"])
    higher = decided = 0
    for g in games:
        if g.winner == "tie":
            continue
        sa = outcome.team_strength([(skill[g.date][x], s) for x, s in g.team_a])
        sb = outcome.team_strength([(skill[g.date][x], s) for x, s in g.team_b])
        if sa != sb:
            decided += 1
            higher += (sa > sb) == (g.winner == "A")
    assert decided >= 300
    assert higher / decided >= 0.62, higher / decided      # was 0.48 before outcomes depended on skill


def test_oracle_probability_is_symmetric_and_monotone():
    even = outcome.p_a_wins([1.0, 1.0], [1.0, 1.0], 600)
    assert abs(even - 0.5) < 1e-9
    p = outcome.p_a_wins([1.3, 1.2], [0.9, 1.0], 600)
    q = outcome.p_a_wins([0.9, 1.0], [1.3, 1.2], 600)
    assert 0.5 < p < 1 and abs(p + q - 1) < 1e-9
    assert outcome.p_a_wins([1.6, 1.5], [0.9, 1.0], 600) > p


# ------------------------------------------------------------------ ratings

def test_winners_go_up_and_provisional_until_enough_maps():
    games = night("2026-01-05", 0, ["A"] * (ratings.PROVISIONAL_MAPS - 1))
    r = ratings.rate(games)
    assert r.current["P1"].value > ratings.MU > r.current["P4"].value
    assert all(x.provisional for x in r.current.values())
    r = ratings.rate(games + night("2026-01-06", 1, ["A"]))
    assert not any(x.provisional for x in r.current.values())
    assert [(h.date, h.guid) for h in r.history][:2] == [("2026-01-05", "P1"), ("2026-01-05", "P2")]
    assert len(r.history) == 12 and r.history[-1].maps == ratings.PROVISIONAL_MAPS


def test_a_double_full_hold_between_equals_barely_moves_and_shrinks_the_uncertainty():
    r = ratings.rate(night("2026-01-05", 0, ["tie"]))
    assert len(r.current) == 6 and all(x.uncertainty < ratings.SIGMA for x in r.current.values())
    # Exact inference would move nobody; learning the two held rounds one after the other
    # (the first attackers' hold is learnt before the map's intercept has seen the second)
    # leaves the teams a fraction of a point apart, equal and opposite.
    a, b = (r.current[g].value - ratings.MU for g in ("P1", "P4"))
    assert abs(a) < 0.25 and abs(a + b) < 1e-9
    assert all(abs(r.current[g].value - r.current[t].value) < 1e-9 for g, t in (("P2", "P1"), ("P3", "P1"), ("P5", "P4")))


def test_the_attack_times_say_by_how_much():
    """Beating a 6:40 by a whisker says less than beating it by minutes; a map without its
    rounds is rated on its winner alone (in the same direction)."""
    def won_by(seconds):
        g = game("k", "2026-01-05", 0, ["P1", "P2"], ["P3", "P4"], "B")
        r2 = replace(g.rounds[1], seconds=seconds)
        return ratings.rate([replace(g, rounds=(g.rounds[0], r2))]).current["P3"].value - ratings.MU
    assert won_by(200.0) > won_by(390.0) > 0
    bare = replace(game("k", "2026-01-05", 0, ["P1", "P2"], ["P3", "P4"], "B"), rounds=())
    cur = ratings.rate([bare]).current
    assert cur["P3"].value > ratings.MU > cur["P1"].value


def test_partial_play_moves_a_player_less():
    g = game("k", "2026-01-05", 0, ["P1", "P2"], ["P3", "P4"], "A", shares={"P2": 0.25, "P4": 0.25})
    cur = ratings.rate([g]).current
    assert cur["P1"].value - ratings.MU > cur["P2"].value - ratings.MU > 0
    assert ratings.MU - cur["P3"].value > ratings.MU - cur["P4"].value > 0


def test_uncertainty_grows_with_nights_absent():
    first = night("2026-01-05", 0, ["A", "B", "A"])
    others = ("P7", "P8", "P9")
    gap = [g for d in range(1, 6) for g in night("2026-01-%02d" % (5 + d), d, ["A"], a=others, b=("PA", "PB", "PC"))]
    back_soon = ratings.rate(first + night("2026-01-20", 9, ["A"])).history
    back_late = ratings.rate(first + gap + night("2026-01-20", 9, ["A"])).history
    last = lambda h: next(p for p in reversed(h) if p.guid == "P1")
    # the same maps for P1, but five community nights without him: a bigger step back to uncertainty
    assert last(back_late).uncertainty > last(back_soon).uncertainty


def test_rescored_old_night_changes_later_ratings_deterministically(eighty):
    _, games = eighty
    games = sorted(games, key=lambda g: (g.start_unix, g.key))
    dates = sorted({g.date for g in games})
    target = next(g for g in games if g.date == dates[2] and g.winner in ("A", "B"))
    rescored = [replace(g, winner="B" if g.winner == "A" else "A") if g is target else g for g in games]
    before, after, again = ratings.rate(games), ratings.rate(rescored), ratings.rate(list(reversed(rescored)))
    assert after.history == again.history and after.current == again.current       # same maps, same numbers
    by = lambda r: {(h.date, h.guid): h for h in r.history}
    b, a = by(before), by(after)
    assert all(b[k] == a[k] for k in b if k[0] < dates[2])                          # earlier nights untouched
    later = [k for k in b if k[0] > dates[2]]
    changed = [k for k in later if abs(b[k].value - a[k].value) > 1e-9]
    assert len(changed) > len(later) // 2


# ------------------------------------------------------------------ rating quality

def test_walk_forward_never_uses_a_map_that_had_not_ended():
    g1 = game("a", "2026-01-05", 0, ["P1"], ["P2"], "A", end=1000)
    g2 = game("b", "2026-01-05", 500, ["P1"], ["P2"], "A", end=1500)      # overlaps g1
    g3 = game("c", "2026-01-05", 2000, ["P1"], ["P2"], "A", end=3000)
    preds = {g.key: p for g, _, p in quality.walk_forward([g3, g1, g2])}
    assert all(p == 0.5 for name, p in preds["a"].items() if name != "rating")
    assert preds["a"]["rating"] == preds["b"]["rating"]                       # g2 began before g1 ended
    assert preds["c"]["rating"] > preds["a"]["rating"] and preds["c"]["team_elo"] > 0.5


@pytest.mark.system   # 80 generated nights
def test_rating_quality_beats_every_baseline_on_80_generated_nights(eighty):
    truth, games = eighty
    q = quality.evaluate(games, oracle=oracle_for(truth))
    print("\nrating_quality 80 nights seed 7: maps %d log loss %.3f (oracle %.3f; team_elo %.3f, kd %.3f, coin %.3f)"
          " accuracy %.3f %s" % (q["maps"], q["log_loss"], q["oracle"]["log_loss"], q["baselines"]["team_elo"]["log_loss"],
                                 q["baselines"]["kd"]["log_loss"], q["baselines"]["coin"]["log_loss"], q["accuracy"],
                                 q["accuracy_interval"]))
    assert q["maps"] >= 300 and q["model"] == ratings.MODEL_NAME
    assert set(q["baselines"]) == {"coin", "team_elo", "trueskill", "kd"}
    for name, b in q["baselines"].items():
        assert q["log_loss"] <= b["log_loss"], name
    assert q["oracle"]["log_loss"] < q["log_loss"]                  # the generator's bound
    assert abs(q["baselines"]["coin"]["log_loss"] - math.log(2)) < 1e-3
    lo, hi = q["accuracy_interval"]
    assert lo <= q["accuracy"] <= hi
    assert sum(c["maps"] for c in q["calibration"]) == q["maps"]
    assert q["cold_start"]["maps"] + q["warm"]["maps"] == q["maps"] and q["cold_start"]["maps"] > 0
    assert quality.evaluate(games, oracle=oracle_for(truth)) == q                      # deterministic


# ------------------------------------------------------------------ balance

def test_balance_is_exhaustive_and_sorted_by_evenness():
    skill = {"P%d" % i: i for i in range(1, 8)}
    predict = lambda a, b: 1 / (1 + math.exp(-(sum(skill[x] for x in a) / len(a) - sum(skill[x] for x in b) / len(b))))
    assert len(list(bal.splits(list(skill)[:6]))) == 10          # C(6,3) / 2
    assert len(list(bal.splits(list(skill)))) == 35              # C(7,3): A the 3 or the 4 with P1
    for n in (6, 7):
        out = bal.balance(list(skill)[:n], predict)
        assert len(out) == 3
        ev = [abs(s["p_a_wins"] - 0.5) for s in out]
        assert ev == sorted(ev) and all(0 <= s["p_a_wins"] <= 1 for s in out)
        assert all(sorted(s["A"] + s["B"]) == sorted(list(skill)[:n]) for s in out)
    with pytest.raises(ValueError, match="16"):
        bal.balance(["P%d" % i for i in range(17)], predict)


def test_balance_penalises_last_nights_pairings():
    even = lambda a, b: 0.5
    guids = ["P1", "P2", "P3", "P4"]
    last = {frozenset(("P1", "P2")), frozenset(("P3", "P4"))}
    out = bal.balance(guids, even, last, count=1)
    assert out[0]["repeated_pairs"] == [] and sorted(out[0]["A"]) != ["P1", "P2"]


# ------------------------------------------------------------------ the command line, on generated nights

def _cli():
    return [sys.executable, "-c", "import sys; from et_pipeline.cli import main; sys.exit(main())"]


@pytest.fixture(scope="module")
def season_db(tmp_path_factory):
    from et_pipeline_tests.season_fixtures import build_season_db

    db, truth, _ = build_season_db(tmp_path_factory.mktemp("balance"), nights=3, seed=31, edge_rate=1.0)
    return db, truth


def _regulars(truth, n):
    counts = {}
    for night_ in truth["nights"]:
        for m in night_["maps"]:
            if m["counted"]:
                for g in m["groups"]["A"] + m["groups"]["B"]:
                    counts[g] = counts.get(g, 0) + 1
    return [g for g, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))][:n]


@pytest.mark.system   # the installed `et-pipeline balance`, six times
@pytest.mark.parametrize("n", [6, 7])
def test_balance_command_prints_three_even_splits(season_db, n, tmp_path):
    db, truth = season_db
    guids = _regulars(truth, n)
    names = {g: p["clean_name"] for night_ in truth["nights"] for g, p in night_["players"].items()}
    who = [names[guids[0]]] + guids[1:]                      # a name and GUIDs, mixed
    run = subprocess.run(_cli() + ["balance", "--db", db, "--players", ",".join(who), "--json"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert sorted(doc["players"]) == sorted(guids) and len(doc["splits"]) == 3
    ev = [round(abs(s["p_a_wins"] - 0.5), 4) for s in doc["splits"]]
    assert ev == sorted(ev) and all(0 <= s["p_a_wins"] <= 1 for s in doc["splits"])
    assert set(doc["provisional"]) <= set(guids)
    text = subprocess.run(_cli() + ["balance", "--db", db, "--players", ",".join(guids)],
                          capture_output=True, text=True, timeout=120)
    assert text.returncode == 0 and text.stdout.count("P(A wins)") == 3, text.stderr
    # Discord gets a Discord message built from the same document, not the command line's text
    from et_pipeline.publish.balance_message import balance_payload

    sent = subprocess.run(_cli() + ["balance", "--db", db, "--players", ",".join(who), "--publish", "dry-run",
                                    "--out", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert sent.returncode == 0, sent.stderr
    (payload,) = [json.loads(p.read_text(encoding="utf-8")) for p in tmp_path.glob("balance-*.json")]
    assert payload == balance_payload(doc) and "P(A wins)" not in json.dumps(payload)


@pytest.mark.system   # the installed `et-pipeline balance`
def test_balance_command_refuses_bots_and_names_unknown_players(season_db):
    db, truth = season_db
    guids = _regulars(truth, 4)
    bad = subprocess.run(_cli() + ["balance", "--db", db, "--players", ",".join(guids + ["nobody_here"])],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "nobody_here" in bad.stderr
    bot = subprocess.run(_cli() + ["balance", "--db", db, "--players", ",".join(guids + ["OMNIBOT00"])],
                         capture_output=True, text=True, timeout=120)
    assert bot.returncode != 0 and "OMNIBOT00" in bot.stderr and "bot" in bot.stderr.split("OMNIBOT00")[1]


# ------------------------------------------------------------------ the Dagster assets

def _season_tables_metadata(db: str) -> dict:
    """{spec: its metadata} of one materialisation of `season_tables` over `db`."""
    import dagster as dg

    from et_pipeline.defs.resources import DatabaseResource, RulesResource
    from et_pipeline.defs.season_assets import season_tables
    from et_pipeline_tests.pipeline_fixtures import ephemeral_instance

    with ephemeral_instance() as instance:
        result = dg.materialize([season_tables], instance=instance,
                                resources={"database": DatabaseResource(url=db), "rules": RulesResource()})
        assert result.success
        return {e.asset_key.to_user_string(): e.step_materialization_data.materialization.metadata
                for e in result.get_asset_materialization_events()}


def test_ratings_assets_materialise_and_fill_their_tables(tmp_path, season_db):
    import dagster as dg
    from sqlalchemy import select

    from et_pipeline.season.data import load_map_games
    from et_pipeline.storage import schema as t
    from et_pipeline.storage.database import make_engine
    from et_pipeline_tests.season_fixtures import copy_db

    db = copy_db(season_db[0], tmp_path / "copy.db")
    meta = _season_tables_metadata(db)
    assert isinstance(meta["ratings"]["ratings"], dg.TableMetadataValue)
    # the log losses are numbers, so the UI plots them across materialisations
    assert meta["rating_quality"]["maps"].value > 0 and meta["predictions"]["decided_maps"].value > 0
    assert isinstance(meta["rating_quality"]["log_loss"], dg.FloatMetadataValue)
    assert all(isinstance(meta["predictions"][k], dg.FloatMetadataValue)
               for k in ("log_loss_before_r1", "log_loss_after_r1", "log_loss_coin", "log_loss_rating_only"))
    assert isinstance(meta["rating_quality"]["scores"], dg.TableMetadataValue)
    assert meta["rating_quality"]["calibration_plot"].value.startswith("![calibration](data:image/png;base64,")
    engine = make_engine(db)
    want = ratings.rate(load_map_games(engine))
    with engine.connect() as conn:
        got = {r.guid: r for r in conn.execute(select(t.season_ratings)).all()}
        history = conn.execute(select(t.season_rating_history)).all()
        scores = conn.execute(select(t.season_rating_quality)).all()
    assert set(got) == set(want.current) and len(history) == len(want.history)
    assert not any(g.startswith("OMNIBOT") for g in got)
    assert all(abs(got[g].value - r.value) < 1e-9 and got[g].provisional == r.provisional for g, r in want.current.items())
    assert {(s.scope, s.predictor) for s in scores} >= {("all", "rating"), ("all", "coin"), ("all", "team_elo"),
                                                         ("all", "trueskill"), ("all", "kd"), ("cold_start", "rating")}


def test_without_a_scored_map_the_log_losses_are_null(tmp_path):
    """A season of no nights yet: no map was predicted, so each log loss is null (docs/json.md:
    `number | null`), a key Dagster keeps with its null value beside `maps` 0, never a number."""
    import dagster as dg

    meta = _season_tables_metadata("sqlite:///%s" % (tmp_path / "fresh.db"))
    assert meta["rating_quality"]["maps"].value == 0 and meta["predictions"]["decided_maps"].value == 0
    assert meta["rating_quality"]["log_loss"] == dg.MetadataValue.null()
    assert all(meta["predictions"][k] == dg.MetadataValue.null()
               for k in ("log_loss_before_r1", "log_loss_after_r1", "log_loss_coin", "log_loss_rating_only"))


def test_night_moves_are_the_nights_biggest_changes():
    games = night("2026-01-05", 0, ["A"] * 6) + night("2026-01-06", 1, ["B", "B"])
    moves = ratings.night_moves(ratings.rate(games), "2026-01-06", count=2)
    assert len(moves) == 2 and all(m.date == "2026-01-06" and m.change != 0 for m in moves)


def test_the_maps_rounds_say_what_was_played(season_db):
    """Through the pipeline, every counted map carries its two rounds as the generator played
    them: who attacked, objective / hold / surrender, the attack time, the clocks, and each
    human's share of the round (a substitute's part, a late joiner's); never a bot."""
    from et_pipeline.season.data import load_map_games
    from et_pipeline.storage.database import make_engine

    db, truth = season_db
    games = load_map_games(make_engine(db))
    by_r1 = {m["r1_file"]: (n, m) for n in truth["nights"] for m in n["maps"] if m["counted"]}
    outcomes = {"objective": "objective", "hold": "hold", "surrender_att": "surrender", "surrender_def": "surrender"}
    checked = 0
    for g in games:
        night_, m = by_r1[g.key.rsplit(":", 1)[1]]
        group_of = {"A": None, "B": None}
        for letter, team in (("A", g.team_a), ("B", g.team_b)):
            guids = {x for x, _ in team}
            group_of[letter] = max("AB", key=lambda grp: len(guids & set(m["groups"][grp])))
        rounds = {r["stats_name"]: r for r in night_["rounds"]}
        truth_rounds = [rounds[m["r1_stats_name"]], next(r for r in night_["rounds"] if r["file"] == m["r2_file"])]
        assert [r.number for r in g.rounds] == [1, 2]
        for got, want in zip(g.rounds, truth_rounds):
            assert group_of[got.attackers] == want["attacking_group"]
            told = outcomes[want["outcome"]]
            if told == "surrender" and want["gametime"] is None:     # only the timing file says it was a surrender
                told = "objective" if want["outcome"] == "surrender_def" else "hold"
            assert got.outcome == told, (g.key, got, want["outcome"])
            if got.outcome == "objective":
                assert abs(got.seconds - want["playtime_seconds"]) <= 1.0
            assert got.limit_seconds == want["time_limit_seconds"]
            assert got.map_limit_seconds == m["timelimit_minutes"] * 60
            present = {x: s for x, s in got.team_a + got.team_b}
            assert not any(x.startswith("OMNIBOT") for x in present)
            for x, p in want["players"].items():
                if p["in_file"] and not p["is_bot"] and p["values_from"] != "raw_reconnect":
                    slack = 0.02 + 6.0 / want["playtime_seconds"]        # time played is written in tenths of a minute
                    assert abs(present[x] - p["presence"]) <= slack, (g.key, x, present[x], p["presence"])
                    checked += 1
    assert checked > 100


def test_win_probability_after_the_first_round():
    """After R1 the map is half decided: a fast time set by A makes A the favourite, a slow one
    less so; if A attacked first and was held, A can no longer win (B wins by completing at
    all, otherwise it is a draw). The three chances always add up to one."""
    history = night("2026-01-05", 0, ["A", "B"] * 3)
    rater = ratings.rate(history).rater
    upcoming = game("next", "2026-01-06", 1_700_200_000, ["P1", "P2", "P3"], ["P4", "P5", "P6"], "A")
    before = rater.predict(upcoming.team_a, upcoming.team_b, upcoming.map)

    def after(seconds):
        return rater.after_round_one(upcoming.team_a, upcoming.team_b, upcoming.map, "A", seconds, 600.0,
                                     date="2026-01-06")

    fast, slow, held = after(200.0), after(580.0), after(None)
    for p in (fast, slow, held):
        assert abs(sum(p) - 1) < 1e-9 and all(0 <= x <= 1 for x in p)
    assert fast[0] > max(before, slow[0]) and fast[2] == slow[2] == 0.0
    assert held[0] == 0.0 and held[1] > 0 and held[2] > 0
    assert rater.predict(upcoming.team_a, upcoming.team_b, upcoming.map) == before       # asking changed nothing


def test_win_probability_for_a_live_map_is_symmetric_and_reads_shares():
    """The live view's two questions (before R1, after R1) from line-ups with shares: naming
    the teams the other way round swaps A's and B's chances; a line-up's part-timer counts
    by his share (a strong player there for 10 % of the round helps less than for all of it);
    a round that says nothing (no share on one side, no time limit) gives None."""
    history = night("2026-01-05", 0, ["A"] * 6, a=("P1", "P2", "P3"), b=("P4", "P5", "P6"))
    rater = ratings.rate(history).rater
    a, b = (("P1", 1.0), ("P4", 1.0), ("P5", 1.0)), (("P6", 1.0), ("P2", 1.0), ("P3", 0.1))
    pa, pb, pd = rater.outcome(a, b, "supply")
    qb, qa, qd = rater.outcome(b, a, "supply")
    assert abs(pa - qa) < 1e-9 and abs(pb - qb) < 1e-9 and abs(pd - qd) < 1e-9
    for seconds in (300.0, None):
        x = rater.after_round_one(a, b, "supply", "A", seconds, 600.0, date="2026-01-06")
        y = rater.after_round_one(b, a, "supply", "B", seconds, 600.0, date="2026-01-06")
        assert all(abs(u - v) < 1e-9 for u, v in zip(x, (y[1], y[0], y[2])))
    full = rater.after_round_one(a, (("P6", 1.0), ("P2", 1.0), ("P3", 1.0)), "supply", "A", 300.0, 600.0)
    part = rater.after_round_one(a, b, "supply", "A", 300.0, 600.0)
    assert full[0] < part[0]
    assert rater.after_round_one(a, (("P6", 0.0),), "supply", "A", 300.0, 600.0) is None
    assert rater.after_round_one(a, b, "supply", "A", 300.0, 0.0) is None
