"""Skill ratings from counted stopwatch maps: openskill's Plackett-Luce model, one update
per map, replayed from the first map every time.

Why replay: a rating depends on the order of every earlier result, so a re-scored old
night must change every later rating, and the same maps must always give the same
numbers. `rate` sorts the maps by (start, key) and starts from the prior; a full replay
of 1,000 nights takes about a second, so there is no incremental state to get wrong.

The rules (each a constant below):
* Winner rank 0, loser rank 1; a draw (double full hold) is a tie: equal ranks.
* Team strength is the share-weighted MEAN of its players (TEAM_MEAN), not openskill's
  sum: a 6-a-side map is no surer than a 3-a-side one, and odd teams (4 v 3) compare
  by their average. Done by scaling: a player with weight w = share / (team's total
  share) enters the update as the rating (w*mu, w*sigma), and the result is scaled back.
  His team counts him w times, his mean moves w times as far (relative to the team's
  change) and his uncertainty shrinks w^2 as much, for a win as for a loss.
  (openskill's own `weights` are normalised to [1, 2] per team and divide a loser's
  change by the weight: a player who played a fifth of a lost map would lose five
  times as much.)
* Inactivity: before his first map of a night, a player's variance grows by
  TAU_PER_NIGHT^2 for every night the community played since his last one (so one step
  between consecutive nights, more after an absence), capped at the prior. The library's
  per-game tau is switched off so this is the only growth.
* Provisional until PROVISIONAL_MAPS rated maps.

Predictions use the model's own probability, not `predict_win`. Plackett-Luce updates
as if P(A wins) = 1 / (1 + exp(-(mu_A - mu_B) / c)), c^2 = sum of sigma^2 + 2 beta^2;
openskill's `predict_win` is the probit Phi((mu_A - mu_B) / c) on the same scale, about
1.7 times as steep. On 1,000 generated nights it said 4 % where the team won 13 %, and
its log loss (0.598) lost to team-average Elo (0.552); the model's own form gives 0.550
there and beats Elo on every 80-night seed tried (`bench/bench_ratings.py`).
TEAM_MEAN and TAU_PER_NIGHT were chosen on those generated nights too: with openskill's
sum the predictions for 6-a-side maps were too extreme.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from openskill.models import PlackettLuce

from et_pipeline.season.model import MapGame

MU = 25.0
SIGMA = 25.0 / 3.0
BETA = 25.0 / 6.0
TAU_PER_NIGHT = 0.3
PROVISIONAL_MAPS = 10
TEAM_MEAN = True       # see the module docstring
MIN_SHARE = 0.05       # under this share of the map a player is left out of its update
MODEL_NAME = "openskill PlackettLuce"


@dataclass(frozen=True)
class Rating:
    value: float           # the mean skill (mu)
    uncertainty: float     # its standard deviation (sigma)
    provisional: bool      # fewer than PROVISIONAL_MAPS rated maps

    def as_dict(self) -> dict:
        return {"value": round(self.value, 3), "uncertainty": round(self.uncertainty, 3),
                "provisional": self.provisional}


@dataclass(frozen=True)
class RatingPoint:
    """A player's rating at the end of a night he played."""
    guid: str
    date: str
    value: float
    uncertainty: float
    provisional: bool
    maps: int              # rated maps so far
    night_maps: int        # rated maps this night
    change: float          # value change over the night (incl. none for the first night)


@dataclass
class _State:
    mu: float = MU
    sigma: float = SIGMA
    maps: int = 0
    last_night: int | None = None


def _model() -> PlackettLuce:
    return PlackettLuce(mu=MU, sigma=SIGMA, beta=BETA, tau=0.0, limit_sigma=False)


class Rater:
    """The running state of the rating: feed maps in order with `update`, ask `predict`
    at any time. `quality.evaluate` drives one walk-forward; `rate` replays all maps."""

    def __init__(self):
        self.model = _model()
        self.players: dict[str, _State] = {}
        self._nights: dict[str, int] = {}

    # -- reading
    def state(self, guid: str) -> _State:
        return self.players.get(guid) or _State()

    def rating(self, guid: str) -> Rating:
        s = self.state(guid)
        return Rating(s.mu, s.sigma, s.maps < PROVISIONAL_MAPS)

    def is_provisional(self, guid: str) -> bool:
        return self.state(guid).maps < PROVISIONAL_MAPS

    @staticmethod
    def _weights(team) -> list[tuple[str, float]]:
        team = [(g, s) for g, s in team if s >= MIN_SHARE]
        total = sum(s for _, s in team) if TEAM_MEAN else 1.0
        return [(g, s / total) for g, s in team]

    def _scaled(self, team) -> list:
        return [self.model.rating(mu=self.state(g).mu * w, sigma=self.state(g).sigma * w)
                for g, w in self._weights(team)]

    def predict(self, team_a, team_b) -> float:
        """P(A wins) for teams given as (guid, share) pairs (share 1 for a planned game): the
        Plackett-Luce model's own two-team probability, logistic in (mu_A - mu_B) / c."""
        a, b = self._weights(team_a), self._weights(team_b)
        if not a or not b:
            return 0.5
        mu = [sum(self.state(g).mu * w for g, w in team) for team in (a, b)]
        var = sum((self.state(g).sigma * w) ** 2 for g, w in a + b)
        c = math.sqrt(var + 2 * self.model.beta ** 2)
        return 1.0 / (1.0 + math.exp((mu[1] - mu[0]) / c))

    # -- saving: the rating as it stood before a night, for a map card on a live night
    def snapshot(self, guids=None) -> dict:
        """The state a later `restore` continues from exactly (JSON-ready): every player's,
        or only those of `guids` (the players of the night about to be played)."""
        keep = self.players if guids is None else {g: self.players[g] for g in guids if g in self.players}
        return {"nights": len(self._nights),
                "players": {g: [st.mu, st.sigma, st.maps, st.last_night] for g, st in sorted(keep.items())}}

    @classmethod
    def restore(cls, snap: dict) -> "Rater":
        rater = cls()
        rater._nights = {"#%d" % i: i for i in range(snap["nights"])}    # only their count matters from here on
        rater.players = {g: _State(mu, sigma, maps, last) for g, (mu, sigma, maps, last) in snap["players"].items()}
        return rater

    # -- writing
    def _night_index(self, date: str) -> int:
        if date not in self._nights:
            self._nights[date] = len(self._nights)
        return self._nights[date]

    def update(self, game: MapGame) -> None:
        night = self._night_index(game.date)
        teams = [self._weights(game.team_a), self._weights(game.team_b)]
        if not teams[0] or not teams[1]:
            return
        for g, _ in teams[0] + teams[1]:
            st = self.players.setdefault(g, _State())
            if st.last_night is not None and st.last_night != night:
                grown = st.sigma ** 2 + TAU_PER_NIGHT ** 2 * (night - st.last_night)
                st.sigma = min(SIGMA, grown ** 0.5)
            st.last_night = night
        ranks = {"A": [0, 1], "B": [1, 0]}.get(game.winner, [0, 0])
        new = self.model.rate([self._scaled(teams[0]), self._scaled(teams[1])], ranks=ranks)
        for team, rated in zip(teams, new):
            for (g, s), r in zip(team, rated):
                st = self.players[g]
                st.mu, st.sigma = r.mu / s, r.sigma / s
                st.maps += 1


@dataclass
class RatingsResult:
    current: dict[str, Rating] = field(default_factory=dict)
    history: list[RatingPoint] = field(default_factory=list)   # by (date, guid)
    maps: int = 0
    rater: Rater | None = None

    def p_a_wins(self, team_a, team_b) -> float:
        """Predicted P(A wins) for two lists of GUIDs playing whole maps."""
        return self.rater.predict([(g, 1.0) for g in team_a], [(g, 1.0) for g in team_b])


def ordered(games) -> list[MapGame]:
    """The one order ratings are computed in: map start, then key."""
    return sorted(games, key=lambda g: (g.start_unix, g.key))


def rate(games) -> RatingsResult:
    """Replay every map from the prior; the history has one point per player per night."""
    rater = Rater()
    out = RatingsResult(rater=rater)
    night, night_players, before = None, {}, {}

    def close_night():
        for g in sorted(night_players):
            st = rater.players[g]
            out.history.append(RatingPoint(g, night, st.mu, st.sigma, st.maps < PROVISIONAL_MAPS, st.maps,
                                           night_players[g], st.mu - before[g]))

    for game in ordered(games):
        if game.date != night:
            if night is not None:
                close_night()
            night, night_players, before = game.date, {}, {}
        for g, s in game.team_a + game.team_b:
            if s >= MIN_SHARE:
                before.setdefault(g, rater.state(g).mu)
                night_players[g] = night_players.get(g, 0) + 1
        rater.update(game)
        out.maps += 1
    if night is not None:
        close_night()
    out.current = {g: rater.rating(g) for g in sorted(rater.players)}
    return out


def night_moves(result: RatingsResult, date: str, count: int = 3) -> list[RatingPoint]:
    """The night's biggest rating moves (either way), for the night digest."""
    points = [h for h in result.history if h.date == date]
    return sorted(points, key=lambda h: (-abs(h.change), h.guid))[:count]
