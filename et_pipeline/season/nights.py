"""The season night by night: each night's player of the night, and "on this day" (what
happened a year and a month before a night).

* Player of the night: the one rule of domain.player_of_the_night (the nightly session
  summary and the night digest use it too) over each night's time-weighted numbers
  (careers.aggregate), one per night.
* On this day, for a night D: the night played on the same calendar day a month and a
  year earlier (the 31st of a shorter month falls on its last day); without a night on
  that very day, the nearest night at most ON_THIS_DAY_SLACK days either side (the
  earlier one on a tie), and the entry says which date it is.
"""
from __future__ import annotations

import calendar
import datetime as dt

from et_pipeline.domain.player_of_the_night import player_of_the_night
from et_pipeline.season.careers import aggregate, map_outcomes

ON_THIS_DAY_SLACK = 3
AGO = (("a month ago", 0, 1), ("a year ago", 1, 0))     # (label, years, months)


def best_by_night(tables, games) -> dict[str, dict]:
    """night -> {guid, dpm, kills, deaths, kd, maps_won, maps_played} of its player of the night."""
    if tables.players.empty:
        return {}
    nightly = aggregate(tables.players, map_outcomes(games), None, ["session_date", "guid"])
    out = {}
    for date, grp in nightly.groupby("session_date", sort=True):
        rows = dict(zip(grp.columns, (grp[c].tolist() for c in grp.columns)))
        best = player_of_the_night([{c: rows[c][i] for c in FIELDS} for i in range(len(grp))])
        if best is not None:
            out[date] = dict(guid=best["guid"], dpm=float(best["dpm"]), kills=int(best["kills"]),
                             deaths=int(best["deaths"]), kd=float(best["kd"]), maps_won=int(best["maps_won"]),
                             maps_played=int(best["maps_played"]))
    return out


FIELDS = ("guid", "time_played_seconds", "dpm", "kills", "deaths", "kd", "maps_won", "maps_played")


def _shift(day: dt.date, years: int, months: int) -> dt.date:
    month = day.month - months
    year = day.year - years + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def on_this_day_dates(date: str, nights: list[str]) -> list[tuple[str, str]]:
    """[(label, night)] for a month and a year before `date`, among `nights` (see above)."""
    day = dt.date.fromisoformat(date)
    have = set(nights)
    out = []
    for label, years, months in AGO:
        target = _shift(day, years, months)
        near = [target + dt.timedelta(days=k * s) for k in range(ON_THIS_DAY_SLACK + 1) for s in (-1, 1)]
        found = next((d.isoformat() for d in near if d.isoformat() in have and d.isoformat() < date), None)
        if found:
            out.append((label, found))
    return out


def on_this_day(date: str, nights: list[str], best: dict[str, dict], games, fell: list[dict],
                names: dict[str, str]) -> list[dict]:
    """What those nights were: their maps, player of the night and the records that fell."""
    out = []
    for label, night in on_this_day_dates(date, nights):
        b = best.get(night)
        out.append(dict(ago=label, date=night, maps=sum(1 for g in games if g.date == night),
                        player_of_the_night=None if b is None else dict(guid=b["guid"], name=names.get(b["guid"],
                                                                                                        b["guid"]),
                                                                         dpm=b["dpm"], kills=b["kills"]),
                        records_fell=[f["record"] for f in fell if f["session_date"] == night]))
    return out

