"""The automation condition of the season (unpartitioned) assets (defs/season_assets.py).

Built from `AutomationCondition.eager()`'s parts, with two changes:

* No `~any_deps_missing`. A season reads all `session_dates` partitions, and a night that
  was never materialised, or whose first run failed, is a missing partition: plain eager
  would block every season asset until someone repaired that night. A broken night is
  simply left out until it is fixed.
* A dependency update is never swallowed. Eager is `SINCE(trigger, handled)` with
  trigger = "a dependency updated since the previous tick" and handled = "requested on
  the previous tick, or updated since it". When both happen in one tick, the reset wins:
  a session run that ended in the tick after the season's refresh was requested (or in
  the tick its refresh finished) was forgotten, and after a live night the season, the
  digest and the weekly board kept the night as it was a few maps earlier. Here only a
  request clears the trigger, and only in a tick that saw no new update: an update that
  arrives while a refresh is requested or running leads to one more refresh after it
  (`~in_progress` keeps them one at a time).
"""
import dagster as dg

from et_pipeline.defs.catalog import SEASON


def season_automation_condition() -> dg.AutomationCondition:
    updated = (dg.AutomationCondition.newly_missing() | dg.AutomationCondition.any_deps_updated()).with_label(
        "newly missing or any deps updated")
    handled = ((dg.AutomationCondition.newly_requested() & ~updated) | dg.AutomationCondition.initial_evaluation()
               ).with_label("requested with no update since, or first evaluation")
    return (updated.since(handled)
            & ~dg.AutomationCondition.any_deps_in_progress()
            & ~dg.AutomationCondition.in_progress()).with_label("eager, missing nights allowed, no update lost")


def all_nights(asset) -> dg.AssetDep:
    """A dependency on every partition of a `session_dates` asset."""
    return dg.AssetDep(asset, partition_mapping=dg.AllPartitionMapping())


SEASON_GROUP = SEASON   # every season asset (stats and ratings) sits in this group


def season_automation_sensor() -> dg.AutomationConditionSensorDefinition:
    """Evaluates the season group's conditions; running by default, so a new night
    refreshes the season without anyone switching a sensor on (needs the daemon)."""
    return dg.AutomationConditionSensorDefinition(
        "season_automation_sensor", target=dg.AssetSelection.groups(SEASON_GROUP),
        default_status=dg.DefaultSensorStatus.RUNNING, minimum_interval_seconds=30,
        description="Refreshes the season assets after any night's assets update (missing nights allowed).")
