"""One round of play, event by event: who killed whom with what, and the counters the
engine (cumulative over a map's two rounds) and the Lua scripts (fresh every round)
keep about it (FORMATS.md 1.4 and 2.1).

The model is simple but consistent: every kill adds a weapon kill to the killer and a
weapon death (same weapon) to the victim, the same damage to both sides' damage
given/received, the same pair to the endstats VS table; hits, shots and headshots
follow from the weapon; revives are syringe hits of a medic on the victim's side.
"""
import math
import random
from dataclasses import dataclass, field

from et_pipeline.synth.pool import Person

# weapon ids (FORMATS 1.3)
KNIFE, KBAR, LUGER, COLT, MP40, THOMPSON, STEN, FG42, PANZER, BAZOOKA, FLAMER, GRENADE = range(12)
MORTAR, MORTAR2, DYNAMITE, AIRSTRIKE, ARTILLERY, SATCHEL, RIFLENADE, LANDMINE, MG42, BROWNING = range(12, 22)
CARBINE, KAR98, GARAND, K43, MP34, SYRINGE = range(22, 28)

_BY_SIDE = {  # weapon kind -> {side: weapon id}
    "smg": {1: MP40, 2: THOMPSON}, "pistol": {1: LUGER, 2: COLT}, "knife": {1: KNIFE, 2: KBAR},
    "grenade": {1: GRENADE, 2: GRENADE}, "rifle": {1: KAR98, 2: CARBINE}, "riflenade": {1: RIFLENADE, 2: RIFLENADE},
    "dynamite": {1: DYNAMITE, 2: DYNAMITE}, "landmine": {1: LANDMINE, 2: LANDMINE},
    "panzer": {1: PANZER, 2: BAZOOKA}, "mg": {1: MG42, 2: BROWNING}, "mortar": {1: MORTAR2, 2: MORTAR},
    "flamer": {1: FLAMER, 2: FLAMER}, "airstrike": {1: AIRSTRIKE, 2: AIRSTRIKE},
    "artillery": {1: ARTILLERY, 2: ARTILLERY}, "sten": {1: STEN, 2: STEN}, "fg42": {1: FG42, 2: FG42},
    "sniper": {1: K43, 2: GARAND}, "satchel": {1: SATCHEL, 2: SATCHEL}, "mp34": {1: MP34, 2: MP34},
}
# per class: primary options, secondary kinds
_CLASS_KIT = {
    "medic": (("smg",), ("pistol", "grenade", "knife")),
    "engineer": (("smg", "rifle"), ("grenade", "pistol", "dynamite", "landmine")),
    "soldier": (("smg", "panzer", "mg", "mortar", "flamer"), ("pistol", "grenade")),
    "fieldops": (("smg",), ("airstrike", "artillery", "grenade", "pistol")),
    "covertops": (("sten", "fg42", "sniper", "mp34"), ("pistol", "satchel", "knife")),
}
_HITS_PER_KILL = {"smg": (4, 8), "pistol": (4, 8), "sten": (4, 8), "mp34": (4, 8), "fg42": (3, 6), "rifle": (2, 4),
                  "sniper": (1, 2), "mg": (5, 10), "flamer": (8, 15), "knife": (1, 2)}
_ACCURACY = {"smg": (0.22, 0.42), "pistol": (0.18, 0.35), "sten": (0.22, 0.40), "mp34": (0.22, 0.40),
             "fg42": (0.25, 0.40), "rifle": (0.35, 0.60), "sniper": (0.45, 0.70), "mg": (0.12, 0.25),
             "flamer": (0.55, 0.75), "knife": (0.5, 0.8)}
LIGHT_WEAPONS = frozenset({LUGER, COLT, MP40, THOMPSON, STEN, MP34})
PISTOLS = frozenset({LUGER, COLT})
RIFLES = frozenset({CARBINE, KAR98})
SNIPERS = frozenset({GARAND, K43})
KNIVES = frozenset({KNIFE, KBAR})
AIR = frozenset({AIRSTRIKE, ARTILLERY})
PANZERS = frozenset({PANZER, BAZOOKA})
MORTARS = frozenset({MORTAR, MORTAR2})
MGS = frozenset({MG42, BROWNING})


@dataclass
class Engine:
    """Engine session counters: kept across the R1 -> R2 restart, reset at a new map or
    a reconnect."""
    weapons: dict = field(default_factory=dict)   # id -> [hits, shots, kills, deaths, headshots]
    damage_given: int = 0
    damage_received: int = 0
    team_damage_given: int = 0
    team_damage_received: int = 0
    gibs: int = 0
    self_kills: int = 0
    team_kills: int = 0
    team_gibs: int = 0
    team_ms: int = 0
    alive_ms: int = 0

    def weapon(self, j: int) -> list:
        return self.weapons.setdefault(j, [0, 0, 0, 0, 0])

    def total(self, idx: int) -> int:
        return sum(w[idx] for w in self.weapons.values())

    def copy(self) -> "Engine":
        e = Engine(**{k: v for k, v in self.__dict__.items() if k != "weapons"})
        e.weapons = {j: list(w) for j, w in self.weapons.items()}
        return e


@dataclass
class Script:
    """The Lua scripts' own per-round counters (fresh Lua state every round)."""
    xp: int = 0
    killing_spree: int = 0
    death_spree: int = 0
    kill_assists: int = 0
    kill_steals: int = 0
    headshot_kills: int = 0
    objectives_stolen: int = 0
    objectives_returned: int = 0
    dynamites_planted: int = 0
    dynamites_defused: int = 0
    times_revived: int = 0
    dead_ms: int = 0
    useful_kills: int = 0
    denied_ms: int = 0
    multikill: list = field(default_factory=lambda: [0, 0, 0, 0, 0])   # chains ending at 2,3,4,5,6+
    useless_kills: int = 0
    full_selfkills: int = 0
    repairs: int = 0
    revives_given: int = 0
    weapon_kills: dict = field(default_factory=dict)     # this round, for endstats
    weapon_deaths: dict = field(default_factory=dict)
    spawns: int = 1
    max_respawn: int = 0
    # running state
    _run: int = 0
    _drun: int = 0
    _last_kill: float = -99.0
    _chain: int = 0

    def close_chain(self) -> None:
        if self._chain >= 2:
            self.multikill[min(self._chain, 6) - 2] += 1
        self._chain = 0


@dataclass
class Kit:
    """One player's loadout for a night: weapon kinds with kill weights, per-kind accuracy."""
    cls: str
    kinds: list            # [(kind, weight)]
    accuracy: dict         # kind -> hit ratio
    headshot: float        # head hits per hit for aimed weapons

    @classmethod
    def draw(cls, rng: random.Random, person: Person, class_name: str) -> "Kit":
        primaries, secondaries = _CLASS_KIT[class_name]
        primary = primaries[0] if len(primaries) == 1 else rng.choice(primaries)
        kinds = [(primary, 0.78)]
        rest = 0.22 / len(secondaries)
        kinds += [(k, rest) for k in secondaries]
        if primary == "rifle":
            kinds.append(("riflenade", 0.10))
        acc = {k: rng.uniform(*_ACCURACY[k]) * min(1.25, 0.8 + person.skill / 5) for k in _ACCURACY}
        return cls(class_name, kinds, acc, rng.uniform(0.08, 0.30))

    @property
    def primary(self) -> str:
        return self.kinds[0][0]


@dataclass
class Player:
    """A client on the server during one map (both rounds)."""
    person: Person
    group: str                  # persistent group: "A" or "B"
    kit: Kit
    slot: int
    side: int = 0
    rounds: int = 0             # engine sess.rounds (0 in R1, 1 in R2 for those at both round starts)
    engine: Engine = field(default_factory=Engine)
    script: Script = field(default_factory=Script)
    intervals: list = field(default_factory=list)    # [(start, end)] of presence in this round, seconds
    reset_at: float | None = None                     # reconnect: counters restart at this time
    presence: float = 1.0                             # share of this round he is there for (synth.outcome)

    def active(self, t: float) -> bool:
        for a, b in self.intervals:
            if a <= t < b:
                return True
        return False

    def present_ms(self, after: float = 0.0) -> int:
        return int(sum(max(0.0, b - max(a, after)) for a, b in self.intervals) * 1000)


def _weighted(rng: random.Random, items: list, weights: list):
    return rng.choices(items, weights=weights, k=1)[0]


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 40:
        return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))
    l, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= l:
            return k
        k += 1


@dataclass
class RoundPlay:
    """What happened in one round, for the writers."""
    duration: int                     # game-clock seconds played
    vs: dict = field(default_factory=dict)   # (killer slot, victim slot) -> kills


def _reset(p: Player) -> None:
    p.engine = Engine()
    p.script = Script()
    p.rounds = 0


def _kill(rng: random.Random, play: RoundPlay, t: float, killer: Player, victim: Player, team: list[Player],
          weapon_kind: str | None = None) -> None:
    kit = killer.kit
    kind = weapon_kind or _weighted(rng, [k for k, _ in kit.kinds], [w for _, w in kit.kinds])
    j = _BY_SIDE[kind][killer.side]
    ke, ve, ks, vs = killer.engine, victim.engine, killer.script, victim.script
    g = ke.weapon(j)
    damage = rng.randint(100, 160)
    if kind in _HITS_PER_KILL:
        hits = rng.randint(*_HITS_PER_KILL[kind])
        g[0] += hits
        g[1] += max(hits, int(round(hits / kit.accuracy[kind])))
        if kind not in ("knife", "flamer"):
            g[4] += sum(rng.random() < kit.headshot * (2.0 if kind == "sniper" else 1.0) for _ in range(hits))
        if kind not in ("knife", "flamer", "mg") and rng.random() < kit.headshot * 1.6:
            ks.headshot_kills += 1
    else:   # explosives: one hit per kill, a miss now and then
        g[0] += 1
        g[1] += 1 + (rng.random() < 0.35)
    g[2] += 1
    ve.weapon(j)[3] += 1
    ke.damage_given += damage
    ve.damage_received += damage
    ks.weapon_kills[j] = ks.weapon_kills.get(j, 0) + 1
    vs.weapon_deaths[j] = vs.weapon_deaths.get(j, 0) + 1
    play.vs[(killer.slot, victim.slot)] = play.vs.get((killer.slot, victim.slot), 0) + 1
    # sprees and kill chains (< 3 s apart)
    ks._run += 1
    ks._drun = 0
    if ks._run >= 3:
        ks.killing_spree = max(ks.killing_spree, ks._run)
    vs._drun += 1
    vs._run = 0
    if vs._drun >= 3:
        vs.death_spree = max(vs.death_spree, vs._drun)
    if t - ks._last_kill < 3.0:
        ks._chain += 1
    else:
        ks.close_chain()
        ks._chain = 1
    ks._last_kill = t
    ks.xp += rng.choice((3, 4, 5))
    if rng.random() < 0.3:
        ke.gibs += 1
    r = rng.random()
    if r < 0.45:
        ks.useful_kills += 1
    elif r < 0.60:
        ks.useless_kills += 1
    if rng.random() < 0.06:
        ks.kill_steals += 1
    mates = [m for m in team if m is not killer and m.side == killer.side and m.active(t)]
    if mates and rng.random() < 0.3:     # a team-mate had hit the victim: an assist, his damage
        helper = rng.choice(mates)
        helper.script.kill_assists += 1
        extra = rng.randint(15, 45)
        hg = helper.engine.weapon(_BY_SIDE[helper.kit.primary][helper.side])
        hg[0] += 2
        hg[1] += max(2, int(round(2 / helper.kit.accuracy.get(helper.kit.primary, 0.3))))
        helper.engine.damage_given += extra
        ve.damage_received += extra
    # the victim: revived by a medic, or dead until the next spawn wave
    medics = [m for m in play_team(victim, team, t) if m.kit.cls == "medic"]
    if medics and rng.random() < 0.35:
        medic = rng.choice(medics)
        syr = medic.engine.weapon(SYRINGE)
        syr[0] += 1
        syr[1] += 1 + (rng.random() < 0.2)
        medic.script.revives_given += 1
        medic.script.xp += 2
        vs.times_revived += 1
        dead = rng.randint(2000, 6000)
    else:
        dead = rng.randint(5000, 22000)
        vs.spawns += 1
        vs.max_respawn = max(vs.max_respawn, dead // 1000)
    vs.dead_ms += dead
    ks.denied_ms += dead


def play_team(victim: Player, everyone: list[Player], t: float) -> list[Player]:
    return [m for m in everyone if m is not victim and m.side == victim.side and m.active(t)]


def simulate_round(rng: random.Random, players: list[Player], duration: int, attack_side: int,
                   attackers_won: bool, steal_map: bool) -> RoundPlay:
    """Play one round. `players` have their side and presence intervals set and carry the
    engine counters of the map so far (R2) or fresh ones (R1); script counters restart."""
    play = RoundPlay(duration=duration)
    for p in players:
        p.script = Script()
    minutes = sum(p.present_ms() for p in players) / 60000
    rate = rng.uniform(0.75, 1.05)
    times = sorted(rng.uniform(0, duration) for _ in range(_poisson(rng, minutes * rate)))
    resets = sorted((p.reset_at, p.slot) for p in players if p.reset_at is not None)
    by_slot = {p.slot: p for p in players}
    whole = [(0.0, float(duration))]
    always = [p for p in players if p.intervals == whole and p.reset_at is None]
    sometimes = [p for p in players if p not in always]
    for t in times:
        while resets and resets[0][0] <= t:
            _reset(by_slot[resets.pop(0)[1]])
        active = always + [p for p in sometimes if p.active(t)] if sometimes else always
        sides = {1: [p for p in active if p.side == 1], 2: [p for p in active if p.side == 2]}
        if not sides[1] or not sides[2]:
            continue
        strength = {s: sum(p.person.skill for p in sides[s]) for s in (1, 2)}
        ks = 1 if rng.random() < strength[1] / (strength[1] + strength[2]) else 2
        killer = _weighted(rng, sides[ks], [p.person.skill ** 1.6 for p in sides[ks]])
        victim = _weighted(rng, sides[3 - ks], [1 / p.person.skill for p in sides[3 - ks]])
        _kill(rng, play, t, killer, victim, players)
        if rng.random() < 0.07 and len(sides[3 - ks]) > 1:   # a quick double
            second = rng.choice([v for v in sides[3 - ks] if v is not victim])
            _kill(rng, play, t + rng.uniform(0.4, 2.5), killer, second, players)
    for _, slot in resets:
        _reset(by_slot[slot])
    for p in players:
        _finish(rng, p, players, duration)
    _objectives(rng, players, attack_side, attackers_won, steal_map)
    return play


def _finish(rng: random.Random, p: Player, everyone: list[Player], duration: int) -> None:
    e, s = p.engine, p.script
    s.close_chain()
    present = p.present_ms(after=p.reset_at or 0.0)
    minutes = present / 60000
    s.dead_ms = min(s.dead_ms, int(present * 0.6))
    e.team_ms += present
    limbo = int(present * rng.uniform(0.0, 0.04))
    e.alive_ms += max(0, present - s.dead_ms - limbo)
    # damage that did not kill, grenades that missed, a few team hits and /kills
    enemies = [m for m in everyone if m.side != p.side and m.side in (1, 2)]
    kind = p.kit.primary
    j = _BY_SIDE[kind][p.side]
    if kind in _ACCURACY and minutes > 0:
        hits = int(round(rng.uniform(1.0, 3.5) * minutes))
        g = e.weapon(j)
        g[0] += hits
        g[1] += int(round(hits / p.kit.accuracy[kind])) + int(rng.uniform(0, 4) * minutes)
        if kind not in ("knife", "flamer"):
            g[4] += sum(rng.random() < p.kit.headshot for _ in range(hits))
        dmg = hits * rng.randint(12, 20)
        e.damage_given += dmg
        for part in _thirds(dmg):          # every point given is a point some enemy received
            if enemies:
                rng.choice(enemies).engine.damage_received += part
    elif minutes > 0:
        g = e.weapon(j)
        g[1] += rng.randint(0, 3)
    if minutes > 0 and rng.random() < 0.5:
        e.weapon(GRENADE)[1] += rng.randint(1, 3)
    mates = [m for m in everyone if m is not p and m.side == p.side]
    if mates and rng.random() < 0.3:
        amount = rng.randint(8, 120)
        e.team_damage_given += amount
        rng.choice(mates).engine.team_damage_received += amount
    if mates and rng.random() < 0.04:
        e.team_kills += 1
        if rng.random() < 0.3:
            e.team_gibs += 1
    if rng.random() < 0.25:
        n = 1 + (rng.random() < 0.2)
        e.self_kills += n
        if rng.random() < 0.4:
            s.full_selfkills += 1
        s.dead_ms += n * 8000
    if p.kit.cls == "engineer":
        s.repairs += rng.randint(0, 3)
        s.xp += 3 * s.repairs
    if p.kit.cls == "medic" and minutes > 0:
        e.weapon(SYRINGE)[1] += rng.randint(0, 2)
    s.xp += rng.randint(0, 12)


def _thirds(n: int) -> tuple[int, int, int]:
    return n // 3, n // 3, n - 2 * (n // 3)


def _objectives(rng: random.Random, players: list[Player], attack_side: int, attackers_won: bool,
                steal_map: bool) -> None:
    attackers = [p for p in players if p.side == attack_side]
    defenders = [p for p in players if p.side == 3 - attack_side]
    if not attackers or not defenders:
        return
    engineers = [p for p in attackers if p.kit.cls == "engineer"] or attackers
    if attackers_won or rng.random() < 0.5:
        carrier = rng.choice(attackers if steal_map else engineers)
        if steal_map:
            carrier.script.objectives_stolen += 1 + (not attackers_won and rng.random() < 0.3)
        else:
            carrier.script.dynamites_planted += 1 + (rng.random() < 0.4)
        carrier.script.xp += 10
    if not attackers_won:
        d = rng.choice(defenders)
        if steal_map:
            d.script.objectives_returned += rng.randint(0, 2)
        else:
            d.script.dynamites_defused += rng.randint(0, 2)
        d.script.xp += 5
