#!/usr/bin/env python3
"""The night's cross-checks and the round-2 rule on generated nights (`make bench` runs
it): for each seed, generate the nights (et_pipeline.synth, every edge case and every
player-comes-and-goes case at its default rate unless --edge-rate), run them through
`et-pipeline run --publish off`, then print

* the checks by kind and status (target: no `fail`), each `fail` with its detail;
* round-2 lines against the generator's truth: how many got the truth's rule
  (differential or the raw line) and the truth's numbers, per kind of player.

    .venv/bin/python bench/checks_bench.py --nights 100 --seeds 101 202
Exit status 1 when a check failed or a round-2 line is wrong.
"""
import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

STAT_FIELDS = ("kills", "deaths", "damage_given", "damage_received", "gibs", "self_kills", "team_kills")


def run_seed(work: Path, nights: int, seed: int, edge_rate) -> tuple[Counter, list[str], Counter, list[str], float]:
    from et_pipeline.report import build_report
    from et_pipeline.storage.database import make_engine
    from et_pipeline.synth import generate

    src, url = work / "src", "sqlite:///%s" % (work / "et.db")
    truth = generate(nights, str(src), seed=seed, edge_rate=edge_rate)
    exe = Path(sys.executable).with_name("et-pipeline")
    t0 = time.perf_counter()
    run = subprocess.run([str(exe), "run", "--source", str(src), "--db", url, "--dagster-home", str(work / "dh"),
                          "--publish", "off"], capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if run.returncode != 0:
        raise SystemExit("et-pipeline run failed:\n" + run.stdout[-2000:] + run.stderr[-2000:])
    checks, fails, lines, wrong = Counter(), [], Counter(), []
    engine = make_engine(url)
    with engine.connect() as conn:
        for n in truth["nights"]:
            [s] = build_report(conn, n["date"])["sessions"]
            for c in s["checks"]:
                checks[(c["check"], c["status"])] += 1
                if c["status"] == "fail":
                    fails.append("%s %s %s: %s" % (n["date"], c["check"], c["round_file"], c["detail"]))
            rounds = {r["file"]: r for r in s["rounds"]}
            for tr in n["rounds"]:
                if tr["round"] != 2 or tr["orphan"] or tr["file"] is None:
                    continue
                got = {p["guid"]: p for p in rounds[tr["file"]]["players"]}
                for guid, p in tr["players"].items():
                    if not p["in_file"]:
                        continue
                    mine = got[guid]
                    ok = mine.get("r2_rule") == p["r2_rule"] and all(mine[f] == p["this_round"][f] for f in STAT_FIELDS)
                    lines[(p["values_from"], ok)] += 1
                    if not ok:
                        wrong.append("%s %s %s: truth %s, got %s (%s)" % (
                            n["date"], tr["file"], p["name"], p["values_from"], mine.get("r2_rule"),
                            mine.get("r2_rule_reason")))
    engine.dispose()
    return checks, fails, lines, wrong, seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nights", type=int, default=100)
    ap.add_argument("--seeds", type=int, nargs="+", default=[101])
    ap.add_argument("--edge-rate", type=float, default=None, help="every edge case's rate (default: the generator's)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    a = ap.parse_args()
    bad = 0
    for seed in a.seeds:
        work = Path(tempfile.mkdtemp(prefix="et-checks-bench-"))
        try:
            checks, fails, lines, wrong, seconds = run_seed(work, a.nights, seed, a.edge_rate)
        finally:
            if a.keep:
                print("work folder: %s" % work)
            else:
                shutil.rmtree(work, ignore_errors=True)
        status = Counter()
        for (_, st), k in checks.items():
            status[st] += k
        print("seed %d, %d nights (et-pipeline run %.1f s): %s" % (
            seed, a.nights, seconds, ", ".join("%d %s" % (status[s], s) for s in ("pass", "warn", "fail"))))
        for name in sorted({c for c, _ in checks}):
            print("  %-22s %s" % (name, "  ".join("%s %d" % (s, checks[(name, s)]) for s in ("pass", "warn", "fail")
                                                if checks[(name, s)])))
        kinds = sorted({k for k, _ in lines})
        print("  round-2 lines right (rule and numbers, against the truth): %s" % ", ".join(
            "%s %d/%d" % (k, lines[(k, True)], lines[(k, True)] + lines[(k, False)]) for k in kinds))
        for f in fails[:20]:
            print("  FAIL " + f)
        for w in wrong[:20]:
            print("  WRONG " + w)
        bad += len(fails) + len(wrong)
    print(json.dumps({"fails_and_wrong_lines": bad}))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
