"""Achievements and season awards as Discord messages, each posted once.

Every achievement is one message with a key stable per (player, achievement)
(`ach:<guid>:<achievement>`), every final award one per (period, award)
(`award:<period>:<award>`), all in two outbox identities of their own (sessions
`season-achievements` and `season-awards`, dated "season"), so the outbox posts each
once whatever the restarts and replays, and edits it in place when its content changes
(a re-scored night that moves an achievement to another night edits its date).

Withdrawn: when a re-scored night removes an achievement (or a final award) that was
already posted, its message is edited into a short "withdrawn" note instead of deleted:
nobody is left wondering where it went, and should it come back the same message is
edited again. A key is never posted twice. Awards are announced only once final (the
archive holds a night after the period); achievements as soon as the season has them.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Connection

from et_pipeline import numbers as num
from et_pipeline.publish.colours import NEUTRAL
from et_pipeline.publish.message import Message, esc, safe_key
from et_pipeline.season.achievements import BY_ID
from et_pipeline.season.awards import LABELS as AWARD_LABELS

ACHIEVEMENTS = dict(session_id="season-achievements", date="season")
AWARDS = dict(session_id="season-awards", date="season")


def achievement_key(guid: str, achievement: str) -> str:
    return safe_key("ach:%s:%s" % (guid, achievement))


def award_key(period: str, award: str) -> str:
    return safe_key("award:%s:%s" % (period, award))


def posted_keys(conn: Connection, session_id: str) -> set[str]:
    """Keys the outbox holds for an identity (posted, or maybe posted): their messages exist
    or may, so a vanished one is withdrawn rather than forgotten."""
    from et_pipeline.storage.schema import discord_posts as d

    return {r.kind for r in conn.execute(select(d.c.kind).where(d.c.session_id == session_id,
                                                                d.c.message_id.is_not(None)))}


def _withdrawn(key: str, what: str) -> Message:
    return Message(key=key, payload=dict(embeds=[dict(
        title="~~%s~~" % what[:240], color=NEUTRAL,
        description="Withdrawn: a re-scored night changed the numbers, and this is no longer reached.")],
        allowed_mentions={"parse": []}))


def achievement_messages(rows: list[dict], names: dict[str, str], posted: set[str]) -> list[Message]:
    """One message per achievement (oldest night first), and a withdrawn note for every
    posted key that is no longer an achievement."""
    out, live = [], set()
    for r in sorted(rows, key=lambda r: (r["night"], r["achievement"], r["guid"])):
        a = BY_ID[r["achievement"]]
        key = achievement_key(r["guid"], r["achievement"])
        live.add(key)
        out.append(Message(key=key, payload=dict(embeds=[dict(
            title="🎖️ %s: %s" % (esc(names.get(r["guid"], r["guid"]), 32), a.label), color=NEUTRAL,
            description="%s.\n*%s*" % (r["detail"][:1].upper() + r["detail"][1:], a.rule[:1].upper() + a.rule[1:]),
            footer=dict(text="Achievement of %s" % num.day(r["night"])))], allowed_mentions={"parse": []})))
    out += [_withdrawn(k, "Achievement") for k in sorted(posted - live)]
    return out


def _award_value(award: str, value: float) -> str:
    return num.signed(value) + " rating points" if award == "most_improved" else num.percent(value)


def award_messages(rows: list[dict], names: dict[str, str], posted: set[str]) -> list[Message]:
    """One message per final award (period order), and withdrawn notes as above."""
    out, live = [], set()
    for r in rows:
        if not r["final"]:
            continue
        key = award_key(r["period"], r["award"])
        live.add(key)
        label = AWARD_LABELS[r["award"]]
        out.append(Message(key=key, payload=dict(embeds=[dict(
            title="🏆 %s of %s %s: %s" % (label, {"season": "the season", "quarter": "the quarter",
                                                  "month": "the month"}[r["kind"]], r["period"],
                                        esc(names.get(r["guid"], r["guid"]), 32)),
            color=NEUTRAL, description="**%s**\n*%s*" % (_award_value(r["award"], r["value"]),
                                                        r["rule"][:1].upper() + r["rule"][1:]))],
            allowed_mentions={"parse": []})))
    out += [_withdrawn(k, "Season award") for k in sorted(posted - live)]
    return out
