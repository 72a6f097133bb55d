"""Team-average Elo: the baseline every rating has to beat.

A team's strength is the share-weighted mean of its players' Elo; after a map every
player moves by K * share * (result - expected). Kept as simple as the textbook so it
shows what the rating's uncertainty and stopwatch times add. K is tuned on the
development seeds (bench/bench_ratings.py --tune), never on the seeds it is reported on.
"""
from et_pipeline.season.model import MapGame

START = 1500.0
K = 64.0             # tuned on the development seeds (bench_ratings --tune)
SCALE = 400.0


class TeamElo:
    def __init__(self, k: float = K):
        self.k = k
        self.elo: dict[str, float] = {}

    def _team(self, team) -> float:
        total = sum(s for _, s in team)
        if total <= 0:
            return START
        return sum(self.elo.get(g, START) * s for g, s in team) / total

    def predict(self, game: MapGame) -> float:
        return 1.0 / (1.0 + 10 ** ((self._team(game.team_b) - self._team(game.team_a)) / SCALE))

    def update(self, game: MapGame) -> None:
        p = self.predict(game)
        result = {"A": 1.0, "B": 0.0}.get(game.winner, 0.5)
        for team, sign in ((game.team_a, 1.0), (game.team_b, -1.0)):
            for g, s in team:
                self.elo[g] = self.elo.get(g, START) + sign * self.k * s * (result - p)
