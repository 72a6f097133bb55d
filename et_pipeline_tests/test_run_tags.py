"""The private Dagster names `et-pipeline run` tags its runs with (defs/run_tags.py): their
values are what the UI selects runs by. An upgrade that renames, moves or changes one fails
here first, not as CLI runs silently missing from the job page."""
from et_pipeline.defs import run_tags


def test_the_private_tag_names_are_the_ones_the_ui_reads():
    assert run_tags.CODE_LOCATION_TAG == "dagster/code_location"
    assert run_tags.REPOSITORY_LABEL_TAG == ".dagster/repository"
    assert run_tags.SINGLETON_REPOSITORY_NAME == "__repository__"
    assert (run_tags.ASSET_PARTITION_RANGE_START_TAG, run_tags.ASSET_PARTITION_RANGE_END_TAG) == \
        ("dagster/asset_partition_range_start", "dagster/asset_partition_range_end")


def test_a_range_is_tagged_and_one_date_is_not():
    one = run_tags.ui_run_tags(["2026-02-05"], "et_pipeline")
    assert one == {"dagster/code_location": "et_pipeline", ".dagster/repository": "__repository__@et_pipeline",
                   "et_pipeline/started_by": "et-pipeline run"}
    many = run_tags.ui_run_tags(["2026-02-05", "2026-02-06"], "et_pipeline")
    assert many["dagster/asset_partition_range_start"] == "2026-02-05"
    assert many["dagster/asset_partition_range_end"] == "2026-02-06"
