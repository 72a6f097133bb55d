"""Links into the Dagster UI (its page paths as Dagster 1.13's webserver serves them), so a
message about a night can say where to look: the run, or an asset's page for one date.

The base is `ET_DAGSTER_URL` (default the UI `make dev` opens); empty turns links off.
"""
from __future__ import annotations

from urllib.parse import quote, urlencode

DEFAULT_URL = "http://127.0.0.1:3000"
# how the lineage page names a group in its `expanded` list (its groupIdForNode while groups
# are not split per code location, the UI's default)
GROUP_ID = "global@global:%s"


def base_url(value: str | None) -> str | None:
    """`ET_DAGSTER_URL` as given (None: the default; empty: no links), without a trailing /."""
    value = DEFAULT_URL if value is None else value.strip()
    return value.rstrip("/") or None


def run_url(base: str | None, run_id: str) -> str | None:
    return "%s/runs/%s" % (base, quote(run_id)) if base else None


def partition_url(base: str | None, asset: str, partition: str) -> str | None:
    """An asset's Partitions tab with one partition (a session date) open."""
    if not base:
        return None
    return "%s/assets/%s?%s" % (base, quote(asset), urlencode({"view": "partitions", "partition": partition}))


def lineage_url(base: str | None, groups: list[str]) -> str | None:
    """The global asset lineage with these groups expanded (the UI keeps them in `expanded`)."""
    if not base:
        return None
    expanded = ",".join(GROUP_ID % g for g in groups)
    return "%s/asset-groups?%s" % (base, urlencode({"expanded": expanded}))
