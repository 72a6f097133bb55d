"""The season assets through Dagster: each materialised on a test instance, and the
automation condition that refreshes them after a night even when another night is
missing or failed."""
from pathlib import Path

import dagster as dg
import pytest
from sqlalchemy import func, select

from et_pipeline.defs.assets import ALL_ASSETS, rounds
from et_pipeline.defs.resources import DatabaseResource, RulesResource, StatsSourceResource
from et_pipeline.defs.season_assets import SEASON_ASSETS
from et_pipeline.defs.season_automation import all_nights
from et_pipeline.season.season import compute_season, table_rows
from et_pipeline.storage import schema as t
from et_pipeline.storage.database import make_engine
from et_pipeline.synth import generate
from et_pipeline_tests.pipeline_fixtures import Pipeline, ephemeral_instance
from et_pipeline_tests.season_fixtures import run_as_automation

SEASON_KEYS = {k for a in SEASON_ASSETS for k in a.keys}


class UnreachableServer(StatsSourceResource):
    """The game server refusing connections while one night's run is under way."""

    def get_source(self):
        raise ConnectionRefusedError("game server unreachable")


@pytest.fixture
def nights(tmp_path) -> tuple[Path, list[str]]:
    source = tmp_path / "server"
    truth = generate(3, str(source), seed=12, edge_rate=0.5)
    return source, sorted(n["date"] for n in truth["nights"])


def _season(db_url: str, instance, selection=None, out=None) -> dg.ExecuteInProcessResult:
    from et_pipeline.defs.resources import DiscordWebhook

    discord = DiscordWebhook(mode="dry-run", out_dir=str(out)) if out else DiscordWebhook(mode="off")
    return dg.materialize(SEASON_ASSETS, instance=instance, selection=selection,
                          resources={"database": DatabaseResource(url=db_url), "rules": RulesResource(),
                                     "discord": discord})


def _requested(defs_assets, instance, cursor=None):
    result = dg.evaluate_automation_conditions(defs=defs_assets, instance=instance, cursor=cursor)
    return {key for key in SEASON_KEYS if result.get_num_requested(key)}, result.cursor


def test_each_season_asset_materialises_and_fills_its_tables(tmp_path, nights):
    from et_pipeline.season.weekly import iso_week

    source, dates = nights
    db = "sqlite:///%s" % (tmp_path / "et.db")
    with ephemeral_instance() as instance:
        assert Pipeline(source, db, tmp_path / "out", instance, publish="dry-run").materialize(dates).success
        nightly = {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}
        for asset in SEASON_ASSETS:                       # one step at a time: each stands on its own
            result = _season(db, instance, selection=list(asset.keys), out=tmp_path / "out")
            assert result.success, asset.keys
            for mat in result.get_asset_materialization_events():
                meta = mat.step_materialization_data.materialization.metadata
                if mat.asset_key.path == ["night_digest"]:
                    assert meta["night"].value == dates[-1] and meta["written"].value == 1
                    assert meta["dagster/row_count"].value >= 1          # the digest, the week, the announcements
                    assert {p: p.read_bytes() for p in nightly if p.exists()} == nightly   # the night's files untouched
                    [digest] = (tmp_path / "out" / dates[-1]).glob("*-digest/players/season_digest.json")
                    week = iso_week(dates[-1])           # a week's board once the week holds a second night
                    boards = list((tmp_path / "out").glob("*/season-week-*/players/season_week.json"))
                    assert len(boards) == int(len([d for d in dates if d >= week["monday"]]) > 1) == 0
                    continue
                assert any(isinstance(v, dg.TableMetadataValue) for v in meta.values()), mat.asset_key
                assert any(k.startswith("rows_") and v.value > 0 for k, v in meta.items()), (mat.asset_key, meta)
                assert meta["dagster/row_count"].value == sum(v.value for k, v in meta.items() if k.startswith("rows_"))
    engine = make_engine(db)
    want = table_rows(compute_season(engine))
    with engine.connect() as conn:
        for name, rows in want.items():
            table = t.metadata.tables[name]
            assert conn.execute(select(func.count()).select_from(table)).scalar() == len(rows), name
        assert not conn.execute(select(t.season_players.c.guid).where(t.season_players.c.is_bot.is_(False),
                                                                      t.season_players.c.guid.like("OMNIBOT%"))).all()


@pytest.mark.system   # a season over several nights and runs
def test_a_failed_night_does_not_block_the_season_and_a_new_night_refreshes_it(tmp_path, nights):
    source, dates = nights
    db = "sqlite:///%s" % (tmp_path / "et.db")
    with ephemeral_instance() as instance:
        good = Pipeline(source, db, tmp_path / "out", instance, publish="off")
        assets = dg.Definitions(assets=[*ALL_ASSETS, *SEASON_ASSETS], resources=good.resources)
        _, cursor = _requested(assets, instance)                      # the sensor is running from the start

        # the plain eager condition, for contrast: it would wait for the failed night forever
        @dg.asset(deps=[all_nights(rounds)], automation_condition=dg.AutomationCondition.eager())
        def plain_eager_season():
            return None

        plain_cursor = dg.evaluate_automation_conditions(
            defs=dg.Definitions(assets=[*ALL_ASSETS, plain_eager_season], resources=good.resources),
            instance=instance).cursor
        assert good.materialize(dates[:1]).success
        broken = Pipeline(source, db, tmp_path / "out", instance, publish="off")
        broken.resources["source"] = UnreachableServer(url=str(source))
        assert not broken.materialize(dates[1:2]).success          # night 2 failed: its partitions are missing
        requested, cursor = _requested(assets, instance, cursor)
        assert requested == SEASON_KEYS                               # not blocked by the failed night

        plain_defs = dg.Definitions(assets=[*ALL_ASSETS, plain_eager_season], resources=good.resources)
        plain = dg.evaluate_automation_conditions(defs=plain_defs, instance=instance, cursor=plain_cursor)
        assert plain.get_num_requested(plain_eager_season.key) == 0

        run_as_automation(db, instance, requested)                    # what the daemon would run
        requested, cursor = _requested(assets, instance, cursor)
        assert requested == set()                                     # up to date: nothing to do
        assert good.materialize(dates[2:3]).success                  # a new night arrives
        requested, cursor = _requested(assets, instance, cursor)
        assert requested == SEASON_KEYS                               # refreshed without a click
        run_as_automation(db, instance, requested)
    with make_engine(db).connect() as conn:
        nights_seen = conn.execute(select(func.max(t.season_players.c.last_seen))).scalar()
    assert nights_seen == dates[2]


def test_the_definitions_hold_the_season_assets_and_their_sensor(tmp_path):
    from et_pipeline.config import Rules
    from et_pipeline.defs.factory import build_definitions
    from et_pipeline.defs.resources import DiscordWebhook

    defs = build_definitions(source=StatsSourceResource(url=str(tmp_path)), db_url="sqlite:///%s" % (tmp_path / "x.db"),
                             rules=Rules(), discord=DiscordWebhook(mode="off"))
    graph = defs.resolve_asset_graph()
    assert SEASON_KEYS <= set(graph.get_all_asset_keys())
    for key in SEASON_KEYS:
        assert graph.get(key).partitions_def is None
        assert "missing nights allowed" in graph.get(key).automation_condition.get_label()
    sensor = defs.resolve_sensor_def("season_automation_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING


@pytest.mark.system   # a season over several nights and runs
def test_night_digest_is_posted_once_and_edited_on_change(tmp_path, nights):
    from et_pipeline.defs.resources import DiscordWebhook
    from et_pipeline.numbers import day
    from et_pipeline_tests.fixtures.publish.fake_discord import FakeDiscord

    source, dates = nights
    db = "sqlite:///%s" % (tmp_path / "et.db")
    with ephemeral_instance() as instance, FakeDiscord() as fake:
        assert Pipeline(source, db, tmp_path / "out", instance, publish="off").materialize(dates).success
        resources = {"database": DatabaseResource(url=db), "rules": RulesResource(),
                     "discord": DiscordWebhook(url=fake.url, mode="live", out_dir=str(tmp_path / "out"))}
        for _ in range(2):
            assert dg.materialize(SEASON_ASSETS, instance=instance, resources=resources).success
        posts = [r for r in fake.requests if r["method"] == "POST" and r["status"] == 200
                 and r["titles"][0].startswith("🌙")]           # the weekly board and announcements: their own tests
        assert len(posts) == 1 and posts[0]["titles"][0] == "🌙 The season after %s" % day(dates[-1])
        assert not any(r["violations"] for r in fake.requests)
        with make_engine(db).begin() as conn:   # the night is re-scored: a round's kills break the record
            conn.execute(t.player_round_stats.update().where(t.player_round_stats.c.session_date == dates[-1])
                         .values(kills=t.player_round_stats.c.kills + 100))
        result = dg.materialize(SEASON_ASSETS, instance=instance, resources=resources)   # the digest reads the
        # season tables back, so the re-score reaches it through them
        assert result.success
        assert [r["method"] for r in fake.requests if r["status"] == 200
                and r["titles"][0].startswith("🌙")] == ["POST", "PATCH"]


@pytest.mark.system   # a season over several nights and runs
def test_the_season_is_the_same_on_postgresql(postgres_server, tmp_path, nights):
    """The loader renders its statements for the connection's dialect: PostgreSQL and
    SQLite give the very same season document."""
    import uuid

    from et_pipeline.season.document import season_document

    source, dates = nights
    docs = []
    pg = postgres_server.create_database("season_" + uuid.uuid4().hex[:8])
    for url in (pg, "sqlite:///%s" % (tmp_path / "s.db")):
        with ephemeral_instance() as instance:
            assert Pipeline(source, url, tmp_path / "out", instance, publish="off").materialize(dates).success
        engine = make_engine(url)
        docs.append(season_document(compute_season(engine)))
        engine.dispose()
    assert docs[0] == docs[1] and docs[0]["players"] and docs[0]["records"]["maps"]


@pytest.mark.system   # a season over several nights and runs
def test_weekly_leaderboard_is_edited_within_its_week_and_posted_anew_for_the_next(tmp_path):
    """One weekly message per ISO week, once the week holds more than one night (on its
    first night the night's own messages say it all): a later night of the same week, or
    a re-scored one, edits it; the next week gets its own; the digest says how even the
    teams were."""
    from et_pipeline.defs.resources import DiscordWebhook
    from et_pipeline.numbers import day
    from et_pipeline.season.weekly import iso_week
    from et_pipeline_tests.fixtures.publish.fake_discord import FakeDiscord

    source = tmp_path / "server"
    dates = sorted(n["date"] for n in generate(4, str(source), seed=12, edge_rate=0.5)["nights"])
    weeks = [iso_week(d) for d in dates]
    assert weeks[0]["week"] == weeks[1]["week"] != weeks[2]["week"] == weeks[3]["week"]   # the calendar (seed 12)
    db = "sqlite:///%s" % (tmp_path / "et.db")
    with ephemeral_instance() as instance, FakeDiscord() as fake:
        pipe = Pipeline(source, db, tmp_path / "out", instance, publish="off")
        resources = {"database": DatabaseResource(url=db), "rules": RulesResource(),
                     "discord": DiscordWebhook(url=fake.url, mode="live", out_dir=str(tmp_path / "out"))}
        for date in dates:                                                 # one night after the other
            assert pipe.materialize([date]).success
            assert dg.materialize(SEASON_ASSETS, instance=instance, resources=resources).success
        assert dg.materialize(SEASON_ASSETS, instance=instance, resources=resources).success   # nothing changed
        with make_engine(db).begin() as conn:    # the last night is re-scored: its week changes, not the digest
            conn.execute(t.player_round_stats.update().where(t.player_round_stats.c.session_date == dates[-1])
                         .values(revives_given=t.player_round_stats.c.revives_given + 1))
        assert dg.materialize(SEASON_ASSETS, instance=instance, resources=resources).success
        sent = [r for r in fake.requests if r["status"] == 200]
        assert not any(r["violations"] for r in fake.requests)
        weekly = [r for r in sent if r["titles"][0].startswith("🏅 Week")]
        assert [r["method"] for r in weekly] == ["POST", "POST", "PATCH"]
        assert weekly[2]["path"].endswith("/messages/%s" % weekly[1]["message_id"])
        assert [r["titles"][0] for r in weekly] == ["🏅 Week %d leaderboard · %s – %s" % (
            w["number"], day(w["monday"], year=False), day(w["sunday"], year=False)) for w in (weeks[1], weeks[3], weeks[3])]
        digests = [r for r in sent if r["titles"][0].startswith("🌙 The season after")]
        assert [r["method"] for r in digests] == ["POST"] * 4        # revives are not in the digest: unchanged
        for r in digests:
            [embed] = fake.state.messages[r["message_id"]]["embeds"]
            assert any(f["name"].startswith("⚖️ Before the first map") for f in embed["fields"])

        dry = {**resources, "discord": DiscordWebhook(mode="dry-run", out_dir=str(tmp_path / "out"))}
        result = dg.materialize(SEASON_ASSETS, instance=instance, resources=dry)
        assert result.success
        [board] = (tmp_path / "out" / weeks[3]["monday"]).glob("*/players/season_week.json")
        assert board.parent.parent.name == "season-week-%s" % weeks[3]["week"]
        [mat] = [m for m in result.get_asset_materialization_events() if m.asset_key.path == ["night_digest"]]
        assert mat.materialization.metadata["week"].value == weeks[3]["week"]
