"""Win predictions: before a map and after its round 1, walk-forward, scored, and shown on
the map card of a live night from the rating replayed over the nights before it."""
import json
import shutil
from pathlib import Path

import dagster as dg
import pytest

from et_pipeline.config import Rules
from et_pipeline.defs.resources import DatabaseResource, DiscordWebhook, RulesResource
from et_pipeline.defs.season_assets import SEASON_ASSETS
from et_pipeline.numbers import share
from et_pipeline.season import predictions as pr
from et_pipeline.season.card import card_predictions
from et_pipeline.season.ratings import Rater
from et_pipeline.season.season import compute_season
from et_pipeline.storage.database import make_engine
from et_pipeline.synth import generate
from et_pipeline_tests.pipeline_fixtures import Pipeline, ephemeral_instance


def _season(db: str, instance) -> None:
    assert dg.materialize(SEASON_ASSETS, instance=instance, resources={
        "database": DatabaseResource(url=db), "rules": RulesResource(), "discord": DiscordWebhook(mode="off")}).success


def _card_by_key(out: Path, date: str, r1_file: str) -> dict:
    for p in (out / date).glob("*/players/*.json"):
        doc = json.loads(p.read_text())
        if doc.get("key") == "map:" + r1_file:
            return doc
    raise AssertionError("no card for %s" % r1_file)


def test_the_after_r1_figure_is_the_ratings_own_answer_read_by_the_stopwatch_rules():
    """Both figures come from the rating (Rater.predict, Rater.after_round_one); predict
    only reads them by the stopwatch rules (a second full hold: draw or round 2's
    defenders)."""
    start = pr.MapStart(key="s:f", date="2026-01-05", session_id="s", map="supply", r1_file="f", start_unix=0.0,
                        end_unix=1.0, team_a=(("A1", 1.0),), team_b=(("B1", 1.0),), r1_attackers="A",
                        r1_outcome=pr.OBJECTIVE, r1_seconds=120.0, limit_seconds=600.0)
    slow_start = pr.MapStart(**{**start.__dict__, "r1_seconds": 540.0})
    hold = pr.MapStart(**{**start.__dict__, "r1_outcome": pr.HOLD, "r1_seconds": None})
    fast, slow, held = (pr.predict(Rater(), s, "tie") for s in (start, slow_start, hold))
    assert fast["p_before"] == Rater().predict(start.team_a, start.team_b, "supply")
    p_a, p_b, _ = Rater().after_round_one(start.team_a, start.team_b, "supply", "A", 120.0, 600.0, start.date)
    assert fast["p_r2_beats"] == round(p_b, 4) and fast["p_after_r1"] == round(p_a / (p_a + p_b), 4)
    # the less time to beat, the harder for round 2's attackers (B)
    assert fast["p_r2_beats"] < slow["p_r2_beats"] < held["p_r2_beats"]
    assert held["p_after_r1"] == 0.0                  # decided after A was held: B completed
    defenders = pr.predict(Rater(), hold, "r2_defenders")
    assert defenders["p_after_r1"] == pytest.approx(1 - held["p_r2_beats"], abs=1e-3)
    told_nothing = pr.predict(Rater(), pr.MapStart(**{**start.__dict__, "r1_outcome": pr.UNKNOWN}), "tie")
    assert told_nothing["p_after_r1"] is None and told_nothing["p_r2_beats"] is None


def test_the_weekly_post_shows_the_predictions_only_while_they_beat_the_coin_and_the_rating():
    from et_pipeline.season.weekly import weekly_message

    board = dict(week="2026-W06", monday="2026-02-02", sunday="2026-02-08", number=6, nights=["2026-02-05"], maps=5,
                 players=6, boards={})
    good = dict(maps=40, before_r1={"log_loss": 0.60, "brier": 0.2}, after_r1={"log_loss": 0.50, "brier": 0.17},
                rating_only={"log_loss": 0.61, "brier": 0.2}, coin={"log_loss": 0.693, "brier": 0.25})
    bad = dict(good, after_r1={"log_loss": 0.62, "brier": 0.2})
    assert pr.publishable(good) and not pr.publishable(bad)
    names = lambda q: [f["name"] for f in weekly_message(board, dict(q, publishable=pr.publishable(q)))
                       .payload["embeds"][0]["fields"]]
    assert "🎲 Win predictions this season" in names(good)
    assert "🎲 Win predictions this season" not in names(bad)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """Four generated nights; the fourth arrives as a live night would: first only round 1
    of its first map."""
    root = tmp_path_factory.mktemp("live")
    full = root / "full"
    truth = generate(4, str(full), seed=44)
    dates = sorted(n["date"] for n in truth["nights"])
    source = root / "server"
    (source / "gamestats").mkdir(parents=True)
    (source / "gametimes").mkdir()
    tonight = sorted(p.name for p in (full / "gamestats").iterdir() if p.name.startswith(dates[3]))
    first_r1 = next(n for n in tonight if n.endswith("-round-1.txt"))
    later = [n for n in tonight if n > first_r1 and not (n.startswith(first_r1[:17]) and "endstats" in n)]
    for p in (full / "gamestats").iterdir():
        if p.name not in later:
            shutil.copy2(p, source / "gamestats" / p.name)
    for p in (full / "gametimes").iterdir():              # tonight's timing files come later (or never)
        if not _utc_date(p.name).startswith(dates[3]):
            shutil.copy2(p, source / "gametimes" / p.name)
    return dict(full=full, source=source, dates=dates, first_r1=first_r1, later=later, db="sqlite:///%s" % (
        root / "et.db"), out=root / "out")


def _utc_date(name: str) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(int(name.rsplit("-", 1)[1].split(".")[0]), dt.timezone.utc).date().isoformat()


@pytest.mark.system   # a night's rounds landing one run at a time
def test_a_live_map_card_shows_the_chances_before_the_map_and_after_round_1(live):
    dates, out = live["dates"], live["out"]
    with ephemeral_instance() as instance:
        pipe = Pipeline(live["source"], live["db"], out, instance, publish="dry-run")
        assert pipe.materialize(dates[:3]).success
        _season(live["db"], instance)                            # the season after the third night
        assert pipe.materialize(dates[3:]).success               # round 1 of tonight's first map
        card = _card_by_key(out, dates[3], live["first_r1"])
        text = card["payload"]["embeds"][0]["description"]
        assert "🎲 Before the map:" in text and "🎲 After round 1" in text, text
        with make_engine(live["db"]).connect() as conn:
            [p] = card_predictions(conn, dates[3], Rules()).values()
        assert "**%s**" % share(p["p_before"]) in text
        for name in live["later"]:                               # the rest of the night arrives
            shutil.copy2(live["full"] / "gamestats" / name, live["source"] / "gamestats" / name)
        assert pipe.materialize(dates[3:]).success
        edited = _card_by_key(out, dates[3], live["first_r1"])["payload"]["embeds"][0]["description"]
        assert [x for x in edited.splitlines() if x.startswith("🎲")] == \
            [x for x in text.splitlines() if x.startswith("🎲")]          # the same chances once the map is over
        _season(live["db"], instance)
    season = compute_season(make_engine(live["db"]))
    row = next(r for r in season.predictions if r["key"].endswith(":" + live["first_r1"]))
    assert row["p_before"] == p["p_before"] and row["p_after_r1"] == p["p_after_r1"]


@pytest.mark.system   # reads the nights the live map card test ran
def test_every_card_prediction_equals_the_seasons(live):
    """A night's cards replay the rating over the earlier nights and walk the night's maps
    with the season's own function: the very numbers of `season --json`."""
    engine = make_engine(live["db"])
    season = compute_season(engine)
    assert season.predictions
    with engine.connect() as conn:
        for night in season.tables.dates:
            cards = card_predictions(conn, night, Rules())
            for row in (r for r in season.predictions if r["night"] == night):
                assert cards[row["key"]]["p_before"] == row["p_before"], row["key"]
                assert cards[row["key"]]["p_after_r1"] == row["p_after_r1"], row["key"]
