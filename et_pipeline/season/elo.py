"""Team-average Elo: the baseline every rating has to beat.

A team's strength is the share-weighted mean of its players' Elo; after a map every
player moves by K * share * (result - expected). Kept as simple as the textbook so it
shows what openskill's uncertainty and team sums add.
"""
from et_pipeline.season.model import MapGame

START = 1500.0
K = 24.0
SCALE = 400.0


class TeamElo:
    def __init__(self):
        self.elo: dict[str, float] = {}

    def _team(self, team) -> float:
        total = sum(s for _, s in team)
        if total <= 0:
            return START
        return sum(self.elo.get(g, START) * s for g, s in team) / total

    def predict(self, team_a, team_b) -> float:
        return 1.0 / (1.0 + 10 ** ((self._team(team_b) - self._team(team_a)) / SCALE))

    def update(self, game: MapGame) -> None:
        p = self.predict(game.team_a, game.team_b)
        result = {"A": 1.0, "B": 0.0}.get(game.winner, 0.5)
        for team, sign in ((game.team_a, 1.0), (game.team_b, -1.0)):
            for g, s in team:
                self.elo[g] = self.elo.get(g, START) + sign * K * s * (result - p)
