#!/usr/bin/env python3
"""Rating quality benchmark (`make bench` runs it): how well the rating predicts generated
seasons whose outcomes depend on skill, against tuned baselines and the generator's oracle.

Two fixed lists of seeds (80 nights each):
* DEV_SEEDS: every choice was made on these: the rating's settings (ratings.DEFAULT),
  team Elo's K (elo.K), TrueSkill's beta and tau (baselines.BETA, TAU_PER_NIGHT).
  `--tune` redoes that: a coordinate-descent grid for the rating (two sweeps from the
  current settings, a change kept only when it lowers the log loss by more than
  NOISE_FLOOR) and a full grid for each baseline, walk-forward log loss from the
  generator's truth pooled over the dev seeds, and prints the winners (to be copied
  into those constants).
* HELD_OUT_SEEDS: every reported figure; nothing is chosen on them.

The report (default): per held-out seed, the generated nights go through the pipeline
(`et-pipeline synth` files -> `et-pipeline run` -> `et-pipeline season`); the
season's own `rating_quality` is printed, with the oracle on the very same maps and a
team Elo whose K is picked in hindsight on that seed's truth (the best any fixed K could
do). Then, pooled over the held-out seeds: each predictor's log loss, ECE, and the
rating's log loss minus each baseline's with a 95 % paired bootstrap interval (whole
nights resampled, the same for both); last, the time of a full ratings rebuild at
1,000 nights (goal <= 3 s). `--skip-pipeline` reads the maps from the truth instead.
Exit status 1 when the rating does not beat every baseline on every held-out seed.
"""
import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import fields, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

NIGHTS = 80
DEV_SEEDS = (101, 102, 103, 104, 105, 106, 107, 108)
HELD_OUT_SEEDS = (201, 202, 203, 204, 205, 206, 207, 208)
REBUILD_NIGHTS = 1000
NOISE_FLOOR = 0.0002     # --tune keeps a setting unless another lowers the dev log loss by more than this
HINDSIGHT_KS = (8, 12, 16, 24, 32, 40, 48, 64, 80, 96, 128)

RATING_GRID = dict(
    skill_sd=(0.2, 0.25, 0.3, 0.35, 0.4), noise_sd=(0.28, 0.33, 0.38, 0.45), tau=(0.0, 0.01, 0.02, 0.03, 0.05),
    map_sd=(0.1, 0.2, 0.3, 0.5), intercept=(math.log(0.5), math.log(0.6), math.log(0.7)),
    z_max=(2.0, 3.0, 4.0, 6.0), frag_sd=(0.5, 0.8, 1.1), frag_corr=(0.0, 0.3, 0.5, 0.6, 0.7, 0.8),
    frag_noise=(0.1, 0.2, 0.4), numbers_sd=(0.25, 0.5, 1.0))
ELO_GRID = (8, 12, 16, 24, 32, 40, 48, 64, 80, 96)
TRUESKILL_GRID = dict(beta=(2.0, 3.0, 25 / 6, 6.0, 8.0), tau_per_night=(0.0, 0.1, 0.3, 0.6, 1.0))


def _cli() -> list[str]:
    exe = Path(sys.executable).with_name("et-pipeline")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "et_pipeline.cli"]


# --------------------------------------------------------------------------- seasons

def truth_season(seed: int, nights: int = NIGHTS, out: str | None = None):
    """(truth, maps from the truth) of a generated season."""
    from et_pipeline.synth import generate
    from et_pipeline.synth.oracle import map_games_from_truth

    if out is not None:
        truth = generate(nights, out, seed=seed)
    else:
        with tempfile.TemporaryDirectory() as d:
            truth = generate(nights, d, seed=seed, write_truth=False)
    return truth, map_games_from_truth(truth)


def pipeline_season(seed: int, work: Path):
    """(truth, maps as the season reads them, the season document) through the command
    line: `synth`, `run --publish off`, `season` (its JSON document)."""
    from et_pipeline.season.data import load_map_games
    from et_pipeline.storage.database import make_engine

    src, url = work / "src", "sqlite:///%s" % (work / "et.db")
    steps = [["synth", "--nights", str(NIGHTS), "--seed", str(seed), "--out", str(src)],
             ["run", "--source", str(src), "--db", url, "--dagster-home", str(work / "dh"), "--publish", "off"],
             ["season", "--db", url, "--json"]]
    out = None
    for step in steps:
        out = subprocess.run(_cli() + step, capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit("et-pipeline %s failed:\n%s%s" % (step[0], out.stdout[-2000:], out.stderr[-2000:]))
    truth = json.loads((src / "truth.json").read_text())
    return truth, load_map_games(make_engine(url)), json.loads(out.stdout)


def hindsight_elo(truth: dict) -> tuple[float, int]:
    """Walk-forward team-average Elo on the truth's groups (every player counted fully,
    maps in R1 file order), with the K of HINDSIGHT_KS that does best on this very truth."""
    maps = []
    for n in truth["nights"]:
        for m in n["maps"]:
            a = [g for g in m["groups"]["A"] if not g.startswith("OMNIBOT")]
            b = [g for g in m["groups"]["B"] if not g.startswith("OMNIBOT")]
            if m["counted"] and a and b:
                maps.append((m["r1_file"], a, b, {"A": 1.0, "B": 0.0}.get(m["winner_group"], 0.5)))
    maps.sort(key=lambda x: x[0])

    def loss(k: float) -> float:
        r, total, n = {}, 0.0, 0
        for _, a, b, y in maps:
            p = 1 / (1 + 10 ** ((sum(r.get(x, 1500.0) for x in b) / len(b) - sum(r.get(x, 1500.0) for x in a) / len(a))
                                / 400))
            if y != 0.5:
                q = min(max(p, 1e-6), 1 - 1e-6)
                total -= y * math.log(q) + (1 - y) * math.log(1 - q)
                n += 1
            for x in a:
                r[x] = r.get(x, 1500.0) + k * (y - p)
            for x in b:
                r[x] = r.get(x, 1500.0) - k * (y - p)
        return total / max(n, 1)

    return min((loss(k), k) for k in HINDSIGHT_KS)


def scored_rows(games, chosen: dict) -> dict[str, list]:
    """(night, P(A wins), A won) per decided map for every predictor in `chosen`."""
    from et_pipeline.season.quality import walk_forward

    rows = {name: [] for name in chosen}
    for game, _, preds in walk_forward(games, chosen=chosen):
        if game.winner in ("A", "B"):
            for name, p in preds.items():
                rows[name].append((game.date, p, int(game.winner == "A")))
    return rows


def mean_log_loss(rows) -> float:
    from et_pipeline.season.quality import log_loss_of

    return sum(log_loss_of(p, y) for _, p, y in rows) / len(rows)


# --------------------------------------------------------------------------- tuning (dev seeds only)

def _pooled_loss(seasons, make) -> float:
    """Log loss pooled over the seasons (every decided map weighs the same) of the predictor `make()`."""
    from et_pipeline.season.quality import log_loss_of

    total = n = 0
    for _, games in seasons:
        for _, p, y in scored_rows(games, {"x": make()})["x"]:
            total += log_loss_of(p, y)
            n += 1
    return total / n


def tune(seeds=DEV_SEEDS) -> None:
    """The grids on the development seeds (see the module docstring)."""
    from et_pipeline.season import baselines, elo, quality, ratings

    print("tuning on the development seeds %s (%d nights each, maps from the truth)" % (list(seeds), NIGHTS),
          flush=True)
    seasons = [truth_season(s) for s in seeds]

    def rating_loss(params):
        return _pooled_loss(seasons, lambda: quality.RatingPredictor(ratings.Rater(params)))

    best = ratings.DEFAULT
    best_loss = rating_loss(best)
    print("  rating, current settings: %.4f" % best_loss, flush=True)
    for sweep in (1, 2):
        for name, values in RATING_GRID.items():
            for v in values:
                trial = replace(best, **{name: v})
                if trial == best:
                    continue
                loss = rating_loss(trial)
                better = loss < best_loss - NOISE_FLOOR
                print("    sweep %d  %-11s %-8.4g %.4f%s" % (sweep, name, v, loss, "  *" if better else ""), flush=True)
                if better:
                    best, best_loss = trial, loss
    unbounded = rating_loss(replace(best, sign_bound=False))
    dropped = rating_loss(replace(best, defer=False))
    print("  rating: %s  log loss %.4f" % (", ".join("%s=%.4g" % (f.name, getattr(best, f.name))
                                                    for f in fields(best)), best_loss))
    print("  the sign bound (a winner never falls, a loser never rises) costs %+.4f with what it holds back deferred,"
          " %+.4f with it dropped (%.4f without the bound)" % (best_loss - unbounded, dropped - unbounded, unbounded))
    losses = {k: _pooled_loss(seasons, lambda: elo.TeamElo(k)) for k in ELO_GRID}
    print("  team_elo K: %s -> K = %s" % (", ".join("%g %.4f" % kv for kv in losses.items()),
                                          min(losses, key=losses.get)), flush=True)
    grid = [(b, t) for b in TRUESKILL_GRID["beta"] for t in TRUESKILL_GRID["tau_per_night"]]
    losses = {bt: _pooled_loss(seasons, lambda: baselines.TrueSkill(*bt)) for bt in grid}
    b, t = min(losses, key=losses.get)
    print("  trueskill (beta, tau per night): %s -> beta = %.4g, tau = %.4g (%.4f)"
          % (", ".join("(%.3g, %.3g) %.4f" % (k + (v,)) for k, v in losses.items()), b, t, losses[(b, t)]))


# --------------------------------------------------------------------------- the report (held-out seeds)

def _pooled_interval(per_seed: list[dict], name: str, samples: int = 2000, seed: int = 13):
    """Rating minus `name`, pooled over seeds: (difference, 95 % paired night-bootstrap interval)."""
    import numpy as np

    from et_pipeline.season.quality import RATING, log_loss_of

    sums, counts = [], []
    for rows in per_seed:
        nights: dict = {}
        for (night, p, y), (_, q, _) in zip(rows[RATING], rows[name]):
            acc = nights.setdefault(night, [0.0, 0])
            acc[0] += log_loss_of(p, y) - log_loss_of(q, y)
            acc[1] += 1
        for s, c in nights.values():
            sums.append(s)
            counts.append(c)
    sums, counts = np.array(sums), np.array(counts, dtype=float)
    pick = np.random.default_rng(seed).integers(0, len(sums), size=(samples, len(sums)))
    boot = np.sort(sums[pick].sum(axis=1) / counts[pick].sum(axis=1))
    return sums.sum() / counts.sum(), (boot[int(0.025 * (samples - 1))], boot[int(0.975 * (samples - 1))])


def report(seeds, through_pipeline: bool) -> bool:
    from et_pipeline.season.quality import RATING, expected_calibration_error, predictors
    from et_pipeline.synth.oracle import oracle_for

    which = ("the held-out seeds" if tuple(seeds) == HELD_OUT_SEEDS else
             "the development seeds" if tuple(seeds) == DEV_SEEDS else "the seeds")
    print("rating quality on %s %s (%d nights each, %s%s)"
          % (which, list(seeds), NIGHTS, "through et-pipeline synth/run/season" if through_pipeline else
             "maps from the truth", "; nothing was tuned on them" if tuple(seeds) == HELD_OUT_SEEDS else ""),
          flush=True)
    per_seed, ok = [], True
    for seed in seeds:
        with tempfile.TemporaryDirectory() as d:
            if through_pipeline:
                truth, games, season = pipeline_season(seed, Path(d))
                doc = season["rating_quality"]
            else:
                truth, games = truth_season(seed)
                doc = None
        rows = scored_rows(games, predictors(oracle_for(truth)))
        losses = {name: mean_log_loss(r) for name, r in rows.items()}
        if doc is not None:
            assert abs(doc["log_loss"] - losses[RATING]) < 1e-3, (doc["log_loss"], losses[RATING])
            bad = [p for p in season["players"] if p.get("rating") and not (
                -25 <= p["rating"]["value"] <= 75 and p["rating"]["uncertainty"] <= 8.34)]
            ok &= not bad
        hindsight, k = hindsight_elo(truth)
        base = {n: v for n, v in losses.items() if n not in (RATING, "oracle")}
        beats = all(losses[RATING] < v for v in base.values()) and losses[RATING] < hindsight
        ok &= beats
        print("  seed %d  maps %d  rating %.4f  oracle %.4f  | %s  hindsight Elo %.4f (K %d)  %s"
              % (seed, len(rows[RATING]), losses[RATING], losses["oracle"],
                 "  ".join("%s %.4f" % kv for kv in sorted(base.items())), hindsight, k, "OK" if beats else "MISS"),
              flush=True)
        per_seed.append(dict(rows, _hindsight=(hindsight, len(rows[RATING]))))
    print("  pooled over these seeds (%d maps):" % sum(len(r[RATING]) for r in per_seed))
    names = [n for n in per_seed[0] if not n.startswith("_")]
    for name in names:
        every = [row for r in per_seed for row in r[name]]
        line = "    %-9s log loss %.4f  ECE %.4f" % (name, mean_log_loss(every),
                                                    expected_calibration_error([(p, y) for _, p, y in every]))
        if name != RATING:
            diff, (lo, hi) = _pooled_interval(per_seed, name)
            line += "   rating - %s %+.4f [%+.4f, %+.4f]" % (name, diff, lo, hi)
        print(line)
    pooled_hindsight = sum(h * n for h, n in (r["_hindsight"] for r in per_seed)) / sum(
        n for _, n in (r["_hindsight"] for r in per_seed))
    rating = mean_log_loss([row for r in per_seed for row in r[RATING]])
    oracle = mean_log_loss([row for r in per_seed for row in r["oracle"]])
    best = min(mean_log_loss([row for r in per_seed for row in r[n]]) for n in names if n not in (RATING, "oracle"))
    print("    hindsight Elo (K picked per seed on its own truth) %.4f: rating %+.4f" % (pooled_hindsight,
                                                                                       rating - pooled_hindsight))
    print("    gap from the best baseline to the oracle closed: %.0f %%" % (100 * (best - rating) / (best - oracle)))
    return ok


def rebuild_time(nights: int = REBUILD_NIGHTS, seed: int = 2) -> None:
    from et_pipeline.season.ratings import rate

    _, games = truth_season(seed, nights)
    times = []
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        result = rate(games)
        times.append((time.perf_counter() - t0, time.process_time() - c0))
    wall, cpu = min(times)
    print("full ratings rebuild, %d nights (seed %d): %d maps, %d players, best of 3 %.2f s wall, %.2f s CPU "
          "(goal <= 3 s; load average %.1f)" % (nights, seed, result.maps, len(result.current), wall, cpu,
                                                 os.getloadavg()[0]), flush=True)


def machine() -> str:
    load = os.getloadavg()
    return "%s, %d cores, Python %s, load average %.1f %.1f %.1f" % (
        platform.processor() or platform.machine(), os.cpu_count(), platform.python_version(), *load)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tune", action="store_true", help="redo the grids on the development seeds")
    ap.add_argument("--skip-pipeline", action="store_true", help="read the maps from the truth, not the pipeline")
    ap.add_argument("--seeds", help="comma-separated seeds to report on instead of the held-out list")
    ap.add_argument("--no-rebuild", action="store_true", help="skip the 1,000-night rebuild timing")
    a = ap.parse_args(argv)
    print(machine(), flush=True)
    if a.tune:
        tune()
        return 0
    seeds = [int(s) for s in a.seeds.split(",")] if a.seeds else HELD_OUT_SEEDS
    ok = report(seeds, through_pipeline=not a.skip_pipeline)
    if not a.no_rebuild:
        rebuild_time()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
