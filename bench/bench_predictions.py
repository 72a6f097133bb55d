#!/usr/bin/env python3
"""Win-prediction benchmark (`make bench` runs it): the walk-forward log loss of the
win probability before a map and after its round 1, against the coin and the
rating-only figure, on generated seasons through the pipeline (`et-pipeline run`, then
`et-pipeline season --json`'s `prediction_quality`).

Both figures are the rating's own (`Rater.predict` before round 1, `Rater.after_round_one`
once it is over): the predictions have no constant of their own. Every setting of the
rating was chosen on bench_ratings.py's development seeds (101-108); the seeds here are
held out there too and were never tuned on. Done when, on every held-out seed: after-R1
log loss < before-R1 < coin.
"""
import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

NIGHTS = 80
DEV_SEEDS = (101, 102, 103, 104, 105, 106, 107, 108)   # bench_ratings.DEV_SEEDS: the rating's settings
HELD_OUT = (201, 202, 203)              # reported; never tuned on


def _cmd() -> list[str]:
    exe = Path(sys.executable).with_name("et-pipeline")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "et_pipeline.cli"]


def season_db(work: Path, seed: int, nights: int = NIGHTS) -> str:
    """`nights` generated nights of `seed` through `et-pipeline run` (reused when there)."""
    from et_pipeline.synth import generate

    folder = work / ("seed%d" % seed)
    url = "sqlite:///%s" % (folder / "et.db")
    if (folder / "done").exists():
        return url
    folder.mkdir(parents=True, exist_ok=True)
    generate(nights, str(folder / "src"), seed=seed)
    run = subprocess.run(_cmd() + ["run", "--source", str(folder / "src"), "--db", url, "--dagster-home",
                                   str(folder / "dh"), "--publish", "off"], capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit("et-pipeline run failed:\n" + run.stdout[-2000:] + run.stderr[-2000:])
    (folder / "done").write_text("ok")
    return url


def report(work: Path, seeds) -> bool:
    ok = True
    for seed in seeds:
        url = season_db(work, seed)
        out = subprocess.run(_cmd() + ["season", "--db", url, "--json"], capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit("et-pipeline season failed:\n" + out.stderr[-2000:])
        q = json.loads(out.stdout)["prediction_quality"]
        good = q["after_r1"]["log_loss"] < q["before_r1"]["log_loss"] < q["coin"]["log_loss"]
        ok &= good
        print("  seed %d, %d nights, %d decided maps: log loss before R1 %.3f, after R1 %.3f (maps whose R1 set a "
              "time: %.3f -> %.3f), rating only %.3f, coin %.3f  %s"
              % (seed, NIGHTS, q["maps"], q["before_r1"]["log_loss"], q["after_r1"]["log_loss"],
                 q["time_set"]["before_r1"]["log_loss"], q["time_set"]["after_r1"]["log_loss"],
                 q["rating_only"]["log_loss"], q["coin"]["log_loss"], "OK" if good else "MISS"), flush=True)
    return ok


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", help="work folder (default: a temporary folder, removed at the end)")
    ap.add_argument("--seeds", help="comma-separated seeds to report on instead of the held-out ones")
    a = ap.parse_args(argv)
    tmp = None if a.work else tempfile.TemporaryDirectory(prefix="et-predictions-bench-")
    work = Path(a.work or tmp.name)
    try:
        seeds = tuple(int(x) for x in a.seeds.split(",")) if a.seeds else HELD_OUT
        print("win predictions, %s %s (the rating's settings chosen on %s)" % (
            "held-out seeds" if seeds == HELD_OUT else "seeds", ", ".join(map(str, seeds)),
            ", ".join(map(str, DEV_SEEDS))), flush=True)
        return 0 if report(work, seeds) else 1
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
