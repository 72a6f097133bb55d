"""The players' and admins' channels and the Dagster UI as people see them, rendered from
what the code produces (dev tool):

    python tools/discord_screenshots.py [--out docs/screenshots] [--work DIR] [--widths 360,1280] [--no-dagster]

1. A small season on a game-server folder: four generated nights (`et_pipeline.synth`,
   seed 22, 27 Jan - 2 Feb 2026) and the recorded sample night of 5 Feb 2026
   (`sample_data/2026-02-05`), so the sample night's week has two nights.
2. `et-pipeline run` on it (dry-run: every message written as files, as `make demo` does),
   then the season assets (the night digest and the weekly leaderboard) in-process,
   dry-run into the same folder; and the sample night once more with a details thread.
3. The players' channel of the sample night (its cards, summary and graphs, its season
   digest, its week's leaderboard) and its first map's details thread drawn by
   tools/render_discord.py and shot with headless Chromium: `players-<width>.png` at each
   width, `thread-360.png` (the thread is read on phones); the admins' channel of the same
   night, `admins-<width>.png`.
4. The Dagster UI on the season's Dagster home (the runs `et-pipeline run` made): a
   dagster-webserver started on loopback for the shots and stopped after them, then
   `dagster-overview.png` (the landing timeline), `dagster-lineage.png` (every group
   expanded) and `dagster-partition.png` (the `rounds` asset's page for the sample night).

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
DAGSTER_PORT = 3977                 # loopback only, for the shots
DAGSTER_URL = "http://127.0.0.1:%d" % DAGSTER_PORT


def _render_tool():
    spec = importlib.util.spec_from_file_location("render_discord", ROOT / "tools" / "render_discord.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(work: Path) -> tuple[Path, Path, dict]:
    """The season's dry-run output (channel) and the sample night with a details thread."""
    from et_pipeline.synth import generate

    server, out, db = work / "server", work / "out", "sqlite:///%s" % (work / "et.db")
    generate(NIGHTS, str(server), seed=SEED, start_date=START)
    for sub in ("gamestats", "gametimes"):
        for f in sorted((SAMPLE / sub).iterdir()):
            shutil.copy2(f, server / sub / f.name)
    exe = str(Path(sys.executable).with_name("et-pipeline"))
    home = work / "dagster_home"
    env = dict(os.environ, ET_DAGSTER_URL=DAGSTER_URL)       # the admins' links point at the UI shot below
    subprocess.run([exe, "run", "--source", str(server), "--db", db, "--dagster-home", str(home),
                    "--out", str(out)], check=True, capture_output=True, text=True, env=env)
    _season(db, out)
    threads = work / "threads"
    _with_thread(db, threads)
    return out, threads, dict(DAGSTER_HOME=str(home), ET_DB_URL=db, ET_SOURCE=str(server))


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


def admins_folders(out: Path) -> list[Path]:
    return sorted(p for p in (out / NIGHT).iterdir() if p.is_dir() and not p.name.endswith("-digest"))


def dagster_pages() -> dict[str, str]:
    """name -> the UI page (path and query) to shoot."""
    from et_pipeline.defs.catalog import GROUPS
    from et_pipeline.publish import dagster_links as links

    return {"overview": DAGSTER_URL + "/overview/activity/timeline",
            "lineage": links.lineage_url(DAGSTER_URL, list(GROUPS)),
            "partition": links.partition_url(DAGSTER_URL, "rounds", NIGHT)}


def shoot_dagster(env: dict, out_dir: str, chromium: str, width: int = 1280, height: int = 900) -> list[str]:
    """Start dagster-webserver on loopback with the season's Dagster home, shoot each page,
    stop it (its whole process group: the webserver and the code server it started)."""
    import signal
    import time
    import urllib.request

    exe = str(Path(sys.executable).with_name("dagster-webserver"))
    log = open(os.path.join(env["DAGSTER_HOME"], "webserver.log"), "w")
    web = subprocess.Popen([exe, "-w", str(ROOT / "workspace.yaml"), "-h", "127.0.0.1", "-p", str(DAGSTER_PORT)],
                           cwd=ROOT, env=dict(os.environ, **env), stdout=log, stderr=subprocess.STDOUT,
                           start_new_session=True)
    shots = []
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(DAGSTER_URL + "/server_info", timeout=2)
                break
            except OSError:
                if web.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("dagster-webserver did not start (see %s)" % log.name)
                time.sleep(1)
        for name, url in dagster_pages().items():
            png = os.path.join(out_dir, "dagster-%s.png" % name)
            with tempfile.TemporaryDirectory() as profile:
                subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                "--disable-background-networking", "--hide-scrollbars", "--virtual-time-budget=25000",
                                "--user-data-dir=" + profile, "--window-size=%d,%d" % (width, height),
                                "--screenshot=" + os.path.abspath(png), url],
                               check=True, capture_output=True, timeout=180)
            shots.append(png)
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        try:
            web.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(web.pid, signal.SIGKILL)
        log.close()
    return shots


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(ROOT / "docs" / "screenshots"), help="folder for the PNGs (%(default)s)")
    ap.add_argument("--work", default=None, help="keep the season's files and the HTML pages here")
    ap.add_argument("--widths", default="360,1280", help="window widths (default %(default)s)")
    ap.add_argument("--no-dagster", action="store_true", help="leave out the Dagster UI shots")
    a = ap.parse_args(argv)
    render = _render_tool()
    os.makedirs(a.out, exist_ok=True)
    work = Path(a.work) if a.work else Path(tempfile.mkdtemp(prefix="et-screens-"))
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        out, threads, dagster_env = build(work)
        widths = [int(w) for w in a.widths.split(",")]
        pages = {"players": (render.render_page([str(p) for p in channel_folders(out)], ("players",)), widths),
                 "admins": (render.render_page([str(p) for p in admins_folders(out)], ("admins",)), widths),
                 "thread": (render.render_page([str(p) for p in sorted((threads / NIGHT).iterdir())], ("threads",),
                                               threads=1), [360])}
        for name, (page, widths) in pages.items():
            html = work / ("%s.html" % name)
            html.write_text(page, encoding="utf-8")
            for width in widths:
                png = os.path.join(a.out, "%s-%d.png" % (name, width))
                render.screenshot(str(html), png, width)
                print(png)
        if not a.no_dagster:
            for png in shoot_dagster(dagster_env, a.out, render.chromium()):
                print(png)
    finally:
        if not a.work:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
