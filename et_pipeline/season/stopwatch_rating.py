"""What a stopwatch round says, and what the rating expects of a map: the observation
model and the map's win probabilities, pure functions on floats.

The observation model (Tobit; TrueSkill with margins). For a round of a map whose time
limit is L, with attack time T:

    y = log(T / L) = b_map - (S_att - S_def) + e,     e ~ N(0, noise_sd^2)

* S_att, S_def: the attacking and defending team's strength, the presence-weighted mean
  of their players' skills (a player who was there for 13 % of the round weighs 13 % of
  a full-timer).
* b_map: the map's own intercept (how long an even attack takes on it).
* An attack that completed gives y exactly; a full hold only says the attack would have
  taken longer than the round's clock (R1: the map's limit, R2: R1's time, the time to
  beat): y > log(clock / L), a censored observation. `truncation` gives the moment
  match of that (season.beliefs applies it).

`map_outcome` is the probability of each result before the map: the two rounds' times
share the teams' strengths and the map's intercept, so (y1, y2) is bivariate normal; the
first attackers X win when the second, Y, fail to beat X's time; Y wins by beating it
(or by completing at all after X was held); two holds are a draw. Who attacks first is
not known beforehand: both orders count half. `after_first_round` is the same question
once R1 is over (who attacked, its time or a full hold).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

_SQRT2 = math.sqrt(2.0)
_SQRT2PI = math.sqrt(2.0 * math.pi)
_NODES = 16          # Gauss-Legendre nodes of the one-dimensional integral over R1's time (1e-5 from exact)


def cdf(z: float) -> float:
    return 0.5 * math.erfc(-z / _SQRT2)


def pdf(z: float) -> float:
    return math.exp(-0.5 * z * z) / _SQRT2PI


def truncation(t: float) -> tuple[float, float]:
    """TrueSkill's (v, w) for a Gaussian known to lie above a point t standard deviations
    below its mean: the posterior mean moves up by v sd, the variance shrinks by (1 - w)."""
    if t < -30.0:                       # cdf underflows: the asymptote of the inverse Mills ratio
        v = -t - 1.0 / t
    else:
        v = pdf(t) / cdf(t)
    return v, min(1.0, max(0.0, v * (v + t)))


@dataclass(frozen=True)
class Strength:
    """The belief, before a round, about d = S_A - S_B and the map's intercept b."""
    d_mean: float
    d_var: float
    b_mean: float
    b_var: float
    cov: float = 0.0           # cov(d, b)

    def attack(self, attackers: str, noise_var: float) -> tuple[float, float]:
        """Mean and variance of y = b - (S_att - S_def) for a round `attackers` attack."""
        s = 1.0 if attackers == "A" else -1.0
        return self.b_mean - s * self.d_mean, self.b_var + self.d_var - 2 * s * self.cov + noise_var


def _gauss_legendre(n: int) -> list[tuple[float, float]]:
    """Nodes and weights on [-1, 1] (Newton's method on the Legendre polynomial's roots)."""
    out = []
    for i in range(1, n + 1):
        x = math.cos(math.pi * (i - 0.25) / (n + 0.5))
        for _ in range(100):
            p0, p1 = 1.0, x
            for k in range(2, n + 1):
                p0, p1 = p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k
            slope = n * (x * p1 - p0) / (x * x - 1)
            step = p1 / slope
            x -= step
            if abs(step) < 1e-15:
                break
        out.append((x, 2 / ((1 - x * x) * slope * slope)))
    return out


_RULE = _gauss_legendre(_NODES)


def _integral(lo: float, hi: float, f) -> float:
    half, mid = (hi - lo) / 2, (hi + lo) / 2
    return half * sum(w * f(mid + half * x) for x, w in _RULE)


def _first_attacker(s: Strength, noise_var: float, first: str) -> tuple[float, float, float]:
    """(P(X wins), P(Y wins), P(draw)) when team `first` (X) attacks first."""
    second = "B" if first == "A" else "A"
    m1, v1 = s.attack(first, noise_var)
    m2, v2 = s.attack(second, noise_var)
    c12 = s.b_var - s.d_var                                 # shared intercept, opposite strength
    sd1 = math.sqrt(v1)
    slope = c12 / v1                                        # E[y2 | y1] = m2 + slope * (y1 - m1)
    sd21 = math.sqrt(max(1e-12, v2 - c12 * c12 / v1))
    top = -m1 / sd1                                         # X sets a time when y1 < 0

    def beaten(z1: float) -> float:                         # P(y2 < y1 | y1): Y beats X's time
        y1 = m1 + sd1 * z1
        return cdf((y1 - m2 - slope * (y1 - m1)) / sd21)

    def completed(z1: float) -> float:                      # P(y2 < 0 | y1): Y completes at all
        return cdf((-m2 - slope * sd1 * z1) / sd21)

    lo = min(top, -8.0)
    set_time = cdf(top)
    y_beats = 0.0 if top <= lo else _integral(lo, top, lambda z: pdf(z) * beaten(z))
    y_after_hold = _integral(top, top + 8.0, lambda z: pdf(z) * completed(z))
    held = 1.0 - cdf(top)
    return max(0.0, set_time - y_beats), y_beats + y_after_hold, max(0.0, held - y_after_hold)


def map_outcome(s: Strength, noise_var: float) -> tuple[float, float, float]:
    """(P(A wins), P(B wins), P(draw)) before the map, both attack orders counted half."""
    ax, by, t1 = _first_attacker(s, noise_var, "A")
    bx, ay, t2 = _first_attacker(s, noise_var, "B")
    return 0.5 * (ax + ay), 0.5 * (by + bx), 0.5 * (t1 + t2)


def decided(p: tuple[float, float, float]) -> float:
    """P(A wins | the map is decided): draws are not scored."""
    a, b, _ = p
    return a / (a + b) if a + b > 0 else 0.5


def after_first_round(s: Strength, noise_var: float, r1_attackers: str, r1_log_time: float | None,
                      ) -> tuple[float, float, float]:
    """(P(A wins), P(B wins), P(draw)) once round 1 is over: `s` the belief after learning
    round 1, `r1_log_time` log(R1's time / the map's limit), or None when R1's attackers
    were held. R2's attackers win by beating that time (by completing at all after a
    hold); otherwise R1's attackers win, or it is a draw."""
    second = "B" if r1_attackers == "A" else "A"
    mean, var = s.attack(second, noise_var)
    clock = 0.0 if r1_log_time is None else r1_log_time
    y_wins = cdf((clock - mean) / math.sqrt(var))
    x_wins = 0.0 if r1_log_time is None else 1.0 - y_wins
    draw = 1.0 - y_wins if r1_log_time is None else 0.0
    return (x_wins, y_wins, draw) if r1_attackers == "A" else (y_wins, x_wins, draw)
