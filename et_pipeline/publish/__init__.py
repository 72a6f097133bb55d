"""Discord output for a gaming session: embeds and graphs built from the session report,
sent through a webhook (or written to files), idempotently. No Dagster here."""
