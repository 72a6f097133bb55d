"""How a number looks wherever a person reads it (Discord embeds, the details file, the
graphs' axes): one function per kind of quantity, so the same number never reads two
ways ("18k" kills beside "2.5K dmg", a DPM of 233 in one message and 232.6 in the next).

* counts (kills, damage, revives, bullets): whole numbers with a thousands comma, `2,512`;
  no `K` abbreviation anywhere, so `k` is never mistaken for kills or thousands;
* damage per minute: a whole number, `233`;
* ratios (K/D, award ratios): two decimals, `2.79`; a signed change `+0.25`;
* percentages: whole, no space, `52%` (accuracy, a chance to win);
* durations: `M:SS`, `H:MM:SS` from an hour on; `–` when unknown;
* distances: one decimal and the unit, `23.4 m`;
* a calendar day: `Thu 5 Feb 2026`; a time of day with its zone: `21:09 CET` (a round's
  end to the second, `21:09:32 CET`).

Pure: no Discord markup here (the callers add bold), no locale (a bot's output must not
depend on the machine it runs on).
"""
from __future__ import annotations

from datetime import date as _date
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

MISSING = "–"
DEFAULT_ZONE = "Europe/Ljubljana"     # the file-name times' zone when a document names none


def count(n: float | None) -> str:
    """A count: `2,512` (rounded to a whole number)."""
    return "{:,}".format(int(round(float(n or 0))))


def dpm(x: float | None) -> str:
    """Damage per minute, whole: `233`."""
    return "%d" % round(float(x or 0))


def ratio(x: float | None) -> str:
    """A ratio such as K/D: `2.79`."""
    return "%.2f" % float(x or 0)


def signed(x: float | None) -> str:
    """A change: `+0.25`, `-1.10`."""
    return "%+.2f" % float(x or 0)


def percent(x: float | None) -> str:
    """A percentage given in percent (40.2 -> `40%`)."""
    return "%d%%" % round(float(x or 0))


def share(p: float | None) -> str:
    """A probability or share given as 0..1 (0.523 -> `52%`)."""
    return percent(100 * float(p or 0))


def duration(seconds: float | None) -> str:
    """`8:45`, `1:02:03`; `–` when unknown."""
    if seconds is None:
        return MISSING
    s = int(round(max(0.0, float(seconds))))
    h, rest = divmod(s, 3600)
    return "%d:%02d:%02d" % (h, rest // 60, rest % 60) if h else "%d:%02d" % (s // 60, s % 60)


def metres(x: float | None) -> str:
    return "%.1f m" % float(x or 0)


def plural(n: int, word: str, many: str | None = None) -> str:
    """`1 pair`, `2 pairs` (`many` for irregular plurals)."""
    return "%d %s" % (n, word if n == 1 else (many or word + "s"))


def day(iso_date: str | None, year: bool = True) -> str:
    """'2026-02-05' -> `Thu 5 Feb 2026` (`Thu 5 Feb` without the year): a session date, a
    calendar day, not an instant."""
    try:
        d = _date.fromisoformat(str(iso_date))
    except (TypeError, ValueError):
        return str(iso_date or MISSING)
    return "%s %d %s" % (d.strftime("%a"), d.day, d.strftime("%b")) + (" %d" % d.year if year else "")


def shared_ranks(values: list) -> list[int]:
    """Ranks of values already sorted best first, a tie sharing its rank: 1, 1, 3."""
    out = []
    for i, v in enumerate(values):
        out.append(out[-1] if i and v == values[i - 1] else i + 1)
    return out


def instant(iso: str | None = None, unix: float | None = None) -> datetime | None:
    """An instant from ISO text with an offset, or from a Unix time; None without an
    offset (a time without a zone is never guessed into an instant)."""
    if unix is not None:
        return datetime.fromtimestamp(float(unix), timezone.utc)
    if not iso:
        return None
    try:
        t = datetime.fromisoformat(str(iso))
    except ValueError:
        return None
    return t if t.tzinfo is not None else None


def clock(t: datetime | None, zone: str | None = None, seconds: bool = False) -> str:
    """A time of day in `zone` (default Europe/Ljubljana), zone named: `21:09 CET`
    (`21:09:32 CET` with the seconds)."""
    if t is None:
        return MISSING
    local = t.astimezone(ZoneInfo(zone or DEFAULT_ZONE))
    return "%s %s" % (local.strftime("%H:%M:%S" if seconds else "%H:%M"), local.tzname())
