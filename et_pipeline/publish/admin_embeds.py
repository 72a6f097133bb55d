"""The admins' channel (issue 14 §2): what only admins need, kept out of the players'
channel. Four messages per session, always present so that a change edits them:

* `admin:timing`  — stats file versus Lua for every round not ALIGNED, with the cause
  (DOMAIN 8.3/8.4);
* `admin:files`   — quarantined, duplicate and unassigned files with their reasons, and
  timing or award files that could not be linked to a round (deferred or unlinked);
* `admin:checks`  — every cross-check of the night that failed (two files contradict each
  other) or warned (a known quirk), with what to do (domain/night_checks.py);
* `admin:alerts`  — what needs a look during a live night: a round 1 with no round 2
  after the pairing window, a round with no timing file, a file that stays quarantined,
  a Discord message maybe posted or refused (publish/outbox.py).

`facts` is the document `et_pipeline.admin_report.admin_facts` builds from the database
(`{}` when only a session report is at hand; None: no admins' messages at all).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from et_pipeline.numbers import duration as mmss
from et_pipeline.publish import limits
from et_pipeline.publish.message import (ADMINS, COLOR_GREEN, COLOR_GREY, COLOR_ORANGE, COLOR_RED, Message, _Ctx,
                                         _messages)

STATUS_LABELS = {"ALIGNED": "✅ ALIGNED", "MINOR_DIFF": "⚡ MINOR DIFF", "DISCREPANCY": "⚠️ DISCREPANCY",
                 "NO_LUA_DATA": "❓ NO LUA DATA"}
FILE_STATUS = {"quarantined": "🚫 quarantined", "duplicate": "♊ duplicate", "unassigned": "❔ unassigned",
               "read_error": "📡 not read from the server"}
DISCORD_PROBLEM = {"ambiguous": "📨 `%s`: maybe posted (the answer was lost), not sent again: look in the channel, "
                                "then `et-pipeline discord --found …` or `--retry …`",
                   "rejected": "⛔ `%s`: refused by Discord, skipped; sent again when it changes"}


def timing_embed(ctx: _Ctx) -> dict:
    """Stats file versus Lua for every round that is not ALIGNED."""
    rounds = ctx.s.get("rounds") or []
    counts: dict[str, int] = {}
    for r in rounds:
        st = r.get("timing_status") or "NO_LUA_DATA"
        counts[st] = counts.get(st, 0) + 1
    off = [r for r in rounds if (r.get("timing_status") or "NO_LUA_DATA") != "ALIGNED"]
    if not rounds:
        desc, color = "No rounds in this session.", COLOR_GREY
    elif not off:
        desc, color = "✅ All %d rounds aligned: the stats files and the Lua timing agree within 30 s." % len(rounds), \
            COLOR_GREEN
    else:
        desc = " • ".join("%s %d" % (STATUS_LABELS[s], counts[s])
                          for s in ("ALIGNED", "MINOR_DIFF", "DISCREPANCY", "NO_LUA_DATA") if counts.get(s))
        worst = {r.get("timing_status") for r in off}
        color = COLOR_RED if "DISCREPANCY" in worst else COLOR_ORANGE if "MINOR_DIFF" in worst else COLOR_GREY
    fields = []
    for r in off:
        t = r.get("timing") or {}
        lua = r.get("lua") or {}
        status = r.get("timing_status") or "NO_LUA_DATA"
        lines = ["Stats file **%s** • Lua **%s**" % (mmss(t.get("stats_seconds")), mmss(t.get("lua_seconds")))]
        if t.get("diff_seconds") is not None:
            lines[0] += " • Δ %+d s" % round(t["diff_seconds"])
        if lua:
            extra = "end: %s" % (lua.get("end_reason") or "?")
            if lua.get("pause_count"):
                extra += " • %d pause%s (%s)" % (lua["pause_count"], "s" if lua["pause_count"] != 1 else "",
                                                 mmss(lua.get("pause_seconds") or 0))
            lines.append(extra)
        if t.get("cause"):
            lines.append("Cause: %s" % t["cause"])
        lines.append("`%s`" % r.get("file"))
        fields.append({"name": "%s R%s — %s" % (ctx.round_label(r), r.get("round"), STATUS_LABELS.get(status, status)),
                       "value": "\n".join(lines), "inline": False})
    return {
        "title": "⏱️ Timing check: stats file vs Lua — %s" % ctx.date,
        "description": desc,
        "color": color,
        "fields": fields,
        "footer": {"text": "ALIGNED ≤ 30 s • MINOR DIFF ≤ 60 s • DISCREPANCY > 60 s • Session %s" % ctx.s.get("session_id")},
    }


def files_embed(ctx: _Ctx, facts: dict) -> dict:
    """Files that were not read, or read but not linked to a round, with the reason."""
    problems = [f for f in facts.get("files") or [] if f.get("status") in FILE_STATUS]
    unlinked = list(facts.get("timing_unlinked") or []) + list(facts.get("awards_unlinked") or [])
    fields = []
    blocks = ["%s `%s`\n%s" % (FILE_STATUS[f["status"]], f.get("path") or f.get("name"),
                               limits.truncate(f.get("error") or "no reason recorded", 300)) for f in problems]
    for j, chunk in enumerate(limits.join_blocks(blocks, limits.FIELD_VALUE)):
        fields.append({"name": "Files not read (%d)%s" % (len(problems), limits.CONT if j else ""), "value": chunk,
                       "inline": False})
    blocks = ["`%s`: %s" % (u.get("source"), (u.get("link_status") or "not linked").replace("_", " ")) for u in unlinked]
    for j, chunk in enumerate(limits.join_blocks(blocks, limits.FIELD_VALUE)):
        fields.append({"name": "Timing and award files not linked to a round (%d)%s" % (len(unlinked),
                                                                                    limits.CONT if j else ""),
                       "value": chunk, "inline": False})
    ok = not problems and not unlinked
    return {
        "title": "📂 Files — %s" % ctx.date,
        "description": "✅ Every file was read and linked to its round." if ok else
        "%d file(s) not read, %d not linked. A corrected copy of a file (new size or time) is read on the next run."
        % (len(problems), len(unlinked)),
        "color": COLOR_GREEN if ok else COLOR_ORANGE,
        "fields": fields,
        "footer": {"text": "Session %s" % ctx.s.get("session_id")},
    }


def _parse(iso: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(iso) if iso else None
    except ValueError:
        return None


def alerts(session: dict, facts: dict | None) -> list[str]:
    """The live alerts, as lines (empty: nothing to look at). Time-dependent ones need
    `facts["now"]` (ISO with offset) and `facts["pairing_window_minutes"]`."""
    facts = facts or {}
    now = _parse(facts.get("now"))
    window = timedelta(minutes=float(facts.get("pairing_window_minutes") or 45))
    out = []
    for r in session.get("rounds") or []:
        ended = _parse(r.get("ended_at"))
        if r.get("round") == 1 and r.get("pairing") in ("abandoned_r1", "r1_only", "pending_r1"):
            if r.get("pairing") == "abandoned_r1" or (now and ended and now - ended > window):
                out.append("🕳️ `%s`: round 1 with no round 2 after %d min" % (r.get("file"), window.total_seconds() // 60))
        if r.get("orphan"):
            out.append("🧩 `%s`: round 2 with no round 1 (not counted)" % r.get("file"))
        if (r.get("timing_status") or "NO_LUA_DATA") == "NO_LUA_DATA":
            out.append("⏱️ `%s`: no timing file linked" % r.get("file"))
    for f in facts.get("files") or []:
        if f.get("status") != "quarantined":
            continue
        since = f.get("mtime_at") and _parse(f["mtime_at"])
        if now and since and now - since > window:
            out.append("🚫 `%s`: still quarantined after %d min (%s)" % (f.get("path"), window.total_seconds() // 60,
                                                                        limits.truncate(f.get("error") or "?", 120)))
    for p in facts.get("discord") or []:
        if p.get("status") in DISCORD_PROBLEM:
            out.append(DISCORD_PROBLEM[p["status"]] % p.get("key") + " (%s)" % limits.truncate(p.get("error") or "?", 120))
    return out


def alerts_embed(ctx: _Ctx, facts: dict | None) -> dict:
    lines = alerts(ctx.s, facts)
    fields = [{"name": "Needs a look (%d)%s" % (len(lines), limits.CONT if j else ""), "value": chunk, "inline": False}
              for j, chunk in enumerate(limits.join_blocks(lines, limits.FIELD_VALUE))]
    return {
        "title": "🚨 Alerts — %s" % ctx.date,
        "description": "✅ Nothing to look at." if not lines else
        "Rounds or files of this session that need an admin.",
        "color": COLOR_GREEN if not lines else COLOR_RED,
        "fields": fields,
        "footer": {"text": "Session %s" % ctx.s.get("session_id")},
    }


CHECK_STATUS = {"fail": "❌ FAIL", "warn": "⚠️ WARN"}


def check_problems(session: dict) -> list[dict]:
    """The session's `fail` and `warn` checks, failures first (report order within),
    each with what the admin should do: the data the admins' channel shows."""
    checks = [c for c in session.get("checks") or [] if c.get("status") in CHECK_STATUS]
    return sorted(checks, key=lambda c: c["status"] != "fail")


def checks_embed(ctx: _Ctx) -> dict:
    """Every failed or warned cross-check of the night, with the action."""
    checks = ctx.s.get("checks") or []
    problems = check_problems(ctx.s)
    fails = sum(c["status"] == "fail" for c in problems)
    blocks = []
    for c in problems:
        where = c.get("round_file") or "the whole session"
        blocks.append("%s **%s** · `%s`\n%s\n➡️ %s" % (CHECK_STATUS[c["status"]], c["check"], where,
                                                     limits.truncate(c.get("detail") or "", 500),
                                                     limits.truncate(c.get("action") or "", 300)))
    fields = [{"name": "Checks to look at (%d)%s" % (len(problems), limits.CONT if j else ""), "value": chunk,
               "inline": False} for j, chunk in enumerate(limits.join_blocks(blocks, limits.FIELD_VALUE))]
    if not checks:
        desc, color = "No checks for this session yet.", COLOR_GREY
    elif not problems:
        desc, color = "✅ All %d checks passed: the files agree with each other." % len(checks), COLOR_GREEN
    else:
        desc = "%d failed (two files contradict each other), %d warned (a known quirk), %d passed." % (
            fails, len(problems) - fails, len(checks) - len(problems))
        color = COLOR_RED if fails else COLOR_ORANGE
    return {"title": "🔎 Cross-checks — %s" % ctx.date, "description": desc, "color": color, "fields": fields,
            "footer": {"text": "Session %s" % ctx.s.get("session_id")}}


def admin_messages(session: dict, facts: dict | None) -> list[Message]:
    """The admins' messages; none when `facts` is None (no admins' channel asked for)."""
    if facts is None:
        return []
    ctx = _Ctx(session)
    return (_messages("admin:timing", [timing_embed(ctx)], channel=ADMINS)
            + _messages("admin:checks", [checks_embed(ctx)], channel=ADMINS)
            + _messages("admin:files", [files_embed(ctx, facts)], channel=ADMINS)
            + _messages("admin:alerts", [alerts_embed(ctx, facts)], channel=ADMINS))


def run_failure_message(run_id: str, job: str, partitions: str, error: str, when: str | None) -> Message:
    """A failed run, once per run (the key holds its id): which dates, what failed."""
    lines = ["Job `%s` • dates %s" % (job, partitions or "—"), "```\n%s\n```" % limits.truncate(error or "?", 1500)]
    embed = {"title": "❌ Run failed", "color": COLOR_RED, "description": "\n".join(lines),
             "footer": {"text": "Run %s" % run_id}}
    if when:
        embed["timestamp"] = when
    return _messages("admin:run-failed:%s" % run_id, [embed], channel=ADMINS)[0]
