"""Achievements and milestones: each one awarded at most once per player, dated by the
night it happened, derived only from the archive (the nightly tables), so a re-scored
night moves or removes it the next time the season is computed.

The catalogue (`CATALOGUE`; the README lists the same rules for players):
* Career milestones over the rounds and maps the careers count (paired rounds, humans,
  counted stopwatch maps): the night his career kills reach 100 / 1,000 / 10,000, his
  counted maps reach 100 / 500, his nights reach 50.
* `win_streak_10`: 10 counted maps won in a row (maps in the rating's order; a draw or a
  loss ends a streak).
* `hold_every_map`: on one night of at least 3 counted maps for him, on every one his
  team held the other team's attack to the clock (round 1: the whole time limit; round 2:
  the time to beat) while he was defending. Surrenders are not holds.
* `record_broken`: he set a season record that beat an earlier night's (records.py's
  rule: strictly better than every earlier night; a map's fastest attack, a round's
  kills, damage or DPM).
* `round_kills_25` / `round_damage_4000`: 25 kills / 4,000 damage given in one round.
* `player_of_the_night`: the night's player of the night (the one rule of
  domain.player_of_the_night) for the first time.
Ties inside a night go to the earliest round; the detail says what was reached.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from et_pipeline.season.careers import map_outcomes


@dataclass(frozen=True)
class Achievement:
    id: str
    label: str
    rule: str


CAREER = (("kills", 100), ("kills", 1000), ("kills", 10000), ("maps", 100), ("maps", 500), ("nights", 50))
WIN_STREAK = 10
HOLD_NIGHT_MAPS = 3
ROUND_KILLS = 25
ROUND_DAMAGE = 4000

_UNITS = {"kills": "career kills", "maps": "counted maps played", "nights": "nights played"}
CATALOGUE = tuple(
    [Achievement("%s_%d" % (what, n), "%s %s" % (format(n, ","), {"kills": "kills", "maps": "maps",
                                                                   "nights": "nights"}[what]),
                 "the night his %s reach %s" % (_UNITS[what], format(n, ","))) for what, n in CAREER]
    + [Achievement("win_streak_%d" % WIN_STREAK, "%d maps won in a row" % WIN_STREAK,
                   "%d counted maps won one after the other (a draw or a loss ends the streak)" % WIN_STREAK),
       Achievement("hold_every_map", "A hold on every map of a night",
                   "on a night of at least %d counted maps, his team held the attack to the clock on every "
                   "one of them while he defended (round 1: the time limit, round 2: the time to beat)"
                   % HOLD_NIGHT_MAPS),
       Achievement("record_broken", "A season record broken",
                   "he set a record that beat every earlier night's (a map's fastest attack, or a round's "
                   "kills, damage or DPM)"),
       Achievement("round_kills_%d" % ROUND_KILLS, "%d kills in one round" % ROUND_KILLS,
                   "%d or more kills in one round" % ROUND_KILLS),
       Achievement("round_damage_%d" % ROUND_DAMAGE, "%s damage in one round" % format(ROUND_DAMAGE, ","),
                   "%s or more damage given in one round" % format(ROUND_DAMAGE, ",")),
       Achievement("player_of_the_night", "Player of the night",
                   "player of the night for the first time (best DPM of those who played at least half the "
                   "night)")])
BY_ID = {a.id: a for a in CATALOGUE}


def _first_crossing(frame: pd.DataFrame, total: pd.Series, bar: int) -> list[dict]:
    """Per GUID the first row (frame in time order) where its running total reaches `bar`."""
    return frame[total >= bar].drop_duplicates("guid", keep="first").to_dict("records")


def _career(tables, outcomes: pd.DataFrame) -> list[dict]:
    out = []
    rounds = tables.players[["guid", "session_date", "kills"]]
    nights = rounds.drop_duplicates(["guid", "session_date"]).sort_values(["session_date", "guid"], kind="mergesort")
    frames = {"kills": (rounds, rounds.groupby("guid", sort=False)["kills"].cumsum()),
              "maps": (outcomes, outcomes.groupby("guid", sort=False).cumcount() + 1),
              "nights": (nights, nights.groupby("guid", sort=False).cumcount() + 1)}
    for what, bar in CAREER:
        for r in _first_crossing(*frames[what], bar):
            out.append(dict(guid=r["guid"], achievement="%s_%d" % (what, bar), night=r["session_date"], value=bar,
                            detail="%s %s reached on %s" % (format(bar, ","), _UNITS[what], r["session_date"])))
    return out


def _streaks(outcomes: pd.DataFrame) -> list[dict]:
    out = []
    for guid, grp in outcomes.groupby("guid", sort=True):
        run = 0
        for result, date in zip(grp["result"].tolist(), grp["session_date"].tolist()):
            run = run + 1 if result == "W" else 0
            if run == WIN_STREAK:
                out.append(dict(guid=guid, achievement="win_streak_%d" % WIN_STREAK, night=date, value=WIN_STREAK,
                                detail="%d counted maps won in a row, the last on %s" % (WIN_STREAK, date)))
                break
    return out


def _holds(attacks: pd.DataFrame, outcomes: pd.DataFrame) -> list[dict]:
    held: dict[tuple, set] = {}
    for date, key, hold, defenders in zip(attacks["session_date"].tolist(), attacks["game"].tolist(),
                                          attacks["hold"].tolist(), attacks["defenders"].tolist()):
        if hold:
            for g in defenders:
                held.setdefault((g, date), set()).add(key)
    played = outcomes.groupby(["guid", "session_date"])["game"].agg(lambda s: set(s))
    found: dict[str, dict] = {}
    for (guid, date), games in sorted(played.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if guid in found or len(games) < HOLD_NIGHT_MAPS:
            continue
        if games <= held.get((guid, date), set()):
            found[guid] = dict(guid=guid, achievement="hold_every_map", night=date, value=len(games),
                               detail="held the attack on all %d maps he played on %s" % (len(games), date))
    return list(found.values())


def _records(fell: list[dict]) -> list[dict]:
    found: dict[str, dict] = {}
    for f in sorted(fell, key=lambda f: (f["session_date"], f["record"])):
        for g in f["holder"].split(","):
            if g and g not in found:
                kind, _, map_name = f["record"].partition(":")
                what = "the fastest attack on %s" % map_name if kind == "fastest_attack" else kind.replace("_", " ")
                found[g] = dict(guid=g, achievement="record_broken", night=f["session_date"], value=f["value"],
                                detail="broke the record for %s: %g (was %g)" % (what, f["value"],
                                                                                 f["previous_value"]))
    return list(found.values())


def _round_feats(rounds: pd.DataFrame) -> list[dict]:
    out = []
    for column, bar, ident, unit in (("kills", ROUND_KILLS, "round_kills_%d" % ROUND_KILLS, "kills"),
                                     ("damage_given", ROUND_DAMAGE, "round_damage_%d" % ROUND_DAMAGE, "damage")):
        hit = rounds[rounds[column] >= bar].drop_duplicates("guid", keep="first")
        out.extend(dict(guid=r["guid"], achievement=ident, night=r["session_date"], value=float(r[column]),
                        detail="%s %s in one round on %s (%s)" % (format(int(r[column]), ","), unit, r["map"],
                                                                  r["session_date"]))
                   for r in hit.to_dict("records"))
    return out


def _nights_best(best_by_night: dict[str, dict]) -> list[dict]:
    found: dict[str, dict] = {}
    for date in sorted(best_by_night):
        b = best_by_night[date]
        if b["guid"] not in found:
            found[b["guid"]] = dict(guid=b["guid"], achievement="player_of_the_night", night=date, value=b["dpm"],
                                    detail="player of the night on %s (DPM %.1f)" % (date, b["dpm"]))
    return list(found.values())


def build_achievements(tables, games, records: dict, attacks: pd.DataFrame, best_by_night: dict[str, dict]) -> list[dict]:
    """Every achievement reached, one row per (guid, achievement): guid, achievement, night,
    value, detail; sorted by night, then achievement, then GUID.

    `records`: records.build_records; `attacks`: records.attacks with the `game` key of
    each round's map; `best_by_night`: night -> its player of the night (nights.best_by_night)."""
    outcomes = map_outcomes(games)
    rows = (_career(tables, outcomes) + _streaks(outcomes) + _holds(attacks, outcomes) + _records(records["fell"])
            + _round_feats(tables.players) + _nights_best(best_by_night))
    return sorted(rows, key=lambda r: (r["night"], r["achievement"], r["guid"]))
