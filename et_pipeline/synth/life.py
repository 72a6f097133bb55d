"""The life of a community over a season, for the generator: who is around on a night,
how good he is that night, odd line-ups, and players replaced partway through a round.
These are what break ratings, at rates a small stopwatch community sees:

* Newcomers: one every NEWCOMER_EVERY (10) nights on average. A newcomer plays below
  his potential at first: LEARN_GAP (0.2 in log skill, about 20 % slower attacks)
  below it, the gap shrinking by a factor e every LEARN_NIGHTS (15) community nights.
* Players who stop coming: every player has a career (exponential, mean CAREER_NIGHTS,
  400 community nights); TRYER_SHARE (35 %) of newcomers only try the server and stop
  after TRYER_NIGHTS (8) nights on average.
* Form: everybody's stopwatch skill drifts, a mean-reverting walk in log skill with
  standard deviation FORM_SD (0.12) around his potential and a time constant of
  FORM_NIGHTS (120) community nights (about 0.015 a night).
* Odd nights: ODD_NIGHTS (15 %) of nights have one player too few for even teams, so
  one team plays a man down (4 v 3); on half of those, a late arrival evens the teams
  from a later map on.
* A substitute: on SUBSTITUTE_MAPS (8 %) of maps without another edge case (nor one of
  presence.py's comings and goings), a player leaves partway through a round (10-90 %
  into it) and a spare takes his place for the rest of the night. Both are in that
  round's stats file with their part of it (the engine keeps a disconnected player's
  last snapshot); the award and timing scripts see only the substitute.

Every draw here comes from its own seeded stream (per night, or per person), so a night
is the same whatever number of nights is generated.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace

from et_pipeline.synth.pool import Person, community, newcomer
from et_pipeline.synth.sim import Player

NEWCOMER_EVERY = 10.0
LEARN_GAP = 0.2
LEARN_NIGHTS = 15.0
CAREER_NIGHTS = 400.0
TRYER_SHARE = 0.35
TRYER_NIGHTS = 8.0
FORM_SD = 0.12
FORM_NIGHTS = 120.0
ODD_NIGHTS = 0.15
LATE_ARRIVAL = 0.5
SUBSTITUTE_MAPS = 0.08


@dataclass(frozen=True)
class Member:
    person: Person             # his potential (skills without form or learning)
    arrives: int               # first community night he can play (night index)
    stops: int                 # last one
    newcomer: bool


class Community:
    """The season's people, night by night (prefix-stable: night k never depends on how
    many nights are generated)."""

    def __init__(self, seed: int):
        self.seed = seed
        self.members: list[Member] = []
        for p in community(seed):
            career = random.Random("%s:career:%s" % (seed, p.guid8))
            self.members.append(Member(p, 0, int(career.expovariate(1 / CAREER_NIGHTS)), False))
        self._arrivals = random.Random("%s:arrivals" % seed)
        self._next_arrival = self._arrivals.expovariate(1 / NEWCOMER_EVERY)
        self._forms: dict[str, list[float]] = {}
        self._walks: dict[str, random.Random] = {}

    def _admit_until(self, night: int) -> None:
        while self._next_arrival <= night:
            number = len(self.members)
            p = newcomer(self.seed, number, {m.person.guid8 for m in self.members})
            rng = random.Random("%s:career:%s" % (self.seed, p.guid8))
            mean = TRYER_NIGHTS if rng.random() < TRYER_SHARE else CAREER_NIGHTS
            arrives = int(math.ceil(self._next_arrival))
            self.members.append(Member(p, arrives, arrives + int(rng.expovariate(1 / mean)), True))
            self._next_arrival += self._arrivals.expovariate(1 / NEWCOMER_EVERY)

    def everyone(self, nights: int) -> list[Member]:
        """Everybody who arrived in the first `nights` nights."""
        self._admit_until(nights - 1)
        return [m for m in self.members if m.arrives < nights]

    def _form(self, guid8: str, night: int) -> float:
        """His form (log skill around his potential) on `night`: a mean-reverting walk."""
        path = self._forms.get(guid8)
        if path is None:
            walk = self._walks[guid8] = random.Random("%s:form:%s" % (self.seed, guid8))
            path = self._forms[guid8] = [walk.gauss(0.0, FORM_SD)]
        rho = math.exp(-1.0 / FORM_NIGHTS)
        while len(path) <= night:
            path.append(rho * path[-1] + math.sqrt(1 - rho * rho) * FORM_SD * self._walks[guid8].gauss(0.0, 1.0))
        return path[night]

    def tonight(self, night: int) -> list[Person]:
        """Who can play on night `night`, each with his skills of that night."""
        self._admit_until(night)
        out = []
        for m in self.members:
            if m.arrives <= night <= m.stops:
                learning = LEARN_GAP * math.exp(-(night - m.arrives) / LEARN_NIGHTS) if m.newcomer else 0.0
                p = m.person
                out.append(replace(p, skill=round(p.skill * math.exp(-learning), 3),
                                   stopwatch_skill=round(p.stopwatch_skill * math.exp(self._form(p.guid8, night)
                                                                                      - learning), 4)))
        return out


def night_stream(seed: int, index: int) -> random.Random:
    return random.Random("%s:life:%d" % (seed, index))


def odd_night(rng: random.Random) -> bool:
    return rng.random() < ODD_NIGHTS


def late_arrival_map(rng: random.Random, odd: bool, maps: int) -> int | None:
    """On an odd night, the map from which a late arrival evens the teams (or None)."""
    if odd and maps > 1 and rng.random() < LATE_ARRIVAL:
        return rng.randint(1, maps - 1)
    return None


@dataclass(frozen=True)
class Substitute:
    round: int            # 1 | 2
    group: str            # "A" | "B"
    at: float             # fraction of the round when the leaver goes and the substitute comes in


def substitute(rng: random.Random, edge: str | None) -> Substitute | None:
    """Whether a player of this map is replaced partway through a round (maps with another
    edge case keep theirs alone)."""
    if edge is not None or rng.random() >= SUBSTITUTE_MAPS:
        return None
    return Substitute(round=rng.choice((1, 2)), group=rng.choice("AB"), at=rng.uniform(0.1, 0.9))


def late_arrival(rng: random.Random, members: dict[str, list[Person]], spares: list[Person]) -> None:
    """A spare joins the short team for the rest of the night."""
    short = min("AB", key=lambda g: (len(members[g]), g))
    person = rng.choice(spares)
    spares.remove(person)
    members[short] = members[short] + [person]


@dataclass
class Swap:
    """One substitute in one round: the leaver goes `at` into it and the joiner takes his place."""
    sub: Substitute
    leaver: Player
    joiner: Player

    def settle(self, players: list[Player], members: dict[str, list[Person]], left: set) -> list[Player]:
        """After the round: the leaver is gone for the night, the joiner plays on for his team."""
        left.add(self.leaver.person.guid)
        g = self.sub.group
        members[g] = [p for p in members[g] if p is not self.leaver.person] + [self.joiner.person]
        return [p for p in players if p is not self.leaver]

    def truth(self) -> dict:
        return dict(round=self.sub.round, group=self.sub.group, at=round(self.sub.at, 3),
                    out=self.leaver.person.guid8, came_in=self.joiner.person.guid8)


def bring_in(rng: random.Random, sub: Substitute, players: list[Player], spares: list[Person], kit_for) -> Swap | None:
    """Pick the leaver and the substitute for `sub` and put the substitute in `players` on
    the leaver's side; their presence intervals are set as fractions of the round (the
    leaver's line stays in the stats file, as the engine keeps a disconnected player's
    last snapshot; the scripts that run at the round's end no longer see him).
    `kit_for(person)` gives the substitute's loadout."""
    candidates = [p for p in players if p.group == sub.group and not p.person.is_bot]
    if not candidates or not spares:
        return None
    leaver = rng.choice(candidates)
    person = rng.choice(spares)
    spares.remove(person)
    joiner = Player(person=person, group=sub.group, kit=kit_for(person), slot=max(p.slot for p in players) + 1,
                    side=leaver.side, rounds=0, intervals=[(sub.at, 1.0)])
    leaver.intervals = [(0.0, sub.at)]
    players.append(joiner)
    return Swap(sub, leaver, joiner)


def presence_from_intervals(players: list[Player]) -> None:
    """Each player's share of the round, from his presence intervals in fractions of it."""
    for p in players:
        p.presence = sum(b - a for a, b in p.intervals)


def stretch(players: list[Player], duration: float) -> None:
    """Presence intervals from fractions of the round to its seconds, once its length is known."""
    for p in players:
        p.intervals = [(a * duration, b * duration) for a, b in p.intervals]
