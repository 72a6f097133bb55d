"""The tags a run launched from the UI carries, for runs `et-pipeline run` executes in
process. Dagster names these tags only in private modules (no public API exports them), so
they are imported here and nowhere else in the package; test_run_tags pins their values and fails when an
upgrade renames or moves them."""
from dagster._core.definitions.repository_definition.valid_definitions import SINGLETON_REPOSITORY_NAME
from dagster._core.storage.tags import (ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG,
                                        CODE_LOCATION_TAG, REPOSITORY_LABEL_TAG)

__all__ = ["ui_run_tags", "ASSET_PARTITION_RANGE_END_TAG", "ASSET_PARTITION_RANGE_START_TAG", "CODE_LOCATION_TAG",
           "REPOSITORY_LABEL_TAG", "SINGLETON_REPOSITORY_NAME"]


def ui_run_tags(block: list[str], code_location: str) -> dict[str, str]:
    """The partition range (one date is passed as `partition_key`, which tags it
    `dagster/partition` as the UI does), and the code location and repository the UI files
    runs under (its job page, runs timeline and code location filter select runs by them;
    `execute_in_process` sets neither)."""
    tags = {CODE_LOCATION_TAG: code_location,
            REPOSITORY_LABEL_TAG: "%s@%s" % (SINGLETON_REPOSITORY_NAME, code_location),
            "et_pipeline/started_by": "et-pipeline run"}
    if len(block) > 1:
        tags.update({ASSET_PARTITION_RANGE_START_TAG: block[0], ASSET_PARTITION_RANGE_END_TAG: block[-1]})
    return tags
