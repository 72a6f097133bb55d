"""The season as Dagster means it: the season tables are computed from one load in one
step and written in one transaction (a multi-asset, one spec per output), every spec
declares the nightly assets whose tables it reads, the digest declares the season tables
it reads, nothing is shared through a module global, and the result is the same under
the in-process and the celery executor (a real Redis broker and one worker process)."""
import os

import dagster as dg
import pytest
from sqlalchemy import select

from et_pipeline.defs import season_assets
from et_pipeline.defs.resources import DatabaseResource, DiscordWebhook, RulesResource
from et_pipeline.storage import schema as t
from et_pipeline.storage.database import make_engine
from et_pipeline_tests.pipeline_fixtures import Pipeline, ephemeral_instance
from et_pipeline_tests.season_fixtures import copy_db
from et_pipeline_tests.servers import celery_worker

# what season.data.load_tables reads, by the nightly asset that writes it
NIGHTLY_READS = {"rounds", "lua_timings", "lua_round_teams", "endstats_awards", "session_teams", "map_results"}


def _graph():
    from et_pipeline.config import Rules
    from et_pipeline.defs.factory import build_definitions
    from et_pipeline.defs.resources import StatsSourceResource

    return build_definitions(source=StatsSourceResource(url="."), db_url="sqlite:///unused.db", rules=Rules(),
                             discord=DiscordWebhook(mode="off")).resolve_asset_graph()


def _season_keys():
    return {k for a in season_assets.SEASON_ASSETS for k in a.keys}


def test_every_season_table_declares_the_nightly_assets_it_reads():
    graph = _graph()
    for key in _season_keys():
        parents = {p.to_user_string() for p in graph.get(key).parent_keys}
        if key.path == ["night_digest"]:
            # it reads the season tables of these assets, and the night's own rows
            assert {"players", "records", "ratings", "predictions", "achievements", "season_awards",
                    "rivalries"} <= parents, parents
        assert NIGHTLY_READS <= parents, (key, NIGHTLY_READS - parents)


def test_the_season_tables_come_from_one_step():
    """One load of the nightly tables and one transaction for every season table: a
    multi-asset, not seven assets each loading (or sharing a module-global snapshot)."""
    [step] = [a for a in season_assets.SEASON_ASSETS if len(a.keys) > 1]
    assert {k.to_user_string() for k in step.keys} >= {"players", "player_careers", "records", "lineups",
                                                        "ratings", "rating_quality"}
    assert not step.can_subset


def _season_rows(url: str) -> dict[str, list]:
    engine = make_engine(url)
    out = {}
    with engine.connect() as conn:
        for name, table in sorted(t.metadata.tables.items()):
            if name.startswith("season_"):
                out[name] = sorted(tuple(str(v) for v in r) for r in conn.execute(select(table)))
    engine.dispose()
    return out


@pytest.mark.system   # the Celery executor with a Redis broker
def test_the_season_on_the_celery_executor_equals_the_in_process_season(tmp_path, monkeypatch, redis_url):
    """Every season step runs in the celery worker's process and writes the very same tables
    as the in-process run; each table spec reports Dagster's `dagster/row_count`."""
    from et_pipeline.cli.run import INSTANCE_YAML
    from et_pipeline.defs.factory import season_job_from_env
    from et_pipeline.synth import generate

    source = tmp_path / "server"
    truth = generate(3, str(source), seed=12)
    dates = sorted(n["date"] for n in truth["nights"])
    nightly = "sqlite:///%s" % (tmp_path / "nightly.db")
    with ephemeral_instance() as instance:
        assert Pipeline(source, nightly, tmp_path / "out", instance, publish="off").materialize(dates).success
    in_process, on_celery = copy_db(nightly, tmp_path / "a.db"), copy_db(nightly, tmp_path / "b.db")

    with ephemeral_instance() as instance:
        result = dg.materialize(season_assets.SEASON_ASSETS, instance=instance,
                                resources={"database": DatabaseResource(url=in_process), "rules": RulesResource(),
                                           "discord": DiscordWebhook(mode="off")})
        assert result.success
        counted = {m.asset_key.to_user_string(): m.materialization.metadata.get("dagster/row_count")
                   for m in result.get_asset_materialization_events()}
    assert all(v is not None and v.value >= 0 for k, v in counted.items() if k != "night_digest"), counted
    assert counted["players"].value > 0 and counted["ratings"].value > 0

    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(INSTANCE_YAML)
    env = dict(os.environ, DAGSTER_HOME=str(home), ET_SOURCE=str(source), ET_PUBLISH_MODE="off",
               ET_DB_URL=on_celery, ET_OUT_DIR=str(tmp_path / "out"), ET_EXECUTOR="celery",
               ET_CELERY_BROKER=redis_url)
    with celery_worker(tmp_path, redis_url, env) as log:
        for key in ("DAGSTER_HOME", "ET_SOURCE", "ET_PUBLISH_MODE", "ET_DB_URL", "ET_OUT_DIR", "ET_EXECUTOR",
                    "ET_CELERY_BROKER"):
            monkeypatch.setenv(key, env[key])
        assert season_job_from_env().executor_def.name == "celery"
        with dg.DagsterInstance.get() as instance:
            with dg.execute_job(dg.reconstructable(season_job_from_env), instance=instance) as run:
                assert run.success, log.read_text()[-3000:]
                starts = {e.step_key: e.pid for e in run.all_events if e.event_type_value == "STEP_START"}
    assert set(starts) == {a.node_def.name for a in season_assets.SEASON_ASSETS}
    assert all(pid != os.getpid() for pid in starts.values())       # every step ran in the celery worker
    assert _season_rows(on_celery) == _season_rows(in_process)
