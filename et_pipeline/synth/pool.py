"""The community the synthetic nights are played by: players with stable GUIDs and
colour-coded names, the server, and the stopwatch map pool.

Everything here is a pure function of the seed, so the same seed always gives the
same community, whatever number of nights is generated.
"""
import math
import random
from dataclasses import dataclass, replace

from et_pipeline.parsers.text import strip_colours

# Nicks of the kind seen on ET:Legacy community servers: ASCII punctuation, a
# clan tag now and then, a few with UTF-8 letters (FORMATS 1.1: raw bytes in the file).
_NICKS = (
    "rambo", "Vektor", "olz", "carniee", "Blaze", "kRm!", "SuperBoyy", "vid", "bronze.",
    "endekk", "oly", "v_kt_r", "Proner", "wiseBoy", "ciril", "lagger", "Mateja", "Fiskalni",
    "Žaba", "Šef", "Čupko", "doktor", "Ghost", "Kaos", "nErO", "Jaka", "Pepi", "Luka.",
    "Tomaž", "sNake", "Yolo", "krompir", "Medo", "Zver", "Ninja", "Ajdovec", "Brko",
    "Cvek", "frag", "Matic",
)
_CLANS = ("^0[^1SX^0]", "^4=^7F^4=", "^a#^7p^a.", "^3(^7oo^3)", "^1.^7r^1.")
_COLOURS = "0123456789abcdefghijklmnopqrstuvwxyz*$"
CLASSES = ("medic", "engineer", "soldier", "fieldops", "covertops")

SERVER_NAMES = ("^a#^7p^au^7rans^a.^7only", "^1My^7Server ^3stopwatch", "^a#^7o^ar^7acle^a.^7sim")
SERVER_IP, SERVER_PORT = "0.0.0.0", "27960"


@dataclass(frozen=True)
class Person:
    guid: str                   # 32 upper-case hex digits (cl_guid)
    name: str                   # raw, with colour codes
    skill: float                # relative fragging strength (~0.6 .. 1.8)
    classes: tuple[str, ...]    # preferred classes, most preferred first
    regularity: float           # how often he shows up (weight when a night is staffed)
    is_bot: bool = False
    stopwatch_skill: float = 1.0  # how much he helps his team set and beat times (synth.outcome)

    @property
    def guid8(self) -> str:
        return self.guid[:8].upper()

    @property
    def clean_name(self) -> str:
        return strip_colours(self.name)


def _colour_name(rng: random.Random, nick: str) -> str:
    style = rng.random()
    c1, c2 = rng.choice(_COLOURS[1:]), rng.choice("7" * 4 + _COLOURS)
    if style < 0.25:
        k = rng.randint(1, max(1, len(nick) - 1))
        name = "^%s%s^%s%s" % (c1, nick[:k], c2, nick[k:])
    elif style < 0.40:
        name = "%s^7%s" % (rng.choice(_CLANS), nick)
    elif style < 0.65:
        name = "^%s%s" % (c1, nick)
    elif style < 0.80:
        name = "".join("^%s%s" % (c1 if i % 2 == 0 else c2, ch) for i, ch in enumerate(nick))
    else:
        name = nick
    # engine limit: 36 bytes including colour codes
    while len(name.encode("utf-8")) > 36:
        name = name[:-1]
    return name


# Correlation (in logs) between fragging strength and stopwatch skill: a fragger tends
# to win maps, but objectives, spawn timing and medic/engineer play count as much.
STOPWATCH_SKILL_CORRELATION = 0.6


def _stopwatch_skill(rng: random.Random, frag: float) -> float:
    r = STOPWATCH_SKILL_CORRELATION
    return round(math.exp(r * math.log(frag) + math.sqrt(1 - r * r) * rng.gauss(0.0, 0.3)), 3)


def _nick_order(seed: int) -> list[str]:
    """The community's nicks in its own order (the pool stream's first draw)."""
    nicks = list(_NICKS)
    random.Random("%s:pool" % seed).shuffle(nicks)
    return nicks


def _guid(rng: random.Random, taken: set) -> str:
    guid = "%032X" % rng.getrandbits(128)
    while guid[:8] in taken or guid.startswith("OMNIBOT"):
        guid = "%032X" % rng.getrandbits(128)
    return guid


def community(seed: int, size: int = 40) -> list[Person]:
    """The players there from the first night (synth.life adds newcomers)."""
    rng = random.Random("%s:pool" % seed)
    own = random.Random("%s:stopwatch-skill" % seed)    # its own stream: the rest of the pool stays as it was
    nicks = list(_NICKS)
    rng.shuffle(nicks)
    people = []
    guids = set()
    for i in range(size):
        nick = nicks[i % len(nicks)] + ("" if i < len(nicks) else str(i // len(nicks) + 1))
        guid = _guid(rng, guids)
        guids.add(guid[:8])
        classes = tuple(rng.sample(CLASSES, k=len(CLASSES)))
        people.append(Person(guid=guid, name=_colour_name(rng, nick), skill=round(rng.lognormvariate(0, 0.3), 3),
                             classes=classes, regularity=rng.choice((6, 5, 4, 3, 2, 1, 1, 1))))
        people[-1] = replace(people[-1], stopwatch_skill=_stopwatch_skill(own, people[-1].skill))
    return people


def newcomer(seed: int, number: int, taken: set) -> Person:
    """The community's `number`-th player (40 and up: a newcomer), from his own stream;
    his 8-digit GUID is none of `taken`."""
    rng = random.Random("%s:newcomer:%d" % (seed, number))
    nicks = _nick_order(seed)
    nick = nicks[number % len(nicks)] + str(number // len(nicks) + 1)
    guid = _guid(rng, taken)
    classes = tuple(rng.sample(CLASSES, k=len(CLASSES)))
    frag = round(rng.lognormvariate(0, 0.3), 3)
    return Person(guid=guid, name=_colour_name(rng, nick), skill=frag, classes=classes,
                  regularity=rng.choice((6, 5, 4, 3, 2, 1, 1, 1)), stopwatch_skill=_stopwatch_skill(rng, frag))


BOT_NAMES = ("Hunter", "Sniper", "Rookie", "Grunt")


def omnibot(number: int) -> Person:
    """Omni-bot: GUID `OMNIBOT` + 2 digits + 23 spaces (FORMATS 6.5), name `[BOT]...`."""
    guid = "OMNIBOT%02d" % number + " " * 23
    return Person(guid=guid, name="[BOT]^3" + BOT_NAMES[number % len(BOT_NAMES)], skill=0.55,
                  classes=("soldier", "medic"), regularity=0, is_bot=True, stopwatch_skill=0.55)


@dataclass(frozen=True)
class MapInfo:
    name: str
    limit_min: int      # time limit in whole minutes
    defender: int       # defending side (1 Axis, 2 Allies), constant for both rounds
    steal: bool         # objective is carried (flag / documents) rather than dynamited


MAPS = (
    MapInfo("supply", 12, 1, True),
    MapInfo("etl_adlernest", 10, 1, True),
    MapInfo("te_escape2", 10, 1, True),
    MapInfo("etl_sp_delivery", 10, 2, True),
    MapInfo("sw_goldrush_te", 12, 1, True),
    MapInfo("erdenberg_t2", 10, 2, False),
    MapInfo("radar", 12, 1, True),
    MapInfo("etl_frostbite", 10, 1, True),
    MapInfo("braundorf_b4", 12, 1, False),
    MapInfo("missile_b3", 15, 2, False),
    MapInfo("bremen_b3", 12, 1, True),
    MapInfo("et_ice", 12, 1, False),
    MapInfo("karsiah_te2", 10, 2, False),
    MapInfo("reactor_final", 15, 1, False),
)
