"""Settings that are rules of the community, read from the environment once.

Every variable is listed in `.env.example`; defaults follow DOMAIN.md's recommendations.
"""
import os
from dataclasses import dataclass
from typing import get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from et_pipeline.choices import DoubleFullhold


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


class SettingError(ValueError):
    """A rule's ET_* variable that cannot be used, named with its value."""


def _minutes_or_seconds(env, variable: str, default: float) -> float:
    text = env.get(variable)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        raise SettingError("%s=%r is not a number" % (variable, text)) from None
    if not 0 <= value < float("inf"):
        raise SettingError("%s=%r is not a finite number >= 0" % (variable, text))
    return value


def _time_zone(env) -> str:
    name = env.get("ET_TIMEZONE", Rules.timezone)
    try:
        ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):
        raise SettingError("ET_TIMEZONE=%r is not a time zone (an IANA name such as %s)" % (name, Rules.timezone)) from None
    return name


def rules_from_env(env=None) -> Rules:
    """Every rule from its ET_<NAME> variable (ET_TEAM_NAMES: comma-separated), else its
    default. SettingError names the first variable that cannot be used."""
    env = os.environ if env is None else env
    pool = tuple(n.strip() for n in env.get("ET_TEAM_NAMES", "").split(",") if n.strip())
    rule = env.get("ET_DOUBLE_FULLHOLD", Rules.double_fullhold)
    if rule not in get_args(DoubleFullhold):
        raise SettingError("ET_DOUBLE_FULLHOLD=%r is not one of %s" % (rule, " or ".join(map(repr, get_args(DoubleFullhold)))))
    return Rules(
        timezone=_time_zone(env),
        session_gap_minutes=_minutes_or_seconds(env, "ET_SESSION_GAP_MINUTES", Rules.session_gap_minutes),
        pairing_window_minutes=_minutes_or_seconds(env, "ET_PAIRING_WINDOW_MINUTES", Rules.pairing_window_minutes),
        link_window_minutes=_minutes_or_seconds(env, "ET_LINK_WINDOW_MINUTES", Rules.link_window_minutes),
        award_narrow_seconds=_minutes_or_seconds(env, "ET_AWARD_NARROW_SECONDS", Rules.award_narrow_seconds),
        double_fullhold=rule,
        team_names=pool,
    )
