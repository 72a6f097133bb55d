#!/usr/bin/env python3
"""Season benchmark (`make bench` runs it after bench.py): the season assets over 100 and
over 1,000 generated nights.

For each size: generate the nights (et_pipeline.synth, seed 2), run them once through
`et-pipeline run` (not timed here; bench.py times that), then time
(a) each pure season step on the database (load the nightly tables, players, careers,
records, lineups, ratings, rating quality), best of --repeat runs, and (b) materialising
every season asset through Dagster on a throw-away instance, as the automation sensor
would after a new night. Targets: <= 2 s over 100 nights, <= 15 s over 1,000.
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


def prepare(work: Path, nights: int) -> str:
    """A database holding `nights` generated nights (reused when already there)."""
    folder = work / ("n%d" % nights)
    db = folder / "et.db"
    url = "sqlite:///%s" % db
    if db.exists() and (folder / "done").exists():
        return url
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    from et_pipeline.synth import generate

    generate(nights, str(folder / "src"), seed=2, start_date=past_start_date(nights))
    exe = Path(sys.executable).with_name("et-pipeline")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "et_pipeline.cli"]
    t0 = time.perf_counter()
    run = subprocess.run(cmd + ["run", "--source", str(folder / "src"), "--db", url, "--dagster-home",
                                str(folder / "dh"), "--publish", "off"], capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit("et-pipeline run failed:\n" + run.stdout[-2000:] + run.stderr[-2000:])
    print("  prepared %d nights (et-pipeline run: %.1f s)" % (nights, time.perf_counter() - t0), flush=True)
    (folder / "done").write_text("ok")
    return url


def records_against_truth(url: str, truth_path: Path) -> str:
    """Map records against the generator's truth (fastest round ended by the objective):
    how many maps differ. A stats file cannot tell a defenders' surrender from an
    objective when the round has no Lua data (records.py), the one known cause."""
    from et_pipeline.season.data import load_tables
    from et_pipeline.season.records import build_records
    from et_pipeline.storage.database import make_engine

    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    want: dict[str, int] = {}
    for n in truth["nights"]:
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
    from et_pipeline.season.careers import build_careers
    from et_pipeline.season.data import load_tables, map_games
    from et_pipeline.season.lineups import build_lineups
    from et_pipeline.season.players import build_players
    from et_pipeline.season.quality import evaluate
    from et_pipeline.season.ratings import rate
    from et_pipeline.season.records import build_records
    from et_pipeline.storage.database import make_engine

    engine = make_engine(url)
    best: dict[str, float] = {}
    cpu: dict[str, float] = {}
    state: dict = {}
    steps = (("load nightly tables", lambda: state.update(tables=load_tables(engine))),
             ("map games", lambda: state.update(games=map_games(state["tables"]))),
             ("players", lambda: build_players(state["tables"])),
             ("careers", lambda: build_careers(state["tables"], state["games"])),
             ("records", lambda: build_records(state["tables"])),
             ("lineups", lambda: build_lineups(state["tables"], state["games"])),
             ("ratings", lambda: rate(state["games"])), ("rating quality", lambda: evaluate(state["games"])))
    for _ in range(repeat):
        for name, fn in steps:
            t, c = time.perf_counter(), time.process_time()
            fn()
            wall, used = time.perf_counter() - t, time.process_time() - c
            best[name] = min(best.get(name, wall), wall)
            cpu[name] = min(cpu.get(name, used), used)
    best["maps"] = len(state["games"])
    return best, cpu


def time_assets(url: str) -> tuple[float, float, dict[str, float]]:
    import dagster as dg

    from et_pipeline.defs.resources import DatabaseResource, DiscordWebhook, RulesResource
    from et_pipeline.defs.season_assets import SEASON_ASSETS
    from et_pipeline.defs.season_ratings import RATINGS_ASSETS

    with dg.instance_for_test() as instance:
        t, c = time.perf_counter(), time.process_time()
        result = dg.materialize([*SEASON_ASSETS, *RATINGS_ASSETS], instance=instance,
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
            print("  map records: " + records_against_truth(url, work / ("n%d" % n) / "src" / "truth.json"), flush=True)
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
            summary.append((n, pure, pure_cpu, total, total_cpu, target, ok))
    finally:
        if not a.work:
            shutil.rmtree(work, ignore_errors=True)
    print("\nseason summary")
    for n, pure, pure_cpu, total, total_cpu, target, ok in summary:
        print("  %5d nights: pure steps %.2f s (%.2f s CPU), every season asset through Dagster %.2f s (%.2f s CPU) "
              "(target <= %s s)%s" % (n, pure, pure_cpu, total, total_cpu, target,
                                     "" if ok is None else ("  [ok]" if ok else "  [MISSED]")))
    return 0 if all(ok is not False for *_, ok in summary) else 1


if __name__ == "__main__":
    sys.exit(main())
