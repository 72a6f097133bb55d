"""Settings that are rules of the community, read from the environment once.

Every variable is listed in `.env.example`; defaults follow DOMAIN.md's recommendations.
"""
import os
from dataclasses import dataclass
from typing import get_args
from zoneinfo import ZoneInfo

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


def rules_from_env(env=None) -> Rules:
    """Every rule from its ET_<NAME> variable (ET_TEAM_NAMES: comma-separated), else its default."""
    env = os.environ if env is None else env
    pool = tuple(n.strip() for n in env.get("ET_TEAM_NAMES", "").split(",") if n.strip())
    rule = env.get("ET_DOUBLE_FULLHOLD", Rules.double_fullhold)
    if rule not in get_args(DoubleFullhold):
        raise ValueError("ET_DOUBLE_FULLHOLD must be one of %s, not %r" % (" or ".join(map(repr, get_args(DoubleFullhold))), rule))
    return Rules(
        timezone=env.get("ET_TIMEZONE", Rules.timezone),
        session_gap_minutes=float(env.get("ET_SESSION_GAP_MINUTES", Rules.session_gap_minutes)),
        pairing_window_minutes=float(env.get("ET_PAIRING_WINDOW_MINUTES", Rules.pairing_window_minutes)),
        link_window_minutes=float(env.get("ET_LINK_WINDOW_MINUTES", Rules.link_window_minutes)),
        award_narrow_seconds=float(env.get("ET_AWARD_NARROW_SECONDS", Rules.award_narrow_seconds)),
        double_fullhold=rule,
        team_names=pool,
    )
