"""Strict validation of server file names (CONTRACT.md section 2, FORMATS.md 1.1, 3.1, 4.4).

A name is either one of the known kinds, `None` (an unrelated file, ignored and
counted), or refused with a reason (`ParseError`): it looks like a round file but is
malformed, so it is quarantined instead of silently skipped.
"""
import datetime as dt
import functools
import re
from dataclasses import dataclass

from et_pipeline.parsers.errors import ParseError

STATS, ENDSTATS, TIMING, GAMETIME = "stats", "endstats", "timing", "gametime"

_MAP = r"[A-Za-z0-9_.+-]{1,50}"
# Matched whole (`fullmatch`: `$` would let a trailing newline through) and exactly as the
# game writes them: a round or Unix time never has a leading zero, so `round-01` is not a
# second spelling of `round-1` (it would take the genuine file's round key).
_NUMBER = r"[1-9][0-9]*|0"
_ROUND_FILE = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})-(?P<time>[0-9]{6})-(?P<map>.+)-round-(?P<round>%s)"
    r"(?P<suffix>-endstats|-timing)?\.(?P<ext>txt|json)" % _NUMBER
)
_GAMETIME = re.compile(r"gametime-(?P<map>.+)-R(?P<round>%s)-(?P<unix>[1-9][0-9]{0,11})\.json" % _NUMBER)
_LOOKS_LIKE_ROUND = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}-.*\.(txt|json)", re.DOTALL)
_IGNORED_SUFFIXES = ("_ws.txt", "_engagements.txt")


@dataclass(frozen=True)
class FileName:
    """What a valid name says: kind, map, round number and its time anchor.

    `local_time` is the file-name time (server local, naive) for round files; for the
    upstream gametime files it is None and `unix` holds the round end.
    """

    name: str
    kind: str
    map: str
    round: int
    local_time: dt.datetime | None = None
    unix: int | None = None

    @property
    def stem(self) -> str:
        """The `YYYY-MM-DD-HHMMSS-<map>-round-<N>` stem shared by a round's files."""
        if self.local_time is None:
            raise ValueError("gametime files have no round stem")
        return "%s-%s-round-%d" % (self.local_time.strftime("%Y-%m-%d-%H%M%S"), self.map, self.round)


def _check_map(map_name: str, name: str) -> None:
    if not re.fullmatch(_MAP, map_name):
        raise ParseError("bad map name %r in %s (letters, digits, _ . + - only, at most 50)" % (map_name, name))


def _check_round(text: str, name: str) -> int:
    n = int(text)
    if n not in (1, 2):
        raise ParseError("round %s in %s: only round 1 or 2 exist in stopwatch" % (text, name))
    return n


@functools.lru_cache(maxsize=1 << 16)
def classify(name: str) -> FileName | None:
    """Classify a bare file name. Returns None for unrelated files; raises for bad ones.
    Memoised (a FileName is immutable): every listing of a server names the same files
    again, in the sensor's ticks and in the run's own listing after the command line's."""
    if "/" in name or "\\" in name or "\x00" in name or ".." in name or len(name) > 255:
        raise ParseError("unsafe file name %r" % name)
    if name != name.strip() or any(c < " " or c == "\x7f" for c in name):
        if _LOOKS_LIKE_ROUND.fullmatch(name.strip()) or name.strip().startswith("gametime-"):
            raise ParseError("malformed round file name %r: whitespace or a control character in it" % name)
        return None
    if name.endswith(_IGNORED_SUFFIXES):
        return None
    m = _ROUND_FILE.fullmatch(name)
    if m:
        suffix, ext = m["suffix"], m["ext"]
        kind = {None: STATS, "-endstats": ENDSTATS, "-timing": TIMING}[suffix]
        if ext == "json" and kind != TIMING:
            raise ParseError("%s: only timing files may be .json" % name)
        d, t = m["date"], m["time"]     # digits (the pattern); datetime() checks the ranges, like strptime
        try:
            when = dt.datetime(int(d[:4]), int(d[5:7]), int(d[8:]), int(t[:2]), int(t[2:4]), int(t[4:]))
        except ValueError:
            raise ParseError("invalid date or time in %s" % name) from None
        if not 2000 <= when.year <= 2099:
            raise ParseError("implausible year %d in %s" % (when.year, name))
        _check_map(m["map"], name)
        return FileName(name, kind, m["map"], _check_round(m["round"], name), local_time=when)
    m = _GAMETIME.fullmatch(name)
    if m:
        _check_map(m["map"], name)
        unix = int(m["unix"])
        if not 946684800 <= unix <= 4102444800:
            raise ParseError("implausible round end %s in %s" % (m["unix"], name))
        return FileName(name, GAMETIME, m["map"], _check_round(m["round"], name), unix=unix)
    if _LOOKS_LIKE_ROUND.fullmatch(name) or name.startswith("gametime-"):
        raise ParseError("malformed round file name %r (expected YYYY-MM-DD-HHMMSS-<map>-round-<N>[-endstats].txt)" % name)
    return None
