"""The admins' channel: what only admins need, kept out of the players' channel. One
message per kind of problem and session, always there so that a change edits it:

* `admin:files`   — files not read (with the reason) and timing or award files linked to
  no round (the first session of a date: files belong to the date);
* `admin:timing`  — stats file against timing file for every round not within 30 s, and
  rounds without a timing file, with the cause;
* `admin:checks`  — the night's cross-checks that failed or warned (domain/night_checks.py);
* `admin:discord` — Discord messages maybe posted or refused (publish/outbox.py), with the
  command that settles each;
* `admin:alerts`  — during a live night: a round 1 still alone after the pairing window, a
  round 2 without its round 1;

and one message per failed run. Each problem says its severity (the rule:
publish/admin_problems.py), its cause and what to do; each message links to the Dagster
page of what it is about (`ET_DAGSTER_URL`).

`facts` is the document `et_pipeline.admin_report.admin_facts` builds from the database
(`{}` when only a session report is at hand; None: no admins' messages at all).
"""
from __future__ import annotations

from et_pipeline.numbers import day
from et_pipeline.publish import colours, limits
from et_pipeline.publish import dagster_links as links
from et_pipeline.publish.admin_problems import LABEL, LOST, MARK, OK, Problem, checks_counted, night_problems, tally, worst
from et_pipeline.publish.message import ADMINS, Message, _messages

# kind -> (title, the asset whose page for the date shows it, what "nothing to report" reads)
KIND = {
    "files": ("📂 Files", "server_files", "Every file of the night was read and linked to its round"),
    "timing": ("⏱️ Timing: stats files against timing files", "timing_comparison",
               "Every round's stats file and timing file agree within 30 s"),
    "checks": ("🔎 Cross-checks", "night_checks", "Every cross-check passed: the files agree with each other"),
    "discord": ("📨 Discord messages", "discord_posts", "No message waits for a decision"),
    "alerts": ("🚨 Rounds waiting for their other half", "rounds", "Every round has its other half (or is "
                                                                   "still within the pairing window)"),
}


def problem_field(p: Problem) -> dict:
    """One problem as an embed field: its severity and cause, where, and what to do (fitted
    to Discord's limits by publish/limits.py, a long list continued in the next field)."""
    return {"name": "%s %s: %s" % (MARK[p.severity], LABEL[p.severity], p.cause),
            "value": "\n".join(list(p.where) + ["➡️ " + p.action] if p.action else list(p.where)), "inline": False}


def _lead(kind: str, session: dict) -> str:
    if kind == "timing":
        rounds = session.get("rounds") or []
        if not rounds:
            return "No rounds in this session."
        aligned = sum((r.get("timing_status") or "NO_LUA_DATA") == "ALIGNED" for r in rounds)
        return "%d of %d rounds agree within 30 s." % (aligned, len(rounds))
    if kind == "checks":
        passed, looked = checks_counted(session)
        return "%d of %d cross-checks passed." % (passed, looked) if looked else "No cross-checks for this session yet."
    return ""


def kind_embed(kind: str, session: dict, problems: list[Problem], dagster_url: str | None) -> dict:
    title, asset, calm = KIND[kind]
    severity = worst(problems)
    lead = _lead(kind, session)
    if severity != OK:
        status = tally(problems) + "."
    else:       # nothing looked at (no rounds, no checks yet) is not "all passed"
        status = "" if lead.startswith("No ") else "%s %s." % (MARK[OK], calm)
    lines = [x for x in (lead, status) if x]
    url = links.partition_url(dagster_url, asset, session.get("date") or "")
    if url:
        lines.append("🔗 [%s of %s in Dagster](%s)" % (asset, session.get("date"), url))
    embed = {"title": "%s · %s" % (title, day(session.get("date"))), "description": "\n".join(lines),
             "color": colours.SEVERITY[severity], "fields": [problem_field(p) for p in problems]}
    if session.get("start_at"):      # Discord shows it in the reader's own zone, beside the footer
        embed.update(footer={"text": "Night started"}, timestamp=session["start_at"])
    return embed


def admin_messages(session: dict, facts: dict | None) -> list[Message]:
    """The admins' messages; none when `facts` is None (no admins' channel asked for)."""
    if facts is None:
        return []
    out = []
    for kind, problems in night_problems(session, facts).items():
        if problems is not None:
            out += _messages("admin:" + kind, [kind_embed(kind, session, problems, facts.get("dagster_url"))],
                             channel=ADMINS)
    return out


RUN_FAILED_ACTION = ("The sensor runs the dates again by itself (after a doubling pause from 30 s). If a file "
                     "caused it, fix that file on the server; otherwise read the run's log in Dagster.")


def run_failure_message(run_id: str, job: str, partitions: str, error: str, when: str | None,
                        dagster_url: str | None = None) -> Message:
    """A failed run, once per run (the key holds its id): which dates, what failed, what to do."""
    text = limits.truncate((error or "run failed").replace("```", "ʼʼʼ"), 1500)
    p = Problem(LOST, "The run failed: these dates are not (or not fully) in Discord", RUN_FAILED_ACTION,
                ("```\n%s\n```" % text,))
    lines = ["Job `%s` · dates %s" % (job, partitions or "–")]
    url = links.run_url(dagster_url, run_id)
    if url:
        lines.append("🔗 [The run in Dagster](%s)" % url)
    embed = {"title": "%s Run failed" % MARK[LOST], "color": colours.SEVERITY[LOST], "description": "\n".join(lines),
             "fields": [problem_field(p)]}
    if when:
        embed.update(footer={"text": "Failed"}, timestamp=when)
    return _messages("admin:run-failed:%s" % run_id, [embed], channel=ADMINS)[0]
