"""Session graphs as PNG bytes (DOMAIN.md 9.3 "graphs"), drawn for Discord's dark theme.

Discord shows an embed image at most about 400 px wide and 300 px high, and on a 360 px
phone about 250 px wide, so each image holds ONE chart, drawn at 500 x 420 px with
22-24 px text and no title of its own (the embed's title says what it is): shown at
half size on a phone it still reads like the chat text around it. Only charts that say
something are drawn: who did the damage (two or more players) and how the teams did
on each map (two or more maps).

Every chart has axis titles with their unit; its players are the night's best by damage
per minute (the player of the night's measure); bars take the colour of the player's
team, a map's name the colour of the team that won it (publish/colours.py), numbers read
as et_pipeline.numbers writes them.

Matplotlib's Agg canvas is used directly (no pyplot, no GUI backend, no global figure
state). The bytes are deterministic for the same input and matplotlib version (fixed
style, no software/date metadata), so a content hash tells whether a posted graph
changed; every `*_png(session) -> bytes` is a pure function of its data. Bots are
left out: they only make the bars of real players smaller.
"""
from __future__ import annotations

import io
import threading
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # headless, explicitly; the canvas below is Agg in any case

from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402
from PIL import Image  # noqa: E402  (matplotlib's own PNG writer)

from et_pipeline import numbers  # noqa: E402
from et_pipeline.publish import colours  # noqa: E402

BG = "#2b2d31"        # Discord dark mode chat background
PANEL = "#1e1f22"
TEXT = "#dbdee1"
MUTED = "#949ba4"
GRID = "#3f4147"
TEAM_COLORS = {k: "#%06X" % v for k, v in colours.TEAM.items()}   # as the 🔵 / 🟠 in the embeds
DPI = 100

STYLE = {
    "figure.facecolor": BG, "axes.facecolor": PANEL, "savefig.facecolor": BG,
    "axes.edgecolor": GRID, "axes.labelcolor": TEXT, "text.color": TEXT,
    "xtick.color": MUTED, "ytick.color": TEXT, "axes.titlecolor": TEXT,
    "font.family": "DejaVu Sans", "font.size": 17, "axes.titlesize": 18, "axes.titleweight": "bold",
    "axes.labelsize": 16, "xtick.labelsize": 14, "ytick.labelsize": 17, "legend.fontsize": 16,
    "text.parse_math": False, "axes.unicode_minus": False, "svg.hashsalt": "et-pipeline",
}
CHART_W, CHART_H = 5.0, 4.2   # inches at DPI 100: 500 x 420 px
CHART_PLAYERS = 8             # rows that stay readable at half size
CHART_MAPS = 8

@dataclass(frozen=True)
class Graph:
    name: str         # message key part: graph:<name>
    title: str        # embed title
    description: str  # embed description (how to read it)
    filename: str     # attachment name
    png: bytes


# ---------------------------------------------------------------- data

def _label(name: str, width: int = 14) -> str:
    name = str(name or "?")
    return name if len(name) <= width else name[: width - 1] + "…"


def top_players(session: dict, limit: int = CHART_PLAYERS) -> list[dict]:
    """Human players by damage per minute (then kills, name), at most `limit`, with a
    unique `label`."""
    humans = [p for p in session.get("players") or [] if not p.get("is_bot")]
    humans.sort(key=lambda p: (-float(p.get("dpm") or 0), -(p.get("kills") or 0), str(p.get("name"))))
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

_RENDERERS = threading.local()


class _SharedRendererCanvas(FigureCanvasAgg):
    """An Agg canvas that draws on one renderer per thread instead of a new one per
    figure. Matplotlib caches text measurements per renderer, so a fresh renderer
    measured every label, tick and value again for each chart (a sixth of its time);
    `draw` clears the renderer first, so no pixel of one chart reaches the next."""

    def get_renderer(self):
        key = (*self.figure.bbox.size, self.figure.dpi)
        renderer = getattr(_RENDERERS, "by_key", {}).get(key)
        if renderer is None:
            renderer = RendererAgg(*key)
            _RENDERERS.by_key = {key: renderer}
        self.renderer, self._lastKey = renderer, key
        return renderer


def _new_figure() -> Figure:
    fig = Figure(figsize=(CHART_W, CHART_H), dpi=DPI)
    _SharedRendererCanvas(fig)
    return fig


def _png(fig: Figure) -> bytes:
    """The drawn chart as an RGB PNG (no metadata chunks, zlib level 1). The figure is
    opaque, so the alpha channel matplotlib's own `savefig` writes held only 255s; level 1
    compresses these flat-coloured charts to about the same size as the default level 6
    in half the time."""
    with matplotlib.rc_context(STYLE):     # ticks are made at draw time: in the charts' style too
        fig.canvas.draw()
    rgba = fig.canvas.buffer_rgba()
    image = Image.frombuffer("RGBA", (rgba.shape[1], rgba.shape[0]), rgba, "raw", "RGBA", 0, 1).convert("RGB")
    buf = io.BytesIO()
    image.save(buf, format="png", compress_level=1, dpi=(DPI, DPI))
    return buf.getvalue()


def _style_axes(ax) -> None:
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color(GRID)
    ax.xaxis.grid(True, color=GRID, linewidth=1.0)
    ax.set_axisbelow(True)
    ax.tick_params(length=0)


def _label_width(fig: Figure, texts) -> float:
    """Widest of the given Text artists, in pixels (measured, so names never get cut)."""
    renderer = fig.canvas.get_renderer()
    return max([t.get_window_extent(renderer).width for t in texts if t.get_text()] + [0.0])


def _tick(v: float, _pos=None) -> str:
    """Axis ticks read like every other count: 0, 80, 1,200."""
    return numbers.count(v)


def _hbar_figure(labels: list[str], series: list[tuple[str, list[float], object]], texts: list[list[str]],
                 legend: list[tuple[str, str]] | None, axes: tuple[str, str],
                 label_colors: list[str] | None = None) -> Figure:
    """One horizontal bar chart, a row per label (first at the top), the value written
    at the end of each bar; series: [(name, values, colour or colours)]; legend:
    [(label, colour)] shown above the chart, or None; axes: (x title, y title)."""
    n, k = len(labels), len(series)
    height = 0.8 / k
    top = max([max(v) if v else 0 for _, v, _ in series] + [1e-9])
    with matplotlib.rc_context(STYLE):
        fig = _new_figure()
        ax = fig.add_subplot()
        for j, (name, vals, color) in enumerate(series):
            pos = [i - 0.4 + height * (j + 0.5) for i in range(n)]
            bars = ax.barh(pos, vals, height=height * 0.88, color=color, label=name)
            for bar, text in zip(bars, texts[j]):
                ax.text(bar.get_width() + top * 0.015, bar.get_y() + bar.get_height() / 2, text,
                        va="center", ha="left", fontsize=16, color=TEXT)
        ax.set_yticks(range(n))
        ax.set_yticklabels(labels)
        for text, color in zip(ax.get_yticklabels(), label_colors or []):
            text.set_color(color)
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_xlim(0, top * 1.22)
        ax.xaxis.set_major_formatter(FuncFormatter(_tick))
        ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.set_xlabel(axes[0], fontsize=14, color=MUTED, labelpad=4)
        ax.set_ylabel(axes[1], fontsize=14, color=MUTED, labelpad=6)
        _style_axes(ax)
        h = CHART_H * DPI
        top_px = 14
        if legend:
            from matplotlib.patches import Patch

            ax.legend(handles=[Patch(color=c, label=lab) for lab, c in legend], loc="lower right",
                      bbox_to_anchor=(1.0, 1.0), ncol=len(legend), frameon=False, borderaxespad=0.2,
                      handlelength=1.0, columnspacing=1.0)
            top_px = 50
        names = _label_width(fig, ax.get_yticklabels())
        fig.subplots_adjust(left=(names + 44) / (CHART_W * DPI), right=0.97, top=1 - top_px / h, bottom=62 / h)
        return fig


# ---------------------------------------------------------------- the graphs

def dpm_figure(session: dict) -> Figure:
    """Damage per minute of the night's best by it, bars in their team's colour."""
    players = top_players(session)
    values = [float(p.get("dpm") or 0) for p in players]
    colors = [TEAM_COLORS.get(p.get("team"), MUTED) for p in players]
    teams = session.get("teams") or {}
    legend = [(_label((teams.get(t) or {}).get("name") or "Team %s" % t, 12), TEAM_COLORS[t])
              for t in ("A", "B") if any(p.get("team") == t for p in players)]
    return _hbar_figure([_label(p["label"], 11) for p in players], [("DPM", values, colors)],
                        [[numbers.dpm(v) for v in values]], legend=legend or None,
                        axes=("damage per minute (whole night)", "player"))


def dpm_png(session: dict) -> bytes:
    return _png(dpm_figure(session))


def short_map(label: str) -> str:
    """'etl_sp_delivery' -> 'sp_delivery', 'sw_goldrush_te' -> 'goldrush': the part a
    player calls the map by (mod prefixes and the _te suffix dropped)."""
    import re

    short = re.sub(r"_te(?= #|$)", "", re.sub(r"^(etl|sw|te|mp|et)_", "", label))
    return short or label


def teams_figure(session: dict) -> Figure:
    """Kills of each team on every map (both rounds); the map's name is written in the
    winner's colour (white: draw or not counted)."""
    plays = map_plays(session)[:CHART_MAPS]
    teams = session.get("teams") or {}
    names = {k: _label((teams.get(k) or {}).get("name") or "Team %s" % k, 10) for k in ("A", "B")}
    kills: dict[str, list[float]] = {"A": [], "B": []}
    colors = []
    for _, m, rounds in plays:
        for t in ("A", "B"):
            kills[t].append(sum(p.get("kills") or 0 for r in rounds for p in r.get("players") or []
                                if p.get("team") == t and not p.get("is_bot")))
        colors.append(TEAM_COLORS.get(m.get("winner") if m.get("counted") else None, TEXT))
    series = [(names[t], kills[t], TEAM_COLORS[t]) for t in ("A", "B")]
    return _hbar_figure([_label(short_map(label), 12) for label, _, _ in plays], series,
                        [[numbers.count(v) for v in kills[t]] for t in ("A", "B")],
                        legend=[(names[t], TEAM_COLORS[t]) for t in ("A", "B")], axes=("kills, both rounds", "map"),
                        label_colors=colors)


def teams_png(session: dict) -> bytes:
    return _png(teams_figure(session))


GRAPHS = [  # name, embed title, description, renderer, says something when
    ("dpm", "💥 Damage per minute", "The night's best, in the colour of each player's team.", dpm_png,
     lambda s: len(top_players(s)) >= 2),
    ("teams", "⚖️ Kills per map", "Both rounds of each map; the map's name in the winner's colour.",
     teams_png,
     lambda s: len(map_plays(s)) >= 2),
]


def session_graphs(session: dict) -> list[Graph]:
    """The graphs that say something for this session (none without human players)."""
    if not top_players(session):
        return []
    date = session.get("date") or "session"
    return [Graph(name, title, description, "session_%s_%s.png" % (date, name), render(session))
            for name, title, description, render, useful in GRAPHS if useful(session)]
