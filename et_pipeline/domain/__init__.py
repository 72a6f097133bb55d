"""Pure domain rules (no Dagster, no database): one implementation of each rule."""
