"""Season awards per period: the month (2026-02), the quarter (2026-Q1) and the season
(the calendar year, 2026). Each award names its rule (`rule`, shown beside it).

* most_improved: the largest rise of the rating over the period: his rating after his
  last night of the period minus his rating after his last night before it, among
  players rated before the period began who played at least MIN_MAPS rated maps in it.
* best_attack: the highest share of attacks completed: rounds he attacked in whose
  attack set or beat the time, over his attacking rounds that ended by the objective or
  by the clock (surrenders and rounds without an outcome left out); at least MIN_ROUNDS.
* iron_defender: the highest share of attacks held to the clock (round 1: the time
  limit, round 2: the time to beat) over the rounds he defended, same sample rule.
A tie goes to the larger sample, then to the GUID. An award is `final` once the archive
holds a night after the period's last day; only final awards are announced.
"""
from __future__ import annotations

import calendar
import datetime as dt

import pandas as pd

MIN_MAPS = 10
MIN_ROUNDS = 10
KINDS = ("month", "quarter", "season")
RULES = {
    "most_improved": "the largest rise of the rating over the period (after his last night in it, against after "
                     "his last night before it), rated before the period, at least %d rated maps in it" % MIN_MAPS,
    "best_attack": "the highest share of completed attacks (set or beat the time) over his attacking rounds that "
                   "ended by the objective or the clock, at least %d" % MIN_ROUNDS,
    "iron_defender": "the highest share of attacks held to the clock (round 1: the limit, round 2: the time to "
                     "beat) over the rounds he defended that ended by the objective or the clock, at least %d"
                     % MIN_ROUNDS,
}
LABELS = {"most_improved": "Most improved", "best_attack": "Best attacker", "iron_defender": "Iron defender"}


def period_of(date: str, kind: str) -> str:
    year, month = date[:4], int(date[5:7])
    return {"month": date[:7], "quarter": "%s-Q%d" % (year, (month - 1) // 3 + 1), "season": year}[kind]


def period_end(period: str) -> str:
    year = int(period[:4])
    if len(period) == 4:
        return "%d-12-31" % year
    month = int(period[6]) * 3 if "Q" in period else int(period[5:7])
    return dt.date(year, month, calendar.monthrange(year, month)[1]).isoformat()


def _rates(attacks: pd.DataFrame, who: str, good: str, periods: dict) -> dict:
    """(kind, period, guid) -> (good rounds, rounds) over rounds ending by objective or clock."""
    out: dict[tuple, list] = {}
    decided = attacks[attacks["success"] | attacks["hold"]]
    for date, members, ok in zip(decided["session_date"].tolist(), decided[who].tolist(), decided[good].tolist()):
        for kind in KINDS:
            p = periods[date][kind]
            for g in members:
                acc = out.setdefault((kind, p, g), [0, 0])
                acc[0] += bool(ok)
                acc[1] += 1
    return out


def _improved(history, periods: dict) -> dict:
    by_player: dict[str, list] = {}
    for h in history:
        by_player.setdefault(h.guid, []).append(h)
    out = {}
    for guid, points in by_player.items():
        points.sort(key=lambda h: h.date)
        for kind in KINDS:
            start = 0                                  # a period's nights are consecutive in date order
            while start < len(points):
                p = periods[points[start].date][kind]
                end = start
                while end < len(points) and periods[points[end].date][kind] == p:
                    end += 1
                maps = sum(h.night_maps for h in points[start:end])
                if start > 0 and maps >= MIN_MAPS:
                    out[(kind, p, guid)] = (round(points[end - 1].value - points[start - 1].value, 2), maps)
                start = end
    return out


def build_awards(dates: list[str], history, attacks: pd.DataFrame) -> list[dict]:
    """Rows period, kind, award, guid, value, rule, final; sorted by kind, period, award.
    `history`: ratings.RatingPoint per player per night; `attacks`: records.attacks."""
    periods = {d: {k: period_of(d, k) for k in KINDS} for d in dates}
    last = max(dates) if dates else None
    candidates = {"most_improved": _improved(history, periods)}
    for award, who, good in (("best_attack", "attackers", "success"), ("iron_defender", "defenders", "hold")):
        candidates[award] = {k: (round(100.0 * ok / n, 1), n) for k, (ok, n) in
                             _rates(attacks, who, good, periods).items() if n >= MIN_ROUNDS}
    out = []
    for award, by_key in candidates.items():
        best: dict[tuple, tuple] = {}
        for (kind, p, guid), (value, n) in by_key.items():
            rank = (value, n, [-ord(c) for c in guid])
            if (kind, p) not in best or rank > best[(kind, p)][0]:
                best[(kind, p)] = (rank, guid, value)
        for (kind, p), (_, guid, value) in best.items():
            out.append(dict(period=p, kind=kind, award=award, guid=guid, value=value, rule=RULES[award],
                            final=bool(last and last > period_end(p))))
    return sorted(out, key=lambda r: (KINDS.index(r["kind"]), r["period"], r["award"]))
