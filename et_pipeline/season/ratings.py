"""Skill ratings from counted stopwatch maps: what the attack times and full holds say
(season.stopwatch_rating), one update per round, replayed from the first map every time.

Why replay: a rating depends on the order of every earlier result, so a re-scored old
night must change every later rating, and the same maps must always give the same
numbers. `rate` sorts the maps by (start, key) and starts from the prior (a full replay
of 1,000 generated nights: bench/bench_ratings.py), so there is no incremental state to
get wrong. The one continuation is exact: a night's map cards start from the rater as it
stood after the nights before (`Rater.to_state`, kept by season.rating_cache under the
versions of those nights), which continues as the replay would, number for number.

The inputs and what each does:
* Every round of a map is one observation of the attackers' time against the map's
  limit (stopwatch_rating): a fast attack lifts the attackers and lowers the
  defenders, a full hold the other way, by how surprising it was given both teams.
  The round's clock is the map's limit in R1 and R1's time in R2 (the time to beat).
* Who was there, and for how long: a player's weight in his team's strength is his
  share of that ROUND (time played / the round's length): a sub who came in for the
  last 13 % of a round counts 13 %, and moves 13 % as far. The team's strength is the
  weighted MEAN, so a 6-a-side map is no surer than a 3-a-side one; numbers count on
  their own: what a man up is worth (4 v 3: log(4/3) of it) is learnt from the rounds.
  A GUID listed twice on a team (a reconnect) is one player with the summed share.
* The map: every map has its own intercept (how long an even attack takes there),
  learnt from its rounds like a player's skill; a new map starts from the known maps' mean.
* Kills and deaths (TrueSkill 2's lesson): each player also has a fragging strength,
  seen through his K/D on every map and correlated with his skill (FRAG_CORR), so a
  newcomer who frags well is believed to help win before many rounds say so.
* A round that ended in a surrender, or without a usable time, says nothing about the
  clock and is skipped (an aborted round never makes a counted map); a map without any
  usable round is rated on its winner alone (a TrueSkill-style update on the teams'
  difference).
* Absence: before his first map of a night, a player's variance grows by
  `tau^2` per community night since his last one, capped at the prior. After
  AWAY_NIGHTS nights away he leaves the joint belief (his own belief is kept).
* All of it is one joint Gaussian belief (season.beliefs), and a map moves only its
  own players, the map and the numbers term: nobody's rating moves on a night he did
  not play.

The invariants (tested with hypothesis over random line-ups, et_pipeline_tests):
* The result's sign bounds every move: after a map a winner's mean has not fallen and a
  loser's has not risen (a favourite that won narrowly stays where he was; a draw may
  move either way, by what the times said). What the bound holds back is deferred to
  the player's next map where the result allows it, not dropped.
* Uncertainty never grows through an update and never exceeds the prior (8.33).
* One map moves no mean by more than MAX_MOVE rating points.
* The result does not depend on the order of the players within a team.
* A player listed on both sides of one map (he changed teams) stays in both teams'
  strengths, but that map leaves his own rating alone: which side he helped cannot be
  told. Bots never reach the rating (season.data drops them).

Win probability for one map, from the current ratings (`rate(games).rater`): before it,
`Rater.outcome`; once its round 1 is over, `Rater.after_round_one` (neither changes the
ratings).

Display: value = MU + SCALE * skill, uncertainty = SCALE * sd, where SCALE makes the
prior 25 +- 8.33 (the scale openskill's ratings had). Provisional until
PROVISIONAL_MAPS rated maps.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

from et_pipeline.season.model import HOLD, OBJECTIVE, MapGame, MapRound, merged_shares
from et_pipeline.season.stopwatch_rating import Strength, after_first_round, decided, map_outcome

MU = 25.0
SIGMA = 25.0 / 3.0
PROVISIONAL_MAPS = 10
MAX_MOVE = 6.0          # rating points one map may move a mean, either way
AWAY_NIGHTS = 30        # after this many community nights away a player leaves the joint belief (Rater._send_away)
MODEL_NAME = "stopwatch times (Gaussian, censored holds)"
RATING = "rating"       # the rating's own name beside its baselines (rating_quality)


@dataclass(frozen=True)
class Params:
    """The model's settings, in log-time units (chosen on the development seeds only:
    bench/bench_ratings.py --tune redoes the grid)."""
    skill_sd: float = 0.3          # prior sd of a player's skill
    noise_sd: float = 0.33         # a round's own noise in log-seconds
    tau: float = 0.01              # sd added per community night absent
    map_sd: float = 0.1            # prior sd of a new map's intercept around the known maps' mean
    intercept: float = -0.5108     # the first map's prior intercept, log(0.6): an even attack takes 60 % of the clock
    z_max: float = 2.0             # a round's surprise counts at most this many sd
    sign_bound: bool = True        # the result's sign bounds each move (the invariant above)
    defer: bool = True             # what the bounds hold back is deferred, not dropped (Rater._bound)
    frag_sd: float = 0.8           # prior sd of a player's fragging strength (log K/D units)
    frag_corr: float = 0.5         # FRAG_CORR: prior correlation of fragging strength and skill (0: K/D unused)
    frag_noise: float = 0.4        # K/D noise beyond Poisson counting, per map
    numbers_sd: float = 0.5        # prior sd of what a man up is worth (learnt from the rounds)


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


def _skill(g):
    return ("skill", g)


def _frag(g):
    return ("frag", g)


def _map(name):
    return ("map", name)


NUMBERS = ("numbers", "")      # what a man up is worth (log-seconds per log(n_att / n_def)), learnt


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
        self.away: dict[str, tuple] = {}          # players long gone: their own beliefs, without covariances
        self.map_names: list[str] = []
        self._nights: dict[str, int] = {}

    @property
    def players(self) -> list[str]:
        """Every rated player (at least one map that moved his rating)."""
        return sorted(self.maps_played)

    # -- reading
    def state(self, guid: str) -> State:
        b, key = self.beliefs, _skill(guid)
        if key in b:
            mu, var = b.mean_of(key), b.var_of(key)
        else:
            mu, var = self.away[guid][:2] if guid in self.away else (0.0, self.params.skill_sd ** 2)
        return State(mu, var, self.maps_played.get(guid, 0), self.last_night.get(guid))

    def rating(self, guid: str) -> Rating:
        s = self.state(guid)
        return Rating(MU + self.scale * s.mu, self.scale * math.sqrt(s.var), s.maps < PROVISIONAL_MAPS)

    def is_provisional(self, guid: str) -> bool:
        return self.maps_played.get(guid, 0) < PROVISIONAL_MAPS

    def _map_prior(self) -> float:
        known = [self.beliefs.mean_of(_map(m)) for m in self.map_names]
        return sum(known) / len(known) if known else self.params.intercept

    def _advantage(self, x: dict[str, float], y: dict[str, float], learn: bool) -> tuple[dict, float, float]:
        """X's advantage over Y: S_X - S_Y + numbers * log(n_X / n_Y) (strengths the
        presence-weighted means, n the presence summed: 4 v 3 is log(4/3)), as
        {quantity: coefficient} over the joint belief, plus the mean and variance of the
        part outside it (players away, or never seen: their own belief, or the prior).
        `learn`: every quantity is put into the joint belief first. x, y: guid -> share."""
        coef: dict = {}
        mean = var = 0.0
        nx, ny = sum(x.values()), sum(y.values())
        for team, total, sign in ((x, nx, 1.0), (y, ny, -1.0)):
            for g, share in team.items():
                w = share / total
                key = _skill(g)
                if learn:
                    self._ensure(g)
                if key in self.beliefs.index:
                    coef[key] = coef.get(key, 0.0) + sign * w
                else:
                    st = self.state(g)
                    mean += sign * w * st.mu
                    var += w * w * st.var
        ratio = math.log(nx / ny) if nx > 0 and ny > 0 else 0.0
        if ratio:
            if learn and NUMBERS not in self.beliefs:
                self.beliefs.add(NUMBERS, 0.0, self.params.numbers_sd ** 2)
            if NUMBERS in self.beliefs:
                coef[NUMBERS] = ratio
            else:
                var += (ratio * self.params.numbers_sd) ** 2
        return coef, mean, var

    def strength(self, team_a, team_b, map_name: str | None = None) -> Strength:
        """The belief about A's advantage d = S_A - S_B (+ numbers) and the map's intercept."""
        d, d_extra, d_var = self._advantage(merged_shares(team_a), merged_shares(team_b), learn=False)
        b = {_map(map_name): 1.0} if _map(map_name) in self.beliefs else {}
        (d_mean, b_mean), cov = self.beliefs.moments(d, b)
        if not b:
            b_mean, cov[1, 1], cov[0, 1] = self._map_prior(), self.params.map_sd ** 2, 0.0
        return Strength(float(d_mean) + d_extra, float(cov[0, 0]) + d_var, float(b_mean), float(cov[1, 1]),
                        float(cov[0, 1]))

    def outcome(self, team_a, team_b, map_name: str | None = None) -> tuple[float, float, float]:
        """(P(A wins), P(B wins), P(draw)) of a map these teams are about to play, before its
        round 1 (who attacks first not yet known: both orders count half). team_a, team_b:
        (guid, share) pairs, share 1 for a full-timer; map_name None: a map not yet known.
        `after_round_one` is the same question once R1 is over."""
        return map_outcome(self.strength(team_a, team_b, map_name), self.params.noise_sd ** 2)

    def predict(self, team_a, team_b, map_name: str | None = None) -> float:
        """P(A wins | the map is decided) for teams given as (guid, share) pairs (share 1 for
        a planned game), both attack orders counted half."""
        if not merged_shares(team_a) or not merged_shares(team_b):
            return 0.5
        return decided(self.outcome(team_a, team_b, map_name))

    def after_round_one(self, team_a, team_b, map_name: str | None, attackers: str, time_to_beat: float | None,
                        map_limit_seconds: float, date: str | None = None) -> tuple[float, float, float] | None:
        """(P(A wins), P(B wins), P(draw)) of a map once its round 1 is over (a live view).

        team_a, team_b: R1's line-ups as (guid, share of the round) pairs, taken to play R2
        too; attackers: "A" | "B", who attacked in R1; time_to_beat: R1's attack time in
        seconds, None when R1's attackers were held to the clock (R2's attackers then win by
        completing at all, else it is a draw); map_limit_seconds: the map's time limit;
        date: the night, so a player's uncertainty grows for the nights he missed (None: as
        the ratings stand). The ratings learn R1 first, on a copy: asking changes nothing.
        None when R1 says nothing (a side without a share, no time limit, no time)."""
        shares = merged_shares(team_a), merged_shares(team_b)
        held = time_to_beat is None
        r1 = MapRound(1, attackers, tuple(sorted(shares[0].items())), tuple(sorted(shares[1].items())),
                      HOLD if held else OBJECTIVE, time_to_beat, map_limit_seconds, map_limit_seconds)
        if attackers not in ("A", "B") or not _usable(r1):
            return None
        trial = self._copy()
        players = sorted(shares[0].keys() ^ shares[1].keys())     # one on both sides: his rating is left alone
        if date is not None:
            night = trial._night_index(date)
            for g in players:
                trial._arrive(g, night)
        trial._learn_round(r1, shares, map_name, _about(players))
        log_time = None if held else math.log(time_to_beat / map_limit_seconds)
        return after_first_round(trial.strength(team_a, team_b, map_name), self.params.noise_sd ** 2, attackers,
                                 log_time)

    # -- writing
    def _copy(self) -> "Rater":
        other = Rater(self.params)
        other.beliefs = self.beliefs.copy()
        other.maps_played, other.last_night, other._nights = dict(self.maps_played), dict(self.last_night), \
            dict(self._nights)
        other.deferred, other.away, other.map_names = dict(self.deferred), dict(self.away), list(self.map_names)
        return other

    def to_state(self) -> tuple[dict, dict]:
        """The whole running state, as JSON-able values and numpy arrays (what
        season.rating_cache stores): `from_state` gives back a rater that continues
        exactly as this one would (dict orders kept: they order the players sent away)."""
        keys, mean, cov = self.beliefs.to_arrays()
        meta = {"params": dataclasses.asdict(self.params), "keys": keys, "maps_played": self.maps_played,
                "last_night": self.last_night, "nights": self._nights, "deferred": self.deferred,
                "away": {g: list(v) for g, v in self.away.items()}, "map_names": self.map_names}
        return meta, {"mean": mean, "cov": cov}

    @classmethod
    def from_state(cls, meta: dict, arrays: dict) -> "Rater":
        from et_pipeline.season.beliefs import Beliefs

        rater = cls(Params(**meta["params"]))
        rater.beliefs = Beliefs.from_arrays(meta["keys"], arrays["mean"], arrays["cov"])
        rater.maps_played, rater.last_night, rater._nights = (dict(meta["maps_played"]), dict(meta["last_night"]),
                                                              dict(meta["nights"]))
        rater.deferred, rater.map_names = dict(meta["deferred"]), list(meta["map_names"])
        rater.away = {g: tuple(v) for g, v in meta["away"].items()}
        return rater

    def _night_index(self, date: str) -> int:
        if date not in self._nights:
            self._nights[date] = len(self._nights)
            self._send_away(self._nights[date])
        return self._nights[date]

    def _ensure(self, g: str) -> None:
        p = self.params
        if _skill(g) not in self.beliefs:
            back = self.away.pop(g, None)
            mu, var, f_mu, f_var, cross = back or (0.0, p.skill_sd ** 2, 0.0, p.frag_sd ** 2,
                                                   p.frag_corr * p.skill_sd * p.frag_sd)
            self.beliefs.add(_skill(g), mu, var)
            self.beliefs.add(_frag(g), f_mu, f_var, ((_skill(g), cross),))

    def _send_away(self, night: int) -> None:
        """Players absent for more than AWAY_NIGHTS community nights leave the joint belief:
        each keeps his own mean and variance (and his skill's covariance with his fragging),
        only his covariances with the others are forgotten. Keeps a long season's update cost
        bounded by the players of the last weeks, not by everyone who ever played."""
        for g, last in self.last_night.items():
            if night - last > AWAY_NIGHTS and _skill(g) in self.beliefs:
                b = self.beliefs
                self.away[g] = (b.mean_of(_skill(g)), b.var_of(_skill(g)), b.mean_of(_frag(g)), b.var_of(_frag(g)),
                                b.cov_of(_skill(g), _frag(g)))
                b.remove(_skill(g))
                b.remove(_frag(g))

    def _arrive(self, g: str, night: int) -> None:
        """The player at his map: known to the beliefs, variance grown for the nights he missed."""
        self._ensure(g)
        last = self.last_night.get(g)
        if last is not None and last != night:
            self.beliefs.grow(_skill(g), self.params.tau ** 2 * (night - last), self.params.skill_sd ** 2)
        self.last_night[g] = night

    def _learn_round(self, r: MapRound, shares: tuple[dict, dict], map_name: str, active: list) -> None:
        """One round: y = b - (S_att - S_def); only `active` quantities (and the map) move."""
        if _map(map_name) not in self.beliefs:
            self.beliefs.add(_map(map_name), self._map_prior(), self.params.map_sd ** 2)
            self.map_names.append(map_name)
        attack, defence = shares if r.attackers == "A" else shares[::-1]
        edge, _, _ = self._advantage(attack, defence, learn=True)
        coef = {k: -c for k, c in edge.items()}
        coef[_map(map_name)] = 1.0
        held = r.outcome == HOLD
        value = math.log((r.limit_seconds if held else r.seconds) / r.map_limit_seconds)
        active = active + [_map(map_name)] + ([NUMBERS] if NUMBERS in coef else [])
        self.beliefs.observe(coef, 0.0, self.params.noise_sd ** 2, value, held, active, self.params.z_max)

    def _learn_winner(self, game: MapGame, shares: tuple[dict, dict], active: list) -> None:
        """A map without a usable round: its winner says the difference had that sign (TrueSkill's
        update; the noise of two rounds' difference, on one strength difference)."""
        won, lost = shares if game.winner == "A" else shares[::-1]
        coef, _, _ = self._advantage(won, lost, learn=True)
        self.beliefs.observe(coef, 0.0, self.params.noise_sd ** 2 / 2.0, 0.0, True,
                             active + ([NUMBERS] if NUMBERS in coef else []), self.params.z_max)

    def _learn_kd(self, game: MapGame, players: set, active: list) -> None:
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
        self.beliefs.observe_many(rows, active)

    def update(self, game: MapGame) -> None:
        night = self._night_index(game.date)
        a, b = merged_shares(game.team_a), merged_shares(game.team_b)
        rounds = [(r, (merged_shares(r.team_a), merged_shares(r.team_b)))
                  for r in sorted(game.rounds, key=lambda r: r.number) if _usable(r)]
        if not rounds and not (a and b and game.winner in ("A", "B")):
            return
        frozen = set(a) & set(b)
        everyone = set(a) | set(b)
        for _, (ra, rb) in rounds:
            frozen |= ra.keys() & rb.keys()
            everyone |= ra.keys() | rb.keys()
        players = sorted(everyone - frozen)
        for g in players:
            self._arrive(g, night)
        active = _about(players)
        before = {g: self.beliefs.mean_of(_skill(g)) for g in players}
        for r, shares in rounds:
            self._learn_round(r, shares, game.map, active)
        if not rounds:
            self._learn_winner(game, (a, b), active)
        self._learn_kd(game, set(players), active)
        self._bound(game, a, b, before)
        for g in players:
            self.maps_played[g] = self.maps_played.get(g, 0) + 1

    def _bound(self, game: MapGame, a: dict, b: dict, before: dict) -> None:
        """The result's sign bounds each move and no move exceeds MAX_MOVE; what they hold
        back is deferred to the player's next map (`deferred`), not dropped: a winner the
        times would have lowered keeps his mean now and loses it at his next draw or loss
        (bench_ratings --tune prints what the bound costs, deferred and dropped)."""
        limit = MAX_MOVE / self.scale
        won = set(a) if game.winner == "A" else set(b) if game.winner == "B" else set()
        lost = set(b) if game.winner == "A" else set(a) if game.winner == "B" else set()
        for g, old in before.items():
            want = self.beliefs.mean_of(_skill(g)) - old + self.deferred.get(g, 0.0)
            move = want
            if self.params.sign_bound:
                move = max(0.0, want) if g in won else min(0.0, want) if g in lost else want
            move = max(-limit, min(limit, move))
            self.deferred[g] = want - move if self.params.defer else 0.0
            self.beliefs.set_mean(_skill(g), old + move)


def _usable(r: MapRound) -> bool:
    """A round whose clock says something: an attack with its time, or a full hold."""
    if not r.map_limit_seconds or r.map_limit_seconds <= 0:
        return False
    if not merged_shares(r.team_a) or not merged_shares(r.team_b):
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
        played = rater.maps_played
        counts = {g: played.get(g, 0) for g, _ in game.team_a + game.team_b + tuple(
            p for r in game.rounds for p in r.team_a + r.team_b)}
        for g in counts:
            if g not in before:
                before[g] = rater.rating(g).value
        rater.update(game)
        for g, n in counts.items():
            if played.get(g, 0) > n:
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
