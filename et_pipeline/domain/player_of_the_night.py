"""The player of the night: one rule for the night's session summary and the season's
night digest, so the players' channel never names two different players for one night.

Best damage per minute (time-weighted: damage x 60 / time played) among the humans who
played at least half as long as the night's longest-playing player, so someone who joined
for one map cannot take it; a tie goes to more kills, then to the GUID (or name), so the
choice is deterministic.
"""
from typing import Iterable, Mapping

RULE = "best damage per minute of those who played at least half the night (a tie goes to more kills)"


def player_of_the_night(players: Iterable[Mapping]) -> Mapping | None:
    """`players`: one row per player of the night with `time_played_seconds`, `dpm`,
    `kills` and `guid` or `name` (`is_bot` rows are left out). None when nobody played."""
    humans = [p for p in players if not p.get("is_bot")]
    if not humans:
        return None
    longest = max(float(p.get("time_played_seconds") or 0) for p in humans)
    eligible = [p for p in humans if float(p.get("time_played_seconds") or 0) * 2 >= longest] or humans
    return max(eligible, key=lambda p: (float(p.get("dpm") or 0), int(p.get("kills") or 0),
                                        str(p.get("guid") or p.get("name") or "")))
