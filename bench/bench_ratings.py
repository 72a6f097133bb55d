#!/usr/bin/env python3
"""Rating quality benchmark (`make bench` runs it): how well the rating predicts generated
nights whose outcomes depend on skill, next to the generator's oracle and the baselines.

(a) 80 nights (seed 7) through `et-pipeline run`, then `et-pipeline season`: its
    `rating_quality` (walk-forward, CONTRACT §5), with the oracle computed on the very
    same maps from the generator's true skills (et_pipeline.synth.oracle).
(b) The same evaluation straight from the generator's truth for four seeds, to show the
    figure is not one lucky seed. Also the time of `rate` and `evaluate` per seed.
The done-when: >= 300 maps and a log loss no worse than any baseline.
"""
import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _line(label: str, q: dict, oracle: float | None) -> bool:
    base = q["baselines"]
    ok = q["maps"] >= 300 and all(q["log_loss"] <= b["log_loss"] for b in base.values())
    print("  %-28s maps %4d  log loss %.3f  (oracle %s | team_elo %.3f  kd %.3f  coin %.3f)  accuracy %.3f %s  %s"
          % (label, q["maps"], q["log_loss"], "%.3f" % oracle if oracle is not None else "-",
             base["team_elo"]["log_loss"], base["kd"]["log_loss"], base["coin"]["log_loss"], q["accuracy"],
             q["accuracy_interval"], "OK" if ok else "MISS"), flush=True)
    return ok


def through_pipeline(work: Path, nights: int, seed: int) -> bool:
    from et_pipeline.season.data import load_map_games
    from et_pipeline.season.quality import evaluate
    from et_pipeline.storage.database import make_engine
    from et_pipeline.synth import generate
    from et_pipeline.synth.oracle import oracle_for

    truth = generate(nights, str(work / "src"), seed=seed)
    url = "sqlite:///%s" % (work / "et.db")
    exe = Path(sys.executable).with_name("et-pipeline")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "et_pipeline.cli"]
    run = subprocess.run(cmd + ["run", "--source", str(work / "src"), "--db", url, "--dagster-home",
                                str(work / "dh"), "--publish", "off"], capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit("et-pipeline run failed:\n" + run.stdout[-2000:] + run.stderr[-2000:])
    season = subprocess.run(cmd + ["season", "--db", url, "--json"], capture_output=True, text=True)
    if season.returncode != 0:
        raise SystemExit("et-pipeline season failed:\n" + season.stderr[-2000:])
    q = json.loads(season.stdout)["rating_quality"]
    oracle = evaluate(load_map_games(make_engine(url)), oracle=oracle_for(truth))["oracle"]["log_loss"]
    return _line("%d nights, seed %d, pipeline" % (nights, seed), q, oracle)


def from_truth(nights: int, seeds) -> bool:
    from et_pipeline.season.quality import evaluate
    from et_pipeline.season.ratings import rate
    from et_pipeline.synth import generate
    from et_pipeline.synth.oracle import map_games_from_truth, oracle_for

    ok = True
    for seed in seeds:
        with tempfile.TemporaryDirectory() as d:
            truth = generate(nights, d, seed=seed)
        games = map_games_from_truth(truth)
        t0 = time.perf_counter()
        rate(games)
        t1 = time.perf_counter()
        q = evaluate(games, oracle=oracle_for(truth))
        t2 = time.perf_counter()
        ok &= _line("%d nights, seed %d, truth" % (nights, seed), q, q["oracle"]["log_loss"])
        print("  %-28s rate %.2f s, evaluate (5 predictors) %.2f s" % ("", t1 - t0, t2 - t1))
    return ok


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nights", type=int, default=80)
    ap.add_argument("--skip-pipeline", action="store_true")
    a = ap.parse_args(argv)
    print("rating quality (walk-forward log loss; lower is better):", flush=True)
    ok = True
    if not a.skip_pipeline:
        with tempfile.TemporaryDirectory() as d:
            ok &= through_pipeline(Path(d), a.nights, 7)
    ok &= from_truth(a.nights, (7, 1, 3, 11))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
