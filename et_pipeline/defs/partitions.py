import dagster as dg

from et_pipeline.settings import partitions_per_run

# Key: local date (YYYY-MM-DD) of a gaming session's first round (DOMAIN.md 1.3).
session_dates = dg.DynamicPartitionsDefinition(name="session_dates")


def max_partitions_per_run() -> int:
    """A run holds its dates' rows in memory: long ranges go in runs of at most this many
    dates (UI backfills through the assets' backfill policy, `et-pipeline run` through the
    same cap), so memory stays flat however many nights there are (ET_PARTITIONS_PER_RUN)."""
    return partitions_per_run()
