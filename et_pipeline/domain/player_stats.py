"""Per-round player numbers (DOMAIN.md 6.1) and the round-2 differential (DOMAIN.md 2.4,
FORMATS.md 2.3, the recommended variant; which lines get it: domain.r2_rule).

A round-2 file is cumulative for the engine counters (weapon block, TAB 0-8, 20, 22) and
per-round for the script's own counters (TAB 9-19, 25, 27-37). The differential builds a
"this round only" player line and every number is then computed from a line the same
way, so R1 rows, R2 rows and orphan rows share one formula.

These run once per player line of every stats file (the bulk of the `rounds` step), so
they build tuples in a fixed order (`PLAYER_NUMBERS`) rather than a dict per row, and
spell the arithmetic out instead of mapping helpers over every counter.
"""
from operator import itemgetter

from et_pipeline.parsers.stats_file import INT_TABS, TAB_FIELDS, WEAPONS, PlayerLine

CUMULATIVE_TABS = frozenset({0, 1, 2, 3, 4, 5, 6, 7, 20, 22})
ROUND_ONLY_TABS = frozenset(range(9, 20)) | {25} | frozenset(range(27, 38))
_T = {name: i for i, name in enumerate(TAB_FIELDS)}
_MINUTES, _PERCENT, _MEATSHIELD, _BULLETS = (_T[n] for n in ("time_played_minutes", "time_played_percent",
                                                              "tank_meatshield", "bullets_fired"))
_CUMULATIVE_SUMS = tuple(sorted(CUMULATIVE_TABS - {_PERCENT, _BULLETS}))   # those two are recomputed
_INT_TAB_NAMES = tuple(TAB_FIELDS[i] for i in INT_TABS)
_int_tab_values = itemgetter(*INT_TABS)
# The order of player_numbers(): the integer TAB fields as the parser holds them, then the
# numbers computed from the line.
PLAYER_NUMBERS = _INT_TAB_NAMES + (
    "kills", "deaths", "hits", "shots", "headshots", "time_played_seconds", "time_played_minutes",
    "time_played_percent", "time_dead_minutes", "time_dead_ratio", "tank_meatshield", "accuracy", "kd_ratio",
    "efficiency", "dpm")
# Weapons whose "hits" are not aimed shots (DOMAIN 6.2): left out of session accuracy.
NON_AIMED_WEAPONS = frozenset({"WS_GRENADE", "WS_SYRINGE", "WS_DYNAMITE", "WS_AIRSTRIKE", "WS_ARTILLERY",
                               "WS_SATCHEL", "WS_LANDMINE"})


def differential(r2: PlayerLine, r1: PlayerLine) -> PlayerLine:
    """This round's line for a round-2 player whose line is cumulative (domain.r2_rule
    decides whether it is): every cumulative counter minus round 1's, never below 0."""
    weapons = {}
    r1_weapons = r1.weapons
    bullets = 0
    for j, now in r2.weapons.items():
        before = r1_weapons.get(j)
        if before is None:
            delta = now
        elif now == before:          # a weapon not used in round 2: nothing to subtract
            continue
        else:
            h, s, k, d, x = now
            h0, s0, k0, d0, x0 = before
            delta = (h - h0 if h > h0 else 0, s - s0 if s > s0 else 0, k - k0 if k > k0 else 0,
                     d - d0 if d > d0 else 0, x - x0 if x > x0 else 0)
        if any(delta):
            weapons[j] = delta
            bullets += delta[1]
    t2, t1 = r2.tab, r1.tab
    tab = list(t2)
    for i in _CUMULATIVE_SUMS:
        d = t2[i] - t1[i]
        tab[i] = d if d > 0 else 0
    minutes = tab[_MINUTES]
    alive_now = t2[_PERCENT] / 100 * t2[_MINUTES]
    alive_before = t1[_PERCENT] / 100 * t1[_MINUTES]
    tab[_PERCENT] = round(max(0.0, min(100.0, (alive_now - alive_before) / minutes * 100)), 1) if minutes > 0 else 0.0
    tab[_BULLETS] = bullets
    return PlayerLine(r2.guid, r2.raw_name, r2.name, r2.rounds, r2.side, weapons, tab)


def engine_dead_minutes(tab) -> float:
    """Minutes dead = team minutes (TAB 22) x (1 - alive % (TAB 8)), from the engine's
    counters. The script's own TAB 25 is over-counted by c0rnp0rn7 and the first
    c0rnp0rn8 (FORMATS.md 1.5: re-added on every snapshot), up to several times the
    round's time played; for a round-2 line both inputs are this round's (the
    differential above recomputes TAB 8 from the cumulative counters)."""
    minutes = float(tab[_MINUTES])
    alive = float(tab[_PERCENT])
    return round(max(0.0, minutes * (100.0 - min(100.0, alive)) / 100.0), 3) if minutes > 0 else 0.0


def player_numbers(p: PlayerLine, round_seconds: float | None) -> tuple:
    """Every stored number of one player in one round (DOMAIN 6.1), in `PLAYER_NUMBERS`
    order. A player without team time gets the round's length (`round_seconds`)."""
    t = p.tab
    hits, shots, kills, deaths, headshots = p.weapon_totals()
    minutes = float(t[_MINUTES])
    # a line without a time of its own gets the round's length, if he was on a team: a
    # spectator (side 3) played none of it
    seconds = int(round(minutes * 60)) if minutes > 0 else int(round_seconds or 0) if p.side in (1, 2) else 0
    dead = engine_dead_minutes(t)
    return (*_int_tab_values(t),      # ints already: the parser converts them
            kills, deaths, hits, shots, headshots, seconds, round(seconds / 60, 3), float(t[_PERCENT]), dead,
            round(min(100.0, dead * 60 / seconds * 100), 1) if seconds else 0.0,
            float(t[_MEATSHIELD]),
            round(hits / shots * 100, 2) if shots else 0.0,
            round(kills / deaths, 3) if deaths else float(kills),
            round(kills / (kills + deaths) * 100, 2) if kills + deaths else 0.0,
            round(t[0] * 60 / seconds, 2) if seconds else 0.0)


def player_row(p: PlayerLine, round_seconds: float | None) -> dict:
    """player_numbers() by name."""
    return dict(zip(PLAYER_NUMBERS, player_numbers(p, round_seconds)))


def weapon_rows(p: PlayerLine, *identity) -> list[tuple]:
    """One row per weapon the line used, by weapon id: `identity` (whatever names the
    player's round, e.g. its keys), then the weapon's name and WEAPON_FIELDS."""
    return [(*identity, WEAPONS[j], *w) for j, w in sorted(p.weapons.items())]
