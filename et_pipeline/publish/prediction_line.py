"""The win-probability lines of a map card: before the map, and once round 1 is over
(season.predictions computes the numbers; this only words them for a phone screen)."""
from __future__ import annotations

from typing import Callable

from et_pipeline import numbers as num


def prediction_lines(p: dict, team: Callable[[str], str]) -> list[str]:
    """`p`: predictions.predict's numbers; `team("A")` the team as the card names it."""
    lines = ["🎲 Before the map: %s **%s** – %s %s" % (team("A"), num.share(p["p_before"]), team("B"),
                                                     num.share(1 - p["p_before"]))]
    if p.get("p_r2_beats") is None or p.get("r1_attackers") not in ("A", "B"):
        return lines
    x = p["r1_attackers"]
    y = "B" if x == "A" else "A"
    if p["r1_outcome"] == "hold" and p["p_after_r1"] in (0.0, 1.0):     # failing too is a draw (tie rule)
        lines.append("🎲 After round 1 (%s held to the limit): %s **%s** to complete the attack, else a draw"
                     % (team(x), team(y), num.share(p["p_r2_beats"])))
        return lines
    what = "held to the limit" if p["r1_outcome"] == "hold" else "to beat **%s**" % num.duration(p["r1_seconds"])
    who = team(x) if p["r1_outcome"] == "hold" else team(y)
    lines.append("🎲 After round 1 (%s %s): %s **%s** – %s %s" % (who, what, team("A"), num.share(p["p_after_r1"]),
                                                                team("B"), num.share(1 - p["p_after_r1"])))
    return lines
