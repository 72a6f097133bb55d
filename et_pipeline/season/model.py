"""The shared unit of the season layer: one counted stopwatch map, humans only.

Ratings, rating quality, lineups and careers all consume the same `MapGame`s, built once
by `season.data.load_map_games`, so every consumer agrees on which maps count and who
played them.

A map also carries its two rounds (`MapRound`): who attacked, who was there for how much
of the round, and how the attack ended. That is what stopwatch tells beyond the winner
(the rating reads the attack times and the full holds); a map without usable rounds is
rated on its winner alone.
"""
from dataclasses import dataclass

OBJECTIVE = "objective"      # the attackers completed: `seconds` is their time
HOLD = "hold"                # the defenders held to the round's clock (`limit_seconds`)
SURRENDER = "surrender"      # a side surrendered: the clock says nothing about skill
UNKNOWN = "unknown"          # no usable time or outcome for this round


@dataclass(frozen=True)
class MapRound:
    """One round of a counted map, humans only."""
    number: int                                # 1 | 2
    attackers: str                             # "A" | "B": the team attacking this round
    team_a: tuple[tuple[str, float], ...]      # (guid, fraction of this round played in 0..1), sorted by guid
    team_b: tuple[tuple[str, float], ...]
    outcome: str                               # OBJECTIVE | HOLD | SURRENDER | UNKNOWN
    seconds: float | None                      # the attack time when OBJECTIVE
    limit_seconds: float | None                # this round's clock: R1 the map's limit, R2 the time to beat
    map_limit_seconds: float | None            # the map's own time limit (R1's clock)


@dataclass(frozen=True)
class MapGame:
    """One counted stopwatch map (`map_results.counted`), bots excluded."""
    key: str                   # stable: session_id + ':' + r1_file
    date: str                  # session date (partition key)
    session_id: str
    map: str
    start_unix: float          # start of R1 (UTC seconds)
    end_unix: float            # end of R2
    team_a: tuple[tuple[str, float], ...]  # (guid, share of the map played in 0..1), sorted by guid
    team_b: tuple[tuple[str, float], ...]
    winner: str                # "A" | "B" | "tie"
    kd: tuple[tuple[str, int, int], ...]   # (guid, kills, deaths) on this map, for the K/D baseline
    rounds: tuple[MapRound, ...] = ()      # R1, R2 when known (see MapRound)


def merged_shares(team) -> dict[str, float]:
    """guid -> share of a team's (guid, share) pairs, a GUID listed twice (a reconnect) one
    player with the summed share, at most 1; players without a share left out."""
    out: dict[str, float] = {}
    for g, s in team:
        if s > 0:
            out[g] = min(1.0, out.get(g, 0.0) + float(s))
    return out
