"""Players who come and go during a map, as the engine and the scripts record it
(FORMATS 1.3, 1.4 notes, 2.3, 5 #16/#17):

* `drop_r1_back_r2`: he leaves round 1 (his round-1 line keeps what he had done), and
  comes back for round 2 with fresh engine counters, so his round-2 line holds round 2
  only. Back before round 2 starts, the engine counts that round start for him too
  (`rounds` 1, like everybody); back during round 2, `rounds` stays 0.
* `join_mid_r1`: he connects during round 1 and stays: his round-2 line is cumulative.
* `leave_in_r1`: he leaves during round 1 for good (his round-1 line stays).
* `leave_between_rounds`: he plays round 1 and is gone for round 2.

(A drop and a return inside round 2, and a newcomer replacing a leaver in round 2, are
the night's `reconnect_r2` and `late_joiner_r2` edge cases.)

The choices come from their own random stream, so a night without one of these cases
is the same night it was before they existed. Each case gets a map of its own, never
one whose round 1 or round 2 is missing or where someone else already comes and goes.
"""
import random
from dataclasses import dataclass

from et_pipeline.synth.sim import Engine, Player

PRESENCE_CASES = ("drop_r1_back_r2", "join_mid_r1", "leave_in_r1", "leave_between_rounds")
_COMPATIBLE_EDGES = (None, "surrender", "omnibot", "double_fullhold")
_LEAVES = ("leave_in_r1", "leave_between_rounds")


@dataclass
class Presence:
    """One case on one map: who, and when (seconds of game clock)."""
    case: str
    player: Player
    back_before_r2: bool = False

    @property
    def leaves(self) -> bool:
        return self.case in _LEAVES

    def truth(self) -> dict:
        return dict(case=self.case, player=self.player.person.guid8, back_before_r2=self.back_before_r2)


def presence_rng(seed: int, index: int) -> random.Random:
    return random.Random("%s:presence:%d" % (seed, index))


def assign_cases(rng: random.Random, n_maps: int, map_edges: dict[int, str], rates: dict[str, float]) -> dict[int, str]:
    """Map index -> presence case, each case drawn with its rate, each on its own map."""
    wanted = [c for c in PRESENCE_CASES if rng.random() < rates.get(c, 0.0)]
    free = [i for i in range(n_maps) if map_edges.get(i) in _COMPATIBLE_EDGES]
    rng.shuffle(free)
    return dict(zip(free, wanted))


def _someone(rng: random.Random, players: list[Player]) -> Player | None:
    """A human from a group that keeps at least two players on the map."""
    groups = {g: [p for p in players if p.group == g and not p.person.is_bot] for g in "AB"}
    pool = [p for p in players if not p.person.is_bot and len(groups[p.group]) > 2]
    return rng.choice(pool) if pool else None


def in_round1(rng: random.Random, case: str | None, players: list[Player], duration: float) -> Presence | None:
    """Set the chosen player's presence in round 1 (everybody else is there throughout)."""
    if case is None:
        return None
    p = _someone(rng, players)
    if p is None:
        return None
    if case in ("drop_r1_back_r2", "leave_in_r1"):
        p.intervals = [(0.0, rng.uniform(0.15, 0.75) * duration)]
    elif case == "join_mid_r1":
        p.intervals = [(rng.uniform(0.15, 0.7) * duration, duration)]
    return Presence(case, p, back_before_r2=case == "drop_r1_back_r2" and rng.random() < 0.5)


def round2_players(presence: Presence | None, players: list[Player]) -> list[Player]:
    """Who is on the server for round 2."""
    if presence is None or not presence.leaves:
        return players
    return [p for p in players if p is not presence.player]


def in_round2(rng: random.Random, presence: Presence | None, duration: float) -> dict[int, str]:
    """Set the returning player's round-2 presence and counters; returns the truth's
    `values_from` for players whose round-2 line is not cumulative (slot -> how)."""
    if presence is None or presence.case != "drop_r1_back_r2":
        return {}
    p = presence.player
    p.engine = Engine()                      # a new connection: the engine starts from zero
    if presence.back_before_r2:
        p.rounds, p.intervals = 1, [(0.0, duration)]
    else:
        p.rounds, p.intervals = 0, [(rng.uniform(0.1, 0.5) * duration, duration)]
    return {p.slot: "raw_rejoined"}


def present_at_end(players: list[Player], duration: float) -> list[Player]:
    """The players still connected when the round ended: the award script and the
    timing script only see them (a player who left keeps his stats line)."""
    return [p for p in players if p.active(duration - 1e-3)]
