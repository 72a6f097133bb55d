"""Per-round player numbers (DOMAIN.md 6.1) and the round-2 differential (DOMAIN.md 2.4,
FORMATS.md 2.3, the recommended variant; which lines get it: domain.r2_rule).

A round-2 file is cumulative for the engine counters (weapon block, TAB 0-8, 20, 22) and
per-round for the script's own counters (TAB 9-19, 25, 27-37). The differential builds a
"this round only" player line and every number is then computed from a line the same
way, so R1 rows, R2 rows and orphan rows share one formula.
"""
from dataclasses import replace
from operator import itemgetter, sub

from et_pipeline.parsers.stats_file import INT_TABS, TAB_FIELDS, WEAPONS, PlayerLine

CUMULATIVE_TABS = frozenset({0, 1, 2, 3, 4, 5, 6, 7, 20, 22})
ROUND_ONLY_TABS = frozenset(range(9, 20)) | {25} | frozenset(range(27, 38))
_T = {name: i for i, name in enumerate(TAB_FIELDS)}
_ZEROS = (0, 0, 0, 0, 0)
_INT_TAB_NAMES = tuple(TAB_FIELDS[i] for i in INT_TABS)
_int_tab_values = itemgetter(*INT_TABS)
# Weapons whose "hits" are not aimed shots (DOMAIN 6.2): left out of session accuracy.
NON_AIMED_WEAPONS = frozenset({"WS_GRENADE", "WS_SYRINGE", "WS_DYNAMITE", "WS_AIRSTRIKE", "WS_ARTILLERY",
                               "WS_SATCHEL", "WS_LANDMINE"})


def differential(r2: PlayerLine, r1: PlayerLine) -> PlayerLine:
    """This round's line for a round-2 player whose line is cumulative (domain.r2_rule
    decides whether it is)."""
    weapons = {}
    r1_weapons = r1.weapons
    for j, now in r2.weapons.items():
        before = r1_weapons.get(j)
        delta = now if before is None else tuple(map(max, _ZEROS, map(sub, now, before)))
        if any(delta):
            weapons[j] = delta
    tab = list(r2.tab)
    for i in CUMULATIVE_TABS:
        tab[i] = max(0, r2.tab[i] - r1.tab[i])
    minutes = tab[_T["time_played_minutes"]]
    alive_now = r2.tab[8] / 100 * r2.tab[22]
    alive_before = r1.tab[8] / 100 * r1.tab[22]
    tab[8] = round(max(0.0, min(100.0, (alive_now - alive_before) / minutes * 100)), 1) if minutes > 0 else 0.0
    tab[_T["bullets_fired"]] = sum(w[1] for w in weapons.values())
    return replace(r2, weapons=weapons, tab=tab)


def engine_dead_minutes(tab) -> float:
    """Minutes dead = team minutes (TAB 22) x (1 - alive % (TAB 8)), from the engine's
    counters. The script's own TAB 25 is over-counted by c0rnp0rn7 and the first
    c0rnp0rn8 (FORMATS.md 1.5: re-added on every snapshot), up to several times the
    round's time played; for a round-2 line both inputs are this round's (the
    differential above recomputes TAB 8 from the cumulative counters)."""
    minutes = float(tab[_T["time_played_minutes"]])
    alive = float(tab[_T["time_played_percent"]])
    return round(max(0.0, minutes * (100.0 - min(100.0, alive)) / 100.0), 3) if minutes > 0 else 0.0


def player_row(p: PlayerLine, round_seconds: float | None) -> dict:
    """Every stored number of one player in one round (DOMAIN 6.1)."""
    t = p.tab
    hits, shots, kills, deaths, headshots = p.weapon_totals()
    minutes = float(t[_T["time_played_minutes"]])
    # a line without a time of its own gets the round's length, if he was on a team: a
    # spectator (side 3) played none of it
    seconds = int(round(minutes * 60)) if minutes > 0 else int(round_seconds or 0) if p.side in (1, 2) else 0
    dead = engine_dead_minutes(t)
    row = dict(zip(_INT_TAB_NAMES, _int_tab_values(t)))   # ints already: the parser converts them
    row.update(
        kills=kills, deaths=deaths, hits=hits, shots=shots, headshots=headshots,
        time_played_seconds=seconds,
        time_played_minutes=round(seconds / 60, 3),
        time_played_percent=float(t[_T["time_played_percent"]]),
        time_dead_minutes=dead,
        time_dead_ratio=round(min(100.0, dead * 60 / seconds * 100), 1) if seconds else 0.0,
        tank_meatshield=float(t[_T["tank_meatshield"]]),
        accuracy=round(hits / shots * 100, 2) if shots else 0.0,
        kd_ratio=round(kills / deaths, 3) if deaths else float(kills),
        efficiency=round(kills / (kills + deaths) * 100, 2) if kills + deaths else 0.0,
        dpm=round(t[0] * 60 / seconds, 2) if seconds else 0.0,
    )
    return row


def weapon_rows(p: PlayerLine) -> list[dict]:
    return [dict(weapon=WEAPONS[j], hits=w[0], shots=w[1], kills=w[2], deaths=w[3], headshots=w[4])
            for j, w in sorted(p.weapons.items())]
