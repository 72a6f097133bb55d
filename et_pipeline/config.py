"""Settings that are rules of the community, read from the environment once (how the
pipeline runs is settings.py; how a value is read, env_values.py).

Every variable is listed in `.env.example`; defaults follow DOMAIN.md's recommendations.
"""
import os
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from et_pipeline.choices import DoubleFullhold
from et_pipeline.env_values import SettingError, choice_setting, given, number_setting

DAY = 24 * 60   # minutes


@dataclass(frozen=True)
class Rules:
    timezone: str = "Europe/Ljubljana"       # game-server local time of file names
    session_gap_minutes: float = 60.0         # DOMAIN 1.1: strictly greater splits
    pairing_window_minutes: float = 45.0      # DOMAIN 2.2: R2 at most this long after its R1
    link_window_minutes: float = 45.0         # DOMAIN 3: nearest timing/award file within
    award_narrow_seconds: float = 30.0        # DOMAIN 3.5 HEAD: narrow endstats match first
    double_fullhold: DoubleFullhold = "tie"   # "tie" (0-0, counted) or "r2_defenders" (header winner)
    team_names: tuple[str, ...] = ()          # optional pool; empty: "Team A" / "Team B"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _time_zone(env) -> str:
    name = given(env, "ET_TIMEZONE") or Rules.timezone
    try:
        ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):
        raise SettingError("ET_TIMEZONE=%r is not a time zone (an IANA name such as %s)" % (name, Rules.timezone)) from None
    return name


def rules_from_env(env=None) -> Rules:
    """Every rule from its ET_<NAME> variable (ET_TEAM_NAMES: comma-separated), else its
    default. SettingError names the first variable that cannot be used; the windows are at
    least a minute (0 made every round a session of its own) and at most a day."""
    env = os.environ if env is None else env
    pool = tuple(n.strip() for n in env.get("ET_TEAM_NAMES", "").split(",") if n.strip())
    if pool and (len(pool) < 2 or len(set(pool)) < len(pool)):
        raise SettingError("ET_TEAM_NAMES=%r needs at least two names, each once (comma-separated)"
                           % env["ET_TEAM_NAMES"])
    return Rules(
        timezone=_time_zone(env),
        session_gap_minutes=number_setting(env, "ET_SESSION_GAP_MINUTES", Rules.session_gap_minutes, low=1, high=DAY),
        pairing_window_minutes=number_setting(env, "ET_PAIRING_WINDOW_MINUTES", Rules.pairing_window_minutes,
                                              low=1, high=DAY),
        link_window_minutes=number_setting(env, "ET_LINK_WINDOW_MINUTES", Rules.link_window_minutes, low=1, high=DAY),
        award_narrow_seconds=number_setting(env, "ET_AWARD_NARROW_SECONDS", Rules.award_narrow_seconds, high=3600),
        double_fullhold=choice_setting(env, "ET_DOUBLE_FULLHOLD", DoubleFullhold, Rules.double_fullhold),
        team_names=pool,
    )
