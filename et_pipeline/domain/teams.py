"""Session teams (DOMAIN.md 4): persistent Team A / Team B that keep their letter when
they swap sides.

Seeded from the side split of the session's earliest valid R1 (Team A = Axis, B =
Allies); every later player joins the team that holds his side in the round he first
appears in (majority of known members on that side; a tie goes to B, DOMAIN 4.3B).
Bots and spectators are never members. Rosters are per session and computed from the
session's own rounds, so a roster can never be stale or shared between sessions.
"""
import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RoundSides:
    key: str
    round_number: int
    valid_seed: bool                           # a complete, non-orphan R1
    players: tuple[tuple[str, str, str, int], ...]   # (player key, guid, name, side); humans only


@dataclass
class Teams:
    members: dict[str, dict[str, tuple[str, str, str]]] = field(default_factory=lambda: {"A": {}, "B": {}})
    # team -> player key -> (guid, latest name, round joined)

    def team_of(self, player_key: str) -> str | None:
        for team, m in self.members.items():
            if player_key in m:
                return team
        return None


def side_of_team(teams: Teams, players, team: str) -> int | None:
    """The side a team played in a round: where most of its members were (DOMAIN 4.4).
    A tie uses the other team's majority side; both tied: None (ambiguous)."""
    def majority(t: str) -> int | None:
        n = {1: 0, 2: 0}
        for key, _, _, side in players:
            if side in n and key in teams.members[t]:
                n[side] += 1
        if n[1] == n[2]:
            return None
        return 1 if n[1] > n[2] else 2

    own = majority(team)
    if own is not None:
        return own
    other = majority("B" if team == "A" else "A")
    return None if other is None else 3 - other


def build_teams(rounds: list[RoundSides]) -> Teams:
    teams = Teams()
    if not rounds:
        return teams
    seed = next((r for r in rounds if r.valid_seed), rounds[0])
    for key, guid, name, side in seed.players:
        if side in (1, 2):
            teams.members["A" if side == 1 else "B"][key] = (guid, name, seed.key)
    for r in rounds:
        for key, guid, name, side in r.players:
            team = teams.team_of(key)
            if team is not None:
                teams.members[team][key] = (guid, name, teams.members[team][key][2])
                continue
            if side not in (1, 2):
                continue
            votes = {t: sum(1 for k, _, _, s in r.players if s == side and k in teams.members[t]) for t in "AB"}
            team = "A" if votes["A"] > votes["B"] else "B"
            teams.members[team][key] = (guid, name, r.key)
    return teams


def team_names(session_id: str, pool: tuple[str, ...]) -> dict[str, str]:
    """Two names from the configured pool, chosen deterministically per session (the
    same session always gets the same names); "Team A"/"Team B" without a pool."""
    if len(pool) < 2:
        return {"A": "Team A", "B": "Team B"}
    h = int(hashlib.sha256(session_id.encode()).hexdigest(), 16)
    first = h % len(pool)
    second = (first + 1 + (h // len(pool)) % (len(pool) - 1)) % len(pool)
    return {"A": pool[first], "B": pool[second]}
