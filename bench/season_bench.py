#!/usr/bin/env python3
"""Season benchmark (`make bench` runs it after bench.py): the season assets over 100 and
over 1,000 generated nights.

For each size N: generate N + 1 nights (et_pipeline.synth, seed 2; the generator is
prefix-stable, so the first N are the same nights), run the first N through
`et-pipeline run` (which brings the season up to date; not timed here), then time
(a) each pure season step on the database (load the nightly tables, players, careers,
records, lineups, the rating, the rating quality with the predictions, the community
layer), best of --repeat runs; (b) materialising every season asset through Dagster on a
throw-away instance; (c) a new night: night N + 1's files added and `et-pipeline run`
again, and the time of its season run (every season asset, as `run` and the daemon's
automation execute them after a night), read from the run's own record; (d) the last
night's map cards (what every round's run of a live night computes), with the rating
before the night replayed and continued from the stored one (season.rating_cache).
Targets: (b) <= 2 s over 100 nights, <= 15 s over 1,000; (c) goal <= 1 s at 1,000.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_dates import past_start_date  # noqa: E402

TARGETS = {100: 2.0, 1000: 15.0}
NEW_NIGHT_GOAL = {1000: 1.0}


def _cmd() -> list[str]:
    exe = Path(sys.executable).with_name("et-pipeline")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "et_pipeline.cli"]


def _run(folder: Path, url: str) -> None:
    run = subprocess.run(_cmd() + ["run", "--source", str(folder / "src"), "--db", url, "--dagster-home",
                                   str(folder / "dh"), "--publish", "off"], capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit("et-pipeline run failed:\n" + run.stdout[-2000:] + run.stderr[-2000:])


def _last_night_files(folder: Path) -> list[Path]:
    """Night N + 1's files in the generated folder, as its truth lists them."""
    truth = json.loads((folder / "full" / "truth.json").read_text(encoding="utf-8"))
    last = max(truth["nights"], key=lambda n: n["date"])
    names = {r.get(k) for r in last["rounds"] for k in ("file", "stats_name", "endstats", "gametime")} - {None}
    return [p for p in (folder / "full").rglob("*") if p.is_file() and p.name in names]


def prepare(work: Path, nights: int) -> str:
    """A database holding `nights` generated nights (reused when already there); night
    `nights` + 1 is generated beside it for the new-night timing."""
    folder = work / ("n%d" % nights)
    db = folder / "et.db"
    url = "sqlite:///%s" % db
    if db.exists() and (folder / "done").exists():
        return url
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    from et_pipeline.synth import generate

    generate(nights + 1, str(folder / "full"), seed=2, start_date=past_start_date(nights + 1))
    held = set(_last_night_files(folder))
    for p in (folder / "full").rglob("*"):
        if p.is_file() and p not in held and p.name != "truth.json":
            dest = folder / "src" / p.relative_to(folder / "full")
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(p, dest)
    shutil.copy2(folder / "full" / "truth.json", folder / "src" / "truth.json")
    t0 = time.perf_counter()
    _run(folder, url)
    print("  prepared %d nights (et-pipeline run, the season included: %.1f s)" % (nights, time.perf_counter() - t0),
          flush=True)
    (folder / "done").write_text("ok")
    return url


def _remove_db(path: Path) -> None:
    """A SQLite database file and its write-ahead log and shared-memory files."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def time_new_night(work: Path, nights: int) -> tuple[float, dict[str, float], float]:
    """Night N + 1 arrives: its files are copied into the source, `et-pipeline run`, then the
    season run's wall time (its record's start to end) and its steps' times, from the
    Dagster instance. In place (the registry knows the files by their path), then undone:
    the night's files removed, the database and the Dagster home put back as they were.
    Also returns the whole command's wall time (the night and its season)."""
    import dagster as dg

    from et_pipeline_tests.season_fixtures import copy_db

    folder = work / ("n%d" % nights)
    url = "sqlite:///%s" % (folder / "et.db")
    keep = folder / "before-new-night"
    shutil.rmtree(keep, ignore_errors=True)
    keep.mkdir()
    copy_db(url, keep / "et.db")
    shutil.copytree(folder / "dh", keep / "dh")
    added = []
    try:
        for p in _last_night_files(folder):
            dest = folder / "src" / p.relative_to(folder / "full")
            shutil.copy2(p, dest)
            added.append(dest)
        t0 = time.perf_counter()
        _run(folder, url)
        command = time.perf_counter() - t0
        with dg.DagsterInstance.from_config(str(folder / "dh")) as instance:
            [record] = instance.get_run_records(dg.RunsFilter(job_name="season_job"), limit=1)
            wall = record.end_time - record.start_time
            stats = instance.get_run_step_stats(record.dagster_run.run_id)
    finally:
        for p in added:
            p.unlink()
        _remove_db(folder / "et.db")
        copy_db("sqlite:///%s" % (keep / "et.db"), folder / "et.db")
        shutil.rmtree(folder / "dh")
        shutil.copytree(keep / "dh", folder / "dh")
        shutil.rmtree(keep)
    steps = {s.step_key: s.end_time - s.start_time for s in stats if s.end_time and s.start_time}
    return wall, steps, command


def time_cards(work: Path, url: str, repeat: int) -> tuple[float, float, float]:
    """The map cards of the last night (season.card.card_predictions, as every round's
    run of a live night computes them): CPU seconds with the rating before the night
    replayed from the first map (nothing stored), then continued from the stored one
    (season.rating_cache), best of `repeat`; and the stored rating's size in bytes. On a
    copy of the database (the first call stores the rating)."""
    from sqlalchemy import delete, func, select

    from et_pipeline.config import Rules
    from et_pipeline.season.card import card_predictions
    from et_pipeline.storage import schema as t
    from et_pipeline.storage.database import ensure_schema, make_engine
    from et_pipeline_tests.season_fixtures import copy_db

    copy = work / "cards.db"
    engine = make_engine(copy_db(url, copy))
    ensure_schema(engine)
    with engine.connect() as conn:
        night = conn.execute(select(func.max(t.sessions.c.session_date))).scalar()
    replayed, stored = [], []
    for _ in range(repeat):
        with engine.begin() as conn:
            conn.execute(delete(t.rating_snapshots))
        for laps in (replayed, stored):
            with engine.connect() as conn:
                c = time.process_time()
                card_predictions(conn, night, Rules())
                laps.append(time.process_time() - c)
    with engine.connect() as conn:
        size = conn.execute(select(func.max(func.length(t.rating_snapshots.c.state)))).scalar()
    engine.dispose()
    _remove_db(copy)
    return min(replayed), min(stored), size


def records_against_truth(url: str, truth_path: Path) -> str:
    """Map records against the generator's truth (fastest round ended by the objective):
    how many maps differ. A stats file cannot tell a defenders' surrender from an
    objective when the round has no Lua data (records.py), the one known cause."""
    from et_pipeline.season.data import load_tables
    from et_pipeline.season.records import build_records
    from et_pipeline.storage.database import make_engine

    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    held_back = max(n["date"] for n in truth["nights"])        # night N + 1 is not in the database
    want: dict[str, int] = {}
    for n in (n for n in truth["nights"] if n["date"] != held_back):
        for m in n["maps"]:
            if m["counted"]:
                for outcome, seconds in ((m["r1_outcome"], m["r1_time_seconds"]),
                                         (m["r2_outcome"], m["r2_time_seconds"])):
                    if outcome == "objective":
                        want[m["map"]] = min(want.get(m["map"], seconds), seconds)
    got = {m["map"]: m for m in build_records(load_tables(make_engine(url)))["maps"]}
    bad = ["%s %s s (truth %d s%s)" % (k, got.get(k, {}).get("fastest_attack_seconds"), v,
                                       ", no Lua data" if got.get(k, {}).get("verified") is False else "")
           for k, v in sorted(want.items()) if got.get(k, {}).get("fastest_attack_seconds") != v]
    return "%d of %d maps equal the truth%s" % (len(want) - len(bad), len(want), ("; differ: " + "; ".join(bad))
                                                 if bad else "")


def time_steps(url: str, repeat: int) -> tuple[dict[str, float], dict[str, float]]:
    """Best wall-clock and best CPU seconds of each pure step (the machine is shared: CPU
    time says what the code costs, wall time what a user waits)."""
    from et_pipeline.season.data import load_tables
    from et_pipeline.season.season import compute_season, table_rows
    from et_pipeline.storage.database import make_engine

    engine = make_engine(url)
    best: dict[str, float] = {}
    cpu: dict[str, float] = {}
    state: dict = {}

    def look(*names):
        return lambda: [getattr(state["season"], n) for n in names]

    steps = (("load nightly tables", lambda: state.update(tables=load_tables(engine))),
             ("games, players, careers, records, lineups", lambda: state.update(season=compute_season(state["tables"]))),
             ("ratings", look("ratings")), ("rating quality + predictions", look("rating_quality", "predictions")),
             ("achievements", look("achievements")), ("bests, rivalries, duels", look("personal_bests", "rivalries",
                                                                                      "duels")),
             ("awards", look("awards")), ("table rows", lambda: table_rows(state["season"])))
    for _ in range(repeat):
        for name, fn in steps:
            t, c = time.perf_counter(), time.process_time()
            fn()
            wall, used = time.perf_counter() - t, time.process_time() - c
            best[name] = min(best.get(name, wall), wall)
            cpu[name] = min(cpu.get(name, used), used)
    best["maps"] = len(state["season"].games)
    return best, cpu


def time_assets(url: str) -> tuple[float, float, dict[str, float]]:
    import dagster as dg

    from et_pipeline.defs.resources import DatabaseResource, DiscordWebhook, RulesResource
    from et_pipeline.defs.season_assets import SEASON_ASSETS

    with dg.instance_for_test() as instance:
        t, c = time.perf_counter(), time.process_time()
        result = dg.materialize(SEASON_ASSETS, instance=instance,
                                resources={"database": DatabaseResource(url=url), "rules": RulesResource(),
                                           "discord": DiscordWebhook(mode="off")},
                                # Dagster's console logger at DEBUG printed ~30 lines per asset into the bench
                                run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}})
        total, total_cpu = time.perf_counter() - t, time.process_time() - c
        assert result.success
        steps = {}
        for ev in result.all_events:
            if ev.is_step_success:
                steps[ev.step_key] = ev.event_specific_data.duration_ms / 1000
    return total, total_cpu, steps


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", help="work folder (default: a temporary folder, removed at the end)")
    ap.add_argument("--nights", default="100,1000", help="comma-separated sizes")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args(argv)
    work = Path(a.work) if a.work else Path(tempfile.mkdtemp(prefix="et-season-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    summary = []
    try:
        for n in (int(x) for x in a.nights.split(",")):
            print("season over %d generated nights" % n, flush=True)
            url = prepare(work, n)
            print("  map records: " + records_against_truth(url, work / ("n%d" % n) / "full" / "truth.json"),
                  flush=True)
            laps, cpu = time_steps(url, a.repeat)
            maps = int(laps.pop("maps"))
            pure, pure_cpu = sum(laps.values()), sum(cpu.values())
            print("  load average now: %s" % " ".join("%.1f" % x for x in os.getloadavg()))
            for k, v in laps.items():
                print("  %-22s %7.3f s wall  %7.3f s CPU" % (k, v, cpu[k]))
            print("  %-22s %7.3f s wall  %7.3f s CPU  (%d counted maps, best of %d)"
                  % ("pure steps, total", pure, pure_cpu, maps, a.repeat))
            total, total_cpu, steps = time_assets(url)
            for k, v in sorted(steps.items()):
                print("  asset %-16s %7.3f s" % (k, v))
            target = TARGETS.get(n)
            ok = None if target is None else total <= target
            verdict = "" if ok is None else ("  [ok]" if ok else "  [MISSED]")
            print("  %-22s %7.3f s wall  %7.3f s CPU  target <= %s s%s"
                  % ("all season assets", total, total_cpu, target, verdict), flush=True)
            replayed, stored, size = time_cards(work, url, a.repeat)
            print("  %-22s %7.3f s CPU with the rating replayed, %.3f s CPU from the stored one (%d KB)"
                  % ("a night's map cards", replayed, stored, size // 1024), flush=True)
            new, new_steps, command = time_new_night(work, n)
            goal = NEW_NIGHT_GOAL.get(n)
            for k, v in sorted(new_steps.items()):
                print("  new night: step %-14s %7.3f s" % (k, v))
            print("  %-22s %7.3f s wall (the season run of `et-pipeline run` after night %d)%s"
                  % ("a new night, season", new, n + 1, "" if goal is None else "  goal <= %s s%s" % (
                      goal, "  [ok]" if new <= goal else "  [MISSED]")), flush=True)
            print("  %-22s %7.3f s wall (the whole command: the night, then the season)" % ("a new night, run",
                                                                                          command), flush=True)
            summary.append((n, pure, pure_cpu, total, total_cpu, target, ok, new, goal))
    finally:
        if not a.work:
            shutil.rmtree(work, ignore_errors=True)
    print("\nseason summary")
    for n, pure, pure_cpu, total, total_cpu, target, ok, new, goal in summary:
        print("  %5d nights: pure steps %.2f s (%.2f s CPU), every season asset through Dagster %.2f s (%.2f s CPU) "
              "(target <= %s s)%s; a new night's season run %.2f s%s"
              % (n, pure, pure_cpu, total, total_cpu, target, "" if ok is None else ("  [ok]" if ok else "  [MISSED]"),
                 new, "" if goal is None else " (goal <= %s s%s)" % (goal, ", ok" if new <= goal else ", MISSED")))
    return 0 if all(ok is not False for _, _, _, _, _, _, ok, _, _ in summary) else 1


if __name__ == "__main__":
    sys.exit(main())
