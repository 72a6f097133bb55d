import os

import dagster as dg

# Key: local date (YYYY-MM-DD) of a gaming session's first round (DOMAIN.md 1.3).
session_dates = dg.DynamicPartitionsDefinition(name="session_dates")

# A run holds its dates' rows in memory: long ranges go in runs of at most this many dates
# (UI backfills through the assets' backfill policy, `et-pipeline run` through the same cap),
# so memory stays flat however many nights there are (issue 15).
DEFAULT_PARTITIONS_PER_RUN = 100   # ~1 MB of rows per night in a run: ~200 MB peak, one run for 100 nights


def max_partitions_per_run() -> int:
    return max(1, int(os.environ.get("ET_PARTITIONS_PER_RUN", DEFAULT_PARTITIONS_PER_RUN)))
