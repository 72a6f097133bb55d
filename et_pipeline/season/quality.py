"""How good the rating is: a walk-forward evaluation against baselines (CONTRACT §5
`rating_quality`).

Walk-forward: every map is predicted only from maps that ENDED before it BEGAN, then
learnt from. Maps are taken in the rating's own order (start, key) and a map is learnt
only once it has ended before the map being predicted began; a later map never jumps an
earlier one, so the final state equals `ratings.rate` and two overlapping maps (two
servers, or a clock mix-up) never see each other.

Every predictor sees the same maps in the same order and is scored on the same maps:
* `openskill` (the rating itself, `ratings.Rater`),
* `coin`: 0.5 always,
* `team_elo`: team-average Elo (`elo.TeamElo`),
* `kd`: the team whose players have the higher mean K/D so far; its probability is the
  pick's own hit rate so far (Laplace: (hits + 1) / (picks + 2)), 0.5 when it cannot
  pick (no K/D known on one side, or equal),
* `oracle`: the generator's true-skill probability, only when one is given.

Draws (double full holds) are learnt from but not scored: a two-way probability has no
right answer for them; they are counted in `draws`. A map is "cold-start" when any of
its players is still provisional (fewer than `ratings.PROVISIONAL_MAPS` maps before it);
the headline figures cover every predicted map (`maps`), and the cold-start and warm
maps are also reported apart (`cold_start`, `warm`), each against the same baselines.

Accuracy counts a 0.5 prediction as half a hit. Its interval is a bootstrap over nights
(resampling whole nights, seeded, so the same maps always give the same interval).
"""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from et_pipeline.season.elo import TeamElo
from et_pipeline.season.model import MapGame
from et_pipeline.season.ratings import MODEL_NAME, PROVISIONAL_MAPS, Rater, ordered
from et_pipeline.season.walk import walk_forward as walk

EPS = 1e-6
BOOTSTRAP_SAMPLES = 1000
CALIBRATION_BINS = 10


class _KDPick:
    """Mean K/D so far per team; the probability is the pick's walk-forward hit rate."""

    def __init__(self):
        self.kills: dict[str, int] = {}
        self.deaths: dict[str, int] = {}
        self.hits = 0.0
        self.picks = 0

    def _mean(self, team) -> float | None:
        kds = [self.kills[g] / max(1, self.deaths[g]) for g, _ in team if g in self.kills]
        return sum(kds) / len(kds) if kds else None

    def _pick(self, team_a, team_b) -> str | None:
        a, b = self._mean(team_a), self._mean(team_b)
        if a is None or b is None or a == b:
            return None
        return "A" if a > b else "B"

    def predict(self, team_a, team_b) -> float:
        pick = self._pick(team_a, team_b)
        if pick is None:
            return 0.5
        p = (self.hits + 1) / (self.picks + 2)
        return p if pick == "A" else 1.0 - p

    def update(self, game: MapGame) -> None:
        pick = self._pick(game.team_a, game.team_b)
        if pick is not None and game.winner in ("A", "B"):
            self.picks += 1
            self.hits += pick == game.winner
        for g, k, d in game.kd:
            self.kills[g] = self.kills.get(g, 0) + k
            self.deaths[g] = self.deaths.get(g, 0) + d


class _Coin:
    def predict(self, team_a, team_b) -> float:
        return 0.5

    def update(self, game: MapGame) -> None:
        pass


class _Oracle:
    def __init__(self, fn: Callable[[MapGame], float]):
        self.fn = fn
        self.game = None

    def predict(self, team_a, team_b) -> float:
        return float(self.fn(self.game))

    def update(self, game: MapGame) -> None:
        pass


def scores(preds: list[tuple[float, int]]) -> dict:
    """Log loss, Brier, accuracy of (p_a, y_a) pairs."""
    if not preds:
        return {"maps": 0, "log_loss": None, "brier": None, "accuracy": None}
    ll = br = acc = 0.0
    for p, y in preds:
        q = min(1 - EPS, max(EPS, p))
        ll -= math.log(q if y else 1 - q)
        br += (p - y) ** 2
        acc += 0.5 if p == 0.5 else float((p > 0.5) == bool(y))
    n = len(preds)
    return {"maps": n, "log_loss": round(ll / n, 4), "brier": round(br / n, 4), "accuracy": round(acc / n, 4)}


def _hit(p: float, y: int) -> float:
    return 0.5 if p == 0.5 else float((p > 0.5) == bool(y))


def bootstrap_accuracy(rows: list[tuple[str, float, int]], seed: int = 13,
                       samples: int = BOOTSTRAP_SAMPLES) -> list[float] | None:
    """95 % interval of accuracy, resampling whole nights; rows are (night, p, y)."""
    nights: dict[str, list[float]] = {}
    for night, p, y in rows:
        nights.setdefault(night, []).append(_hit(p, y))
    if len(nights) < 2:
        return None
    per = [(sum(h), len(h)) for _, h in sorted(nights.items())]
    hits = np.array([h for h, _ in per], dtype=float)
    counts = np.array([k for _, k in per], dtype=float)
    pick = np.random.default_rng(seed).integers(0, len(per), size=(samples, len(per)))
    accs = np.sort(hits[pick].sum(axis=1) / counts[pick].sum(axis=1))
    return [round(float(accs[int(0.025 * (samples - 1))]), 4), round(float(accs[int(0.975 * (samples - 1))]), 4)]


def calibration(preds: list[tuple[float, int]], bins: int = CALIBRATION_BINS) -> list[dict]:
    """Predicted P(A wins) in equal bins against how often A won."""
    out = []
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [(p, y) for p, y in preds if lo <= p < hi or (b == bins - 1 and p == 1.0)]
        if inside:
            out.append({"bin": "%.1f-%.1f" % (lo, hi), "maps": len(inside),
                        "predicted": round(sum(p for p, _ in inside) / len(inside), 4),
                        "observed": round(sum(y for _, y in inside) / len(inside), 4)})
    return out


def _block(rows: dict[str, list], names: list[str], seed: int) -> dict:
    main = rows["openskill"]
    out = scores([(p, y) for _, p, y in main])
    out["accuracy_interval"] = bootstrap_accuracy(main, seed) if main else None
    out["baselines"] = {}
    for name in names:
        if name == "openskill":
            continue
        s = scores([(p, y) for _, p, y in rows[name]])
        s.pop("maps")
        s["accuracy_interval"] = bootstrap_accuracy(rows[name], seed) if rows[name] else None
        (out if name == "oracle" else out["baselines"])[name] = s
    return out


def walk_forward(games, oracle: Callable[[MapGame], float] | None = None,
                 observe: Callable[[MapGame, Rater, int], None] | None = None):
    """Yield (game, cold, {predictor: P(A wins)}) for every map, in the rating's order,
    each predicted before it is learnt and only from maps that ended before it began
    (season.walk). `observe(game, rater, maps_learnt)` sees the rating as it stood before
    each map (the win predictions are made there, in the same pass)."""
    games = ordered(games)
    rater = Rater()
    predictors = {"openskill": rater, "coin": _Coin(), "team_elo": TeamElo(), "kd": _KDPick()}
    if oracle is not None:
        predictors["oracle"] = _Oracle(oracle)

    def learn(game: MapGame) -> None:
        for pr in predictors.values():
            pr.update(game)

    for game, learnt in walk(games, games, learn):
        if oracle is not None:
            predictors["oracle"].game = game
        if observe is not None:
            observe(game, rater, learnt)
        cold = any(rater.is_provisional(g) for g, _ in game.team_a + game.team_b)
        yield game, cold, {name: pr.predict(game.team_a, game.team_b) for name, pr in predictors.items()}


def evaluate(games, oracle: Callable[[MapGame], float] | None = None, seed: int = 13,
             observe: Callable[[MapGame, Rater, int], None] | None = None) -> dict:
    """The walk-forward `rating_quality` document (see the module docstring); `observe`
    as for `walk_forward`."""
    names = ["openskill", "coin", "team_elo", "kd"] + (["oracle"] if oracle is not None else [])
    warm = {n: [] for n in names}
    cold = {n: [] for n in names}
    draws = 0
    for game, is_cold, preds in walk_forward(games, oracle, observe):
        if game.winner not in ("A", "B"):
            draws += 1
            continue
        y = int(game.winner == "A")
        for name in names:
            (cold if is_cold else warm)[name].append((game.date, preds[name], y))
    doc = {"model": MODEL_NAME, "walk_forward": "each map predicted from maps that ended before it began",
           "provisional_maps": PROVISIONAL_MAPS, "draws": draws}
    every = {n: sorted(warm[n] + cold[n], key=lambda r: r[0]) for n in names}
    doc.update(_block(every, names, seed))
    doc["calibration"] = calibration([(p, y) for _, p, y in every["openskill"]])
    doc["cold_start"] = _block(cold, names, seed)
    doc["warm"] = _block(warm, names, seed)
    return doc
