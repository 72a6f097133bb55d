"""The thin Dagster layer: partitions, resources, assets, checks, sensor, job."""
import warnings

import dagster as dg

# the backfill policies (ranged runs of at most ET_PARTITIONS_PER_RUN dates, defs/partitions.py)
# are what keep backfills cheap and bounded; their beta label is noise here
warnings.filterwarnings("ignore", category=dg.BetaWarning)
