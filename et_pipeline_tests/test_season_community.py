"""The community layer on generated seasons: achievements unique and dated, the win
predictions better after round 1 than before and both better than a coin (80 nights
through the command line), and every achievement and season award posted exactly once
however often the season is replayed (the loopback Discord counts the posts)."""
import json
from collections import Counter

import dagster as dg
import pytest
from sqlalchemy import select

from et_pipeline.cli import main
from et_pipeline.defs.resources import DatabaseResource, DiscordWebhook, RulesResource
from et_pipeline.defs.season_assets import SEASON_ASSETS
from et_pipeline.season.announcements import ACHIEVEMENTS, AWARDS, achievement_key, award_key
from et_pipeline.season.season import compute_season
from et_pipeline.storage import schema as t
from et_pipeline.storage.database import make_engine
from et_pipeline.synth import generate
from et_pipeline_tests.dagster_homes import cli_home
from et_pipeline_tests.fixtures.publish.fake_discord import FakeDiscord
from et_pipeline_tests.pipeline_fixtures import Pipeline, ephemeral_instance

# The system tier (`make test-system`): 80 generated nights through the pipeline and the season.
pytestmark = pytest.mark.system

SEED = 203          # a held-out seed of bench/bench_predictions.py: nothing was tuned on it


def test_on_80_generated_nights_achievements_are_unique_and_the_predictions_beat_the_coin(tmp_path, capsys):
    src, db = tmp_path / "src", "sqlite:///%s" % (tmp_path / "et.db")
    assert main(["synth", "--nights", "80", "--seed", str(SEED), "--out", str(src)]) == 0
    assert main(["run", "--source", str(src), "--db", db, "--dagster-home", cli_home(tmp_path / "dh"),
                 "--publish", "off"]) == 0
    capsys.readouterr()
    assert main(["season", "--db", db, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["nights"] == 80
    pairs = Counter((a["guid"], a["achievement"]) for a in doc["achievements"])
    assert doc["achievements"] and max(pairs.values()) == 1
    assert all(a["date"] <= doc["as_of"] for a in doc["achievements"])
    assert {a["achievement"] for a in doc["achievements"]} >= {"kills_100", "kills_1000", "maps_100",
                                                               "record_broken", "player_of_the_night"}
    q = doc["prediction_quality"]
    assert q["maps"] >= 300
    assert q["after_r1"]["log_loss"] < q["before_r1"]["log_loss"] < q["coin"]["log_loss"]
    assert q["time_set"]["after_r1"]["log_loss"] < q["time_set"]["before_r1"]["log_loss"]
    assert len(doc["predictions"]) == doc["maps_counted"]
    cov = doc["vs_coverage"]
    assert 0 < cov["rounds_with_vs_data"] < cov["rounds"]
    assert all(0 < r["rounds_with_vs_data"] <= r["rounds"] for r in doc["rivalries"])
    assert any(r["nemesis"] for r in doc["rivalries"]) and any(r["prey"] for r in doc["rivalries"])
    kinds = {w["kind"] for w in doc["season_awards"]}
    assert kinds == {"month", "quarter", "season"} and all(w["rule"] for w in doc["season_awards"])
    assert {w["award"] for w in doc["season_awards"]} == {"most_improved", "best_attack", "iron_defender"}


def _posts(fake, prefix: str) -> list[dict]:
    return [r for r in fake.requests if r["method"] == "POST" and r["status"] == 200
            and (r["titles"][0] or "").startswith(prefix)]


def _outbox(db: str, session_id: str) -> dict[str, str]:
    d = t.discord_posts
    with make_engine(db).connect() as conn:
        return dict(conn.execute(select(d.c.kind, d.c.message_id).where(d.c.session_id == session_id)).all())


def test_replaying_a_season_posts_every_achievement_and_award_exactly_once(tmp_path):
    """60 nights as they come (three runs of 20 nights, the season after each), 20 of them
    again after a restart (nothing new; across two of the first runs' batches), then one
    old night re-scored: every achievement and final award is POSTed once; what the
    re-score removed is edited into a withdrawn note, what it moved is edited in place."""
    src, db, out = tmp_path / "src", "sqlite:///%s" % (tmp_path / "et.db"), tmp_path / "out"
    dates = sorted(n["date"] for n in generate(60, str(src), seed=61, edge_rate=0.3)["nights"])
    with FakeDiscord() as fake:
        season = {"database": DatabaseResource(url=db), "rules": RulesResource(),
                  "discord": DiscordWebhook(url=fake.url, mode="live", out_dir=str(out))}
        with ephemeral_instance() as instance:
            pipe = Pipeline(src, db, out, instance, publish="off")
            for i in range(0, 60, 20):
                assert pipe.materialize(dates[i:i + 20]).success
                assert dg.materialize(SEASON_ASSETS, instance=instance, resources=season).success
        first = len(fake.requests)
        with ephemeral_instance() as instance:                       # a restart: a new Dagster instance
            assert Pipeline(src, db, out, instance, publish="off").materialize(dates[30:50]).success
            assert dg.materialize(SEASON_ASSETS, instance=instance, resources=season).success
            assert not [r for r in fake.requests[first:] if r["method"] == "POST"]     # nothing posted again

            s = compute_season(make_engine(db))
            target = _removable(s)
            with make_engine(db).begin() as conn:                       # an old night re-scored
                p = t.player_round_stats
                conn.execute(p.update().where(p.c.session_date == target["night"], p.c.guid == target["guid"])
                             .values(kills=0, damage_given=0))
            assert dg.materialize(SEASON_ASSETS, instance=instance, resources=season).success
        after = compute_season(make_engine(db))

        assert not any(r.get("violations") for r in fake.requests)
        feats = _outbox(db, ACHIEVEMENTS["session_id"])
        posted = _posts(fake, "🎖️")
        assert len(posted) == len({r["message_id"] for r in posted}) == len(feats)   # one POST per key, ever
        assert {r["message_id"] for r in posted} == set(feats.values())
        assert {achievement_key(a["guid"], a["achievement"]) for a in s.achievements} <= set(feats)
        assert {achievement_key(a["guid"], a["achievement"]) for a in after.achievements} <= set(feats)
        gone = achievement_key(target["guid"], target["achievement"])
        assert gone not in {achievement_key(a["guid"], a["achievement"]) for a in after.achievements}
        assert fake.state.messages[feats[gone]]["embeds"][0]["title"].startswith("~~")    # withdrawn, not reposted

        awards = _outbox(db, AWARDS["session_id"])
        posted = _posts(fake, "🏆")
        assert len(posted) == len({r["message_id"] for r in posted}) == len(awards)
        assert {award_key(a["period"], a["award"]) for a in after.awards if a["final"]} <= set(awards)
        assert awards and not any(award_key(a["period"], a["award"]) in awards for a in after.awards
                                  if not a["final"])


def _removable(season) -> dict:
    """An achievement a re-score of one night takes away: a player's only round with 25
    kills (or, failing that, 4,000 damage) is zeroed."""
    rounds = season.tables.players
    for achievement, column, bar in (("round_kills_25", "kills", 25), ("round_damage_4000", "damage_given", 4000)):
        for a in season.achievements:
            if a["achievement"] == achievement:
                mine = rounds[(rounds["guid"] == a["guid"]) & (rounds[column] >= bar)]
                if mine["session_date"].nunique() == 1:
                    return dict(guid=a["guid"], night=a["night"], achievement=achievement)
    raise AssertionError("no single-night round achievement in the generated season")
