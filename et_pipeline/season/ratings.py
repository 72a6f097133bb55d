"""Skill ratings from counted stopwatch maps: what the attack times and full holds say
(season.stopwatch_rating), one update per round, replayed from the first map every time.

Why replay: a rating depends on the order of every earlier result, so a re-scored old
night must change every later rating, and the same maps must always give the same
numbers. `rate` sorts the maps by (start, key) and starts from the prior; a full replay
of 1,000 nights takes well under a second, so there is no incremental state to get wrong.

The inputs and what each does:
* Every round of a map is one observation of the attackers' time against the map's
  limit (stopwatch_rating): a fast attack lifts the attackers and lowers the
  defenders, a full hold the other way, by how surprising it was given both teams.
  The round's clock is the map's limit in R1 and R1's time in R2 (the time to beat).
* Who was there, and for how long: a player's weight in his team's strength is his
  share of that ROUND (time played / the round's length): a sub who came in for the
  last 13 % of a round counts 13 %, and moves 13 % as far. The team's strength is the
  weighted MEAN, so a 6-a-side map is no surer than a 3-a-side one and a 4 v 3 compares
  the two averages. A GUID listed twice on a team (a reconnect) is one player with the
  summed share (at most 1).
* The map: every map has its own intercept (how long an even attack takes there),
  learnt from its rounds like a player's skill.
* A round that ended in a surrender, or without a usable time, says nothing about the
  clock and is skipped; a map without any usable round is rated on its winner alone
  (a TrueSkill-style update on the teams' difference).
* Absence: before his first map of a night, a player's variance grows by
  `tau^2` per community night since his last one, capped at the prior.

The invariants (tested with hypothesis over random line-ups, et_pipeline_tests):
* The result's sign bounds every move: after a map a winner's mean has not fallen and a
  loser's has not risen (a favourite that won narrowly stays where he was; a draw may
  move either way, by what the times said). Measured on the development seeds, this
  rule costs nothing measurable in log loss (bench/bench_ratings.py --tune prints it).
* Uncertainty never grows through an update and never exceeds the prior (8.33).
* One map moves no mean by more than MAX_MOVE rating points.
* The result does not depend on the order of the players within a team.
* A player listed on both sides of one map (he changed teams) stays in both teams'
  strengths, but that map leaves his own rating alone: which side he helped cannot be
  told. Bots never reach the rating (season.data drops them).

Display: value = MU + SCALE * skill, uncertainty = SCALE * sd, where SCALE makes the
prior 25 +- 8.33 (the scale openskill's ratings had). Provisional until
PROVISIONAL_MAPS rated maps.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from et_pipeline.season.model import HOLD, OBJECTIVE, MapGame, MapRound
from et_pipeline.season.stopwatch_rating import Strength, after_first_round, decided, map_outcome

MU = 25.0
SIGMA = 25.0 / 3.0
PROVISIONAL_MAPS = 10
MAX_MOVE = 6.0          # rating points one map may move a mean, either way
MODEL_NAME = "stopwatch times (Gaussian, censored holds)"
RATING = "rating"       # the rating's own name beside its baselines (rating_quality)


@dataclass(frozen=True)
class Params:
    """The model's settings, in log-time units (chosen on the development seeds only:
    bench/bench_ratings.py --tune redoes the grid)."""
    skill_sd: float = 0.3          # prior sd of a player's skill
    noise_sd: float = 0.33         # a round's own noise in log-seconds
    tau: float = 0.02              # sd added per community night absent
    map_sd: float = 0.3            # prior sd of a new map's intercept around the known maps' mean
    intercept: float = math.log(0.6)   # the first map's prior intercept: an even attack takes 60 % of the clock
    z_max: float = 4.0             # a round's surprise counts at most this many sd
    sign_bound: bool = True        # the result's sign bounds each move (the invariant above)
    frag_sd: float = 0.5           # prior sd of a player's fragging strength (log K/D units)
    frag_corr: float = 0.6         # prior correlation of fragging strength and skill (0: K/D unused)
    frag_noise: float = 0.2        # K/D noise beyond Poisson counting, per map


DEFAULT = Params()


@dataclass(frozen=True)
class Rating:
    value: float           # the mean skill on the display scale
    uncertainty: float     # its standard deviation on the display scale
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


@dataclass(frozen=True)
class State:
    """A player's belief in the model's own units (log seconds) and his bookkeeping."""
    mu: float
    var: float
    maps: int
    last_night: int | None


def _merged(team) -> dict[str, float]:
    """guid -> share, a GUID listed twice (a reconnect) summed and capped at 1."""
    out: dict[str, float] = {}
    for g, s in team:
        if s > 0:
            out[g] = min(1.0, out.get(g, 0.0) + float(s))
    return out


def _weights(team) -> dict[str, float]:
    """Weights of the team's presence-weighted mean: share / the team's total share."""
    shares = _merged(team)
    total = sum(shares.values())
    return {g: s / total for g, s in shares.items()} if total > 0 else {}


def _skill(g):
    return ("skill", g)


def _frag(g):
    return ("frag", g)


def _map(name):
    return ("map", name)


def _about(players) -> list:
    """What a map may move: its players' skills and fragging strengths."""
    return [k for g in sorted(players) for k in (_skill(g), _frag(g))]


class Rater:
    """The running state of the rating: feed maps in order with `update`, ask `predict`
    at any time. `quality.evaluate` drives one walk-forward; `rate` replays all maps."""

    def __init__(self, params: Params = DEFAULT):
        from et_pipeline.season.beliefs import Beliefs     # numpy only when a rating is computed

        self.params = params
        self.scale = SIGMA / params.skill_sd
        self.beliefs = Beliefs()
        self.maps_played: dict[str, int] = {}
        self.last_night: dict[str, int] = {}
        self.deferred: dict[str, float] = {}      # moves the invariants held back (see _bound)
        self._nights: dict[str, int] = {}

    @property
    def players(self) -> list[str]:
        """Every rated player (at least one map that moved his rating)."""
        return sorted(self.maps_played)

    # -- reading
    def state(self, guid: str) -> State:
        b, key = self.beliefs, _skill(guid)
        mu, var = (b.mean_of(key), b.var_of(key)) if key in b else (0.0, self.params.skill_sd ** 2)
        return State(mu, var, self.maps_played.get(guid, 0), self.last_night.get(guid))

    def rating(self, guid: str) -> Rating:
        s = self.state(guid)
        return Rating(MU + self.scale * s.mu, self.scale * math.sqrt(s.var), s.maps < PROVISIONAL_MAPS)

    def is_provisional(self, guid: str) -> bool:
        return self.maps_played.get(guid, 0) < PROVISIONAL_MAPS

    def _map_prior(self) -> float:
        known = [self.beliefs.mean_of(k) for k in self.beliefs.index if k[0] == "map"]
        return sum(known) / len(known) if known else self.params.intercept

    def strength(self, team_a, team_b, map_name: str | None = None) -> Strength:
        """The belief about S_A - S_B (shares as weights) and the map's intercept."""
        d: dict = {}
        fresh = 0.0                                   # players the rating has never seen: the prior
        for team, sign in ((team_a, 1.0), (team_b, -1.0)):
            for g, w in _weights(team).items():
                if _skill(g) in self.beliefs:
                    d[_skill(g)] = d.get(_skill(g), 0.0) + sign * w
                else:
                    fresh += (w * self.params.skill_sd) ** 2
        b = {_map(map_name): 1.0} if _map(map_name) in self.beliefs else {}
        (d_mean, b_mean), cov = self.beliefs.moments(d, b)
        if not b:
            b_mean, cov[1, 1], cov[0, 1] = self._map_prior(), self.params.map_sd ** 2, 0.0
        return Strength(float(d_mean), float(cov[0, 0]) + fresh, float(b_mean), float(cov[1, 1]), float(cov[0, 1]))

    def outcome(self, team_a, team_b, map_name: str | None = None) -> tuple[float, float, float]:
        """(P(A wins), P(B wins), P(draw)) of a map these teams are about to play."""
        return map_outcome(self.strength(team_a, team_b, map_name), self.params.noise_sd ** 2)

    def predict(self, team_a, team_b, map_name: str | None = None) -> float:
        """P(A wins | the map is decided) for teams given as (guid, share) pairs (share 1 for
        a planned game), both attack orders counted half."""
        if not _weights(team_a) or not _weights(team_b):
            return 0.5
        return decided(self.outcome(team_a, team_b, map_name))

    def after_first_round(self, game: MapGame) -> tuple[float, float, float] | None:
        """(P(A wins), P(B wins), P(draw)) of `game` once its round 1 is over, from the
        ratings before the map plus round 1 itself; None when R1 is not a usable round."""
        r1 = next((r for r in game.rounds if r.number == 1), None)
        if r1 is None or not _usable(r1):
            return None
        trial = self._copy()
        night = trial._night_index(game.date)
        players = set(_merged(r1.team_a)) ^ set(_merged(r1.team_b))
        for g in sorted(players):
            trial._arrive(g, night)
        trial._learn_round(r1, game.map, players)
        log_time = None if r1.outcome == HOLD else math.log(r1.seconds / r1.map_limit_seconds)
        return after_first_round(trial.strength(game.team_a, game.team_b, game.map), self.params.noise_sd ** 2,
                                 r1.attackers, log_time)

    # -- writing
    def _copy(self) -> "Rater":
        other = Rater(self.params)
        other.beliefs = self.beliefs.copy()
        other.maps_played, other.last_night, other._nights = dict(self.maps_played), dict(self.last_night), \
            dict(self._nights)
        other.deferred = dict(self.deferred)
        return other

    def _night_index(self, date: str) -> int:
        if date not in self._nights:
            self._nights[date] = len(self._nights)
        return self._nights[date]

    def _ensure(self, g: str) -> None:
        p = self.params
        if _skill(g) not in self.beliefs:
            self.beliefs.add(_skill(g), 0.0, p.skill_sd ** 2)
            self.beliefs.add(_frag(g), 0.0, p.frag_sd ** 2, ((_skill(g), p.frag_corr * p.skill_sd * p.frag_sd),))

    def _arrive(self, g: str, night: int) -> None:
        """The player at his map: known to the beliefs, variance grown for the nights he missed."""
        self._ensure(g)
        last = self.last_night.get(g)
        if last is not None and last != night:
            self.beliefs.grow(_skill(g), self.params.tau ** 2 * (night - last), self.params.skill_sd ** 2)
        self.last_night[g] = night

    def _learn_round(self, r: MapRound, map_name: str, players: set) -> None:
        """One round: y = b - (S_att - S_def); only `players` (and the map) move."""
        if _map(map_name) not in self.beliefs:
            self.beliefs.add(_map(map_name), self._map_prior(), self.params.map_sd ** 2)
        sign_a = -1.0 if r.attackers == "A" else 1.0     # a player's coefficient: -(weight in attack) + (in defence)
        coef = {_map(map_name): 1.0}
        for team, sign in ((r.team_a, sign_a), (r.team_b, -sign_a)):
            for g, w in _weights(team).items():
                self._ensure(g)
                coef[_skill(g)] = coef.get(_skill(g), 0.0) + sign * w
        held = r.outcome == HOLD
        value = math.log((r.limit_seconds if held else r.seconds) / r.map_limit_seconds)
        active = _about(players) + [_map(map_name)]
        self.beliefs.observe(coef, 0.0, self.params.noise_sd ** 2, value, held, active, self.params.z_max)

    def _learn_winner(self, game: MapGame, players: set) -> None:
        """A map without a usable round: its winner says the difference had that sign (TrueSkill's
        update; the noise of two rounds' difference, on one strength difference)."""
        sign = 1.0 if game.winner == "A" else -1.0
        coef: dict = {}
        for team, s in ((game.team_a, sign), (game.team_b, -sign)):
            for g, w in _weights(team).items():
                self._ensure(g)
                coef[_skill(g)] = coef.get(_skill(g), 0.0) + s * w
        self.beliefs.observe(coef, 0.0, self.params.noise_sd ** 2 / 2.0, 0.0, True, _about(players),
                             self.params.z_max)

    def _learn_kd(self, game: MapGame, players: set) -> None:
        """Kills and deaths on the map: evidence of each player's fragging strength, which is
        correlated with his skill (frag_corr): log((k + 1) / (d + 1)) ~ N(frag, 1/(k+1) + 1/(d+1) + frag_noise^2)."""
        if self.params.frag_corr == 0:
            return
        kd: dict[str, list[int]] = {}
        for g, k, d in game.kd:
            if g in players:
                acc = kd.setdefault(g, [0, 0])
                acc[0] += k
                acc[1] += d
        rows = [({_frag(g): 1.0}, math.log((k + 1) / (d + 1)), 1 / (k + 1) + 1 / (d + 1) + self.params.frag_noise ** 2)
                for g, (k, d) in sorted(kd.items())]
        self.beliefs.observe_many(rows, _about(players))

    def update(self, game: MapGame) -> None:
        night = self._night_index(game.date)
        a, b = _merged(game.team_a), _merged(game.team_b)
        rounds = sorted((r for r in game.rounds if _usable(r)), key=lambda r: r.number)
        if not rounds and not (a and b and game.winner in ("A", "B")):
            return
        frozen = set(a) & set(b)
        for r in rounds:
            frozen |= set(_merged(r.team_a)) & set(_merged(r.team_b))
        players = (set(a) | set(b) | {g for r in rounds for g in _merged(r.team_a + r.team_b)}) - frozen
        for g in sorted(players):
            self._arrive(g, night)
        before = {g: self.beliefs.mean_of(_skill(g)) for g in players}
        for r in rounds:
            self._learn_round(r, game.map, players)
        if not rounds:
            self._learn_winner(game, players)
        self._learn_kd(game, players)
        self._bound(game, a, b, before)
        for g in players:
            self.maps_played[g] = self.maps_played.get(g, 0) + 1

    def _bound(self, game: MapGame, a: dict, b: dict, before: dict) -> None:
        """The result's sign bounds each move and no move exceeds MAX_MOVE; what they hold
        back is deferred to the player's next map (`deferred`), not dropped: a winner the
        times would have lowered keeps his mean now and loses it at his next draw or loss.
        (Dropping it instead cost 0.007 of log loss on the development seeds.)"""
        limit = MAX_MOVE / self.scale
        won = set(a) if game.winner == "A" else set(b) if game.winner == "B" else set()
        lost = set(b) if game.winner == "A" else set(a) if game.winner == "B" else set()
        for g, old in before.items():
            want = self.beliefs.mean_of(_skill(g)) - old + self.deferred.get(g, 0.0)
            move = want
            if self.params.sign_bound:
                move = max(0.0, want) if g in won else min(0.0, want) if g in lost else want
            move = max(-limit, min(limit, move))
            self.deferred[g] = want - move
            self.beliefs.set_mean(_skill(g), old + move)


def _usable(r: MapRound) -> bool:
    """A round whose clock says something: an attack with its time, or a full hold."""
    if not r.map_limit_seconds or r.map_limit_seconds <= 0 or not _weights(r.team_a) or not _weights(r.team_b):
        return False
    if r.outcome == OBJECTIVE:
        return r.seconds is not None and r.seconds > 0
    return r.outcome == HOLD and r.limit_seconds is not None and r.limit_seconds > 0


@dataclass
class RatingsResult:
    current: dict[str, Rating] = field(default_factory=dict)
    history: list[RatingPoint] = field(default_factory=list)   # by (date, guid)
    maps: int = 0
    rater: Rater | None = None

    def p_a_wins(self, team_a, team_b) -> float:
        """Predicted P(A wins) for two lists of GUIDs playing whole maps (map not known)."""
        return self.rater.predict([(g, 1.0) for g in team_a], [(g, 1.0) for g in team_b])


def ordered(games) -> list[MapGame]:
    """The one order ratings are computed in: map start, then key."""
    return sorted(games, key=lambda g: (g.start_unix, g.key))


def rate(games, params: Params = DEFAULT) -> RatingsResult:
    """Replay every map from the prior; the history has one point per player per night."""
    rater = Rater(params)
    out = RatingsResult(rater=rater)
    night, night_maps, before = None, {}, {}

    def close_night():
        for g in sorted(night_maps):
            r, st = rater.rating(g), rater.state(g)
            out.history.append(RatingPoint(g, night, r.value, r.uncertainty, r.provisional, st.maps,
                                           night_maps[g], r.value - before[g]))

    for game in ordered(games):
        if game.date != night:
            if night is not None:
                close_night()
            night, night_maps, before = game.date, {}, {}
        counts = {g: rater.state(g).maps for g, _ in game.team_a + game.team_b + tuple(
            p for r in game.rounds for p in r.team_a + r.team_b)}
        for g in counts:
            before.setdefault(g, rater.rating(g).value)
        rater.update(game)
        for g, n in counts.items():
            if rater.state(g).maps > n:
                night_maps[g] = night_maps.get(g, 0) + 1
        out.maps += 1
    if night is not None:
        close_night()
    out.current = {g: rater.rating(g) for g in rater.players}
    return out


def night_moves(result: RatingsResult, date: str, count: int = 3) -> list[RatingPoint]:
    """The night's biggest rating moves (either way), for the night digest."""
    points = [h for h in result.history if h.date == date]
    return sorted(points, key=lambda h: (-abs(h.change), h.guid))[:count]


def first_map_probability(games, date: str) -> dict | None:
    """How even the night's teams were beforehand: P(team A wins) of the night's first
    map, predicted (walk-forward) from the maps that ended before it began."""
    games = ordered(games)
    first = next((g for g in games if g.date == date), None)
    if first is None:
        return None
    rater = Rater()
    before = 0
    for g in games:
        if g.end_unix < first.start_unix:      # in start order; a map still running then is left out
            rater.update(g)
            before += 1
    return {"date": date, "key": first.key, "map": first.map, "session_id": first.session_id, "maps_before": before,
            "p_a_wins": round(rater.predict(first.team_a, first.team_b, first.map), 4),
            "provisional": sorted(g for g, _ in first.team_a + first.team_b if rater.is_provisional(g))}
