"""Plausibility bounds for what the game server writes: one place, checked per file.

A parser accepts any number the format's syntax allows; these checks refuse what the
game cannot have written (FORMATS.md 1.2-1.4, 4), so a garbled or hostile file is
quarantined with its reason instead of overflowing a database column (2^63 in SQLite,
2^31 in PostgreSQL `integer`) or being published (damage 2^40, a 9.9e14 s playtime).

The numbers are deliberately generous: a round of ET lasts at most its time limit
(`timelimit` is minutes, real maps use 5-30), a server holds at most 64 clients
(`MAX_CLIENTS`), a player deals at most a few thousand HP a minute.
"""
import functools
import operator

from et_pipeline.parsers.errors import ParseError

MAX_FILE_BYTES = 1 << 20          # 64 players x ~1.5 KB per stats line is ~100 KB; 1 MiB for any file
MAX_PLAYERS = 64                  # the engine's MAX_CLIENTS, bots included
MAX_NAME_CHARS = 64               # the engine caps names at 36 bytes (FORMATS 1.3); keys must fit 80
MAX_CLOCK_SECONDS = 24 * 3600     # header time limits (M:SS); no round lasts a day
MAX_PLAYTIME_MS = MAX_CLOCK_SECONDS * 1000
MAX_ROUND_SECONDS = MAX_CLOCK_SECONDS
MAX_COUNTER = 100_000             # kills, shots, gibs, XP, revives ... of one player in one round (cum R1+R2)
MAX_DAMAGE = 10_000_000           # HP of one player in one round (cum R1+R2)
MAX_MINUTES = MAX_CLOCK_SECONDS / 60
MAX_PAUSES = 1_000
UNIX_RANGE = (946684800, 4102444800)   # 2000-01-01 .. 2100-01-01, as the file names


def oversized(size: int, at_least: bool = False) -> str | None:
    """The quarantine reason of a file too large to be the game's, or None. Checked on the
    listing's size and again while reading (`at_least`: the read stopped at the cap)."""
    if size <= MAX_FILE_BYTES:
        return None
    return "file of %s%d bytes is larger than any the game writes (limit %d)" % (
        "at least " if at_least else "", size, MAX_FILE_BYTES)


_DAMAGE_TABS = {"damage_given", "damage_received", "team_damage_given", "team_damage_received",
                "denied_playtime"}
_PERCENT_TABS = {"time_played_percent"}   # time_dead_ratio is inflated in old files (FORMATS 1.5)
_MINUTE_TABS = {"time_played_minutes", "time_dead_minutes"}


def check_length(text, limit: int, what: str) -> None:
    """Raise when `text` is longer than its column (`storage.schema`; PostgreSQL refuses it)."""
    if text is not None and len(str(text)) > limit:
        raise ParseError("%s too long: %d characters (at most %d)" % (what, len(str(text)), limit))


def check_range(value, low, high, what: str) -> None:
    """Raise the quarantine reason when `value` (a number or None) is outside [low, high]."""
    if value is not None and not low <= value <= high:
        raise ParseError("%s out of range: %s (expected %s..%s)" % (what, _short(value), low, high))


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 24 else text[:21] + "..."


def _tab_high(name: str) -> float:
    """The largest value the game can write in one extended (TAB) field."""
    if name in _PERCENT_TABS:
        return 100.0
    if name in _MINUTE_TABS:
        return MAX_MINUTES
    if name in _DAMAGE_TABS or name == "dpm":
        return MAX_DAMAGE
    if name == "tank_meatshield":
        return MAX_DAMAGE / 130 + 1
    if name == "kd_ratio":
        return MAX_COUNTER + 1
    if name == "bullets_fired":
        return 28 * MAX_COUNTER
    return MAX_COUNTER


@functools.cache
def _tab_bounds() -> tuple[tuple[str, float], ...]:
    from et_pipeline.parsers.stats_file import TAB_FIELDS

    return tuple((name, _tab_high(name)) for name in TAB_FIELDS)


@functools.cache
def _tab_highs() -> tuple[float, ...]:
    return tuple(high for _, high in _tab_bounds())


def _player_within_bounds(p) -> bool:
    """The same bounds as `_check_player`, as one yes or no without building a message per
    value (a file holds ~600 numbers, and formatting their names was most of its check):
    a few C-level passes over the line. Anything unusual (None, NaN) answers no, and
    `_check_player` then decides and names the field."""
    if not (len(p.raw_name) <= MAX_NAME_CHARS and (p.rounds is None or 0 <= p.rounds <= MAX_COUNTER)
            and (p.side is None or 0 <= p.side <= 3)):
        return False
    try:
        groups = p.weapons.values()
        if groups and not (min(map(min, groups)) >= 0 and max(map(max, groups)) <= MAX_COUNTER):
            return False
        tab = p.tab
        return not tab or (min(tab) >= 0 and all(map(operator.le, tab, _tab_highs())))   # NaN <= x is false
    except (TypeError, ValueError):
        return False


def _check_player(n: int, p) -> None:
    """Raise the reason, naming the field and the line, when a player line is out of bounds."""
    where = " on line %d" % n
    check_range(len(p.raw_name), 0, MAX_NAME_CHARS, "name length" + where)
    check_range(p.rounds, 0, MAX_COUNTER, "rounds" + where)
    check_range(p.side, 0, 3, "side" + where)
    for wid, group in p.weapons.items():
        for value in group:
            check_range(value, 0, MAX_COUNTER, "weapon %d counter%s" % (wid, where))
    for (name, high), value in zip(_tab_bounds(), p.tab):
        check_range(value, 0, high, "%s%s" % (name, where))


def check_stats_file(sf) -> None:
    """A parsed stats file (parsers.stats_file.StatsFile) the game could have written."""
    from et_pipeline.parsers.stats_file import clock_seconds

    h = sf.header
    check_range(len(sf.players), 0, MAX_PLAYERS, "number of player lines")
    check_length(h.config, 64, "header field 3 (config)")
    check_length(h.time_limit, 16, "header field 7 (time limit)")
    check_length(h.next_time_limit, 16, "header field 8 (next time limit)")
    check_range(h.round, 0, 2, "header field 4 (round)")
    check_range(h.defender, 0, 2, "header field 5 (defender)")
    check_range(h.winner, 0, 2, "header field 6 (winner)")
    check_range(clock_seconds(h.time_limit), 0, MAX_CLOCK_SECONDS, "header field 7 (time limit, s)")
    check_range(clock_seconds(h.next_time_limit), 0, MAX_CLOCK_SECONDS, "header field 8 (next time limit, s)")
    if h.playtime_ms is not None:
        check_range(h.playtime_ms, -MAX_PLAYTIME_MS, MAX_PLAYTIME_MS, "header field 9 (playtime ms)")
    for n, p in enumerate(sf.players, start=2):
        if not _player_within_bounds(p):
            _check_player(n, p)


def check_timing(t) -> None:
    """A parsed Lua timing (parsers.timing_file.LuaTiming) within what the script can write."""
    check_range(t.round, 0, 2, "round")
    check_length(t.map, 64, "Lua map")
    check_length(t.end_reason, 32, "Lua end reason")
    check_length(t.version, 20, "Lua version")
    check_range(t.playtime_seconds, 0, MAX_ROUND_SECONDS, "Lua playtime (s)")
    check_range(t.warmup_seconds, 0, MAX_ROUND_SECONDS, "Lua warmup (s)")
    check_range(t.pause_count, 0, MAX_PAUSES, "Lua pause count")
    check_range(t.pause_seconds, 0, MAX_ROUND_SECONDS, "Lua pause seconds")
    check_range(t.timelimit_minutes, 0, MAX_MINUTES, "Lua time limit (min)")
    for side in ("winner", "defender", "surrender_team"):
        check_range(getattr(t, side), 0, 3, "Lua " + side)
    for stamp in ("round_start_unix", "round_end_unix"):
        check_range(getattr(t, stamp), 0, UNIX_RANGE[1], "Lua " + stamp)


def check_endstats(ef) -> None:
    """A parsed endstats file (parsers.endstats_file.EndstatsFile): VS counts are per round."""
    for v in ef.vs:
        check_length(v.subject_name, 80, "VS subject name")
        check_range(v.kills, 0, MAX_COUNTER, "VS kills of %r" % v.opponent[:20])
        check_range(v.deaths, 0, MAX_COUNTER, "VS deaths of %r" % v.opponent[:20])
    for a in ef.awards:
        if a.value is not None and a.value != a.value:
            raise ParseError("award %r value is not a number" % a.award[:40])
