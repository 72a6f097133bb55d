"""How the assets sit in the Dagster catalog. The UI lists asset groups by name and opens
the lineage with them collapsed, so the names carry the order data flows in (files, then
rounds, then the night, then Discord, then the season); and every asset names who owns it
(the UI's Owner column and filter): the admins who run the server and the pipeline."""
import dagster as dg

INGEST, PARSE, LINK, TEAMS, SCORE, TIMING, CHECKS, PUBLISH, SEASON = GROUPS = tuple(
    "%d_%s" % (i, name) for i, name in enumerate(
        ("ingest", "parse", "link", "teams", "score", "timing", "checks", "publish", "season"), 1))
OWNERS = ("team:server_admins",)


def owned(assets: list) -> list:
    """The assets with `OWNERS` where they name no owner of their own."""
    return [a.map_asset_specs(lambda s: s if s.owners else s.replace_attributes(owners=list(OWNERS)))
            for a in assets]
