"""Freshness policies for a community with a fixed game night (opt-in).

Nights are not on a timetable in general, so by default no asset has a policy: a time
window would fail for the whole week between two nights. A community that plays on a
fixed evening sets `ET_NIGHT_DEADLINE_CRON` (when the night's messages must be out, in
ET_TIMEZONE: `0 2 * * 5` is 02:00 every Friday, after a Thursday night) and
`ET_NIGHT_HOURS` (how long before that deadline the night may come in, 10 by default):
then Dagster's freshness daemon marks `discord_posts` (the night in Discord) and every
season asset (the season after it) stale when no materialisation landed in that window,
in the UI's asset health and for its alerts. A policy sees the newest materialisation of
any partition, which is what "tonight's night came in" means here.
"""
import datetime as dt

import dagster as dg

from et_pipeline.env_values import SettingError
from et_pipeline.settings import Settings

FRESH_AFTER_THE_NIGHT = ("discord_posts", "season_tables", "night_digest")   # asset (or multi-asset) names


def night_freshness(settings: Settings, timezone: str) -> dg.FreshnessPolicy | None:
    """The policy the ET_NIGHT_* settings describe (None when no deadline is set)."""
    cron, hours = settings.night_deadline_cron, settings.night_hours
    if cron is None:
        return None
    try:
        # Dagster checks the cron and that the window is no longer than the shortest gap
        # between two deadlines
        return dg.FreshnessPolicy.cron(deadline_cron=cron, lower_bound_delta=dt.timedelta(hours=hours),
                                       timezone=timezone)
    except Exception as e:      # Dagster's CheckError is private: say which variables are wrong
        raise SettingError("ET_NIGHT_DEADLINE_CRON=%r with ET_NIGHT_HOURS=%g is not a freshness window: %s" % (
            cron, hours, str(e).splitlines()[0])) from None


def with_night_freshness(assets: list, policy: dg.FreshnessPolicy | None) -> list:
    """The assets, those of FRESH_AFTER_THE_NIGHT with `policy` on each of their specs."""
    if policy is None:
        return assets
    return [a.map_asset_specs(lambda spec: dg.apply_freshness_policy(spec, policy))
            if isinstance(a, dg.AssetsDefinition) and a.node_def.name in FRESH_AFTER_THE_NIGHT else a
            for a in assets]
