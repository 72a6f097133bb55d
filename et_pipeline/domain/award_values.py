"""What the stats file says an award's value should be (FORMATS.md 3.3, 1.4).

Both scripts read the same engine counters at the end of the round, and the award
script's own per-round counters match the stats script's: a round-2 award therefore
describes the round-2 stats line *as written* — cumulative (round 1 + round 2) for the
engine counters (damage, deaths, gibs, kills per minute, K/D, light-weapon shots and
head hits), round 2 only for the script counters (revives, sprees, assists, ...), just
like the line's own fields. The differential never enters.

Each rule gives the interval the award's number must lie in, from the winner's line
(and the round's lines, for the deaths only the engine counts):

* counts and hit points: exactly the line's field;
* "Most deaths": the engine also counts self-kills and deaths by a team-mate, which the
  weapon block does not: between the weapon deaths and those plus the line's self-kills
  and the round's team kills;
* "Best K/D ratio": kills over those engine deaths (kills + 1 without a death), to 0.001;
* "Most kills per minute": kills over minutes on a team, whose 0.1-minute rounding in the
  stats file it allows, to 0.01;
* the light-weapon accuracies: hits / shots and head hits / hits over Luger, Colt, MP40,
  Thompson, Sten and MP34, to 0.01 percent.

* the sprees: the stats script records 3 or more only, so a line's 0 allows 2.

Awards the stats file has no counterpart for (distances, multikill chains, the kills
per weapon class the award script counts by means of death, the dead-time shares, the
meat shield) are not checked, nor the useless kills (the stats script's respawn-time
fields stop working for a team in some versions, FORMATS 1.5) and the playtime denied
(the two scripts adjust for pauses differently).
"""
from typing import Callable

from et_pipeline.parsers.stats_file import TAB_FIELDS, PlayerLine

LIGHT_WEAPONS = frozenset({2, 3, 4, 5, 6, 26})      # Luger, Colt, MP40, Thompson, Sten, MP34 (FORMATS 1.3)
Interval = tuple[float, float]
Rule = Callable[[PlayerLine, list[PlayerLine]], Interval]


def _field(name: str) -> Rule:
    i = TAB_FIELDS.index(name)
    return lambda p, _lines: (p.tab[i], p.tab[i])


def _light(p: PlayerLine) -> tuple[int, int, int]:
    """hits, shots, head hits over the light weapons."""
    groups = [w for j, w in p.weapons.items() if j in LIGHT_WEAPONS]
    return sum(w[0] for w in groups), sum(w[1] for w in groups), sum(w[4] for w in groups)


def _engine_deaths(p: PlayerLine, lines: list[PlayerLine]) -> Interval:
    deaths = p.weapon_totals()[3]
    return deaths, deaths + p.tab_value("self_kills") + sum(q.tab_value("team_kills") for q in lines)


def _kd(p: PlayerLine, lines: list[PlayerLine]) -> Interval:
    kills = p.weapon_totals()[2]
    low, high = _engine_deaths(p, lines)
    ratios = [kills / d if d else kills + 1 for d in (low, high)]
    return min(ratios) - 0.001, max(ratios) + 0.001


def _kills_per_minute(p: PlayerLine, _lines) -> Interval:
    kills, minutes = p.weapon_totals()[2], p.tab_value("time_played_minutes")
    if minutes <= 0.05:
        return float("-inf"), float("inf")
    return kills / (minutes + 0.05) - 0.01, kills / (minutes - 0.05) + 0.01


def _percent(num: int, den: int) -> Interval:
    value = 100.0 * num / den if den else 0.0
    return value - 0.01, value + 0.01


def _spree(name: str) -> Rule:
    """The stats script records a spree of 3 or more only; the award is written from 2."""
    i = TAB_FIELDS.index(name)
    return lambda p, _lines: (p.tab[i], p.tab[i]) if p.tab[i] else (0, 2)


# award -> (rule, exact): the game's counters that the stats line writes as they are must
# agree; for the scripts' own counters (revives, sprees, assists, ...), each counted by
# each script itself, and for the game's kill count (a kill no weapon made, a crush,
# counts there but not in the weapon block), a difference is a quirk, not a contradiction.
AWARD_VALUES: dict[str, tuple[Rule, bool]] = {
    "Most damage given": (_field("damage_given"), True),
    "Most damage received": (_field("damage_received"), True),
    "Most team damage given": (_field("team_damage_given"), True),
    "Most team damage received": (_field("team_damage_received"), True),
    "Most teamkills": (_field("team_kills"), True),
    "Most selfkills": (_field("self_kills"), True),
    "Most corpse gibs": (_field("gibs"), True),
    "Most deaths": (_engine_deaths, True),
    "Best K/D ratio": (_kd, False),                 # the game's kill count can hold a kill no weapon made
    "Most kills per minute": (_kills_per_minute, False),
    "Highest light weapons accuracy": (lambda p, _l: _percent(_light(p)[0], _light(p)[1]), True),
    "Highest headshot accuracy": (lambda p, _l: _percent(_light(p)[2], _light(p)[0]), True),
    "Most headshots": (lambda p, _l: (_light(p)[2],) * 2, True),
    "Most bullets fired": (lambda p, _l: (_light(p)[1],) * 2, True),
    "Most revives": (_field("revives_given"), False),
    "Most revived": (_field("times_revived"), False),
    "Longest killing spree": (_spree("killing_spree"), False),
    "Longest death spree": (_spree("death_spree"), False),
    "Most kill assists": (_field("kill_assists"), False),
    "Most killsteals": (_field("kill_steals"), False),
    "Most headshot kills": (_field("headshot_kills"), False),
    "Most dynamites planted": (_field("dynamites_planted"), False),
    "Most dynamites defused": (_field("dynamites_defused"), False),
    "Most objectives stolen": (_field("objectives_stolen"), False),
    "Most objectives returned": (_field("objectives_returned"), False),
}


def expected(award: str, winner: PlayerLine, lines: list[PlayerLine]) -> tuple[Interval, bool] | None:
    """(the interval the award's value must lie in, whether a value outside it is a
    contradiction); None: the stats file does not say."""
    rule = AWARD_VALUES.get(award)
    return (rule[0](winner, lines), rule[1]) if rule else None


def shown(interval: Interval) -> str:
    """An interval as an admin reads it: one number when it is one."""
    low, high = interval
    if high - low <= 0.02:
        return "%g" % round((low + high) / 2, 3)
    return "%g to %g" % (round(low, 2), round(high, 2))
