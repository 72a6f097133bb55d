"""The copied Dagster homes (dagster_homes) are new homes of their own: nothing of the
template's or of another copy's runs shows in them, and each writes its own files."""
from et_pipeline.cli.run import instance_yaml
from et_pipeline.defs.launch import open_instance
from et_pipeline_tests.dagster_homes import _template, cli_home, ephemeral_instance


def test_a_copied_cli_home_is_its_own_new_home(tmp_path):
    first, second = cli_home(tmp_path / "a"), cli_home(tmp_path / "b")
    assert (tmp_path / "a" / "dagster.yaml").read_text() == instance_yaml(first)
    instance = open_instance(first)
    instance.add_dynamic_partitions("session_dates", ["2026-02-05"])
    assert instance.get_runs() == [] and open_instance(second).get_dynamic_partitions("session_dates") == []
    assert cli_home(tmp_path / "a") == first and open_instance(first).get_dynamic_partitions("session_dates") == [
        "2026-02-05"]                                  # an existing home is left as it is
    assert open_instance(str(_template("cli"))).get_dynamic_partitions("session_dates") == []


def test_copied_test_instances_share_nothing():
    with ephemeral_instance() as one:
        one.add_dynamic_partitions("session_dates", ["2026-02-05"])
        with ephemeral_instance() as other:
            assert other.get_dynamic_partitions("session_dates") == []
            assert other.root_directory != one.root_directory
