"""et-pipeline: Dagster pipeline for ET:Legacy stopwatch statistics."""
