"""What the admins' channel says, as data: a night's problems, one kind per message, each
with its severity, its cause and what to do. publish/admin_embeds.py only lays them out.

The severity rule (the one place it is written; the README repeats it):

* **red** (LOST): data is lost or wrong in Discord. Players read something missing or
  possibly wrong: a file not read, an award file linked to no round, two files that
  contradict each other (one of them is published), a message Discord refused, a failed run.
* **orange** (LOOK): needs a look. Nothing is known to be wrong yet, but only an admin can
  tell: a message that was maybe posted, a round 1 still without its round 2, a round 2
  without its round 1, a timing file linked to no round, a round without timing data for
  no known reason, a timing gap nothing explains.
* **grey** (QUIRK): a known quirk, nothing to do: a surrender's stats clock, the webhook
  v1.6.0 timing script's crash on round 2, a player who reconnected, a second copy of a file.
* green: nothing to report.

Every problem is listed once: a round without timing data is in the timing message only,
a timing file linked to no round in the files message only, the timing cross-check in the
timing message (not again among the cross-checks). Problems with the same severity, cause
and action are one entry listing each round or file it concerns.

Kinds (message keys `admin:<kind>`): `files`, `timing`, `checks`, `discord`, `alerts`
(the live ones: rounds that wait for their other half); a failed run is its own message
(admin_embeds.run_failure_message).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from et_pipeline.domain import timing as tm
from et_pipeline.numbers import duration as mmss
from et_pipeline.publish import limits
from et_pipeline.publish.escape import discord_text
from et_pipeline.publish.message import _Ctx

LOST, LOOK, QUIRK, OK = "red", "orange", "grey", "green"
ORDER = (LOST, LOOK, QUIRK)
MARK = {LOST: "🟥", LOOK: "🟧", QUIRK: "⬜", OK: "✅"}
LABEL = {LOST: "Lost or wrong in Discord", LOOK: "Needs a look", QUIRK: "Known quirk, nothing to do"}
TIMING_CHECK = "timing_matches_stats"     # shown in the timing message, with its round's times


@dataclass(frozen=True)
class Problem:
    severity: str               # LOST | LOOK | QUIRK
    cause: str                  # what is wrong, and why (Discord text)
    action: str                 # what to do: a command, a file to fix, or why nothing
    where: tuple[str, ...]      # one line per round, file or message it concerns (Discord text)
    files: tuple[str, ...] = ()  # the file names it lists


def worst(problems: list[Problem]) -> str:
    """The message's severity: its worst problem's, or OK."""
    return next((s for s in ORDER if any(p.severity == s for p in problems)), OK)


def tally(problems: list[Problem]) -> str:
    """`1 lost or wrong in Discord, 2 known quirks (nothing to do)`: entries by severity."""
    words = {LOST: ("lost or wrong in Discord", "lost or wrong in Discord"), LOOK: ("to look at", "to look at"),
             QUIRK: ("known quirk (nothing to do)", "known quirks (nothing to do)")}
    out = []
    for s in ORDER:
        n = sum(len(p.where) for p in problems if p.severity == s)
        if n:
            out.append("%d %s" % (n, words[s][n != 1]))
    return ", ".join(out)


def code(name: str | None) -> str:
    """A file name as inline code (a backtick in it cannot close the span)."""
    return "`%s`" % str(name or "?").replace("`", "'")


def _grouped(items: list[tuple[str, str, str, str, str | None]]) -> list[Problem]:
    """(severity, cause, action, where, file) items -> Problems, one per (severity, cause,
    action) in the order first seen, worst first."""
    groups: dict[tuple, list] = {}
    for sev, cause, action, where, file in items:
        groups.setdefault((sev, cause, action), []).append((where, file))
    out = [Problem(sev, cause, action, tuple(w for w, _ in rows), tuple(f for _, f in rows if f))
           for (sev, cause, action), rows in groups.items()]
    return sorted(out, key=lambda p: ORDER.index(p.severity))


def _round_where(ctx: _Ctx, rnd: dict, detail: str = "") -> str:
    return "%s R%s%s · %s" % (ctx.round_label(rnd), rnd.get("round"), " · " + detail if detail else "",
                              code(rnd.get("file")))


# ---------------------------------------------------------------- files

NOT_READ = ("Fix or replace the file on the server; a copy with a new size or time is read on the next run "
            "(what makes a file unreadable: docs/files.md §6).")
FILE_RULES = {   # registry status -> (severity, cause, action)
    "quarantined": (LOST, "Not read: what the file holds is not in Discord", NOT_READ),
    "read_error": (LOST, "Could not be read from the server: what the file holds is not in Discord",
                   "The server refused it (permissions, not a regular file) or the connection dropped: `chmod "
                   "644` it on the server and `touch` it, or check ET_SOURCE, the SFTP key and known_hosts; the "
                   "next run reads it again."),
    "duplicate": (QUIRK, "A second copy of a file already read (the same bytes)",
                  "Nothing to do; delete the copy on the server to quiet this."),
}
UNLINKED = {   # which files, when linked to no round -> (severity, cause, action)
    "timing": (LOOK, "Timing file linked to no round: its round shows the stats file's time",
               "Compare the file's map, round and end time with the round's stats file (how files are linked: "
               "docs/rules.md §4)."),
    "awards": (LOST, "Award file linked to no round: its awards are not in Discord",
               "Compare the file's map, round and time with the round's stats file (how files are linked: "
               "docs/rules.md §4)."),
}


def _parse(iso: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(iso) if iso else None
    except ValueError:
        return None


def file_problems(facts: dict) -> list[Problem]:
    """Files not read (registry status), and timing and award files linked to no round."""
    now, window = _parse(facts.get("now")), timedelta(minutes=float(facts.get("pairing_window_minutes") or 45))
    items = []
    for f in facts.get("files") or []:
        if f.get("status") not in FILE_RULES:
            continue
        sev, cause, action = FILE_RULES[f["status"]]
        where = "%s: %s" % (code(f.get("path") or f.get("name")),
                            discord_text(limits.truncate(f.get("error") or "no reason recorded", 300)))
        since = _parse(f.get("mtime_at"))
        if f["status"] == "quarantined" and now and since and now - since > window:
            where += " (still not read %d min after it was written)" % ((now - since).total_seconds() // 60)
        items.append((sev, cause, action, where, f.get("path") or f.get("name")))
    for kind in ("timing", "awards"):
        sev, cause, action = UNLINKED[kind]
        for u in facts.get(kind + "_unlinked") or []:
            status = (u.get("link_status") or "not linked").replace("_", " ")
            items.append((sev, cause, action, "%s: %s" % (code(u.get("source")), status), u.get("source")))
    return _grouped(items)


# ---------------------------------------------------------------- timing

# the causes domain/timing.no_lua_cause gives, taken from it (one text, one place)
NO_LUA_V160_R2 = tm.no_lua_cause(None, True, 2, True)          # round 2 without, its round 1 with
NO_LUA_NOT_IN_SESSION = tm.no_lua_cause(None, False, 1, False)  # no timing file in the whole session
NO_LUA_NOT_FOR_ROUND = tm.no_lua_cause(None, False, 1, True)    # others have one, this round not
NO_LUA_TIE = tm.no_lua_cause("ambiguous_tie", False, 1, True)
NO_LUA_UNLINKED = tm.no_lua_cause("\0", False, 1, True).split("\0")[0]   # "... could not be linked ("

NO_LUA_RULES = {   # cause -> (severity, action)
    NO_LUA_V160_R2: (QUIRK, "Nothing to do: the round's time is the stats file's. Round 2 gets its own "
                               "timing from the webhook v1.7.1 or later, or this project's lua/et_timing.lua "
                               "(lua/README.md)."),
    NO_LUA_NOT_IN_SESSION: (LOOK, "Install a timing script (lua/README.md) or check that it writes into "
                                     "gametimes/."),
    NO_LUA_NOT_FOR_ROUND: (LOOK, "Look in gametimes/ for the round's file and in the timing script's log."),
    NO_LUA_TIE: (LOOK, "The timing file is listed in the files message: check its map, round and end time."),
}
UNCHECKED = "Compare the round's stats file with its timing file."


def _no_lua_rule(cause: str) -> tuple[str, str]:
    if cause in NO_LUA_RULES:
        return NO_LUA_RULES[cause]
    if cause.startswith(NO_LUA_UNLINKED):      # the file is in the files message
        return NO_LUA_RULES[NO_LUA_TIE]
    return NO_LUA_RULES[NO_LUA_NOT_FOR_ROUND]


def timing_problems(ctx: _Ctx) -> list[Problem]:
    """Every round whose stats file and timing file do not agree within 30 s, or that has no
    timing file. A gap takes its severity from the round's timing cross-check (warn: a known
    quirk; fail: the published time may be wrong); a missing file from its cause."""
    checks = {c.get("round_file"): c for c in ctx.s.get("checks") or [] if c.get("check") == TIMING_CHECK}
    items = []
    for r in ctx.s.get("rounds") or []:
        status = r.get("timing_status") or "NO_LUA_DATA"
        t = r.get("timing") or {}
        if status == "ALIGNED":
            continue
        if status == "NO_LUA_DATA":
            cause = t.get("cause") or NO_LUA_NOT_FOR_ROUND
            sev, action = _no_lua_rule(cause)
            detail = "stats file %s" % mmss(t.get("stats_seconds"))
        else:
            check = checks.get(r.get("file")) or {}
            sev = {"warn": QUIRK, "fail": LOST}.get(check.get("status"), LOOK)
            cause = t.get("cause") or "stats file and timing file disagree"
            action = check.get("action") or UNCHECKED
            diff = t.get("diff_seconds")
            detail = "stats file %s, timing file %s%s" % (mmss(t.get("stats_seconds")), mmss(t.get("lua_seconds")),
                                                          "" if diff is None else " (%s%s)" % (
                                                              "+" if diff >= 0 else "-", mmss(abs(diff))))
        items.append((sev, discord_text(cause[:1].upper() + cause[1:]), action, _round_where(ctx, r, detail),
                      r.get("file")))
    return _grouped(items)


# ---------------------------------------------------------------- cross-checks

def check_problems(ctx: _Ctx) -> list[Problem]:
    """The night's failed (LOST) and warned (QUIRK) cross-checks, but the timing one (in the
    timing message), one entry per check and status with each round it concerns."""
    items = []
    for c in ctx.s.get("checks") or []:
        if c.get("status") not in ("fail", "warn") or c.get("check") == TIMING_CHECK:
            continue
        sev = LOST if c["status"] == "fail" else QUIRK
        rnd = ctx.rounds_by_file.get(c.get("round_file"))
        detail = discord_text(limits.truncate(c.get("detail") or "", 400))
        where = "%s: %s" % (_round_where(ctx, rnd), detail) if rnd else "The whole night: %s" % detail
        items.append((sev, "`%s` %s" % (c["check"], "failed: two sources contradict each other" if sev == LOST
                                        else "differs the way a known quirk explains"),
                      c.get("action") or "", where, c.get("round_file")))
    return _grouped(items)


def checks_counted(session: dict) -> tuple[int, int]:
    """(passed, looked at) of the cross-checks the checks message covers."""
    mine = [c for c in session.get("checks") or [] if c.get("check") != TIMING_CHECK]
    return sum(c.get("status") == "pass" for c in mine), len(mine)


# ---------------------------------------------------------------- Discord

def discord_problems(facts: dict) -> list[Problem]:
    """Messages that were maybe posted (the answer was lost) or that Discord refused."""
    items = []
    for p in facts.get("discord") or []:
        sid, key = p.get("session_id"), p.get("key")
        why = discord_text(limits.truncate((p.get("error") or "?").splitlines()[0] if p.get("error") else "?", 200))
        if p.get("status") == "ambiguous":
            items.append((LOOK, "Maybe posted: the answer was lost, so it is not sent again",
                          "Look for it in the channel. There: `et-pipeline discord --found %s %s MESSAGE_ID` "
                          "(Discord: ⋯ → Copy Message ID); later changes then edit it. Not there: "
                          "`et-pipeline discord --retry %s %s` posts it on the next run." % (sid, key, sid, key),
                          "%s (%s)" % (code(key), why), None))
        elif p.get("status") == "rejected":
            items.append((LOST, "Refused by Discord: not in the channel",
                          "It is sent again when its content changes; to send it as it is: "
                          "`et-pipeline discord --retry %s %s`." % (sid, key), "%s (%s)" % (code(key), why), None))
    return _grouped(items)


# ---------------------------------------------------------------- live alerts

WAITING = "Round 1 still without its round 2 after the pairing window: the map is not counted"
WAITING_ACTION = ("If round 2 was played, its stats file is missing from gamestats/ (or listed in the files "
                  "message); if the map was left after round 1, nothing to do.")
ORPHAN = "Round 2 without its round 1: not counted"
ORPHAN_ACTION = ("Its round-1 stats file is missing from gamestats/ or was not read (the files message); a "
                 "round 1 that arrives later is paired on the next run.")


def alert_problems(ctx: _Ctx, facts: dict) -> list[Problem]:
    """Rounds that wait for their other half. Round 1 alone counts after the pairing window
    (`facts["now"]`, `facts["pairing_window_minutes"]`) or once pairing gave up on it."""
    now, window = _parse(facts.get("now")), timedelta(minutes=float(facts.get("pairing_window_minutes") or 45))
    items = []
    for r in ctx.s.get("rounds") or []:
        ended = _parse(r.get("ended_at"))
        if r.get("round") == 1 and r.get("pairing") in ("abandoned_r1", "r1_only", "pending_r1"):
            if r.get("pairing") == "abandoned_r1" or (now and ended and now - ended > window):
                items.append((LOOK, WAITING + " (%d min)" % (window.total_seconds() // 60), WAITING_ACTION,
                              _round_where(ctx, r), r.get("file")))
        if r.get("orphan"):
            items.append((LOOK, ORPHAN, ORPHAN_ACTION, _round_where(ctx, r), r.get("file")))
    return _grouped(items)


def night_problems(session: dict, facts: dict) -> dict[str, list[Problem] | None]:
    """Problems by kind for one session; `files` and `discord` are None when `facts` holds no
    date lists (`files` None: a later session of the date, whose files are the first's)."""
    ctx = _Ctx(session)
    dated = facts.get("files", []) is not None
    return {"files": file_problems(facts) if dated else None, "timing": timing_problems(ctx),
            "checks": check_problems(ctx), "discord": discord_problems(facts) if dated else None,
            "alerts": alert_problems(ctx, facts)}
