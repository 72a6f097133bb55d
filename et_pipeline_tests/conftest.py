"""Shared fixtures: real servers on loopback live in `servers.py`, pipeline helpers in
`pipeline_fixtures.py`, the publishing tests' database and Discord in `publish_fixtures.py`."""
import json
from pathlib import Path

import pytest

from et_pipeline.cli.common import keep_sigterm_working
from et_pipeline_tests.pipeline_fixtures import dagster_instance, night, pipeline  # noqa: F401
from et_pipeline_tests.publish_fixtures import engine, fake  # noqa: F401
from et_pipeline_tests.servers import postgres_server, postgres_url, redis_url, sftp_server  # noqa: F401

SAMPLE_SESSION = Path(__file__).parent / "fixtures" / "publish" / "sample_session.json"


@pytest.fixture(scope="module")
def session() -> dict:
    """A session of the report (6 players and a bot, 5 maps, one map not counted, one
    round without Lua data) for the publishing tests."""
    return json.loads(SAMPLE_SESSION.read_text(encoding="utf-8"))


# The longest modules (their wall time in a measured run of their tier), longest first:
# handed to the workers first, so in `make test-system` the live night and the daemon tests
# start at once on workers of their own, in `make test` the modules with a PostgreSQL cluster
# or many runs do, and the many short modules fill in around them at the end. A module not
# in the tier being run is simply not collected. The Makefile passes `--no-loadscope-reorder`:
# pytest-xdist otherwise hands out the modules with the most tests first, which started the
# one-test live night (two minutes) last of all.
LONGEST_MODULES = ("test_live_night.py", "test_end_to_end.py", "test_season_community.py", "test_dead_runs.py",
                   "test_concurrent_runs.py", "test_fresh_season.py", "test_season_assets.py", "test_distributed.py",
                   "test_archive.py", "test_bad_files.py", "test_rating_cache.py", "test_postgres_pipeline.py",
                   "test_cli.py", "test_season_ratings.py", "test_parsers_property.py", "test_assets.py",
                   "test_concurrent_migrations.py", "test_synth.py", "test_run_outcome.py", "test_season_predictions.py",
                   "test_exact_names.py", "test_reading_files.py", "test_night_checks.py", "test_season_dagster.py",
                   "test_sensor.py", "test_asset_checks.py", "test_cli_runtime.py", "test_run_monitoring.py")


def pytest_configure(config):
    """A suite started in the background (SIGINT ignored) would, after its first in-process
    Dagster run, ignore SIGTERM and pass that on to every server and command it starts:
    their SIGTERM did nothing (a fake Discord outlived check_publish, which then hung)."""
    keep_sigterm_working()


def pytest_collection_modifyitems(items):
    rank = {name: i for i, name in enumerate(LONGEST_MODULES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))     # stable: the rest keep their order
