"""Discord messages for one gaming session (DOMAIN.md 9.2, 9.3, 7.3, 8.4), from the
session report (CONTRACT.md 4). Pure: the same session always gives the same messages,
with the same keys, so a re-run maps onto the messages already posted.

Order (the channel reads like the night): each round in time order, each map's result
right after its last round, then the session summary, the player table, the awards
pages, the graphs and the timing check.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Iterable

from et_pipeline.publish import limits
from et_pipeline.publish.escape import discord_text

COLOR_R1 = 0x3498DB
COLOR_R2 = 0xE74C3C
COLOR_GOLD = 0xF1C40F
COLOR_SESSION = 0x5865F2
COLOR_GREEN = 0x57F287
COLOR_ORANGE = 0xE67E22
COLOR_RED = 0xED4245
COLOR_GREY = 0x95A5A6

TEAM_EMOJI = {"A": "🔵", "B": "🟠"}     # the same blue / orange as the graphs
TIE_EMOJI, UNCOUNTED_EMOJI = "🟡", "⚪"
SIDE_NAMES = {1: "Axis", 2: "Allies"}
SIDE_HEADINGS = {1: "⚔️ Axis", 2: "🛡️ Allies"}
RANKS = ["🥇", "🥈", "🥉", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣", "🔟"]
MULTIKILL_NAMES = ["DBL", "TPL", "QD", "PNT", "MGA"]
CATEGORIES = [  # DOMAIN 7.3 order
    ("combat", "⚔️", "Combat"), ("deaths", "💀", "Deaths & Mayhem"), ("skills", "🎯", "Skills"),
    ("weapons", "🔫", "Weapons"), ("teamwork", "🤝", "Teamwork"), ("objectives", "🚩", "Objectives"),
    ("timing", "⏱️", "Timing"), ("other", "📋", "Other"),
]
STATUS_LABELS = {"ALIGNED": "✅ ALIGNED", "MINOR_DIFF": "⚡ MINOR DIFF", "DISCREPANCY": "⚠️ DISCREPANCY",
                 "NO_LUA_DATA": "❓ NO LUA DATA"}
KEY_MAX = 80  # discord_posts.kind


@dataclass
class Message:
    """One Discord message. `key` is stable for the session (the discord_posts.kind);
    `files` are (filename, bytes) referenced from the embeds as attachment://filename."""
    key: str
    payload: dict
    files: list[tuple[str, bytes]] = field(default_factory=list)


# ---------------------------------------------------------------- formatting helpers

def mmss(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    s = int(round(max(0.0, float(seconds))))
    return "%d:%02d" % (s // 60, s % 60)


def clock_seconds(text: str | None) -> int | None:
    """'12:00' -> 720; '5.25' (minutes) -> 315; anything else None."""
    if not text:
        return None
    text = str(text).strip()
    m = re.fullmatch(r"(\d+):(\d{1,2})", text)
    if m:
        return int(m.group(1)) * 60 + int(m.group(2))
    try:
        return int(round(float(text) * 60))
    except ValueError:
        return None


def kfmt(n: float | None) -> str:
    n = float(n or 0)
    return "%.1fK" % (n / 1000) if abs(n) >= 1000 else "%d" % round(n)


def pct(part: float, whole: float) -> int:
    return int(round(part * 100.0 / whole)) if whole else 0


def esc(name: str | None, width: int = 24) -> str:
    """A player name safe for Discord markdown, cut to `width` characters."""
    return discord_text(limits.truncate(str(name or "?"), width))


def code(name: str | None, width: int = 24) -> str:
    """A player name inside `backticks` (backticks in the name cannot be escaped there)."""
    return "`%s`" % limits.truncate(str(name or "?"), width).replace("`", "ˋ")


def rank(i: int) -> str:
    return RANKS[i] if i < len(RANKS) else "**%d.**" % (i + 1)


def multikills(mk: list | None) -> str:
    return " ".join("%d %s" % (n, MULTIKILL_NAMES[i]) for i, n in enumerate(mk or []) if n and i < 5)


def time_text(t: str | None) -> str:
    if t is None:
        return "—"
    return "full hold" if str(t).lower() == "fullhold" else str(t)


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


def safe_key(key: str) -> str:
    """Keys fit discord_posts.kind (80 chars): long ones keep a readable head and a hash."""
    if len(key) <= KEY_MAX:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()[:10]
    return key[: KEY_MAX - 11] + "~" + digest


# ---------------------------------------------------------------- session context

class _Ctx:
    """Lookups shared by the builders."""

    def __init__(self, session: dict):
        self.s = session
        teams = session.get("teams") or {}
        self.team_names = {k: (teams.get(k) or {}).get("name") or "Team %s" % k for k in ("A", "B")}
        self.rounds_by_file = {r.get("file"): r for r in session.get("rounds") or []}
        self.map_labels: dict[int, str] = {}
        counts: dict[str, int] = {}
        totals: dict[str, int] = {}
        for m in session.get("maps") or []:
            totals[m["map"]] = totals.get(m["map"], 0) + 1
        for i, m in enumerate(session.get("maps") or []):
            counts[m["map"]] = counts.get(m["map"], 0) + 1
            self.map_labels[i] = m["map"] + (" (#%d)" % counts[m["map"]] if totals[m["map"]] > 1 else "")
        self.file_labels = {f: self.map_labels[i] for i, m in enumerate(session.get("maps") or [])
                            for f in (m.get("r1_file"), m.get("r2_file")) if f}
        self.map_of_file = {f: m for m in session.get("maps") or [] for f in (m.get("r1_file"), m.get("r2_file")) if f}
        self.date = session.get("date") or (session.get("start") or "")[:10]

    def defender_side(self, rnd: dict) -> int | None:
        """The side defending in this round. The objective side is fixed per map, so the
        scorer's inferred R1 defender (`r1_defender_side`, when the report has it) beats
        the round header, which can be stale (DOMAIN 5.1, 5.3 step 2)."""
        m = self.map_of_file.get(rnd.get("file")) or {}
        ds = m.get("r1_defender_side")
        return ds if ds in (1, 2) else rnd.get("defender_side")

    def r1_attackers(self, m: dict, r1: dict) -> str | None:
        """Team that attacked in round 1: from the scorer's sides when the report has them,
        else from who played the non-defending side."""
        a_side, ds = m.get("a_r1_side"), m.get("r1_defender_side")
        if a_side in (1, 2) and ds in (1, 2):
            return "A" if a_side != ds else "B"
        ds = r1.get("defender_side")
        return side_team(r1, 3 - ds) if ds in (1, 2) else None

    def round_label(self, rnd: dict) -> str:
        """The round's map, with (#k) when the map is played more than once."""
        return self.file_labels.get(rnd.get("file")) or str(rnd.get("map"))

    def team(self, key: str | None, emoji: bool = True) -> str:
        if key not in ("A", "B"):
            return "?"
        name = esc(self.team_names[key], 32)
        return "%s %s" % (TEAM_EMOJI[key], name) if emoji else name

    def map_rounds(self, m: dict) -> list[dict]:
        return [self.rounds_by_file[f] for f in (m.get("r1_file"), m.get("r2_file")) if f in self.rounds_by_file]


def side_team(rnd: dict, side: int | None) -> str | None:
    """The persistent team that played `side` in this round (majority of its humans)."""
    counts = {"A": 0, "B": 0}
    for p in rnd.get("players") or []:
        if p.get("side") == side and p.get("team") in counts and not p.get("is_bot"):
            counts[p["team"]] += 1
    if counts["A"] == counts["B"]:
        return None
    return "A" if counts["A"] > counts["B"] else "B"


# ---------------------------------------------------------------- per round (DOMAIN 9.2)

def _round_player_block(i: int, p: dict) -> str:
    played = p.get("time_played_seconds") or 0
    dead = min(p.get("time_dead_seconds") or 0, played) if played else (p.get("time_dead_seconds") or 0)
    denied = p.get("denied_playtime") or 0
    line1 = "%s **%s**%s" % (rank(i), esc(p.get("name"), 20), " 🤖" if p.get("is_bot") else "")
    line2 = "↳ K/D/G %d/%d/%d (%.2f) • DPM %d • %s⬆/%s⬇ • ACC %.1f%% • HS %d • Rev %d↑/%d↓" % (
        p.get("kills") or 0, p.get("deaths") or 0, p.get("gibs") or 0, p.get("kd_ratio") or 0,
        round(p.get("dpm") or 0), kfmt(p.get("damage_given")), kfmt(p.get("damage_received")),
        p.get("accuracy") or 0, p.get("headshots") or 0, p.get("revives_given") or 0, p.get("times_revived") or 0)
    line3 = "↳ TmDmg %d • ⏱%s 💀%s (%d%%) ⏳%s (%d%%)" % (
        p.get("team_damage_given") or 0, mmss(played), mmss(dead), pct(dead, played), mmss(denied),
        pct(denied, played))
    mk = multikills(p.get("multikills"))
    if mk:
        line3 += " • 🔥 " + mk
    return "\n".join((line1, line2, line3))


def _round_outcome(ctx: _Ctx, rnd: dict) -> str:
    ws, ds = rnd.get("winner_side"), ctx.defender_side(rnd)
    if ws not in (1, 2):
        return "🏆 **Winner:** unknown"
    team = side_team(rnd, ws)
    who = SIDE_NAMES[ws] + (" — " + ctx.team(team) if team else "")
    if ds in (1, 2):
        if ws == ds:
            how = "defence held" if rnd.get("round") == 1 else "defence held (time not beaten)"
        else:
            how = "objective done" if rnd.get("round") == 1 else "time beaten"
        who += " • " + how
    return "🏆 **Winner:** " + who


def _round_time(rnd: dict) -> str:
    limit_s = clock_seconds(rnd.get("time_limit"))
    actual = rnd.get("playtime_seconds")
    if actual is not None and limit_s:
        actual = min(float(actual), float(limit_s))
    text = "⏱️ **Time:** %s / %s" % (mmss(actual), rnd.get("time_limit") or "—")
    lua = rnd.get("lua") or {}
    timing = rnd.get("timing") or {}
    status = rnd.get("timing_status")
    if lua.get("playtime_seconds") is not None and actual is not None and \
            abs(float(lua["playtime_seconds"]) - float(rnd.get("playtime_seconds") or 0)) < 0.5:
        extra = "Lua"
        if status in ("MINOR_DIFF", "DISCREPANCY") and timing.get("stats_seconds") is not None:
            extra += "; stats file says %s" % mmss(timing["stats_seconds"])
        text += " (%s)" % extra
    elif status == "NO_LUA_DATA":
        text += " (stats file; no Lua timing)"
    if lua.get("pause_count"):
        text += " • ⏸️ %d pause%s (%s)" % (lua["pause_count"], "s" if lua["pause_count"] != 1 else "",
                                         mmss(lua.get("pause_seconds") or 0))
    if lua.get("end_reason") == "surrender":
        text += " • 🏳️ surrender"
    return text


def round_embeds(ctx: _Ctx, rnd: dict) -> list[dict]:
    n = rnd.get("round")
    desc = [_round_time(rnd), _round_outcome(ctx, rnd)]
    if rnd.get("local_time"):
        desc.append("🕘 **Ended:** %s" % rnd["local_time"].replace("T", " ")[:16])
    if rnd.get("orphan"):
        desc.append("⚠️ **Orphan round:** its other round is missing, so it counts for no map.")
    players = sorted(rnd.get("players") or [], key=lambda p: (-(p.get("kills") or 0), -(p.get("damage_given") or 0),
                                                             str(p.get("name"))))
    fields = []
    for side in (1, 2, None):
        group = [(i, p) for i, p in enumerate(players)
                 if (p.get("side") == side if side else p.get("side") not in (1, 2))]
        if not group:
            continue
        if side:
            team = side_team(rnd, side)
            heading = SIDE_HEADINGS[side] + (" — " + ctx.team(team) if team else "")
        else:
            heading = "👀 Spectators / unknown side"
        blocks = [_round_player_block(i, p) for i, p in group]
        for j, chunk in enumerate(limits.join_blocks(blocks, limits.FIELD_VALUE)):
            fields.append({"name": heading + (limits.CONT if j else ""), "value": chunk, "inline": False})
    if players:
        k = sum(p.get("kills") or 0 for p in players)
        d = sum(p.get("deaths") or 0 for p in players)
        hs = sum(p.get("headshots") or 0 for p in players)
        dmg = sum(p.get("damage_given") or 0 for p in players)
        tdmg = sum(p.get("team_damage_given") or 0 for p in players)
        acc = sum(p.get("accuracy") or 0 for p in players) / len(players)
        dpm = sum(p.get("dpm") or 0 for p in players) / len(players)
        dead = sum(p.get("time_dead_seconds") or 0 for p in players) / len(players)
        fields.append({"name": "📊 Round Summary", "inline": False, "value":
                       "**Totals:** Kills `%d` • Deaths `%d` • HS `%d` • Damage `%s` • TeamDmg `%s`\n"
                       "**Averages:** ACC `%.1f%%` • DPM `%d` • Dead `%s`"
                       % (k, d, hs, kfmt(dmg), kfmt(tdmg), acc, round(dpm), mmss(dead))})
    stats = {
        "title": "🎮 Round %s Complete - %s" % (n, ctx.round_label(rnd)),
        "color": COLOR_R1 if n == 1 else COLOR_R2,
        "description": "\n".join(desc),
        "fields": fields,
        "footer": {"text": "Round %s • %s • match %s" % (n, rnd.get("file"), rnd.get("match_id"))},
    }
    out = [stats]
    if rnd.get("awards"):
        out.append(round_awards_embed(rnd, ctx.round_label(rnd)))
    return out


def _by_category(awards: Iterable[dict]) -> dict[str, list[dict]]:
    known = {c for c, _, _ in CATEGORIES}
    groups: dict[str, list[dict]] = {}
    for a in awards:
        cat = a.get("category") if a.get("category") in known else "other"
        groups.setdefault(cat, []).append(a)
    return groups


def round_awards_embed(rnd: dict, label: str | None = None) -> dict:
    """DOMAIN 7.3 per-round awards: one field per category, at most 6 lines each."""
    r2 = rnd.get("round") == 2
    groups = _by_category(rnd.get("awards") or [])
    fields = []
    for cat, emoji, heading in CATEGORIES:
        lines = ["**%s:** %s (%s)" % (limits.truncate(a.get("award") or "?", 28), esc(a.get("player")),
                                      award_value(a.get("award") or "", a.get("value"), a.get("value_text")))
                 for a in groups.get(cat, [])[:6]]
        if lines:
            fields.append({"name": "%s %s" % (emoji, heading), "value": "\n".join(lines), "inline": False})
    return {
        "title": ("🏆 Map Awards (Cumulative) - %s" if r2 else "🏆 Round 1 Awards - %s") % (label or rnd.get("map")),
        "color": COLOR_GOLD,
        "fields": fields,
        "footer": {"text": ("Map Total (R1+R2) | %s" if r2 else "Round 1 | %s") % rnd.get("file")},
    }


# ---------------------------------------------------------------- per map

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


def _map_lines(ctx: _Ctx, m: dict) -> list[str]:
    """Who won, the time set and whether it was beaten."""
    rounds = ctx.map_rounds(m)
    r1 = ctx.rounds_by_file.get(m.get("r1_file"))
    r2 = ctx.rounds_by_file.get(m.get("r2_file")) if m.get("r2_file") else None
    winner = m.get("winner")
    lines = []
    if not m.get("counted"):
        lines.append("%s **Not counted** — %s" % (UNCOUNTED_EMOJI, m.get("note") or "no result"))
    elif winner in ("A", "B"):
        lines.append("🏆 **Winner: %s**" % ctx.team(winner))
    elif winner == "tie":
        lines.append("%s **Tie**" % TIE_EMOJI)
    else:
        lines.append("❔ **No winner recorded**")
    times = {"A": m.get("time_a"), "B": m.get("time_b")}
    if r1:
        att = ctx.r1_attackers(m, r1)
        if att and times.get(att) is not None:
            set_time = time_text(times[att])
            other = "B" if att == "A" else "A"
            if set_time == "full hold":
                lines.append("⏱️ **Round 1:** %s attacked and was held to the full %s" % (ctx.team(att), r1.get("time_limit") or "limit"))
            else:
                lines.append("⏱️ **Round 1:** %s set **%s**" % (ctx.team(att), set_time))
            if r2 and times.get(other) is not None:
                beat = time_text(times[other])
                target = set_time if set_time != "full hold" else (r1.get("time_limit") or "the limit")
                if beat == "full hold":
                    lines.append("⏱️ **Round 2:** %s did not beat %s (held)" % (ctx.team(other), target))
                else:
                    lines.append("⏱️ **Round 2:** %s finished in **%s** (target %s)" % (ctx.team(other), beat, target))
        else:   # no attributable times (sides ambiguous, data missing): say what each round did
            for r in rounds:
                ws = r.get("winner_side")
                lines.append("⏱️ **Round %s:** %s played%s" % (
                    r.get("round"), mmss(r.get("playtime_seconds")),
                    " • %s won" % SIDE_NAMES[ws] if ws in SIDE_NAMES else ""))
    if not r2:
        lines.append("⚠️ Round 2 missing: the map was not finished.")
    source = {"header": "round 2 winner in the stats file", "time": "comparing the two times",
              "ambiguous": "not decided: team sides ambiguous", "incomplete": "not decided: map incomplete"}
    if m.get("scoring_source") in source and m.get("counted"):
        lines.append("📐 Decided by %s" % source[m["scoring_source"]])
    if m.get("note") and m.get("counted"):
        lines.append("📝 %s" % m["note"])
    if rounds:
        lines.append("Aggregate stats from **%d round%s**" % (len(rounds), "s" if len(rounds) != 1 else ""))
    return lines


def map_embed(ctx: _Ctx, index: int, m: dict) -> dict:
    rounds = ctx.map_rounds(m)
    agg = _aggregate(rounds)
    fields = []
    if agg:
        humans = [a for a in agg if not a.get("is_bot")]
        k = sum(a["kills"] for a in agg)
        d = sum(a["deaths"] for a in agg)
        accs = [p.get("accuracy") or 0 for r in rounds for p in r.get("players") or []]
        fields.append({"name": "📊 Map Overview", "inline": False, "value":
                       "Rounds `%d` • Players `%d` • Kills `%d` • Deaths `%d` • K/D `%.2f`\n"
                       "Damage `%s` • Headshots `%d` • Avg ACC `%.1f%%`"
                       % (len(rounds), len(humans), k, d, k / d if d else float(k),
                          kfmt(sum(a["damage_given"] for a in agg)), sum(a["headshots"] for a in agg),
                          sum(accs) / len(accs) if accs else 0)})
        top = []
        for i, a in enumerate(agg[:5]):
            tag = TEAM_EMOJI.get(a.get("team"), "🤖" if a.get("is_bot") else "▫️")
            top.append("%d. %s **%s** — %d/%d (%.2f) • %s dmg • %.1f%% ACC"
                       % (i + 1, tag, esc(a["name"]), a["kills"], a["deaths"], a["kd"], kfmt(a["damage_given"]),
                          a["accuracy"]))
        fields.append({"name": "🏆 Top Performers (All Rounds)", "value": "\n".join(top), "inline": False})
    label = ctx.map_labels.get(index, m.get("map"))
    done = bool(m.get("r2_file"))
    return {
        "title": "🗺️ %s - %s" % (label.upper() if label else "?", "Map Complete!" if done else "Round 1 only"),
        "color": COLOR_GOLD,
        "description": "\n".join(_map_lines(ctx, m)),
        "fields": fields,
        "footer": {"text": " + ".join(f for f in (m.get("r1_file"), m.get("r2_file")) if f)},
    }


# ---------------------------------------------------------------- per session (DOMAIN 9.3)

def _map_breakdown_line(ctx: _Ctx, index: int, m: dict) -> str:
    label = ctx.map_labels.get(index, m.get("map"))
    if not m.get("counted"):
        return "%s `%s`: not counted — %s" % (UNCOUNTED_EMOJI, label, m.get("note") or "no result")
    w = m.get("winner")
    emoji = TEAM_EMOJI.get(w, TIE_EMOJI if w == "tie" else "❔")
    return "%s `%s`: %s (%s) vs %s (%s)" % (emoji, label, ctx.team("A", emoji=False), time_text(m.get("time_a")),
                                            ctx.team("B", emoji=False), time_text(m.get("time_b")))


def summary_embed(ctx: _Ctx) -> dict:
    s = ctx.s
    rounds = s.get("rounds") or []
    humans = {p.get("guid") for p in s.get("players") or [] if not p.get("is_bot")}
    plays: dict[str, int] = {}
    for m in s.get("maps") or []:
        plays[m["map"]] = plays.get(m["map"], 0) + 1
    maps_text = ", ".join("%s (x%d)" % (k, v) if v > 1 else k
                          for k, v in sorted(plays.items(), key=lambda kv: (-kv[1], kv[0])))
    desc = ["**%d players** • **%d rounds** • **Maps**: %s" % (len(humans), len(rounds), maps_text or "—")]
    when = "%s → %s" % ((s.get("start") or "").replace("T", " ")[:16], (s.get("end") or "").replace("T", " ")[11:16])
    desc.append("🕘 %s" % when)
    score = s.get("score") or {}
    a, b = score.get("A") or 0, score.get("B") or 0
    if a + b > 0 or s.get("winner"):
        if s.get("winner") == "tie" or a == b:
            desc.append("🤝 **Match Result: %s %d - %d %s (PERFECT TIE)**" % (ctx.team("A", False), a, b, ctx.team("B", False)))
        else:
            w = s.get("winner") if s.get("winner") in ("A", "B") else ("A" if a > b else "B")
            desc.append("🏆 **Match Result: %s %d - %d %s** • %s wins"
                        % (ctx.team("A", False), a, b, ctx.team("B", False), ctx.team(w)))
    uncounted = [m for m in s.get("maps") or [] if not m.get("counted")]
    if uncounted:
        desc.append("%s %d map%s not counted (see below)" % (UNCOUNTED_EMOJI, len(uncounted), "s" if len(uncounted) != 1 else ""))
    desc.append("")
    desc.append("**📊 Map Breakdown:**")
    desc.extend(_map_breakdown_line(ctx, i, m) for i, m in enumerate(s.get("maps") or []))
    fields = []
    for key in ("A", "B"):
        members = ((s.get("teams") or {}).get(key) or {}).get("players") or []
        names = [esc(p.get("name"), 20) for p in members]
        value_chunks = limits.join_blocks(names, limits.FIELD_VALUE, sep=", ") or ["—"]
        for j, chunk in enumerate(value_chunks):
            fields.append({"name": "%s (%d)%s" % (ctx.team(key), len(members), limits.CONT if j else ""),
                           "value": chunk, "inline": True})
    return {
        "title": "📊 Session Summary: %s" % ctx.date,
        "color": COLOR_SESSION,
        "description": "\n".join(desc),
        "fields": fields,
        "footer": {"text": "Session %s" % s.get("session_id")},
    }


def _session_player_block(i: int, p: dict) -> str:
    played = p.get("time_played_seconds") or 0
    dead = p.get("time_dead_seconds") or 0
    denied = p.get("denied_seconds") or 0
    tag = TEAM_EMOJI.get(p.get("team"), "🤖" if p.get("is_bot") else "")
    line1 = "%s **%s** %s" % (rank(i), esc(p.get("name"), 20), tag)
    line2 = "↳ K/D/G %d/%d/%d (%.2f) • %d DPM • %s⬆/%s⬇ • %.1f%% ACC (%d/%d) • %d HS (%.1f%%)" % (
        p.get("kills") or 0, p.get("deaths") or 0, p.get("gibs") or 0, p.get("kd") or 0, round(p.get("dpm") or 0),
        kfmt(p.get("damage_given")), kfmt(p.get("damage_received")), p.get("accuracy") or 0, p.get("hits") or 0,
        p.get("shots") or 0, p.get("headshots") or 0, p.get("hs_percent") or 0)
    line3 = "↳ %d UK • %d SK • %d FSK • %d↑/%d↓ • ⏱%s 💀%s (%d%%) ⏳%s (%d%%)" % (
        p.get("useful_kills") or 0, p.get("self_kills") or 0, p.get("full_selfkills") or 0, p.get("revives_given") or 0,
        p.get("times_revived") or 0, mmss(played), mmss(dead), pct(dead, played), mmss(denied), pct(denied, played))
    mk = multikills(p.get("multikills"))
    if mk:
        line3 += " • " + mk
    return "\n".join((line1.rstrip(), line2, line3))


def players_embeds(ctx: _Ctx) -> list[dict]:
    players = ctx.s.get("players") or []
    if not players:
        return []
    blocks = [_session_player_block(i, p) for i, p in enumerate(players)]
    fields = []
    for j in range(0, len(blocks), 3):   # 3 players per field (DOMAIN 9.3)
        value = "\n".join(blocks[j:j + 3])
        for chunk in limits.split_text(value, limits.FIELD_VALUE):
            fields.append({"name": "Ranked by kills" if not fields else limits.BLANK, "value": chunk, "inline": False})
    return [{
        "title": "🏆 All Players — %s" % ctx.date,
        "description": "K/D/G = kills/deaths/gibs • ⬆/⬇ damage given/received • UK useful kills • "
                       "SK/FSK self kills • ↑/↓ revives given/received • ⏱ played 💀 dead ⏳ denied to enemies",
        "color": COLOR_SESSION,
        "fields": fields,
        "footer": {"text": "Session %s" % ctx.s.get("session_id")},
    }]


def awards_embeds(ctx: _Ctx) -> list[dict]:
    """DOMAIN 7.3 session map pages: one embed per map play, a field per round, at most
    one award per category."""
    maps = [(i, m) for i, m in enumerate(ctx.s.get("maps") or []) if any(r.get("awards") for r in ctx.map_rounds(m))]
    out = []
    for page, (i, m) in enumerate(maps, 1):
        fields = []
        for r in ctx.map_rounds(m):
            groups = _by_category(r.get("awards") or [])
            lines = []
            for cat, emoji, _label in CATEGORIES:
                for a in groups.get(cat, [])[:1]:
                    lines.append("%s %s: %s (%s)" % (emoji, a.get("award"), code(a.get("player")),
                                                     award_value(a.get("award") or "", a.get("value"), a.get("value_text"))))
            if lines:
                name = "Round 1" if r.get("round") == 1 else "Round 2 (map total)"
                fields.append({"name": name, "value": "\n".join(lines[:12]), "inline": False})
        out.append({
            "title": "🏆 Endstats - %s" % ctx.map_labels.get(i, m.get("map")),
            "description": "Session %s • Map %d/%d" % (ctx.date, page, len(maps)),
            "color": COLOR_GOLD,
            "fields": fields,
        })
    return out


def timing_embeds(ctx: _Ctx) -> list[dict]:
    """Stats file versus Lua for every round that is not ALIGNED (DOMAIN 8.3/8.4). Always
    present, so a late timing file edits this message instead of posting a new one."""
    rounds = ctx.s.get("rounds") or []
    counts: dict[str, int] = {}
    for r in rounds:
        counts[r.get("timing_status") or "NO_LUA_DATA"] = counts.get(r.get("timing_status") or "NO_LUA_DATA", 0) + 1
    off = [r for r in rounds if (r.get("timing_status") or "NO_LUA_DATA") != "ALIGNED"]
    if not rounds:
        desc, color = "No rounds in this session.", COLOR_GREY
    elif not off:
        desc, color = "✅ All %d rounds aligned: the stats files and the Lua timing agree within 30 s." % len(rounds), COLOR_GREEN
    else:
        desc = " • ".join("%s %d" % (STATUS_LABELS[s], counts[s]) for s in ("ALIGNED", "MINOR_DIFF", "DISCREPANCY", "NO_LUA_DATA")
                          if counts.get(s))
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
    return [{
        "title": "⏱️ Timing check: stats file vs Lua — %s" % ctx.date,
        "description": desc,
        "color": color,
        "fields": fields,
        "footer": {"text": "ALIGNED ≤ 30 s • MINOR DIFF ≤ 60 s • DISCREPANCY > 60 s • Session %s" % ctx.s.get("session_id")},
    }]


# ---------------------------------------------------------------- assembly

def _messages(base: str, embeds: list[dict], files: list[tuple[str, bytes]] = (), numbered: bool = False) -> list[Message]:
    out = []
    for i, group in enumerate(limits.fit(embeds), 1):
        key = "%s:%d" % (base, i) if numbered else (base if i == 1 else "%s:%d" % (base, i))
        refs = {(e.get(k) or {}).get("url", "")[len("attachment://"):] for e in group for k in ("image", "thumbnail")}
        mine = [(n, b) for n, b in files if n in refs]
        out.append(Message(safe_key(key), {"embeds": group, "allowed_mentions": {"parse": []}}, mine))
    return out


def build_messages(session: dict, *, graphs: bool = True) -> list[Message]:
    """Every Discord message for `session`, in posting order, each within Discord's
    limits. `graphs=False` skips the (slower) PNG rendering."""
    ctx = _Ctx(session)
    out: list[Message] = []
    maps = list(enumerate(session.get("maps") or []))
    last_file = {i: (m.get("r2_file") or m.get("r1_file")) for i, m in maps}
    map_key = {i: "map:%s" % (m.get("r1_file") or m.get("r2_file") or "%s#%d" % (m.get("map"), i)) for i, m in maps}
    placed: set[int] = set()
    for rnd in session.get("rounds") or []:
        out += _messages("round:%s" % rnd.get("file"), round_embeds(ctx, rnd))
        for i, m in maps:
            if i not in placed and last_file[i] == rnd.get("file"):
                out += _messages(map_key[i], [map_embed(ctx, i, m)])
                placed.add(i)
    for i, m in maps:
        if i not in placed:
            out += _messages(map_key[i], [map_embed(ctx, i, m)])
    out += _messages("session:summary", [summary_embed(ctx)])
    out += _messages("session:players", players_embeds(ctx), numbered=True)
    out += _messages("session:awards", awards_embeds(ctx), numbered=True)
    if graphs and session.get("players"):
        from et_pipeline.publish import graphs as graph_mod  # matplotlib only when needed
        for g in graph_mod.session_graphs(session):
            embed = {"title": g.title, "description": g.description, "color": g.color,
                     "image": {"url": "attachment://" + g.filename},
                     "footer": {"text": "Session %s" % session.get("session_id")}}
            out += _messages("graph:%s" % g.name, [embed], [(g.filename, g.png)])
    out += _messages("session:timing", timing_embeds(ctx))
    seen: set[str] = set()
    for msg in out:
        if msg.key in seen:
            raise ValueError("duplicate message key %r (two rounds with the same file?)" % msg.key)
        seen.add(msg.key)
    return out
