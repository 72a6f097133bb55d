"""Discord messages for one gaming session, from the session report (CONTRACT.md 4).
Pure: the same session always gives the same messages, with the same keys, so a re-run
maps onto the messages already posted.

Two audiences (issue 14):

* the players' channel reads like the night, compactly: one card per map as it finishes
  (who attacked first, both times, who won and by how much, the best players in two
  lines each), then the session summary (final score, player of the night, the maps)
  and one message of graphs. A 5-map night is 7 messages. Each map's per-round details
  (every player's line, per-weapon numbers, the map's awards once) go into a thread
  (`thread=True`: posted with the webhook's `thread_id`), or, when no thread is
  configured, into a text file attached to the map's card. Nothing internal is shown
  there: no file names, rule or setting names, timing diagnostics.
* the admins' channel (publish/admin_embeds.py) gets what only admins need.
"""
from __future__ import annotations

import re
from typing import Iterable

from et_pipeline.domain.night_checks import held_messages
from et_pipeline.domain.player_of_the_night import RULE as POTN_RULE_TEXT
from et_pipeline.domain.player_of_the_night import player_of_the_night as pick_player_of_the_night
from et_pipeline.parsers.stats_file import clock_seconds   # the header fields' own M:SS reader
from et_pipeline.publish import limits
from et_pipeline.publish.message import (COLOR_GOLD, COLOR_GREY, COLOR_R1, COLOR_R2, COLOR_SESSION, TEAM_EMOJI,
                                         Message, _Ctx, _messages, esc, mmss, side_team)

TIE_EMOJI, UNCOUNTED_EMOJI = "🟡", "⚪"
SIDE_NAMES = {1: "Axis", 2: "Allies"}
ATTACK, DEFENCE = "⚔️", "🛡️"      # by role in the round, never by side (Axis can defend)
RANKS = ["🥇", "🥈", "🥉", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣", "🔟"]
MULTIKILL_NAMES = ["DBL", "TPL", "QD", "PNT", "MGA"]
CATEGORIES = [  # DOMAIN 7.3 order
    ("combat", "⚔️", "Combat"), ("deaths", "💀", "Deaths & Mayhem"), ("skills", "🎯", "Skills"),
    ("weapons", "🔫", "Weapons"), ("teamwork", "🤝", "Teamwork"), ("objectives", "🚩", "Objectives"),
    ("timing", "⏱️", "Timing"), ("other", "📋", "Other"),
]


# ---------------------------------------------------------------- formatting helpers

def kfmt(n: float | None) -> str:
    n = float(n or 0)
    return "%.1fK" % (n / 1000) if abs(n) >= 1000 else "%d" % round(n)


def code(name: str | None, width: int = 24) -> str:
    """A player name inside `backticks` (backticks in the name cannot be escaped there)."""
    return "`%s`" % limits.truncate(str(name or "?"), width).replace("`", "ˋ")


def rank(i: int) -> str:
    return RANKS[i] if i < len(RANKS) else "**%d.**" % (i + 1)


def multikills(mk: list | None) -> str:
    return " ".join("%d %s" % (n, MULTIKILL_NAMES[i]) for i, n in enumerate(mk or []) if n and i < 5)


def award_value(award: str, value: float | None, text: str | None) -> str:
    """DOMAIN 7.3 value formatting: % for accuracies, m:ss for times, 2 decimals for
    ratios, x.xK for damage and values over 1000, plain integers, else 1 decimal."""
    t = (text or "").strip()
    low = award.lower()
    nums = re.findall(r"-?\d+(?:\.\d+)?", t)
    first = float(nums[0]) if nums else None
    if "kills in" in t:
        m = re.match(r"(\d+) kills in (\d+(?:\.\d+)?)s", t)
        return "%s kills in %.2fs" % (m.group(1), float(m.group(2))) if m else t
    if t.endswith("x") and nums:
        return "%.2fx" % float(nums[-1])
    if "percent" in t and first is not None:
        out = "%.1f%%" % first
        if "min" in t and len(nums) > 1:
            out += ", %s min" % nums[1]
        return out
    if "seconds" in t and first is not None:
        return mmss(first)
    if t.endswith(" m") and first is not None:
        return "%.1f m" % first
    num = value if value is not None else first
    if num is None:
        return t or "—"
    if "ratio" in low or "per minute" in low:
        return "%.2f" % num
    if "damage" in low or abs(num) >= 1000:
        return kfmt(num)
    if float(num) == int(num):
        return "%d" % num
    return "%.1f" % num


# ---------------------------------------------------------------- session context

def _by_category(awards: Iterable[dict]) -> dict[str, list[dict]]:
    known = {c for c, _, _ in CATEGORIES}
    groups: dict[str, list[dict]] = {}
    for a in awards:
        cat = a.get("category") if a.get("category") in known else "other"
        groups.setdefault(cat, []).append(a)
    return groups


def _aggregate(rounds: Iterable[dict]) -> list[dict]:
    agg: dict[str, dict] = {}
    for r in rounds:
        for p in r.get("players") or []:
            a = agg.setdefault(p.get("guid") or p.get("name"), {
                "name": p.get("name"), "team": p.get("team"), "is_bot": p.get("is_bot"), "kills": 0, "deaths": 0,
                "damage_given": 0, "hits": 0, "shots": 0, "headshots": 0, "time_played_seconds": 0, "acc_sum": 0.0,
                "rows": 0})
            for k in ("kills", "deaths", "damage_given", "hits", "shots", "headshots", "time_played_seconds"):
                a[k] += p.get(k) or 0
            a["acc_sum"] += p.get("accuracy") or 0
            a["rows"] += 1
            a["name"] = p.get("name") or a["name"]
    out = list(agg.values())
    for a in out:
        a["accuracy"] = a["hits"] * 100.0 / a["shots"] if a["shots"] else a["acc_sum"] / max(1, a["rows"])
        a["kd"] = a["kills"] / a["deaths"] if a["deaths"] else float(a["kills"])
    out.sort(key=lambda a: (-a["kills"], -a["damage_given"], str(a["name"])))
    return out


# ---------------------------------------------------------------- times

def unix_of(iso: str | None) -> int | None:
    """'2026-02-05T21:10:01+01:00' -> 1770322201; None for a time without an offset
    (a Discord timestamp must be an instant, never a guess)."""
    if not iso:
        return None
    from datetime import datetime

    try:
        t = datetime.fromisoformat(str(iso))
    except ValueError:
        return None
    return int(t.timestamp()) if t.tzinfo is not None else None


def round_end(rnd: dict) -> str | None:
    """When a round ended, as ISO with offset: the Lua timing's end when linked (the
    stats file is written ~3 s later, FORMATS 5 #24), else the file name's time."""
    end = (rnd.get("lua") or {}).get("round_end_unix")
    if end:
        from datetime import datetime, timezone

        return datetime.fromtimestamp(int(end), timezone.utc).isoformat()
    return rnd.get("ended_at")


def stamp(iso: str | None, style: str = "f") -> str | None:
    """A Discord timestamp (`<t:unix:f>`): every reader sees it in their own zone."""
    u = unix_of(iso)
    return "<t:%d:%s>" % (u, style) if u is not None else None


# ---------------------------------------------------------------- words players understand

WEAPON_NAMES = {
    "WS_KNIFE": "Knife", "WS_KNIFE_KBAR": "Ka-Bar", "WS_LUGER": "Luger", "WS_COLT": "Colt", "WS_MP40": "MP40",
    "WS_THOMPSON": "Thompson", "WS_STEN": "Sten", "WS_FG42": "FG42", "WS_PANZERFAUST": "Panzerfaust",
    "WS_BAZOOKA": "Bazooka", "WS_FLAMETHROWER": "Flamer", "WS_GRENADE": "Grenade", "WS_MORTAR": "Mortar",
    "WS_MORTAR2": "Mortar", "WS_DYNAMITE": "Dynamite", "WS_AIRSTRIKE": "Airstrike", "WS_ARTILLERY": "Artillery",
    "WS_SATCHEL": "Satchel", "WS_GRENADELAUNCHER": "Rifle nade", "WS_LANDMINE": "Landmine", "WS_MG42": "MG42",
    "WS_BROWNING": "Browning", "WS_CARBINE": "Carbine", "WS_KAR98": "K98", "WS_GARAND": "Garand (scoped)",
    "WS_K43": "K43 (scoped)", "WS_MP34": "MP34", "WS_SYRINGE": "Syringe",
}


def weapon_name(ws: str | None) -> str:
    return WEAPON_NAMES.get(str(ws), str(ws or "?").removeprefix("WS_").title())


def _uncounted_reason(m: dict) -> str:
    """Why a map is not in the score, in words (the scorer's note names rules)."""
    note = (m.get("note") or "").lower()
    source = m.get("scoring_source")
    if source == "incomplete" or not m.get("r2_file"):
        return "round 2 was not played"
    if "aborted" in note:
        return "round 2 was cut short"
    if source == "ambiguous" or "ambiguous" in note:
        return "the teams changed between the rounds"
    return "no result"


def _clock_or_none(t: str | None) -> int | None:
    return None if t is None or str(t).lower() == "fullhold" else clock_seconds(t)


def _surrendered(rnd: dict | None) -> bool:
    """The attack gave up (/surrender vote): the Lua timing says so (DOMAIN 5, FORMATS 5 #11)."""
    from et_pipeline.domain.timing import is_surrender

    lua = (rnd or {}).get("lua") or {}
    return bool(lua) and is_surrender(lua.get("end_reason"), lua.get("surrender_team"))


class MapStory:
    """Who attacked first, both times, who won and by how much, for one map play."""

    def __init__(self, ctx: "_Ctx", m: dict):
        self.m = m
        self.r1 = ctx.rounds_by_file.get(m.get("r1_file"))
        self.r2 = ctx.rounds_by_file.get(m.get("r2_file")) if m.get("r2_file") else None
        self.first = ctx.r1_attackers(m, self.r1) if self.r1 else None
        self.second = {"A": "B", "B": "A"}.get(self.first)
        times = {"A": m.get("time_a"), "B": m.get("time_b")}
        self.set_time = times.get(self.first) if self.first else None
        self.reply = times.get(self.second) if self.second else None
        self.limit = (self.r1 or {}).get("time_limit")

    def lines(self, ctx: "_Ctx") -> list[str]:
        """1️⃣ first attack, 2️⃣ the reply, 🏆 the result: short enough for a phone."""
        out = []
        if self.first and self.set_time is not None:
            set_s = _clock_or_none(self.set_time)
            if set_s is None and _surrendered(self.r1):
                out.append("1️⃣ %s gave up at %s" % (ctx.team(self.first), mmss(self.r1.get("playtime_seconds"))))
            elif set_s is None:
                out.append("1️⃣ %s was held to %s" % (ctx.team(self.first), self.limit or "the limit"))
            else:
                out.append("1️⃣ %s set **%s**" % (ctx.team(self.first), mmss(set_s)))
            if self.r2 and self.reply is not None:
                target = mmss(set_s) if set_s is not None else (self.limit or "the limit")
                reply_s = _clock_or_none(self.reply)
                if reply_s is None and _surrendered(self.r2):
                    out.append("2️⃣ %s gave up at %s" % (ctx.team(self.second), mmss(self.r2.get("playtime_seconds"))))
                elif reply_s is None:
                    out.append("2️⃣ %s was held to %s" % (ctx.team(self.second), target))
                else:
                    out.append("2️⃣ %s %s **%s**" % (ctx.team(self.second), "beat it in" if set_s is not None
                                                     else "finished in", mmss(reply_s)))
        elif self.r1:
            out.append("1️⃣ Round 1 lasted %s" % mmss(self.r1.get("playtime_seconds")))
        out.append(self.result(ctx))
        return out

    def margin(self) -> int | None:
        """Seconds between the winner's time and what the loser did or had to beat."""
        a, b = _clock_or_none(self.set_time), _clock_or_none(self.reply)
        if a is not None and b is not None:
            return abs(a - b)
        limit = clock_seconds(self.limit)
        if a is None and b is not None and limit:       # first attack held to the limit
            return limit - b
        return None

    def result(self, ctx: "_Ctx") -> str:
        m = self.m
        if not m.get("counted"):
            return "%s **Not counted:** %s" % (UNCOUNTED_EMOJI, _uncounted_reason(m))
        w = m.get("winner")
        if w == "tie":
            return "%s **Draw:** both attacks were held" % TIE_EMOJI
        if w not in ("A", "B"):
            return "❔ No winner recorded"
        gap = self.margin()
        if _clock_or_none(self.set_time) is None and _clock_or_none(self.reply) is None and self.set_time is not None:
            return "🏆 %s **wins**: both attacks were held, the map goes to the team that held in round 2" % ctx.team(w)
        if gap is not None and gap > 0:
            return "🏆 %s **wins by %s**" % (ctx.team(w), mmss(gap))
        return "🏆 %s **wins**" % ctx.team(w)      # the line above says who was held to what


# ---------------------------------------------------------------- players' channel: map card

MAP_TOP = 6          # players on a map card (a 3v3 night shows everyone)
LINE_SEP = " · "


def _scoreboard_line(i: int, a: dict) -> str:
    """Two short lines per player, so nothing wraps at 360 px."""
    tag = TEAM_EMOJI.get(a.get("team"), "🤖" if a.get("is_bot") else "▫️")
    dpm = a["damage_given"] * 60.0 / a["time_played_seconds"] if a.get("time_played_seconds") else 0
    return "%s %s **%s**\n%d/%d K/D%s%s dmg%s%d DPM" % (
        rank(i), tag, esc(a["name"], 18), a["kills"], a["deaths"], LINE_SEP, kfmt(a["damage_given"]), LINE_SEP,
        round(dpm))


def map_card(ctx: "_Ctx", index: int, m: dict, n_maps: int, details_note: str | None) -> dict:
    story = MapStory(ctx, m)
    rounds = ctx.map_rounds(m)
    humans = [a for a in _aggregate(rounds) if not a.get("is_bot")]
    label = ctx.map_labels.get(index, m.get("map"))
    fields = []
    if humans:
        fields.append({"name": "Best players", "inline": False,
                       "value": "\n".join(_scoreboard_line(i, a) for i, a in enumerate(humans[:MAP_TOP]))})
    w = m.get("winner") if m.get("counted") else None
    color = {"A": 0x4FC3F7, "B": 0xFFA94D, "tie": 0xFEE75C}.get(w, COLOR_GREY)
    embed = {
        "title": "🗺️ %s" % label,
        "color": color,
        "description": "\n".join(story.lines(ctx)),
        "fields": fields,
        "footer": {"text": "Map %d of %d%s" % (index + 1, n_maps, (" • " + details_note) if details_note else "")},
    }
    end = round_end(rounds[-1]) if rounds else None
    if unix_of(end) is not None:
        embed["timestamp"] = end
    return embed


# ---------------------------------------------------------------- players' channel: details

EXPLOSIVES = frozenset({"WS_PANZERFAUST", "WS_BAZOOKA", "WS_GRENADE", "WS_GRENADELAUNCHER", "WS_MORTAR",
                        "WS_MORTAR2", "WS_DYNAMITE", "WS_AIRSTRIKE", "WS_ARTILLERY", "WS_SATCHEL", "WS_LANDMINE"})


def _weapons_line(p: dict, limit: int = 3) -> str:
    """The player's weapons with kills (else his most-fired gun): kills, accuracy and
    head hits. Accuracy only for guns: splash damage makes hits exceed shots."""
    ws = [w for w in p.get("weapons") or [] if w.get("weapon") != "WS_SYRINGE"]
    ws.sort(key=lambda w: (-(w.get("kills") or 0), -(w.get("shots") or 0), str(w.get("weapon"))))
    shown = [w for w in ws if w.get("kills")] or [w for w in ws[:1] if w.get("shots")]
    parts = []
    for w in shown[:limit]:
        text = "%s %dk" % (weapon_name(w.get("weapon")), w.get("kills") or 0)
        if w.get("shots") and w.get("weapon") not in EXPLOSIVES:
            text += " %d%%" % round((w.get("hits") or 0) * 100.0 / w["shots"])
        if w.get("headshots"):
            text += " %dhs" % w["headshots"]
        parts.append(text)
    return "🔫 " + LINE_SEP.join(parts) if parts else ""


def _detail_block(p: dict, round_seconds: float | None) -> str:
    """A player's full line in a round, in short lines (a thread is read on phones too)."""
    played = p.get("time_played_seconds") or 0
    dead = p.get("time_dead_seconds") or 0
    lines = ["**%s**%s %d/%d%s%d DPM" % (esc(p.get("name"), 18), " 🤖" if p.get("is_bot") else "",
                                        p.get("kills") or 0, p.get("deaths") or 0, LINE_SEP, round(p.get("dpm") or 0)),
             LINE_SEP.join(("%s dmg" % kfmt(p.get("damage_given")), "acc %d%%" % round(p.get("accuracy") or 0),
                            "HS %d" % (p.get("headshots") or 0)))]
    extra = ["gibs %d" % (p.get("gibs") or 0)]
    if p.get("revives_given") or p.get("times_revived"):
        extra.append("revives %d/%d" % (p.get("revives_given") or 0, p.get("times_revived") or 0))
    extra.append("dead %s" % mmss(dead))
    if round_seconds and played < 0.9 * round_seconds:
        extra.append("played %s" % mmss(played))
    mk = multikills(p.get("multikills"))
    if mk:
        extra.append(mk)
    lines.append(LINE_SEP.join(extra))
    weapons = _weapons_line(p)
    if weapons:
        lines.append(weapons)
    return "\n".join(lines)


def round_details_embed(ctx: "_Ctx", rnd: dict) -> dict:
    """Every player's line of one round, attackers first, with per-weapon numbers."""
    n = rnd.get("round")
    ds = ctx.defender_side(rnd)
    players = sorted(rnd.get("players") or [], key=lambda p: (-(p.get("kills") or 0), -(p.get("damage_given") or 0),
                                                             str(p.get("name"))))
    fields = []
    roles = [(3 - ds, ATTACK, "Attack"), (ds, DEFENCE, "Defence")] if ds in (1, 2) else \
        [(1, "▫️", SIDE_NAMES[1]), (2, "▫️", SIDE_NAMES[2])]
    for side, icon, role in roles:
        group = [p for p in players if p.get("side") == side]
        if not group:
            continue
        team = side_team(rnd, side)
        heading = "%s %s%s" % (icon, role, (" — " + ctx.team(team)) if team else "")
        blocks = [_detail_block(p, rnd.get("playtime_seconds")) for p in group]
        for j, chunk in enumerate(limits.join_blocks(blocks, limits.FIELD_VALUE)):
            fields.append({"name": heading + (limits.CONT if j else ""), "value": chunk, "inline": False})
    rest = [p for p in players if p.get("side") not in (1, 2)]
    if rest:
        fields.append({"name": "👀 Spectating", "inline": False,
                       "value": limits.truncate(", ".join(esc(p.get("name"), 18) for p in rest), limits.FIELD_VALUE)})
    ws = rnd.get("winner_side")
    desc = ["⏱️ %s played" % mmss(rnd.get("playtime_seconds"))]
    when = stamp(round_end(rnd), "t")
    if when:
        desc[0] += ", ended " + when
    if ws in (1, 2) and ds in (1, 2):
        desc.append("🛡️ The defence held" if ws == ds else "⚔️ The attack reached the objective")
    return {
        "title": "%s · Round %s" % (ctx.round_label(rnd), n),
        "color": COLOR_R1 if n == 1 else COLOR_R2,
        "description": "\n".join(desc),
        "fields": fields,
    }


def map_awards_embed(ctx: "_Ctx", index: int, m: dict) -> dict | None:
    """The map's awards once: the round-2 award file counts the whole map, so it is used
    when there is one; else round 1's. At most 3 per category."""
    rounds = ctx.map_rounds(m)
    source = next((r for r in reversed(rounds) if r.get("awards")), None)
    if source is None:
        return None
    groups = _by_category(source.get("awards") or [])
    fields = []
    for cat, emoji, heading in CATEGORIES:
        lines = ["%s: **%s** (%s)" % (limits.truncate(a.get("award") or "?", 30), esc(a.get("player"), 18),
                                      award_value(a.get("award") or "", a.get("value"), a.get("value_text")))
                 for a in groups.get(cat, [])[:3]]
        if lines:
            fields.append({"name": "%s %s" % (emoji, heading), "value": "\n".join(lines), "inline": False})
    whole = source.get("round") == 2
    return {"title": "🏅 Awards · %s" % ctx.map_labels.get(index, m.get("map")), "color": COLOR_GOLD,
            "description": "Both rounds of the map" if whole else "Round 1 only", "fields": fields}


def map_details_embeds(ctx: "_Ctx", index: int, m: dict) -> list[dict]:
    out = [round_details_embed(ctx, r) for r in ctx.map_rounds(m)]
    awards = map_awards_embed(ctx, index, m)
    if awards:
        out.append(awards)
    return out


_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ESCAPED = re.compile(r"\\([\\*_~`|>\[\]])")
_STAMP = re.compile(r"<t:(\d+):[a-zA-Z]>")


def details_text(embeds: list[dict]) -> str:
    """The details as a plain text file (for a channel without a details thread): the
    same lines as the thread's embeds, without markdown, times in UTC."""
    from datetime import datetime, timezone

    def plain(text: str) -> str:
        text = _STAMP.sub(lambda mm: datetime.fromtimestamp(int(mm.group(1)), timezone.utc).strftime("%H:%M UTC"), text)
        return _ESCAPED.sub(r"\1", _BOLD.sub(r"\1", text))

    out = []
    for e in embeds:
        out.append(plain(e.get("title") or ""))
        out.append("=" * len(out[-1]))
        if e.get("description"):
            out.append(plain(e["description"]))
        for f in e.get("fields") or []:
            out.append("")
            out.append(plain(f.get("name") or ""))
            out.append(plain(f.get("value") or ""))
        out.append("")
    return "\n".join(out).rstrip() + "\n"


# ---------------------------------------------------------------- players' channel: the summary

POTN_RULE = "⭐ = " + POTN_RULE_TEXT


def player_of_the_night(session: dict) -> dict | None:
    """The one rule (domain.player_of_the_night) over the session's players."""
    return pick_player_of_the_night(session.get("players") or [])


def _summary_map_line(ctx: "_Ctx", index: int, m: dict) -> str:
    label = ctx.map_labels.get(index, m.get("map"))
    if not m.get("counted"):
        return "%s %s: not counted" % (UNCOUNTED_EMOJI, label)
    w = m.get("winner")
    if w == "tie":
        return "%s %s: draw" % (TIE_EMOJI, label)
    if w not in ("A", "B"):
        return "❔ %s" % label
    gap = MapStory(ctx, m).margin()
    return "%s %s: %s%s" % (TEAM_EMOJI[w], label, ctx.team(w, emoji=False),
                            " by %s" % mmss(gap) if gap else "")


def _day(date: str) -> str:
    """'2026-02-05' -> 'Thu 5 Feb 2026' (the session date, a calendar day, not an instant)."""
    from datetime import date as _date

    try:
        d = _date.fromisoformat(date)
    except (TypeError, ValueError):
        return str(date)
    return "%s %d %s %d" % (d.strftime("%a"), d.day, d.strftime("%b"), d.year)


def summary_embed(ctx: "_Ctx") -> dict:
    s = ctx.s
    score = s.get("score") or {}
    a, b = score.get("A") or 0, score.get("B") or 0
    w = s.get("winner")
    if w in ("A", "B"):
        headline = "%s wins %d–%d" % (ctx.team(w), max(a, b), min(a, b))
    elif a or b or w == "tie":
        headline = "%s draw %d–%d" % (TIE_EMOJI, a, b)
    else:
        headline = "no counted map"
    desc = []
    start, end = stamp(s.get("start_at"), "f"), stamp(s.get("end_at"), "t")
    if start:
        desc.append("🕘 %s – %s" % (start, end or "?"))
    desc.append("**Final score:** %s **%d** – **%d** %s" % (ctx.team("A"), a, b, ctx.team("B")))
    potn = player_of_the_night(s)
    if potn:
        desc.append("⭐ **Player of the night: %s** %s\n%d DPM%s%d/%d K/D" % (
            esc(potn.get("name"), 20), TEAM_EMOJI.get(potn.get("team"), ""), round(potn.get("dpm") or 0), LINE_SEP,
            potn.get("kills") or 0, potn.get("deaths") or 0))
    maps = s.get("maps") or []
    fields = []
    if maps:
        fields.append({"name": "Maps", "inline": False,
                       "value": "\n".join(_summary_map_line(ctx, i, m) for i, m in enumerate(maps))})
    for key in ("A", "B"):
        members = ((s.get("teams") or {}).get(key) or {}).get("players") or []
        if members:
            fields.append({"name": ctx.team(key), "inline": True,
                           "value": limits.truncate("\n".join(esc(p.get("name"), 20) for p in members),
                                                    limits.FIELD_VALUE)})
    embed = {
        "title": "🏁 Night of %s: %s" % (_day(ctx.date), headline),
        "color": COLOR_SESSION,
        "description": "\n".join(desc),
        "fields": fields,
        "footer": {"text": POTN_RULE},
    }
    if s.get("end_at") and unix_of(s["end_at"]) is not None:
        embed["timestamp"] = s["end_at"]
    return embed


def held_embed(ctx: "_Ctx", what: str) -> dict:
    """In place of a message whose numbers the night's own checks found wrong
    (domain.night_checks.HOLDS): the same message key, so the real one replaces it."""
    return {"title": "⏸️ %s is held back" % what, "color": COLOR_GREY,
            "description": "Its totals do not add up to the night's rounds, so it is not shown until that is "
                           "fixed. The admins have been told; the message is updated here when it is."}


# ---------------------------------------------------------------- assembly

def _details_filename(ctx: "_Ctx", index: int, m: dict) -> str:
    label = re.sub(r"[^A-Za-z0-9._-]+", "-", ctx.map_labels.get(index, m.get("map")) or "map").strip("-")
    return "map%d-%s-details.txt" % (index + 1, label)


def players_messages(session: dict, *, graphs: bool = True, details_thread: bool = False,
                     draw_graphs=None) -> list[Message]:
    """The players' channel: a card per map in the order the maps finished, the summary,
    the graphs. `details_thread`: each map's details as thread messages right after
    its card; otherwise as a text file attached to the card. `draw_graphs` replaces
    `graphs.session_graphs` (e.g. publish.graph_cache.GraphCache.session_graphs)."""
    ctx = _Ctx(session)
    maps = list(enumerate(session.get("maps") or []))
    out: list[Message] = []
    for i, m in maps:
        key = "map:%s" % (m.get("r1_file") or m.get("r2_file") or "%s#%d" % (m.get("map"), i))
        details = map_details_embeds(ctx, i, m)
        if details_thread:
            out += _messages(key, [map_card(ctx, i, m, len(maps), "details in the thread")])
            out += _messages("details:%s" % key[4:], details, thread=True, numbered=True)
        else:
            name = _details_filename(ctx, i, m)
            out += _messages(key, [map_card(ctx, i, m, len(maps), "details: the attached file")],
                             files=[(name, details_text(details).encode("utf-8"))] if details else [])
    held = held_messages(session.get("checks") or [])
    if "session:summary" in held:
        out += _messages("session:summary", [held_embed(ctx, "The night's summary")])
    else:
        out += _messages("session:summary", [summary_embed(ctx)])
    if graphs and session.get("players") and "session:graphs" in held:
        out += _messages("session:graphs", [held_embed(ctx, "The night's charts")])
    elif graphs and session.get("players"):
        if draw_graphs is None:
            from et_pipeline.publish.graphs import session_graphs as draw_graphs  # matplotlib only when needed
        drawn = draw_graphs(session)
        embeds = [{"title": g.title, "description": g.description, "color": g.color,
                   "image": {"url": "attachment://" + g.filename}} for g in drawn]
        if embeds:
            out += _messages("session:graphs", embeds, [(g.filename, g.png) for g in drawn])
    return out


def build_messages(session: dict, *, graphs: bool = True, details_thread: bool = False,
                   admin: dict | None = None, draw_graphs=None) -> list[Message]:
    """Every Discord message for `session`, in posting order, each within Discord's
    limits: the players' channel, then the admins' channel (`admin`: the file facts of
    et_pipeline.admin_report, `{}` for none; None leaves the admins' channel out). `graphs=False` skips the
    (slower) PNG rendering; `draw_graphs` as in `players_messages`."""
    from et_pipeline.publish.admin_embeds import admin_messages

    out = players_messages(session, graphs=graphs, details_thread=details_thread, draw_graphs=draw_graphs)
    out += admin_messages(session, admin)
    seen: set[str] = set()
    for msg in out:
        if msg.key in seen:
            raise ValueError("duplicate message key %r (two rounds with the same file?)" % msg.key)
        seen.add(msg.key)
    return out
