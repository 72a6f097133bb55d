"""The predictors the rating is judged against (season.quality): each sees the same maps
in the same order, `predict(game)` before a map, `update(game)` after it.

* `Coin`: 0.5 always.
* `KDPick`: the team whose players have the higher mean K/D so far; its probability is
  the pick's own hit rate so far (Laplace: (hits + 1) / (picks + 2)), 0.5 when it cannot
  pick (no K/D known on one side, or equal).
* `TrueSkill`: openskill's Thurstone-Mosteller model (TrueSkill's probit on the
  difference of two Gaussian team skills) with the team as the share-weighted MEAN of its
  players, the winner only (no times), variance growing per night absent like the
  rating's. Its settings (BETA, TAU_PER_NIGHT) are tuned on the development seeds
  (bench/bench_ratings.py --tune), as carefully as the rating's.
* team Elo is `season.elo.TeamElo` (its K tuned the same way).
"""
from __future__ import annotations

from et_pipeline.season.model import MapGame, merged_shares


class Coin:
    def predict(self, game: MapGame) -> float:
        return 0.5

    def update(self, game: MapGame) -> None:
        pass


class KDPick:
    """Mean K/D so far per team; the probability is the pick's walk-forward hit rate."""

    def __init__(self):
        self.kills: dict[str, int] = {}
        self.deaths: dict[str, int] = {}
        self.hits = 0.0
        self.picks = 0

    def _mean(self, team) -> float | None:
        kds = [self.kills[g] / max(1, self.deaths[g]) for g, _ in team if g in self.kills]
        return sum(kds) / len(kds) if kds else None

    def _pick(self, game: MapGame) -> str | None:
        a, b = self._mean(game.team_a), self._mean(game.team_b)
        if a is None or b is None or a == b:
            return None
        return "A" if a > b else "B"

    def predict(self, game: MapGame) -> float:
        pick = self._pick(game)
        if pick is None:
            return 0.5
        p = (self.hits + 1) / (self.picks + 2)
        return p if pick == "A" else 1.0 - p

    def update(self, game: MapGame) -> None:
        pick = self._pick(game)
        if pick is not None and game.winner in ("A", "B"):
            self.picks += 1
            self.hits += pick == game.winner
        for g, k, d in game.kd:
            self.kills[g] = self.kills.get(g, 0) + k
            self.deaths[g] = self.deaths.get(g, 0) + d


MU = 25.0
SIGMA = 25.0 / 3.0
BETA = 6.0                 # tuned on the development seeds (bench_ratings --tune)
TAU_PER_NIGHT = 0.0        # tuned on the development seeds (bench_ratings --tune)


class TrueSkill:
    """Two-team TrueSkill (openskill ThurstoneMostellerFull) on the winner, team = mean.

    The mean is done by scaling: a player with weight w = share / (team's total share)
    enters the update as (w*mu, w*sigma) and comes back scaled by 1/w, so his team counts
    him w times and his mean moves w times as far; one list of weights is used for both
    directions."""

    def __init__(self, beta: float = BETA, tau_per_night: float = TAU_PER_NIGHT):
        from openskill.models import ThurstoneMostellerFull

        self.model = ThurstoneMostellerFull(mu=MU, sigma=SIGMA, beta=beta, tau=0.0, limit_sigma=False)
        self.beta = beta
        self.tau = tau_per_night
        self.mu: dict[str, float] = {}
        self.sigma: dict[str, float] = {}
        self.last: dict[str, int] = {}
        self.nights: dict[str, int] = {}

    @staticmethod
    def _weights(team) -> list[tuple[str, float]]:
        shares = merged_shares(team)
        total = sum(shares.values())
        return sorted((g, s / total) for g, s in shares.items()) if total > 0 else []

    def predict(self, game: MapGame) -> float:
        from openskill.models.weng_lin.common import phi_major

        a, b = self._weights(game.team_a), self._weights(game.team_b)
        if not a or not b:
            return 0.5
        mean = sum(self.mu.get(g, MU) * w for g, w in a) - sum(self.mu.get(g, MU) * w for g, w in b)
        var = sum((self.sigma.get(g, SIGMA) * w) ** 2 for g, w in a + b)
        return phi_major(mean / (var + 2 * self.beta ** 2) ** 0.5)

    def update(self, game: MapGame) -> None:
        night = self.nights.setdefault(game.date, len(self.nights))
        a, b = self._weights(game.team_a), self._weights(game.team_b)
        both = {g for g, _ in a} & {g for g, _ in b}
        a = [(g, w) for g, w in a if g not in both]
        b = [(g, w) for g, w in b if g not in both]
        if not a or not b or game.winner not in ("A", "B", "tie"):
            return
        for g, _ in a + b:
            gap = night - self.last.get(g, night)
            if gap:
                self.sigma[g] = min(SIGMA, (self.sigma.get(g, SIGMA) ** 2 + self.tau ** 2 * gap) ** 0.5)
            self.last[g] = night
        teams = [[self.model.rating(mu=self.mu.get(g, MU) * w, sigma=self.sigma.get(g, SIGMA) * w) for g, w in t]
                 for t in (a, b)]
        ranks = {"A": [0, 1], "B": [1, 0]}.get(game.winner, [0, 0])
        for team, rated in zip((a, b), self.model.rate(teams, ranks=ranks)):
            for (g, w), r in zip(team, rated):
                self.mu[g], self.sigma[g] = r.mu / w, min(SIGMA, r.sigma / w)
