"""The calibration plot of `rating_quality`: predicted P(A wins) per bin against how
often A won, the diagonal being perfect calibration. A PNG for the asset's metadata
(Agg canvas, no pyplot state, deterministic bytes like publish/graphs.py)."""
import io

import matplotlib

matplotlib.use("Agg")
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402


def calibration_png(quality: dict) -> bytes:
    fig = Figure(figsize=(4.2, 4.2), dpi=90)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    ax.plot([0, 1], [0, 1], color="#999999", linewidth=1, linestyle="--", label="perfect")
    rows = quality.get("calibration", [])
    if rows:
        ax.plot([r["predicted"] for r in rows], [r["observed"] for r in rows], marker="o", color="#1f77b4",
                label="%s" % quality.get("model", "rating"))
        for r in rows:
            ax.annotate(str(r["maps"]), (r["predicted"], r["observed"]), textcoords="offset points", xytext=(4, -10),
                        fontsize=7, color="#555555")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("predicted P(team A wins)")
    ax.set_ylabel("observed share of A wins")
    ax.set_title("walk-forward calibration, %s maps" % quality.get("maps", 0), fontsize=10)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()
