"""Discord messages for one gaming session, from the session report (CONTRACT.md 4).
Pure: the same session always gives the same messages, with the same keys, so a re-run
maps onto the messages already posted.

Two audiences:

* the players' channel reads like a scoreboard on a phone: one card per map as it
  finishes (the result first, each round in the words of domain.round_outcome, the
  night's score after the map, the top players by damage per minute: the measure the
  player of the night is chosen by), then the session summary (the score, the player of
  the night, the maps, the teams) and one message of graphs. A 5-map night is 7
  messages. Each map's per-round details (every player's line, per-weapon numbers, the
  map's awards once) go into a thread (`thread=True`: posted with the webhook's
  `thread_id`), or, when no thread is configured, into a text file attached to the map's
  card. Nothing internal is shown there: no file names, rule or setting names, timing
  diagnostics. Numbers read as et_pipeline.numbers writes them, colours follow
  publish/colours.py, every name goes through publish/escape.py.
* the admins' channel (publish/admin_embeds.py) gets what only admins need.
"""
from __future__ import annotations

import re
from typing import Iterable

from et_pipeline import numbers as num
from et_pipeline.domain import round_outcome as outcome
from et_pipeline.domain.aggregates import time_weighted_dpm
from et_pipeline.domain.night_checks import held_messages
from et_pipeline.domain.player_of_the_night import RULE as POTN_RULE_TEXT
from et_pipeline.domain.player_of_the_night import player_of_the_night as pick_player_of_the_night
from et_pipeline.parsers.stats_file import clock_seconds   # the header fields' own M:SS reader
from et_pipeline.publish import colours, limits
from et_pipeline.publish.colours import TEAM_EMOJI
from et_pipeline.publish.escape import plain_text
from et_pipeline.publish.message import Message, _Ctx, _messages, esc
from et_pipeline.publish.prediction_line import prediction_lines

TIE_EMOJI, UNCOUNTED_EMOJI = "🤝", "⚪"
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

def rank(i: int) -> str:
    return RANKS[i] if i < len(RANKS) else "**%d.**" % (i + 1)


def multikills(mk: list | None) -> str:
    return " ".join("%d %s" % (n, MULTIKILL_NAMES[i]) for i, n in enumerate(mk or []) if n and i < 5)


def award_value(award: str, value: float | None, text: str | None) -> str:
    """An award's value the way every number reads (et_pipeline.numbers): % for
    accuracies, m:ss for times, 2 decimals for ratios, counts with a thousands comma."""
    t = (text or "").strip()
    low = award.lower()
    nums = re.findall(r"-?\d+(?:\.\d+)?", t)
    first = float(nums[0]) if nums else None
    if "kills in" in t:
        m = re.match(r"(\d+) kills in (\d+(?:\.\d+)?)s", t)
        return "%s kills in %.2fs" % (m.group(1), float(m.group(2))) if m else t
    if t.endswith("x") and nums:
        return num.ratio(float(nums[-1])) + "x"
    if "percent" in t and first is not None:
        out = num.percent(first)
        if "min" in t and len(nums) > 1:                 # "45.12 percent, 5.5 min": minutes as M:SS
            out += ", " + num.duration(float(nums[1]) * 60)
        return out
    if "seconds" in t and first is not None:
        return num.duration(first)
    if t.endswith(" m") and first is not None:
        return num.metres(first)
    n = value if value is not None else first
    if n is None:
        return t or num.MISSING
    if "ratio" in low or "per minute" in low:
        return num.ratio(n)
    if float(n) == int(n) or abs(n) >= 1000:
        return num.count(n)
    return "%.1f" % n


def _by_category(awards: Iterable[dict]) -> dict[str, list[dict]]:
    known = {c for c, _, _ in CATEGORIES}
    groups: dict[str, list[dict]] = {}
    for a in awards:
        cat = a.get("category") if a.get("category") in known else "other"
        groups.setdefault(cat, []).append(a)
    return groups


def _aggregate(rounds: Iterable[dict]) -> list[dict]:
    """Each player's numbers over the given rounds, best damage per minute first (the
    player of the night's measure, time-weighted), then kills, then name."""
    agg: dict[str, dict] = {}
    for r in rounds:
        for p in r.get("players") or []:
            a = agg.setdefault(p.get("guid") or p.get("name"), {
                "name": p.get("name"), "team": p.get("team"), "is_bot": p.get("is_bot"), "kills": 0, "deaths": 0,
                "damage_given": 0, "time_played_seconds": 0})
            for k in ("kills", "deaths", "damage_given", "time_played_seconds"):
                a[k] += p.get(k) or 0
            a["name"] = p.get("name") or a["name"]
    out = list(agg.values())
    for a in out:
        a["dpm"] = time_weighted_dpm(a["damage_given"], a["time_played_seconds"])
    out.sort(key=lambda a: (-a["dpm"], -a["kills"], str(a["name"])))
    return out


# ---------------------------------------------------------------- times

def unix_of(iso: str | None) -> int | None:
    """'2026-02-05T21:10:01+01:00' -> 1770322201; None for a time without an offset
    (a Discord timestamp must be an instant, never a guess)."""
    t = num.instant(iso)
    return int(t.timestamp()) if t is not None else None


def round_end(rnd: dict) -> str | None:
    """When a round ended, as ISO with offset: the Lua timing's end when linked (the
    stats file is written ~3 s later, FORMATS 5 #24), else the file name's time."""
    end = (rnd.get("lua") or {}).get("round_end_unix")
    if end:
        return num.instant(unix=end).isoformat()
    return rnd.get("ended_at")


def stamp(iso: str | None, style: str = "t") -> str | None:
    """A Discord timestamp (`<t:unix:t>`): every reader sees it in their own zone."""
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
        if "aborted" in note:           # "round 1 aborted ..." or "round 2 aborted ..."
            return "round %s was cut short" % ("1" if note.startswith("round 1") else "2")
        return "round 2 was not played"
    if source == "ambiguous" or "ambiguous" in note:
        return "the teams changed between the rounds"
    return "no result"


def _clock_or_none(t: str | None) -> int | None:
    return None if t is None or str(t).lower() == outcome.FULL_HOLD else clock_seconds(t)


def round_words(ctx: "_Ctx", rnd: dict) -> str:
    """How the round ended, in the one vocabulary (domain.round_outcome)."""
    return outcome.round_text(rnd, ctx.map_of(rnd))


class MapStory:
    """Who attacked first, how each round ended, who won and by how much, for one map play."""

    def __init__(self, ctx: "_Ctx", m: dict):
        self.m = m
        self.r1 = ctx.rounds_by_file.get(m.get("r1_file"))
        self.r2 = ctx.rounds_by_file.get(m.get("r2_file")) if m.get("r2_file") else None
        self.first = ctx.attackers(self.r1) if self.r1 else None
        self.second = {"A": "B", "B": "A"}.get(self.first)
        times = {"A": m.get("time_a"), "B": m.get("time_b")}
        self.set_time = times.get(self.first) if self.first else None
        self.reply = times.get(self.second) if self.second else None
        self.limit = (self.r1 or {}).get("time_limit")

    def lines(self, ctx: "_Ctx") -> list[str]:
        """🏆 the result, then 1️⃣ / 2️⃣ each attack: short enough for a phone."""
        out = [self.result(ctx)]
        for icon, rnd, team in (("1️⃣", self.r1, self.first), ("2️⃣", self.r2, self.second)):
            if rnd:
                out.append("%s %s: %s" % (icon, ctx.team(team) if team else "Round %s" % rnd.get("round"),
                                          round_words(ctx, rnd)))
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
            return "%s **Draw:** both attacks held" % TIE_EMOJI
        if w not in ("A", "B"):
            return "❔ No winner recorded"
        gap = self.margin()
        if _clock_or_none(self.set_time) is None and _clock_or_none(self.reply) is None and self.set_time is not None:
            return "🏆 %s **wins**: both attacks held, the map goes to the team that defended in round 2" % ctx.team(w)
        if gap is not None and gap > 0:
            return "🏆 %s **wins by %s**" % (ctx.team(w), num.duration(gap))
        return "🏆 %s **wins**" % ctx.team(w)      # the lines below say how each attack ended


def running_score(session: dict, upto: int) -> tuple[int, int]:
    """The night's score (A, B) after map `upto` (0-based): counted maps' points so far."""
    maps = [m for m in (session.get("maps") or [])[: upto + 1] if m.get("counted")]
    return (sum((m.get("points") or {}).get("A", int(m.get("winner") == "A")) for m in maps),
            sum((m.get("points") or {}).get("B", int(m.get("winner") == "B")) for m in maps))


# ---------------------------------------------------------------- players' channel: map card

MAP_TOP = 3          # a podium: the rest of the roster is in the details
LINE_SEP = " · "
TOP_HEADING = "Top %d · damage per minute"


def _top_line(i: int, a: dict) -> str:
    """One short line per player, so nothing wraps at 360 px."""
    tag = TEAM_EMOJI.get(a.get("team"), "▫️")
    return "%s %s **%s** %s DPM" % (rank(i), tag, esc(a["name"], 18), num.dpm(a["dpm"]))


def score_line(a: int, b: int) -> str:
    """The night's score after a map, by the teams' colours (named on the lines above it)."""
    return "📊 Night so far: %s **%d – %d** %s" % (TEAM_EMOJI["A"], a, b, TEAM_EMOJI["B"])


def map_card(ctx: "_Ctx", index: int, m: dict, n_maps: int, details_note: str | None,
             prediction: dict | None = None) -> dict:
    story = MapStory(ctx, m)
    humans = [a for a in _aggregate(ctx.map_rounds(m)) if not a.get("is_bot")]
    fields = []
    if humans:
        top = humans[:MAP_TOP]
        fields.append({"name": TOP_HEADING % len(top), "inline": False,
                       "value": "\n".join(_top_line(i, a) for i, a in enumerate(top))})
    w = m.get("winner") if m.get("counted") else None
    chances = prediction_lines(prediction, ctx.team) if prediction else []
    return {
        "title": "🗺️ %s" % ctx.map_label(index, m),
        "color": colours.result(w),
        "description": "\n".join(story.lines(ctx) + chances + [score_line(*running_score(ctx.s, index))]),
        "fields": fields,
        "footer": {"text": "Map %d of %d%s" % (index + 1, n_maps, (" • " + details_note) if details_note else "")},
    }


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
        extra = []
        if w.get("shots") and w.get("weapon") not in EXPLOSIVES:
            extra.append(num.percent((w.get("hits") or 0) * 100.0 / w["shots"]))
        if w.get("headshots"):
            extra.append("%d HS" % w["headshots"])
        parts.append("%s %s%s" % (weapon_name(w.get("weapon")), num.plural(w.get("kills") or 0, "kill"),
                                  " (%s)" % ", ".join(extra) if extra else ""))
    return "🔫 " + LINE_SEP.join(parts) if parts else ""


def _detail_block(p: dict, round_seconds: float | None) -> str:
    """A player's full line in a round, in short lines (a thread is read on phones too)."""
    played = p.get("time_played_seconds") or 0
    dead = p.get("time_dead_seconds") or 0
    lines = ["**%s**%s %d/%d K/D%s%s DPM" % (esc(p.get("name"), 18), " 🤖" if p.get("is_bot") else "",
                                            p.get("kills") or 0, p.get("deaths") or 0, LINE_SEP, num.dpm(p.get("dpm"))),
             LINE_SEP.join(("%s dmg" % num.count(p.get("damage_given")), "acc %s" % num.percent(p.get("accuracy")),
                            "HS %d" % (p.get("headshots") or 0)))]
    extra = ["gibs %d" % (p.get("gibs") or 0)]
    if p.get("revives_given") or p.get("times_revived"):
        extra.append("revives %d/%d" % (p.get("revives_given") or 0, p.get("times_revived") or 0))
    extra.append("dead %s" % num.duration(dead))
    if round_seconds and played < 0.9 * round_seconds:
        extra.append("played %s" % num.duration(played))
    mk = multikills(p.get("multikills"))
    if mk:
        extra.append(mk)
    lines.append(LINE_SEP.join(extra))
    weapons = _weapons_line(p)
    if weapons:
        lines.append(weapons)
    return "\n".join(lines)


def round_winner(ctx: "_Ctx", rnd: dict) -> str | None:
    """The team that won the round: the attack when it succeeded, else the defence."""
    team = ctx.attackers(rnd)
    won = outcome.attack_succeeded(outcome.of_round(rnd, ctx.map_of(rnd)))
    if team is None or won is None:
        return None
    return team if won else {"A": "B", "B": "A"}[team]


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
        team = outcome.side_team(rnd, side)
        heading = "%s %s%s" % (icon, role, (" — " + ctx.team(team)) if team else "")
        blocks = [_detail_block(p, rnd.get("playtime_seconds")) for p in group]
        for j, chunk in enumerate(limits.join_blocks(blocks, limits.FIELD_VALUE)):
            fields.append({"name": heading + (limits.CONT if j else ""), "value": chunk, "inline": False})
    rest = [p for p in players if p.get("side") not in (1, 2)]
    if rest:
        fields.append({"name": "👀 Spectating", "inline": False,
                       "value": limits.truncate(", ".join(esc(p.get("name"), 18) for p in rest), limits.FIELD_VALUE)})
    attackers = ctx.attackers(rnd)
    desc = "%s %s: %s" % (ATTACK, ctx.team(attackers) if attackers else "Attack", round_words(ctx, rnd))
    when = stamp(round_end(rnd), "T")      # to the second: the timing file's end, when linked, corrects it
    if when:
        desc += ", ended " + when
    return {
        "title": "%s · Round %s" % (ctx.round_label(rnd), n),
        "color": colours.result(round_winner(ctx, rnd)),
        "description": desc,
        "fields": fields,
    }


def map_awards_embed(ctx: "_Ctx", index: int, m: dict) -> dict | None:
    """The map's awards once: the round-2 award file when there is one (it counts the whole
    map for the game's counters, R2_AWARDS_SCOPE), else round 1's. At most 3 per category."""
    rounds = ctx.map_rounds(m)
    source = next((r for r in reversed(rounds) if r.get("awards")), None)
    if source is None:
        return None
    groups = _by_category(source.get("awards") or [])
    fields = []
    for cat, emoji, heading in CATEGORIES:
        lines = ["%s: **%s** (%s)" % (esc(a.get("award"), 30), esc(a.get("player"), 18),
                                      award_value(a.get("award") or "", a.get("value"), a.get("value_text")))
                 for a in groups.get(cat, [])[:3]]
        if lines:
            fields.append({"name": "%s %s" % (emoji, heading), "value": "\n".join(lines), "inline": False})
    return {"title": "🏅 Awards · %s" % ctx.map_label(index, m), "color": colours.NEUTRAL,
            "description": R2_AWARDS_SCOPE if source.get("round") == 2 else "Round 1 only", "fields": fields}


# what round 2's award file covers (docs/rules.md §8): the game's counters count the map,
# the award script's own counters restart every round
R2_AWARDS_SCOPE = ("Damage, K/D, accuracy, deaths and gibs: the whole map; kills by weapon, revives, sprees, "
                   "multikills and objectives: round 2 only")


def map_details_embeds(ctx: "_Ctx", index: int, m: dict) -> list[dict]:
    out = [round_details_embed(ctx, r) for r in ctx.map_rounds(m)]
    awards = map_awards_embed(ctx, index, m)
    if awards:
        out.append(awards)
    return out


_BOLD = re.compile(r"\*\*(.+?)\*\*")
_STAMP = re.compile(r"<t:(\d+):([a-zA-Z])>")


def details_text(embeds: list[dict], zone: str | None = None) -> str:
    """The details as a plain text file (for a channel without a details thread): the
    same lines as the thread's embeds, without markdown, times in the night's zone
    (named: `21:09 CET`)."""

    def plain(text: str) -> str:
        text = _STAMP.sub(lambda mm: num.clock(num.instant(unix=int(mm.group(1))), zone, seconds=mm.group(2) == "T"),
                          text)
        return plain_text(_BOLD.sub(r"\1", text))

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
    label = ctx.map_label(index, m)
    if not m.get("counted"):
        return "%s %s: not counted" % (UNCOUNTED_EMOJI, label)
    w = m.get("winner")
    if w == "tie":
        return "%s %s: draw" % (TIE_EMOJI, label)
    if w not in ("A", "B"):
        return "❔ %s" % label
    gap = MapStory(ctx, m).margin()
    return "%s %s: %s%s" % (TEAM_EMOJI[w], label, ctx.team(w, emoji=False),
                            " by %s" % num.duration(gap) if gap else "")


def summary_embed(ctx: "_Ctx") -> dict:
    """The night in one card: the date and the score once (title), when it was played
    (times of day in each reader's zone), the player of the night, the maps, the teams."""
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
    maps = s.get("maps") or []
    desc = []
    start, end = stamp(s.get("start_at")), stamp(s.get("end_at"))
    when = "%s – %s" % (start, end or "?") if start else None
    desc.append("🕘 " + LINE_SEP.join(x for x in (when, num.plural(len(maps), "map")) if x))
    potn = player_of_the_night(s)
    if potn:
        desc.append("⭐ Player of the night: **%s** %s\n%s DPM%s%d/%d K/D" % (
            esc(potn.get("name"), 20), TEAM_EMOJI.get(potn.get("team"), ""), num.dpm(potn.get("dpm")), LINE_SEP,
            potn.get("kills") or 0, potn.get("deaths") or 0))
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
    return {
        "title": "🏁 %s: %s" % (num.day(ctx.date), headline),
        "color": colours.result(w),
        "description": "\n".join(desc),
        "fields": fields,
        "footer": {"text": POTN_RULE},
    }


def held_embed(ctx: "_Ctx", what: str) -> dict:
    """In place of a message whose numbers the night's own checks found wrong
    (domain.night_checks.HOLDS): the same message key, so the real one replaces it."""
    return {"title": "⏸️ %s is held back" % what, "color": colours.NEUTRAL,
            "description": "Its totals do not add up to the night's rounds, so it is not shown until that is "
                           "fixed. The admins have been told; the message is updated here when it is."}


# ---------------------------------------------------------------- assembly

def _details_filename(ctx: "_Ctx", index: int, m: dict) -> str:
    label = re.sub(r"[^A-Za-z0-9._-]+", "-", ctx.map_labels.get(index, m.get("map")) or "map").strip("-")
    return "map%d-%s-details.txt" % (index + 1, label)


def players_messages(session: dict, *, graphs: bool = True, details_thread: bool = False,
                     draw_graphs=None, predictions: dict | None = None) -> list[Message]:
    """The players' channel: a card per map in the order the maps finished, the summary,
    the graphs. `details_thread`: each map's details as thread messages right after
    its card; otherwise as a text file attached to the card. `draw_graphs` replaces
    `graphs.session_graphs` (e.g. publish.graph_cache.GraphCache.session_graphs).
    `predictions`: r1_file -> the map's win probabilities (season.card), shown on its card."""
    ctx = _Ctx(session)
    maps = list(enumerate(session.get("maps") or []))
    out: list[Message] = []
    for i, m in maps:
        key = "map:%s" % (m.get("r1_file") or m.get("r2_file") or "%s#%d" % (m.get("map"), i))
        details = map_details_embeds(ctx, i, m)
        chances = (predictions or {}).get(m.get("r1_file"))
        if details_thread:
            out += _messages(key, [map_card(ctx, i, m, len(maps), "details in the thread", chances)])
            out += _messages("details:%s" % key[4:], details, thread=True, numbered=True)
        else:
            name = _details_filename(ctx, i, m)
            out += _messages(key, [map_card(ctx, i, m, len(maps), "details: the attached file", chances)],
                             files=[(name, details_text(details, ctx.zone).encode("utf-8"))] if details else [])
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
        embeds = [{"title": g.title, "description": g.description, "color": colours.NEUTRAL,
                   "image": {"url": "attachment://" + g.filename}} for g in drawn]
        if embeds:
            out += _messages("session:graphs", embeds, [(g.filename, g.png) for g in drawn])
    return out


def build_messages(session: dict, *, graphs: bool = True, details_thread: bool = False,
                   admin: dict | None = None, draw_graphs=None, predictions: dict | None = None) -> list[Message]:
    """Every Discord message for `session`, in posting order, each within Discord's
    limits: the players' channel, then the admins' channel (`admin`: the file facts of
    et_pipeline.admin_report, `{}` for none; None leaves the admins' channel out). `graphs=False` skips the
    (slower) PNG rendering; `draw_graphs` and `predictions` as in `players_messages`."""
    from et_pipeline.publish.admin_embeds import admin_messages

    out = players_messages(session, graphs=graphs, details_thread=details_thread, draw_graphs=draw_graphs,
                           predictions=predictions)
    out += admin_messages(session, admin)
    seen: set[str] = set()
    for msg in out:
        if msg.key in seen:
            raise ValueError("duplicate message key %r (two rounds with the same file?)" % msg.key)
        seen.add(msg.key)
    return out
