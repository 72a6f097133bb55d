"""The thin Dagster layer: partitions, resources, assets, checks, sensor, job."""
import warnings

import dagster as dg

# single-run backfill policies are what make ranged runs cheap; their beta label is noise here
warnings.filterwarnings("ignore", category=dg.BetaWarning)
