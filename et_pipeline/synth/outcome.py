"""How skill decides a generated stopwatch map: the attack time of a round.

Without this, generated map results did not depend on the players (the stronger team
won 48 % of maps), so no rating could be judged on them. The model, per round:

    log T = log(BASE * limit) - K * (s_att - s_def) - NUMBERS * log(n_att / n_def) + SIGMA * e

* `limit` is the map's time limit in seconds; `BASE * limit` is the time two equal
  teams need on average.
* `s_att`, `s_def`: the mean natural log of the latent stopwatch skill
  (`Person.stopwatch_skill`, that night's: it drifts, synth.life) of the attacking and
  the defending players, each weighted by the share of the round he was there for (a
  player replaced halfway counts half). It is correlated
  (pool.STOPWATCH_SKILL_CORRELATION = 0.6, in logs) with the fragging strength
  `Person.skill` that drives kills in `sim.py`: frags help win a map, but objectives,
  spawn timing and support play count too, so K/D tells part of the story.
* `n_att`, `n_def`: how many players each side had, counted by presence (bots count):
  a man up is worth something (NUMBERS = 0.5: a 4 v 3 attack is 13 % faster, about
  what two-thirds of a standard deviation of team skill is worth).
* The attack succeeds ("objective") when T is at least 6 s under the round's limit (R1:
  the map's limit; R2: R1's time, which it must beat); otherwise the defenders hold
  (the round runs to its limit). T is never under `MIN_SECONDS`.

So a map is two draws of the same noise: the R2 attackers win when they beat R1's
time, and a double full hold is a draw. With K = 1 and SIGMA = 0.33 a team whose mean
log-skill is 0.2 higher (one standard deviation of a 4-player team difference) wins
about 80 % of the decided maps.

`p_a_wins_rounds` is the generator's oracle: the probability that team A wins a decided
map given the true skills and who was there in each round (averaged over who attacks
first, which nobody knows before the map), by one-dimensional numeric integration.
"""
import math
import random

BASE = 0.62          # equal teams need 62 % of the limit on average
K = 1.0              # log-seconds per unit of log-skill difference
NUMBERS = 0.5        # log-seconds per unit of log(n_att / n_def)
SIGMA = 0.33         # round-to-round noise in log-seconds
MIN_SECONDS = 60     # no objective is done faster
MARGIN = 6           # an objective counts when done this many seconds under the limit
_GRID = 160


def team_strength(skills) -> float:
    """Mean natural log of the skills (share-weighted when pairs (skill, share) are given)."""
    pairs = _pairs(skills)
    total = sum(w for _, w in pairs)
    if total <= 0:
        return 0.0
    return sum(math.log(s) * w for s, w in pairs) / total


def _pairs(skills) -> list[tuple[float, float]]:
    return [(s, 1.0) if not isinstance(s, tuple) else s for s in skills]


def advantage(team_x, team_y) -> float:
    """How much faster team X attacks against team Y than two equal teams would, in
    log-seconds: skill (share-weighted means) and numbers (shares summed)."""
    nx, ny = sum(w for _, w in _pairs(team_x)), sum(w for _, w in _pairs(team_y))
    numbers = math.log(nx / ny) if nx > 0 and ny > 0 else 0.0
    return K * (team_strength(team_x) - team_strength(team_y)) + NUMBERS * numbers


def attack_time(rng: random.Random, limit_seconds: int, edge: float) -> int:
    """The attackers' time for the objective in a round of this map (may exceed any limit),
    `edge` their `advantage` over the defenders."""
    mu = math.log(BASE * limit_seconds) - edge
    return max(MIN_SECONDS, int(round(math.exp(mu + SIGMA * rng.gauss(0.0, 1.0)))))


def _phi(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def _map_probabilities(edge1: float, edge2: float, limit: int) -> tuple[float, float]:
    """(P(X wins), P(Y wins)) where X attacks first with `edge1` over Y in R1 and Y
    attacks with `edge2` over X in R2: Y wins by beating X's time, or by completing at
    all after X was held; X wins when Y fails to beat the time X set."""
    mu1 = math.log(BASE * limit) - edge1
    mu2 = math.log(BASE * limit) - edge2
    top = (math.log(limit - MARGIN) - mu1) / SIGMA          # X completes when z1 < top
    lo = -6.0
    p_x = p_y = 0.0
    if top > lo:
        h = (top - lo) / _GRID
        for i in range(_GRID + 1):
            z1 = lo + i * h
            w = (0.5 if i in (0, _GRID) else 1.0) * h
            dens = math.exp(-0.5 * z1 * z1) / math.sqrt(2 * math.pi)
            t1 = math.exp(mu1 + SIGMA * z1)
            beat = _phi((math.log(max(t1 - MARGIN, 1.0)) - mu2) / SIGMA) if t1 >= 75 else 0.0
            p_y += w * dens * beat
            p_x += w * dens * (1.0 - beat)
    held = 1.0 - _phi(top)
    p_y += held * _phi((math.log(limit - MARGIN) - mu2) / SIGMA)
    return p_x, p_y


def p_a_wins_rounds(r1_a, r1_b, r2_a, r2_b, limit_seconds: int) -> float:
    """P(team A wins | the map is decided) given each round's line-ups ((skill, share)
    pairs of A and B in R1 and in R2), averaged over which team attacks first."""
    e1, e2 = advantage(r1_a, r1_b), advantage(r2_a, r2_b)     # A's edge when A attacks
    ax, by = _map_probabilities(e1, -e2, limit_seconds)       # A attacks first
    bx, ay = _map_probabilities(-e1, e2, limit_seconds)       # B attacks first
    win_a, win_b = ax + ay, by + bx
    return win_a / (win_a + win_b) if win_a + win_b > 0 else 0.5


def p_a_wins(skills_a, skills_b, limit_seconds: int) -> float:
    """P(team A wins | the map is decided) with the same line-ups in both rounds."""
    return p_a_wins_rounds(skills_a, skills_b, skills_a, skills_b, limit_seconds)
