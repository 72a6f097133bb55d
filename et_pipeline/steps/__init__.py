"""One module per pipeline step: pure functions from parsed inputs to table rows.

The Dagster assets (et_pipeline/defs) only read their inputs from the database, call
these, and write the rows back; tests call them directly.
"""
