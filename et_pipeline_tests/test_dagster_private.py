"""The private Dagster API, all in defs/dagster_private.py: every name it imports and
what the project relies on it to do. An upgrade that renames, moves or changes one fails
here first, not as command-line runs silently missing from the UI or a slow event log."""
import json
from pathlib import Path

import dagster as dg
import yaml

from et_pipeline.defs import dagster_private as private
from et_pipeline.defs.launch import CODE_LOCATION, SESSION_JOB, open_instance

ROOT = Path(__file__).parents[1]


def test_the_private_tag_names_are_the_ones_the_ui_reads():
    assert private.PARTITION_NAME_TAG == "dagster/partition"
    assert private.SINGLETON_REPOSITORY_NAME == "__repository__"
    assert private.GRPC_INFO_TAG == ".dagster/grpc_info"
    assert private.REPOSITORY_LABEL_TAG == ".dagster/repository"
    assert (private.ASSET_PARTITION_RANGE_START_TAG, private.ASSET_PARTITION_RANGE_END_TAG) == \
        ("dagster/asset_partition_range_start", "dagster/asset_partition_range_end")


def test_one_date_is_a_partition_and_several_a_range():
    assert private.partition_tags(["2026-02-05"]) == {"dagster/partition": "2026-02-05"}
    assert private.partition_tags(["2026-02-05", "2026-02-06", "2026-02-07"]) == {
        "dagster/asset_partition_range_start": "2026-02-05", "dagster/asset_partition_range_end": "2026-02-07"}


def test_the_origin_is_what_dagsters_workspace_loader_makes_of_workspace_yaml(monkeypatch):
    monkeypatch.chdir(ROOT)
    [origin] = private.location_origins_from_yaml_paths([str(ROOT / "workspace.yaml")])
    ours = SESSION_JOB.remote_origin()
    assert ours.repository_origin.code_location_origin.location_name == origin.location_name == CODE_LOCATION
    assert ours.repository_origin.code_location_origin.loadable_target_origin.module_name == \
        origin.loadable_target_origin.module_name
    assert ours.repository_origin.get_label() == "__repository__@et_pipeline"   # the tag the job page filters by
    assert ours.job_name == "session_job"


def test_the_origin_does_not_depend_on_the_folder_run_is_started_in(monkeypatch, tmp_path):
    """cron starts `et-pipeline run` in the home folder: its runs must still carry the
    webserver's origin, working directory included (workspace.yaml's `.`, which Dagster
    keeps as written and the webserver resolves in the folder `make dev` starts it in,
    the project's), not one made of the current folder."""
    [origin] = private.location_origins_from_yaml_paths([str(ROOT / "workspace.yaml")])
    monkeypatch.chdir(tmp_path)
    ours = SESSION_JOB.remote_origin().repository_origin.code_location_origin.loadable_target_origin
    assert ours.working_directory == str((ROOT / origin.loadable_target_origin.working_directory).resolve())
    assert SESSION_JOB._reconstructable.get_python_origin().repository_origin.code_pointer.working_directory \
        == str(ROOT)
    assert SESSION_JOB.definition().name == "session_job"


def test_the_job_is_the_code_locations_own(monkeypatch):
    from et_pipeline.definitions import defs

    location = yaml.safe_load((ROOT / "workspace.yaml").read_text())["load_from"][0]["python_module"]
    assert (SESSION_JOB.module_name, SESSION_JOB.location_name) == (location["module_name"], location["location_name"])
    assert SESSION_JOB.definition().get_job_snapshot_id() == defs.resolve_job_def("session_job").get_job_snapshot_id()


def test_local_temp_opens_the_folders_own_instance(tmp_path):
    """`open_instance` uses the public DagsterInstance.local_temp(tempdir=home): it must read
    the home's dagster.yaml like the non-public from_config does."""
    (tmp_path / "dagster.yaml").write_text(
        "run_coordinator:\n  module: dagster\n  class: QueuedRunCoordinator\n"
        "event_log_storage:\n  module: et_pipeline.defs.event_log\n  class: PooledSqliteEventLogStorage\n"
        "  config:\n    base_dir: %s\n" % json.dumps(str(tmp_path)))
    with open_instance(str(tmp_path)) as instance:
        assert instance.is_persistent and instance.root_directory == str(tmp_path)
        assert isinstance(instance.run_coordinator, dg.QueuedRunCoordinator)
        assert isinstance(instance.event_log_storage, private.PooledSqliteEventLogStorage)
        instance.add_dynamic_partitions("session_dates", ["2026-02-05"])
    with open_instance(str(tmp_path)) as again:
        assert again.get_dynamic_partitions("session_dates") == ["2026-02-05"]   # persistent, not temporary


def test_the_instance_config_the_cli_writes_serialises_runs_and_discord_posts(tmp_path):
    from et_pipeline.cli.run import instance_yaml

    (tmp_path / "dagster.yaml").write_text(instance_yaml(str(tmp_path)))
    with open_instance(str(tmp_path)) as instance:
        config = instance.get_concurrency_config()
        assert config.run_queue_config.max_concurrent_runs == 1          # SQLite: one run at a time
        assert config.pool_config.default_pool_limit == 1                # the `discord` pool: one step at a time


def test_exactly_the_assets_that_post_to_discord_hold_the_discord_pool():
    """The limit above serialises Discord's posts only if every step posting holds the pool;
    a step that posts nothing must not queue behind one that does."""
    from et_pipeline.definitions import defs

    posting = {a.op.name for a in defs.assets if "discord" in a.required_resource_keys}
    pooled = {a.op.name for a in defs.assets if a.op.pool == "discord"}
    assert posting == pooled == {"discord_posts", "night_digest"}


def test_no_private_dagster_import_outside_this_module():
    """The fence holds for everything in the repository that imports Dagster: the package,
    its tests, the benches and tools (scripts written out as strings included)."""
    import re

    fence = ROOT / "et_pipeline" / "defs" / "dagster_private.py"
    private_import = re.compile(r"^\s*(?:from|import)\s+dagster\._", re.M)
    found = [str(p.relative_to(ROOT)) for folder in ("et_pipeline", "et_pipeline_tests", "bench", "tools")
             for p in sorted((ROOT / folder).rglob("*.py")) if p != fence and private_import.search(p.read_text())]
    assert not found, found
    assert private_import.search(fence.read_text())


def test_every_silenced_dagster_warning_is_named_by_its_text():
    """A Beta/Preview warning is silenced one API at a time (`message=`), never a whole
    category: a broad filter would also hide the next API that changes under us."""
    import ast

    broad = []
    for path in [*(ROOT / "et_pipeline").rglob("*.py"), *(ROOT / "bench").rglob("*.py"), *(ROOT / "tools").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) in ("filterwarnings", "simplefilter"):
                keywords = {k.arg for k in node.keywords}
                if "message" not in keywords and len(node.args) < 2:
                    broad.append("%s:%d" % (path.relative_to(ROOT), node.lineno))
    assert broad == []
