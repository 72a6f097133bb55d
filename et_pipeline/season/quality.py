"""How good the rating is: a walk-forward evaluation against baselines (the `season`
document's `rating_quality`).

Walk-forward: every map is predicted only from maps that ENDED before it BEGAN, then
learnt from. Maps are taken in the rating's own order (start, key) and a map is learnt
only once it has ended before the map being predicted began; a later map never jumps an
earlier one, so the final state equals `ratings.rate` and two overlapping maps (two
servers, or a clock mix-up) never see each other.

Every predictor sees the same maps in the same order and is scored on the same maps:
* `rating` (the rating itself, `ratings.Rater`: P(A wins | decided) of the map),
* the baselines of `season.baselines`: `coin`, `kd`, `trueskill`, and `team_elo`
  (`season.elo.TeamElo`), each with its settings tuned on development seeds,
* `oracle`: the generator's true-skill probability, only when one is given.

Draws (double full holds) are learnt from but not scored: a two-way probability has no
right answer for them; they are counted in `draws`. A map is "cold-start" when any of
its players is still provisional (fewer than `ratings.PROVISIONAL_MAPS` maps before it);
the headline figures cover every predicted map (`maps`), and the cold-start and warm
maps are also reported apart (`cold_start`, `warm`), each against the same baselines.

Beside log loss, Brier and accuracy: the expected calibration error (`ece`: the mean
|predicted - observed| over ten equal-width bins, weighted by their maps) and, per
baseline, `log_loss_difference`: the rating's log loss minus the baseline's with a 95 %
paired bootstrap interval over nights (whole nights resampled, the same nights for both,
seeded, so the same maps always give the same interval). Accuracy counts a 0.5
prediction as half a hit; its interval is the same night bootstrap.
"""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from et_pipeline.season.baselines import Coin, KDPick, TrueSkill
from et_pipeline.season.elo import TeamElo
from et_pipeline.season.model import MapGame
from et_pipeline.season.ratings import MODEL_NAME, PROVISIONAL_MAPS, RATING, Rater, ordered
from et_pipeline.season.walk import walk_forward as walk

EPS = 1e-6
BOOTSTRAP_SAMPLES = 1000
CALIBRATION_BINS = 10


class RatingPredictor:
    """The rating as a predictor beside the baselines."""

    def __init__(self, rater: Rater):
        self.rater = rater

    def predict(self, game: MapGame) -> float:
        return self.rater.predict(game.team_a, game.team_b, game.map)

    def update(self, game: MapGame) -> None:
        self.rater.update(game)


class _Oracle:
    def __init__(self, fn: Callable[[MapGame], float]):
        self.fn = fn

    def predict(self, game: MapGame) -> float:
        return float(self.fn(game))

    def update(self, game: MapGame) -> None:
        pass


def log_loss_of(p: float, y: int) -> float:
    q = min(1 - EPS, max(EPS, p))
    return -math.log(q if y else 1 - q)


def _hit(p: float, y: int) -> float:
    return 0.5 if p == 0.5 else float((p > 0.5) == bool(y))


def scores(preds: list[tuple[float, int]]) -> dict:
    """Log loss, Brier, accuracy, ECE of (p_a, y_a) pairs."""
    if not preds:
        return {"maps": 0, "log_loss": None, "brier": None, "accuracy": None, "ece": None}
    n = len(preds)
    return {"maps": n, "log_loss": round(sum(log_loss_of(p, y) for p, y in preds) / n, 4),
            "brier": round(sum((p - y) ** 2 for p, y in preds) / n, 4),
            "accuracy": round(sum(_hit(p, y) for p, y in preds) / n, 4), "ece": expected_calibration_error(preds)}


def _night_sums(rows: list[tuple[str, float, int]], value) -> tuple[list[str], np.ndarray, np.ndarray]:
    nights: dict[str, list[float]] = {}
    for night, p, y in rows:
        nights.setdefault(night, []).append(value(p, y))
    keys = sorted(nights)
    return keys, np.array([sum(nights[k]) for k in keys]), np.array([len(nights[k]) for k in keys], dtype=float)


def _interval(values: np.ndarray) -> list[float]:
    values = np.sort(values)
    n = len(values)
    return [round(float(values[int(0.025 * (n - 1))]), 4), round(float(values[int(0.975 * (n - 1))]), 4)]


def bootstrap_accuracy(rows: list[tuple[str, float, int]], seed: int = 13,
                       samples: int = BOOTSTRAP_SAMPLES) -> list[float] | None:
    """95 % interval of accuracy, resampling whole nights; rows are (night, p, y)."""
    keys, hits, counts = _night_sums(rows, _hit)
    if len(keys) < 2:
        return None
    pick = np.random.default_rng(seed).integers(0, len(keys), size=(samples, len(keys)))
    return _interval(hits[pick].sum(axis=1) / counts[pick].sum(axis=1))


def paired_difference(rows: list[tuple[str, float, int]], other: list[tuple[str, float, int]], seed: int = 13,
                      samples: int = BOOTSTRAP_SAMPLES) -> dict | None:
    """Log loss of `rows` minus that of `other` (the same maps, in the same order), with
    a 95 % paired bootstrap interval over nights."""
    if len(rows) != len(other) or not rows:
        return None
    diff = [(n, log_loss_of(p, y) - log_loss_of(q, z)) for (n, p, y), (_, q, z) in zip(rows, other)]
    keys, sums, counts = _night_sums([(n, d, 0) for n, d in diff], lambda d, _: d)
    point = round(float(sums.sum() / counts.sum()), 4)
    if len(keys) < 2:
        return {"value": point, "interval": None}
    pick = np.random.default_rng(seed).integers(0, len(keys), size=(samples, len(keys)))
    return {"value": point, "interval": _interval(sums[pick].sum(axis=1) / counts[pick].sum(axis=1))}


def _bins(preds: list[tuple[float, int]], bins: int) -> list[list[tuple[float, int]]]:
    out = [[] for _ in range(bins)]
    for p, y in preds:
        out[min(bins - 1, int(p * bins))].append((p, y))
    return out


def calibration(preds: list[tuple[float, int]], bins: int = CALIBRATION_BINS) -> list[dict]:
    """Predicted P(A wins) in equal bins against how often A won."""
    out = []
    for b, inside in enumerate(_bins(preds, bins)):
        if inside:
            out.append({"bin": "%.1f-%.1f" % (b / bins, (b + 1) / bins), "maps": len(inside),
                        "predicted": round(sum(p for p, _ in inside) / len(inside), 4),
                        "observed": round(sum(y for _, y in inside) / len(inside), 4)})
    return out


def expected_calibration_error(preds: list[tuple[float, int]], bins: int = CALIBRATION_BINS) -> float | None:
    """Mean |predicted - observed| over equal-width bins, weighted by the bins' maps."""
    if not preds:
        return None
    gap = sum(abs(sum(p for p, _ in inside) - sum(y for _, y in inside)) for inside in _bins(preds, bins))
    return round(gap / len(preds), 4)


def _block(rows: dict[str, list], names: list[str], seed: int) -> dict:
    main = rows[RATING]
    out = scores([(p, y) for _, p, y in main])
    out["accuracy_interval"] = bootstrap_accuracy(main, seed) if main else None
    out["baselines"] = {}
    for name in names:
        if name == RATING:
            continue
        s = scores([(p, y) for _, p, y in rows[name]])
        s.pop("maps")
        s["accuracy_interval"] = bootstrap_accuracy(rows[name], seed) if rows[name] else None
        s["log_loss_difference"] = paired_difference(main, rows[name], seed)
        (out if name == "oracle" else out["baselines"])[name] = s
    return out


def predictors(oracle: Callable[[MapGame], float] | None = None) -> dict:
    """The rating and every baseline, fresh, by name (the rating first)."""
    out = {RATING: RatingPredictor(Rater()), "coin": Coin(), "team_elo": TeamElo(), "trueskill": TrueSkill(),
           "kd": KDPick()}
    if oracle is not None:
        out["oracle"] = _Oracle(oracle)
    return out


def walk_forward(games, oracle: Callable[[MapGame], float] | None = None, chosen: dict | None = None,
                 observe: Callable[[MapGame, Rater, int], None] | None = None):
    """Yield (game, cold, {predictor: P(A wins)}) for every map, in the rating's order,
    each predicted before it is learnt and only from maps that ended before it began
    (season.walk). `chosen`: other predictors by name (tuning); by default
    `predictors(oracle)`. `observe(game, rater, maps_learnt)` sees the rating as it stood
    before each map (the win predictions are made there, in the same pass)."""
    games = ordered(games)
    preds = chosen if chosen is not None else predictors(oracle)
    rater = preds[RATING].rater if RATING in preds else None

    def learn(game: MapGame) -> None:
        for pr in preds.values():
            pr.update(game)

    for game, learnt in walk(games, games, learn):
        if observe is not None and rater is not None:
            observe(game, rater, learnt)
        cold = rater is not None and any(rater.is_provisional(g) for g, _ in game.team_a + game.team_b)
        yield game, cold, {name: pr.predict(game) for name, pr in preds.items()}


def evaluate(games, oracle: Callable[[MapGame], float] | None = None, seed: int = 13,
             observe: Callable[[MapGame, Rater, int], None] | None = None) -> dict:
    """The walk-forward `rating_quality` document (see the module docstring); `observe`
    as for `walk_forward`."""
    names = list(predictors(oracle))
    warm = {n: [] for n in names}
    cold = {n: [] for n in names}
    draws = 0
    for game, is_cold, preds in walk_forward(games, oracle, observe=observe):
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
    doc["calibration"] = calibration([(p, y) for _, p, y in every[RATING]])
    doc["cold_start"] = _block(cold, names, seed)
    doc["warm"] = _block(warm, names, seed)
    return doc
