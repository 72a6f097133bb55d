"""Following the README lands the UI on the instance and database `make demo` wrote, and runs
started by `et-pipeline run` are filed like runs started in the UI (issue 14 §4)."""
import re
from pathlib import Path

import dagster as dg
import yaml

from et_pipeline.cli import main
from et_pipeline.cli.common import DEFAULT_DB
from et_pipeline.defs.dagster_private import REPOSITORY_LABEL_TAG   # the tag the UI selects a location's runs by
from et_pipeline.defs.launch import CODE_LOCATION

ROOT = Path(__file__).parent.parent


def _make_var(name: str) -> str:
    """A Makefile variable's whole value, as written."""
    return re.search(r"^%s\s*[:?]?=\s*(.*?)\s*$" % name, (ROOT / "Makefile").read_text(), re.M).group(1)


def test_env_example_never_points_the_ui_elsewhere():
    env = dict(line.split("=", 1) for line in (ROOT / ".env.example").read_text().splitlines()
               if line and not line.startswith("#"))
    assert "DAGSTER_HOME" not in env              # dagster dev loads .env over the environment: even empty wins
    db = _make_var("DB")
    assert env["ET_DB_URL"] == db == DEFAULT_DB   # make demo writes, make dev reads, the CLI defaults to it
    dev = re.search(r"^dev:.*?(?=^\S)", (ROOT / "Makefile").read_text(), re.M | re.S).group(0)
    assert "DAGSTER_HOME=$(CURDIR)/.dagster_home" in dev and "ET_DB_URL=$(DB)" in dev
    assert "--dagster-home .dagster_home" in (ROOT / "Makefile").read_text()
    # beside workspace.yaml the production instance (PostgreSQL), never the one make dev opens
    assert "postgres" in yaml.safe_load((ROOT / "dagster.yaml").read_text())["storage"]
    # make dev and make validate open the development instance: Dagster's commands read the
    # dagster.yaml of the folder they start in (production's) when DAGSTER_HOME is not set
    makefile = (ROOT / "Makefile").read_text()
    home = re.search(r"^dev-home:.*?(?=^\S)", makefile, re.M | re.S).group(0)
    assert "cp deploy/dagster.dev.yaml .dagster_home/dagster.yaml" in home and "dev-home" in dev.splitlines()[0]
    validate = re.search(r"^validate:.*?(?=^\S)", makefile, re.M | re.S).group(0)
    assert "dev-home" in validate.splitlines()[0]
    assert all(line.startswith("\tDAGSTER_HOME=$(CURDIR)/.dagster_home ") for line in validate.splitlines()[1:] if line.strip())
    assert ".env" in (ROOT / ".gitignore").read_text().splitlines()


def _ui_runs(home: Path) -> list:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        # the filter the UI's job page and runs timeline use
        return instance.get_runs(dg.RunsFilter(job_name="session_job",
                                               tags={REPOSITORY_LABEL_TAG: "__repository__@" + CODE_LOCATION}))


def test_cli_runs_are_filed_under_the_code_location_like_ui_runs(tmp_path, night, capsys):
    location = yaml.safe_load((ROOT / "workspace.yaml").read_text())["load_from"][0]["python_module"]
    assert location["location_name"] == CODE_LOCATION
    home = tmp_path / "dh"
    assert main(["run", "--source", str(night), "--db", "sqlite:///%s" % (tmp_path / "et.db"),
                 "--dagster-home", str(home), "--publish", "off", "--season", "skip"]) == 0
    capsys.readouterr()
    [run] = _ui_runs(home)
    assert run.tags["dagster/partition"] == "2026-02-05"           # one date: tagged as the UI tags it
    assert run.tags["dagster/code_location"] == CODE_LOCATION


def test_a_ranged_cli_run_carries_the_ui_backfill_range_tags(tmp_path, capsys):
    from et_pipeline.synth import generate

    generate(3, str(tmp_path / "src"), seed=3)
    home = tmp_path / "dh"
    assert main(["run", "--source", str(tmp_path / "src"), "--db", "sqlite:///%s" % (tmp_path / "et.db"),
                 "--dagster-home", str(home), "--publish", "off", "--season", "skip"]) == 0
    dates = [line.split()[0] for line in capsys.readouterr().out.splitlines() if "  updated  " in line]
    [run] = _ui_runs(home)
    assert len(dates) == 3 and "dagster/partition" not in run.tags
    assert (run.tags["dagster/asset_partition_range_start"], run.tags["dagster/asset_partition_range_end"]) == \
        (dates[0], dates[-1])


def test_the_live_bench_reads_files_that_exist():
    """`make bench`'s live section copies the default instance config and replays the sample
    night: it broke once when the config moved to deploy/ (the bench is not run by CI)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_live", ROOT / "bench" / "live.py")
    live = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(live)
    assert live.INSTANCE_CONFIG.is_file() and (live.NIGHT / "gamestats").is_dir()


def test_make_test_hands_out_the_longest_modules_first():
    """Both tiers keep conftest's order (xdist reorders by test count without the flag) and
    split the suite by the `system` mark between them, and the order names modules that
    exist: a renamed module would silently go last."""
    from et_pipeline_tests.conftest import LONGEST_MODULES

    makefile = (ROOT / "Makefile").read_text()
    assert "--dist loadfile --no-loadscope-reorder" in _make_var("PYTEST")
    for target, selection in (("test", '-m "not system"'), ("test-system", "-m system")):
        recipe = re.search(r"^%s:.*\n((?:\t.*\n)+)" % target, makefile, re.M).group(1)
        assert "$(PYTEST) %s" % selection in recipe, (target, recipe)
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test\nmake test-system\n" in ci
    missing = [name for name in LONGEST_MODULES if not (ROOT / "et_pipeline_tests" / name).is_file()]
    assert not missing and len(set(LONGEST_MODULES)) == len(LONGEST_MODULES), missing


# One test (at least) of each layer stays in `make test` (README, Tests): marking it
# `system` would leave the four-minute tier without it.
LAYERS_IN_MAKE_TEST = {
    "the Lua timing writer on Lua 5.4": ("test_lua_timing", "test_surrender"),
    "the HTTP Discord on loopback": ("test_publish_webhook", "test_429_retry_after_from_body_is_honoured"),
    "the SFTP server on loopback": ("test_sftp_pipeline", "test_run_over_sftp_equals_local"),
    "the night's assets through materialize()": ("test_assets", "test_whole_graph_materialises_and_checks_pass"),
    "the asset checks": ("test_asset_checks", "test_a_bad_old_night_does_not_fail_a_new_nights_run"),
    "a sensor tick (build_sensor_context)": ("test_sensor", "test_new_night_then_unchanged_then_late_file"),
    "the season's assets": ("test_season_assets", "test_each_season_asset_materialises_and_fills_its_tables"),
    "the night on PostgreSQL": ("test_postgres_pipeline", "test_sensor_and_assets_on_postgresql"),
    "a command-line run through the code location":
        ("test_cli_runtime", "test_a_cli_run_is_a_run_of_the_code_location_job_with_its_origin"),
    "the recorded night end to end, run twice": ("test_end_to_end", "test_recorded_night_matches_the_truth"),
}


def _marks(obj) -> list[str]:
    marks = getattr(obj, "pytestmark", [])
    return [m.name for m in (marks if isinstance(marks, list) else [marks])]


def test_make_test_keeps_a_test_of_each_layer():
    import importlib

    for layer, (module_name, test_name) in LAYERS_IN_MAKE_TEST.items():
        module = importlib.import_module("et_pipeline_tests." + module_name)
        test = getattr(module, test_name)
        assert "system" not in _marks(module) + _marks(test), "%s (%s) left make test" % (layer, test_name)
