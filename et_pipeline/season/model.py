"""The shared unit of the season layer: one counted stopwatch map, humans only.

Ratings, rating quality, lineups and careers all consume the same `MapGame`s, built once
by `season.data.load_map_games`, so every consumer agrees on which maps count and who
played them.
"""
from dataclasses import dataclass


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
