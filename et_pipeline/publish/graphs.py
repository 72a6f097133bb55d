"""Session graphs as PNG bytes (DOMAIN.md 9.3 "graphs"), drawn for Discord's dark theme.

Matplotlib's Agg canvas is used directly (no pyplot, no GUI backend, no global figure
state). The bytes are deterministic for the same input and matplotlib version (fixed
style, no software/date metadata), so a content hash tells whether a posted graph
changed. Bots are left out: they only make the bars of real players smaller.
"""
from __future__ import annotations

import io
import math
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # headless, explicitly; the canvas below is Agg in any case

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

BG = "#2b2d31"        # Discord dark mode chat background
PANEL = "#1e1f22"
TEXT = "#dbdee1"
MUTED = "#949ba4"
GRID = "#3f4147"
GREEN, RED, YELLOW = "#57F287", "#ED4245", "#FEE75C"
BLUE, ORANGE, PURPLE = "#4FC3F7", "#FF8A65", "#B39DDB"
TEAM_COLORS = {"A": "#4FC3F7", "B": "#FFA94D"}   # blue / orange, as the 🔵 / 🟠 in the embeds
LINE_COLORS = ["#4FC3F7", "#FFA94D", "#81C784", "#FFF176", "#BA68C8", "#EF5350", "#4DB6AC", "#F48FB1",
               "#BCAAA4", "#90A4AE"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*", "h", "<"]
DPI = 100
WIDTH = 10.0          # inches: 1000 px, readable when Discord scales it to ~800 px
MAX_PLAYERS = 16      # bar charts (DOMAIN 9.3: top 16 by kills)
MAX_LINES = 8         # DPM timeline: more lines than this is unreadable
FLAT_TICKS = 6        # up to this many maps, map names are written horizontally

STYLE = {
    "figure.facecolor": BG, "axes.facecolor": PANEL, "savefig.facecolor": BG,
    "axes.edgecolor": GRID, "axes.labelcolor": TEXT, "text.color": TEXT,
    "xtick.color": TEXT, "ytick.color": TEXT, "axes.titlecolor": TEXT,
    "font.family": "DejaVu Sans", "font.size": 12, "axes.titlesize": 14, "axes.titleweight": "bold",
    "axes.labelsize": 12, "xtick.labelsize": 11, "ytick.labelsize": 12, "legend.fontsize": 11,
    "text.parse_math": False, "axes.unicode_minus": False, "svg.hashsalt": "et-pipeline",
}


@dataclass(frozen=True)
class Graph:
    name: str         # message key part: graph:<name>
    title: str        # embed title
    description: str  # embed description (how to read it)
    filename: str     # attachment name
    png: bytes
    color: int


# ---------------------------------------------------------------- data

def _label(name: str, width: int = 14) -> str:
    name = str(name or "?")
    return name if len(name) <= width else name[: width - 1] + "…"


def top_players(session: dict, limit: int = MAX_PLAYERS) -> list[dict]:
    """Human players by kills (then damage, name), at most `limit`, with a unique `label`."""
    humans = [p for p in session.get("players") or [] if not p.get("is_bot")]
    humans.sort(key=lambda p: (-(p.get("kills") or 0), -(p.get("damage_given") or 0), str(p.get("name"))))
    chosen = [dict(p) for p in humans[:limit]]
    labels = [_label(p.get("name")) for p in chosen]
    for p, lab in zip(chosen, labels):
        p["label"] = lab if labels.count(lab) == 1 else "%s (%s)" % (_label(p.get("name"), 9), str(p.get("guid"))[:4])
    return chosen


def map_plays(session: dict) -> list[tuple[str, dict, list[dict]]]:
    """(label, map entry, its rounds) for every map play in order; repeats get ' #2'."""
    by_file = {r.get("file"): r for r in session.get("rounds") or []}
    totals: dict[str, int] = {}
    for m in session.get("maps") or []:
        totals[m["map"]] = totals.get(m["map"], 0) + 1
    seen: dict[str, int] = {}
    out = []
    for m in session.get("maps") or []:
        seen[m["map"]] = seen.get(m["map"], 0) + 1
        label = m["map"] + (" #%d" % seen[m["map"]] if totals[m["map"]] > 1 else "")
        rounds = [by_file[f] for f in (m.get("r1_file"), m.get("r2_file")) if f in by_file]
        out.append((label, m, rounds))
    return out


# ---------------------------------------------------------------- drawing helpers

def _new_figure(height: float) -> Figure:
    fig = Figure(figsize=(WIDTH, height), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, facecolor=BG,
                metadata={"Software": None, "Title": None, "Author": None, "Description": None})
    return buf.getvalue()


def _style_axes(ax, grid_axis: str = "x") -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color(GRID)
    ax.spines["bottom"].set_color(GRID)
    getattr(ax, grid_axis + "axis").grid(True, color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    ax.tick_params(length=0)


def _hbars(ax, labels, series, fmt, title, xlabel, legend=True, ref_line=None):
    """Horizontal (grouped) bars, one row per player, value at the end of each bar.
    series: [(legend label, values, colour or list of colours)]; fmt: value -> text, or
    the texts themselves (single series)."""
    n, k = len(labels), len(series)
    height = 0.8 / k
    top = max([max(vals) if len(vals) else 0 for _, vals, _ in series] + [ref_line or 0, 1e-9])
    longest = 0
    for j, (name, vals, color) in enumerate(series):
        pos = [i - 0.4 + height * (j + 0.5) for i in range(n)]
        bars = ax.barh(pos, vals, height=height * 0.9, color=color, label=name)
        texts = fmt if isinstance(fmt, list) else [fmt(v) for v in vals]
        longest = max([longest] + [len(t) for t in texts])
        for bar, text in zip(bars, texts):
            # a panel-coloured box keeps the label readable over grid and reference lines
            ax.text(bar.get_width() + top * 0.015, bar.get_y() + bar.get_height() / 2, text,
                    va="center", ha="left", fontsize=10 if k > 1 else 11, color=TEXT,
                    bbox={"boxstyle": "square,pad=0.1", "facecolor": PANEL, "edgecolor": "none"})
    ax.set_yticks(range(n))
    ax.set_yticklabels(labels)
    ax.set_ylim(n - 0.5, -0.5)      # best player at the top
    ax.set_xlim(0, top * (1.08 + 0.03 * longest))    # room for the value labels
    if ref_line is not None:
        ax.axvline(ref_line, color=MUTED, linestyle="--", linewidth=1.2, zorder=1.5)
    ax.set_title(title, loc="left", pad=10)
    ax.set_xlabel(xlabel, color=MUTED, fontsize=11)
    _style_axes(ax, "x")
    if legend and k > 1:
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=k, frameon=False, borderaxespad=0.3,
                  handlelength=1.0, columnspacing=1.0)


def _grid_figure(n_players: int, suptitle: str, subtitle: str):
    per_player = 0.42 if n_players <= 8 else 0.32
    row = max(2.4, per_player * n_players + 1.1)
    fig = _new_figure(2 * row + 1.1)
    axes = fig.subplots(2, 2, sharey="row")
    _titles(fig, suptitle, subtitle)
    return fig, axes, row


def _titles(fig: Figure, title: str, subtitle: str) -> None:
    """Title and a one-line "how to read it" under it, at fixed pixel offsets."""
    h = fig.get_figheight() * DPI
    fig.text(0.02, 1 - 14 / h, title, ha="left", va="top", fontsize=17, fontweight="bold", color=TEXT)
    fig.text(0.02, 1 - 46 / h, subtitle, ha="left", va="top", fontsize=11, color=MUTED)


def _label_width(fig: Figure, texts) -> float:
    """Widest of the given Text artists, in pixels (measured, so names never get cut)."""
    renderer = fig.canvas.get_renderer()
    return max([t.get_window_extent(renderer).width for t in texts if t.get_text()] + [0.0])


def _label_height(fig: Figure, texts) -> float:
    renderer = fig.canvas.get_renderer()
    return max([t.get_window_extent(renderer).height for t in texts if t.get_text()] + [0.0])


def _finish_grid(fig, axes, row):
    for ax in axes[:, 1]:
        ax.tick_params(labelleft=False)
    w, h = fig.get_figwidth() * DPI, fig.get_figheight() * DPI
    names = _label_width(fig, list(axes[0, 0].get_yticklabels()) + list(axes[1, 0].get_yticklabels()))
    fig.subplots_adjust(left=(names + 26) / w, right=0.97, top=1 - 112 / h, bottom=62 / h, wspace=0.12,
                        hspace=1.05 / row)


def _kfmt(v: float) -> str:
    """Bar labels: 950, 1.2K, 14.0K."""
    return "%.1fK" % (v / 1000) if abs(v) >= 1000 else "%d" % round(v)


def _ktick(v: float, _pos=None) -> str:
    """Axis ticks: 0, 5K, 12.5K."""
    return ("%.1fK" % (v / 1000)).replace(".0K", "K") if abs(v) >= 1000 else "%d" % round(v)


def _minutes(seconds: float) -> float:
    return (seconds or 0) / 60.0


def _mmss(seconds: float) -> str:
    s = int(round(seconds or 0))
    return "%d:%02d" % (s // 60, s % 60)


def _suffix(session: dict, shown: int) -> str:
    humans = sum(1 for p in session.get("players") or [] if not p.get("is_bot"))
    return "top %d of %d players by kills" % (shown, humans) if shown < humans else "%d players, by kills" % shown


# ---------------------------------------------------------------- the graphs

def offense_png(session: dict) -> bytes:
    """Kills/deaths, damage given/received, K/D, DPM per player (2×2)."""
    players = top_players(session)
    labels = [p["label"] for p in players]
    with matplotlib.rc_context(STYLE):
        fig, axes, row = _grid_figure(len(players), "Offence — %s" % session.get("date"),
                                      "Whole session, " + _suffix(session, len(players)))
        _hbars(axes[0, 0], labels, [("Kills", [p.get("kills") or 0 for p in players], GREEN),
                                    ("Deaths", [p.get("deaths") or 0 for p in players], RED)],
               lambda v: "%d" % v, "Kills and deaths", "count")
        _hbars(axes[0, 1], labels, [("Given", [p.get("damage_given") or 0 for p in players], BLUE),
                                    ("Received", [p.get("damage_received") or 0 for p in players], ORANGE)],
               _kfmt, "Damage", "HP")
        axes[0, 1].xaxis.set_major_formatter(FuncFormatter(_ktick))
        kd = [float(p.get("kd") or 0) for p in players]
        _hbars(axes[1, 0], labels, [("K/D", kd, [GREEN if v >= 1.5 else YELLOW if v >= 1 else RED for v in kd])],
               lambda v: "%.2f" % v, "Kill/death ratio", "kills per death (line = 1.0)", ref_line=1.0)
        _hbars(axes[1, 1], labels, [("DPM", [float(p.get("dpm") or 0) for p in players], PURPLE)],
               lambda v: "%d" % round(v), "Damage per minute", "damage × 60 / seconds played")
        _finish_grid(fig, axes, row)
        return _png(fig)


def support_png(session: dict) -> bytes:
    """Revives, gibs, time dead, time denied to the enemy per player (2×2)."""
    players = top_players(session)
    labels = [p["label"] for p in players]
    with matplotlib.rc_context(STYLE):
        fig, axes, row = _grid_figure(len(players), "Support and defence — %s" % session.get("date"),
                                      "Whole session, " + _suffix(session, len(players)))
        _hbars(axes[0, 0], labels, [("Given", [p.get("revives_given") or 0 for p in players], GREEN),
                                    ("Received", [p.get("times_revived") or 0 for p in players], BLUE)],
               lambda v: "%d" % v, "Revives", "count")
        _hbars(axes[0, 1], labels, [("Gibs", [p.get("gibs") or 0 for p in players], ORANGE)],
               lambda v: "%d" % v, "Gibs", "bodies gibbed")
        dead = [_minutes(p.get("time_dead_seconds")) for p in players]
        played = [p.get("time_played_seconds") or 0 for p in players]
        _hbars(axes[1, 0], labels, [("Dead", dead, RED)],
               [_dead_label(d, pl) for d, pl in zip(dead, played)], "Time dead", "minutes (share of time played)")
        _hbars(axes[1, 1], labels, [("Denied", [_minutes(p.get("denied_seconds")) for p in players], YELLOW)],
               lambda v: _mmss(v * 60), "Time denied to enemies", "minutes enemies spent dead")
        _finish_grid(fig, axes, row)
        return _png(fig)


def _dead_label(dead_min: float, played_s: float) -> str:
    share = dead_min * 60 * 100.0 / played_s if played_s else 0
    return "%s (%d%%)" % (_mmss(dead_min * 60), round(share))


def player_map_dpm(rounds: list[dict]) -> dict[str, float]:
    """guid -> damage × 60 / seconds played over the given rounds."""
    dmg: dict[str, float] = {}
    secs: dict[str, float] = {}
    for r in rounds:
        for p in r.get("players") or []:
            g = p.get("guid")
            dmg[g] = dmg.get(g, 0) + (p.get("damage_given") or 0)
            secs[g] = secs.get(g, 0) + (p.get("time_played_seconds") or 0)
    return {g: dmg[g] * 60.0 / secs[g] for g in dmg if secs.get(g)}


def _map_ticks(ax, labels: list[str], results: list[str] | None = None, colors: list[str] | None = None) -> None:
    """Map names under the x axis: two horizontal lines (map, result) for up to 6 maps,
    else one vertical line per map ("map · result") so that nothing overlaps."""
    ax.set_xticks(range(len(labels)))
    if len(labels) <= FLAT_TICKS:
        ticks = ["%s\n%s" % (lab, r) for lab, r in zip(labels, results)] if results else labels
        ax.set_xticklabels(ticks, fontsize=11)
    else:
        ticks = ["%s · %s" % (lab, r) for lab, r in zip(labels, results)] if results else labels
        ax.set_xticklabels(ticks, rotation=90, fontsize=10 if len(labels) <= 20 else 9)
    for lab, c in zip(ax.get_xticklabels(), colors or []):
        lab.set_color(c)


def _map_axes_bottom(fig: Figure, ax, pad_px: float = 14) -> float:
    """Figure fraction needed under the axes for its (measured) x tick labels."""
    return (_label_height(fig, ax.get_xticklabels()) + pad_px + 12) / (fig.get_figheight() * DPI)


def dpm_timeline_png(session: dict) -> bytes:
    """DPM per map play over the night, one line per player (top MAX_LINES by kills)."""
    plays = map_plays(session)
    players = top_players(session, MAX_LINES)
    labels = [lab for lab, _, _ in plays]
    flat = len(labels) <= FLAT_TICKS
    with matplotlib.rc_context(STYLE):
        fig = _new_figure(5.6 if flat else 6.8)
        _titles(fig, "DPM per map — %s" % session.get("date"),
                "Damage per minute over both rounds of each map, " + _suffix(session, len(players)))
        ax = fig.add_subplot()
        per_map = [player_map_dpm(rounds) for _, _, rounds in plays]
        top = 1.0
        for j, p in enumerate(players):
            ys = [d.get(p.get("guid"), math.nan) for d in per_map]
            top = max([top] + [y for y in ys if not math.isnan(y)])
            ax.plot(range(len(ys)), ys, color=LINE_COLORS[j % len(LINE_COLORS)], marker=MARKERS[j % len(MARKERS)],
                    markersize=7 if flat else 5, linewidth=2.2 if flat else 1.6, label=p["label"])
        ax.set_ylim(0, top * 1.12)
        ax.set_xlim(-0.4, max(0.4, len(labels) - 0.6))
        ax.set_ylabel("DPM")
        _map_ticks(ax, labels)
        _style_axes(ax, "y")
        legend = ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False, title="Player",
                           title_fontproperties={"weight": "bold"}, labelcolor=TEXT)
        w, h = fig.get_figwidth() * DPI, fig.get_figheight() * DPI
        legend_w = legend.get_window_extent(fig.canvas.get_renderer()).width
        fig.subplots_adjust(left=0.08, right=1 - (legend_w + 40) / w, top=1 - 90 / h,
                            bottom=_map_axes_bottom(fig, ax))
        return _png(fig)


def teams_png(session: dict) -> bytes:
    """Team A vs Team B per map play: kills and damage, the map result under each map."""
    plays = map_plays(session)
    teams = session.get("teams") or {}
    names = {k: (teams.get(k) or {}).get("name") or "Team %s" % k for k in ("A", "B")}
    labels = [lab for lab, _, _ in plays]
    kills = {"A": [], "B": []}
    damage = {"A": [], "B": []}
    for _, _, rounds in plays:
        for t in ("A", "B"):
            ps = [p for r in rounds for p in r.get("players") or [] if p.get("team") == t and not p.get("is_bot")]
            kills[t].append(sum(p.get("kills") or 0 for p in ps))
            damage[t].append(sum(p.get("damage_given") or 0 for p in ps))
    results, colors = [], []
    for _, m, _ in plays:
        if not m.get("counted"):
            results.append("not counted")
            colors.append(MUTED)
        elif m.get("winner") in ("A", "B"):
            results.append("%s ✓" % _label(names[m["winner"]], 12))
            colors.append(TEAM_COLORS[m["winner"]])
        elif m.get("winner") == "tie":
            results.append("tie")
            colors.append(YELLOW)
        else:
            results.append("—")
            colors.append(MUTED)
    flat = len(labels) <= FLAT_TICKS
    with matplotlib.rc_context(STYLE):
        fig = _new_figure(7.4 if flat else 9.0)
        _titles(fig, "Teams per map — %s" % session.get("date"),
                "Both rounds of each map, bots left out. Under each map: who won it.")
        axes = fig.subplots(2, 1, sharex=True)
        width = 0.38
        for ax, data, title in ((axes[0], kills, "Kills"), (axes[1], damage, "Damage given")):
            for j, t in enumerate(("A", "B")):
                xs = [i + (j - 0.5) * width for i in range(len(labels))]
                bars = ax.bar(xs, data[t], width=width * 0.92, color=TEAM_COLORS[t], label=names[t])
                if len(labels) <= 12:
                    for b, v in zip(bars, data[t]):
                        ax.text(b.get_x() + b.get_width() / 2, b.get_height(), _kfmt(v), ha="center", va="bottom",
                                fontsize=10 if flat else 9, color=TEXT)
            top = max(data["A"] + data["B"] + [1])
            ax.set_ylim(0, top * 1.18)
            ax.set_xlim(-0.6, len(labels) - 0.4)
            ax.set_title(title, loc="left", pad=8)
            ax.yaxis.set_major_formatter(FuncFormatter(_ktick))
            _style_axes(ax, "y")
        axes[0].legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, frameon=False, borderaxespad=0.3)
        _map_ticks(axes[1], labels, results, colors)
        h = fig.get_figheight() * DPI
        fig.subplots_adjust(left=0.08, right=0.98, top=1 - 100 / h, bottom=_map_axes_bottom(fig, axes[1]), hspace=0.3)
        return _png(fig)


GRAPHS = [  # name, embed title, colour, description, renderer
    ("offense", "📈 Offence: kills, deaths, damage, DPM", 0x5865F2,
     "Per player over the whole session. K/D bars: green ≥ 1.5, yellow ≥ 1.0, red below.", offense_png),
    ("support", "🩹 Support and defence: revives, gibs, time dead, time denied", 0x57F287,
     "Per player over the whole session. Time denied = enemy time spent dead because of you.", support_png),
    ("dpm_timeline", "📉 DPM per map over the night", 0xF39C12,
     "Damage per minute for each map (both rounds), one line per player.", dpm_timeline_png),
    ("teams", "⚖️ Team comparison per map", 0xE74C3C,
     "Kills and damage of each team on every map, and who won the map.", teams_png),
]


def session_graphs(session: dict) -> list[Graph]:
    """Every graph for the session (none without human players; no per-map graphs
    without maps)."""
    if not top_players(session):
        return []
    date = session.get("date") or "session"
    out = []
    for name, title, color, description, render in GRAPHS:
        if name in ("dpm_timeline", "teams") and not session.get("maps"):
            continue
        out.append(Graph(name, title, description, "session_%s_%s.png" % (date, name), render(session), color))
    return out
