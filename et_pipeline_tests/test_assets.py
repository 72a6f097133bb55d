"""The assets through Dagster: materialize() on a test instance over the recorded night."""
import shutil

import dagster as dg
from sqlalchemy import func, select

from et_pipeline.domain.night_checks import CHECKS
from et_pipeline.report import build_report
from et_pipeline.storage import schema as t
from et_pipeline_tests.pipeline_fixtures import CORPUS, Pipeline, lay_out_night

DATE = "2026-02-05"


def counts(engine) -> dict:
    with engine.connect() as conn:
        return {tbl.name: conn.execute(select(func.count()).select_from(tbl)).scalar()
                for tbl in (t.rounds, t.player_round_stats, t.weapon_round_stats, t.lua_timings, t.lua_round_teams,
                            t.awards, t.session_teams, t.map_results, t.session_results, t.timing_comparison)}


def test_whole_graph_materialises_and_checks_pass(pipeline):
    result = pipeline.materialize([DATE])
    assert result.success
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    scoring = ("every_r2_has_r1_or_is_orphan", "no_timing_row_linked_twice", "scores_add_up", "every_file_accounted_for")
    assert all(evaluations[k].passed for k in scoring)
    # the night's cross-checks: all there, none failed (a warn is one of the night's known quirks)
    crossed = {k: e for k, e in evaluations.items() if k not in scoring}
    assert set(crossed) == {c.name for c in CHECKS}
    assert all(e.passed or e.severity == dg.AssetCheckSeverity.WARN for e in crossed.values())
    n = counts(pipeline.engine)
    assert n["rounds"] == 10 and n["player_round_stats"] == 60 and n["map_results"] == 5
    assert n["lua_timings"] == 8 and n["lua_round_teams"] == 8 and n["session_results"] == 1
    mats = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert {"server_files", "rounds", "lua_round_teams", "session_teams", "map_results", "discord_posts"} <= mats


def test_materialising_twice_gives_the_same_rows_and_report(pipeline):
    assert pipeline.materialize([DATE]).success
    with pipeline.engine.connect() as conn:
        first = build_report(conn, DATE)
    before = counts(pipeline.engine)
    assert pipeline.materialize([DATE]).success
    with pipeline.engine.connect() as conn:
        assert build_report(conn, DATE) == first
    assert counts(pipeline.engine) == before


def test_rescoring_one_date_leaves_other_dates_untouched(tmp_path, dagster_instance):
    """Two nights (the recorded one and a copy shifted a week): re-materialising
    map_results+ for one date rewrites only that partition."""
    src = lay_out_night(tmp_path / "server")
    for f in list((src / "gamestats").iterdir()):
        shutil.copy2(f, src / "gamestats" / f.name.replace("2026-02-05", "2026-02-12"))
    p = Pipeline(src, "sqlite:///%s" % (tmp_path / "et.db"), tmp_path / "out", dagster_instance)
    assert p.materialize(["2026-02-05", "2026-02-12"]).success
    with p.engine.connect() as conn:
        other_before = conn.execute(select(t.map_results).where(t.map_results.c.session_date == "2026-02-12")).all()
        conn.execute(t.map_results.update().where(t.map_results.c.session_date == DATE).values(note="stale"))
        conn.commit()
    result = p.materialize([DATE], selection="map_results*")
    assert result.success
    assert {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()} == {
        "map_results", "session_results", "night_checks", "discord_posts"}
    with p.engine.connect() as conn:
        assert conn.execute(select(t.map_results).where(t.map_results.c.session_date == "2026-02-12")).all() == other_before
        notes = conn.execute(select(t.map_results.c.note).where(t.map_results.c.session_date == DATE)).scalars().all()
    assert "stale" not in notes and len(notes) == 5


def test_late_timing_file_is_linked_on_the_next_materialisation(pipeline):
    assert pipeline.materialize([DATE]).success
    with pipeline.engine.connect() as conn:
        r2 = [r for r in build_report(conn, DATE)["sessions"][0]["rounds"] if r["file"].endswith("212035-supply-round-2.txt")][0]
    assert r2["timing_status"] == "NO_LUA_DATA"
    late = "gametime-supply-R2-1770322832.json"
    shutil.copy2(CORPUS / "gametimes_webhook_v1.7.2" / late, pipeline.source / "gametimes" / late)
    assert pipeline.materialize([DATE]).success
    with pipeline.engine.connect() as conn:
        r2 = [r for r in build_report(conn, DATE)["sessions"][0]["rounds"] if r["file"].endswith("212035-supply-round-2.txt")][0]
    assert r2["lua"]["source"] == late and r2["timing_status"] == "ALIGNED"
