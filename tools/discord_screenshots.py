"""The players' channel as people see it, rendered from what the code produces (dev tool):

    python tools/discord_screenshots.py [--out docs/screenshots] [--work DIR] [--widths 360,1280]

1. A small season on a game-server folder: four generated nights (`et_pipeline.synth`,
   seed 22, 27 Jan - 2 Feb 2026) and the recorded sample night of 5 Feb 2026
   (`sample_data/2026-02-05`), so the sample night's week has two nights.
2. `et-pipeline run` on it (dry-run: every message written as files, as `make demo` does),
   then the season assets (the night digest and the weekly leaderboard) in-process,
   dry-run into the same folder; and the sample night once more with a details thread.
3. The players' channel of the sample night (its cards, summary and graphs, its season
   digest, its week's leaderboard) and its first map's details thread drawn by
   tools/render_discord.py and shot with headless Chromium: `players-<width>.png` at each
   width, `thread-360.png` (the thread is read on phones).

Needs chromium (`apt-get install -y chromium fonts-noto-color-emoji`). `make screenshots`.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "2026-02-05"
NIGHT = "2026-02-05"
SEED, NIGHTS, START = 22, 4, "2026-01-27"


def _render_tool():
    spec = importlib.util.spec_from_file_location("render_discord", ROOT / "tools" / "render_discord.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(work: Path) -> tuple[Path, Path]:
    """The season's dry-run output (channel) and the sample night with a details thread."""
    from et_pipeline.synth import generate

    server, out, db = work / "server", work / "out", "sqlite:///%s" % (work / "et.db")
    generate(NIGHTS, str(server), seed=SEED, start_date=START)
    for sub in ("gamestats", "gametimes"):
        for f in sorted((SAMPLE / sub).iterdir()):
            shutil.copy2(f, server / sub / f.name)
    exe = str(Path(sys.executable).with_name("et-pipeline"))
    subprocess.run([exe, "run", "--source", str(server), "--db", db, "--dagster-home", str(work / "dagster_home"),
                    "--out", str(out)], check=True, capture_output=True, text=True)
    _season(db, out)
    threads = work / "threads"
    _with_thread(db, threads)
    return out, threads


def _season(db: str, out: Path) -> None:
    import dagster as dg

    from et_pipeline.defs.resources import DatabaseResource, DiscordWebhook, RulesResource
    from et_pipeline.defs.season_assets import SEASON_ASSETS

    with dg.instance_for_test() as instance:
        result = dg.materialize(SEASON_ASSETS, instance=instance,
                                resources={"database": DatabaseResource(url=db), "rules": RulesResource(),
                                           "discord": DiscordWebhook(mode="dry-run", out_dir=str(out))})
        assert result.success


def _with_thread(db: str, out: Path) -> None:
    from et_pipeline.publish.embeds import build_messages
    from et_pipeline.publish.publisher import publish_session
    from et_pipeline.report import build_report
    from et_pipeline.storage.database import make_engine

    with make_engine(db).connect() as conn:
        sessions = build_report(conn, NIGHT)["sessions"]
    for s in sessions:
        publish_session(s, mode="dry-run", out_dir=str(out), messages=build_messages(s, details_thread=True))


def channel_folders(out: Path) -> list[Path]:
    """The sample night's sessions, then its digest, then its week's leaderboard."""
    from et_pipeline.season.weekly import iso_week

    night = sorted(p for p in (out / NIGHT).iterdir() if p.is_dir() and not p.name.endswith("-digest"))
    digest = sorted((out / NIGHT).glob("*-digest"))
    week = iso_week(NIGHT)
    return night + digest + [out / week["monday"] / ("season-week-" + week["week"])]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(ROOT / "docs" / "screenshots"), help="folder for the PNGs (%(default)s)")
    ap.add_argument("--work", default=None, help="keep the season's files and the HTML pages here")
    ap.add_argument("--widths", default="360,1280", help="window widths (default %(default)s)")
    a = ap.parse_args(argv)
    render = _render_tool()
    os.makedirs(a.out, exist_ok=True)
    work = Path(a.work) if a.work else Path(tempfile.mkdtemp(prefix="et-screens-"))
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        out, threads = build(work)
        pages = {"players": (render.render_page([str(p) for p in channel_folders(out)], ("players",)),
                             [int(w) for w in a.widths.split(",")]),
                 "thread": (render.render_page([str(p) for p in sorted((threads / NIGHT).iterdir())], ("threads",),
                                               threads=1), [360])}
        for name, (page, widths) in pages.items():
            html = work / ("%s.html" % name)
            html.write_text(page, encoding="utf-8")
            for width in widths:
                png = os.path.join(a.out, "%s-%d.png" % (name, width))
                render.screenshot(str(html), png, width)
                print(png)
    finally:
        if not a.work:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
