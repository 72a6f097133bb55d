import dagster as dg

# Key: local date (YYYY-MM-DD) of a gaming session's first round (DOMAIN.md 1.3).
session_dates = dg.DynamicPartitionsDefinition(name="session_dates")
