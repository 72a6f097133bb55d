"""Round durations and the stats-versus-Lua timing comparison (DOMAIN.md 8, 12.2 item 9).

The stats file's clock (header field 8) is the stopwatch target, not a measurement:
on a surrender it shows the full limit. Durations are therefore taken from the Lua
measurement first, then the c0rnp0rn8 header playtime, then field 8 as a last resort.
"""

MINOR_DIFF_SECONDS = 30
DISCREPANCY_SECONDS = 60


def stats_duration(header_playtime_s: float | None, clock_s: int | None, limit_s: int | None) -> tuple[float | None, str | None]:
    """The stats file's own idea of the round's length, and which field it came from."""
    if header_playtime_s is not None:
        return float(header_playtime_s), "header_playtime"
    if clock_s is not None and (limit_s is None or clock_s <= limit_s) and clock_s > 0:
        return float(clock_s), "header_clock"
    return None, None


SHUTDOWN_END_REASONS = frozenset({"map_change", "map_restart", "shutdown"})


def is_cut_short(end_reason: str | None) -> bool:
    """The Lua data says the game unloaded before the round ended (lua/et_timing.lua
    writes these only on the shutdown path; the upstream webhook says `objective` there)."""
    return (end_reason or "").lower() in SHUTDOWN_END_REASONS


def is_surrender(end_reason: str | None, surrender_team: int | None) -> bool:
    """The Lua data says the round ended by a surrender (reason, or a surrendering side)."""
    return (end_reason or "").lower() == "surrender" or surrender_team in (1, 2)


def best_duration(lua_s: float | None, header_playtime_s: float | None, clock_s: int | None,
                  limit_s: int | None, surrender: bool) -> float | None:
    """The best measured duration of a round (CONTRACT `playtime_seconds`)."""
    if lua_s is not None:
        return float(lua_s)
    if header_playtime_s is not None:
        return float(header_playtime_s)
    if not surrender and clock_s is not None and limit_s is not None and 0 < clock_s <= limit_s:
        return float(clock_s)
    return None


def compare(stats_s: float | None, lua_s: float | None) -> tuple[str, float | None]:
    if lua_s is None:
        return "NO_LUA_DATA", None
    if stats_s is None:
        return "ALIGNED", None   # nothing to compare against: the Lua measurement stands
    diff = stats_s - lua_s
    if abs(diff) > DISCREPANCY_SECONDS:
        return "DISCREPANCY", diff
    if abs(diff) > MINOR_DIFF_SECONDS:
        return "MINOR_DIFF", diff
    return "ALIGNED", diff


def no_lua_cause(link_status: str | None, same_map_other_round_has_timing: bool, round_number: int,
                 any_timing_in_session: bool) -> str:
    """Why a round has no Lua data, in words a server admin can act on."""
    if link_status == "ambiguous_tie":
        return "a timing file matched two rounds equally well; left unlinked rather than guessed"
    if link_status is not None:
        return "a timing file exists for this map and round but could not be linked (%s)" % link_status
    if round_number == 2 and same_map_other_round_has_timing:
        return ("R1 has timing data but R2 has none: the webhook v1.6.0 pattern "
                "(it crashed on the fractional round-2 time limit)")
    if not any_timing_in_session:
        return "no timing files on the server for this session (timing script not installed?)"
    return "no timing file on the server for this round"


def counts_pauses_as_play(kind: str | None, version: str | None) -> bool:
    """The upstream webhook script (its gametime files) before v1.7.1 never saw a pause
    (FORMATS 4.1: the detection never fired, then crashed on Lua 5.4 until v1.7.1): its
    playtime includes them, and it reports 0 pauses."""
    if kind != "gametime":
        return False
    try:
        return tuple(int(x) for x in (version or "").split(".")[:3]) < (1, 7, 1)
    except ValueError:
        return False


def timing_quirk(diff: float, stats_source: str | None, end_reason: str | None, surrender_team: int | None,
                 pause_seconds: int | None, kind: str | None, version: str | None) -> str | None:
    """A known reason for the stats file (diff = stats - Lua) and the Lua playtime to
    differ, in words; None when none is known."""
    if is_surrender(end_reason, surrender_team) and stats_source == "header_clock":
        return "surrender: the stats clock shows the full limit, the Lua playtime is the real length"
    if pause_seconds and abs(abs(diff) - pause_seconds) < 5:
        return "pauses explain the difference (%d s paused)" % pause_seconds
    if diff < 0 and counts_pauses_as_play(kind, version):
        return "timing script v%s counts pauses as play (it never detects one)" % version
    return None


def explain(status: str, diff: float | None, stats_source: str | None, end_reason: str | None,
            pause_seconds: int | None, surrender_team: int | None = None, kind: str | None = None,
            version: str | None = None) -> str | None:
    if status in ("ALIGNED", "NO_LUA_DATA") or diff is None:
        return None
    return (timing_quirk(diff, stats_source, end_reason, surrender_team, pause_seconds, kind, version)
            or "stats file and Lua disagree by %+d s" % round(diff))
