"""The automation condition of the season (unpartitioned) assets (defs/season_assets.py).

`AutomationCondition.eager()` refuses to run while any upstream partition is missing
(`~any_deps_missing`). A season reads all `session_dates` partitions, and a night that was
never materialised, or whose first run failed, is a missing partition: plain eager would
then block every season asset until someone repaired that night. We keep the rest of
eager (run when any upstream partition updated since the last request, not while an
upstream run is in progress, not twice at once) and drop only that clause, so a new night
refreshes the season by itself and a broken night is simply left out until it is fixed.
"""
import dagster as dg


def season_automation_condition() -> dg.AutomationCondition:
    return (dg.AutomationCondition.eager()
            .without(~dg.AutomationCondition.any_deps_missing())
            .with_label("eager, missing nights allowed"))


def all_nights(asset) -> dg.AssetDep:
    """A dependency on every partition of a `session_dates` asset."""
    return dg.AssetDep(asset, partition_mapping=dg.AllPartitionMapping())


SEASON_GROUP = "season"   # every season asset (stats and ratings) sits in this group


def season_automation_sensor() -> dg.AutomationConditionSensorDefinition:
    """Evaluates the season group's conditions; running by default, so a new night
    refreshes the season without anyone switching a sensor on (needs the daemon)."""
    return dg.AutomationConditionSensorDefinition(
        "season_automation_sensor", target=dg.AssetSelection.groups(SEASON_GROUP),
        default_status=dg.DefaultSensorStatus.RUNNING, minimum_interval_seconds=30,
        description="Refreshes the season assets after any night's assets update (missing nights allowed).")
