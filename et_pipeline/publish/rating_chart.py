"""A player's rating history as a chart (`et-pipeline player --rating-png`): the rating
after each night he played with its uncertainty as a band, provisional nights (fewer
than the maps a settled rating needs) drawn hollow; drawn like the night's graphs."""
from __future__ import annotations

import matplotlib

from et_pipeline.numbers import day
from et_pipeline.publish.graphs import MUTED, STYLE, TEAM_COLORS, _new_figure, _png, _style_axes


def rating_history_png(name: str, history: list[dict]) -> bytes:
    """`history`: season.rating_history's points, oldest first (at least one)."""
    with matplotlib.rc_context(STYLE):
        fig = _new_figure()
        fig.set_size_inches(8.0, 4.2)
        ax = fig.add_subplot()
        _style_axes(ax)
        ax.yaxis.grid(True, color=MUTED, linewidth=0.3)
        x = list(range(len(history)))
        value = [h["value"] for h in history]
        low = [h["value"] - h["uncertainty"] for h in history]
        high = [h["value"] + h["uncertainty"] for h in history]
        colour = TEAM_COLORS["A"]
        ax.fill_between(x, low, high, color=colour, alpha=0.2, linewidth=0, label="± uncertainty")
        ax.plot(x, value, color=colour, linewidth=2)
        settled = [i for i, h in enumerate(history) if not h["provisional"]]
        early = [i for i, h in enumerate(history) if h["provisional"]]
        ax.scatter(settled, [value[i] for i in settled], color=colour, zorder=3, label="rating")
        if early:
            ax.scatter(early, [value[i] for i in early], facecolors="none", edgecolors=colour, zorder=3,
                       label="provisional")
        step = max(1, len(history) // 6)
        ax.set_xticks(x[::step], [day(h["night"], year=False) for h in history[::step]], rotation=0, fontsize=11)
        ax.set_title("%s: rating after each night" % name)
        ax.set_xlabel("night")
        ax.set_ylabel("rating")
        ax.legend(loc="best", frameon=False, fontsize=11)
        fig.tight_layout()
        return _png(fig)
