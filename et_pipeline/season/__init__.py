"""The season layer: numbers across nights (players, careers, records, lineups, ratings).

Pure logic, no Dagster import: functions take rows or `MapGame`s and return plain data;
`et_pipeline/defs/season_assets.py` is the thin Dagster layer over them.
"""
