"""The season is never left behind: whatever the timing of the runs, after the last run
of a night the season automation asks for a refresh that reflects it.

The case that left it stale: a session run finished in the same automation tick as the
season's own refresh (requested for the night's previous run). `eager()`'s
`SINCE(deps updated, requested or updated)` saw the trigger and its reset in one tick,
and the reset won: the season kept the night as it was after the earlier run."""
import dagster as dg
import pytest
from sqlalchemy import func, select

from et_pipeline.defs.assets import ALL_ASSETS
from et_pipeline.defs.season_assets import SEASON_ASSETS
from et_pipeline.storage import schema as t
from et_pipeline.storage.database import make_engine
from et_pipeline.synth import generate
from et_pipeline_tests.pipeline_fixtures import Pipeline, ephemeral_instance
from et_pipeline_tests.season_fixtures import run_as_automation

# The system tier (`make test-system`): a sensor and the automation evaluated over several runs.
pytestmark = pytest.mark.system

SEASON_KEYS = {k for a in SEASON_ASSETS for k in a.keys}


def _requested(defs, instance, cursor):
    result = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=cursor)
    return {k for k in SEASON_KEYS if result.get_num_requested(k)}, result.cursor


def _latest_night_in_season(db):
    with make_engine(db).connect() as conn:
        return conn.execute(select(func.max(t.season_players.c.last_seen))).scalar()


def test_a_session_run_ending_in_the_seasons_refresh_tick_is_not_swallowed(tmp_path):
    source = tmp_path / "server"
    dates = sorted(n["date"] for n in generate(2, str(source), seed=12, edge_rate=0.3)["nights"])
    db = "sqlite:///%s" % (tmp_path / "et.db")
    with ephemeral_instance() as instance:
        pipe = Pipeline(source, db, tmp_path / "out", instance, publish="off")
        defs = dg.Definitions(assets=[*ALL_ASSETS, *SEASON_ASSETS], resources=pipe.resources)
        _, cursor = _requested(defs, instance, None)                  # the automation sensor is on
        assert pipe.materialize(dates[:1]).success                    # a session run
        requested, cursor = _requested(defs, instance, cursor)
        assert requested == SEASON_KEYS                               # tick N: refresh the season
        run_as_automation(db, instance, requested)                                 # that refresh runs ...
        assert pipe.materialize(dates[1:2]).success                   # ... and the next session run ends
        requested, cursor = _requested(defs, instance, cursor)        # tick N+1 sees both
        assert requested == SEASON_KEYS, "the season would stay as it was before the last run"
        run_as_automation(db, instance, requested)
        assert _latest_night_in_season(db) == dates[1]
        requested, cursor = _requested(defs, instance, cursor)
        assert requested == set()                                     # up to date: no more runs
        requested, cursor = _requested(defs, instance, cursor)
        assert requested == set()
