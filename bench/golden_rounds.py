#!/usr/bin/env python3
"""Golden output of the rounds step: `build_rounds` on many generated nights, compared
with the same step of another git revision.

A speed change to the parser, the round-2 differential or the row building must not
change a single stored value. This script generates nights with et_pipeline.synth (every
edge case, c0rnp0rn7/8 mix), damages some stats files and copies others under the name
of a second later (so quarantine, the bounds check and the duplicate check are exercised
too), groups them per session date as the `rounds` asset does, and reduces every table `build_rounds` returns (sessions, rounds, player rows,
weapon rows, file outcomes) to canonical JSON per date, values with their types
(1 and 1.0 and True differ).

    .venv/bin/python bench/golden_rounds.py --against main      # identical? exit 1 if not
    .venv/bin/python bench/golden_rounds.py --nights 40 --seeds 3,4

With `--against REV` the revision is exported with `git archive` into a temporary folder
and this same script runs there in a child process (that revision's code, this
environment); the first differing date and row are printed.
"""
import argparse
import datetime as dt
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _damaged(data: bytes, rng: random.Random) -> bytes:
    """One plausible corruption of a stats file: a number made negative, huge, NaN or
    cut, a line truncated, a header field emptied."""
    text = data.decode("utf-8", "surrogateescape")
    lines = text.split("\n")
    n = rng.randrange(1, max(2, len(lines) - 1))
    fields = lines[n].split("\t")
    kind = rng.randrange(6)
    i = rng.randrange(len(fields))
    if kind == 0:
        fields[i] = "-" + fields[i]
    elif kind == 1:
        fields[i] = "99999999999"
    elif kind == 2:
        fields[i] = "nan"
    elif kind == 3:
        fields = fields[: max(1, i)]
    elif kind == 4:
        fields[i] = fields[i][: len(fields[i]) // 2]
    else:
        header = lines[0].split("\\")
        header[rng.randrange(len(header))] = ""
        lines[0] = "\\".join(header)
    lines[n] = "\t".join(fields)
    return "\n".join(lines).encode("utf-8", "surrogateescape")


def _canonical(value):
    """JSON of a value keeping its type: Python's repr of floats, bools apart from ints."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return {"i": value}
    if isinstance(value, float):
        return {"f": repr(value)}
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    return {"other": repr(value)}


def _tables(result) -> dict:
    """The step's result as lists of dicts, whatever row shape this revision uses."""
    def rows(name):
        as_dicts = getattr(result, name[:-1] + "_dicts", None)      # players -> player_dicts()
        return as_dicts() if as_dicts else list(getattr(result, name))

    return {"sessions": result.sessions, "rounds": result.rounds, "players": rows("players"),
            "weapons": rows("weapons"),
            "outcomes": [dict(vars(o)) for o in result.outcomes]}


def digests(nights: int, seeds: list[int], damaged_share: float) -> dict:
    """date key -> canonical JSON of build_rounds' output on that date's files."""
    from et_pipeline.config import Rules
    from et_pipeline.parsers.filenames import STATS, classify
    from et_pipeline.sources.base import ServerFile
    from et_pipeline.steps.plan import make_plan
    from et_pipeline.steps.rounds import build_rounds
    from et_pipeline.synth import generate

    rules = Rules()
    found = {}
    with tempfile.TemporaryDirectory(prefix="golden-rounds-") as tmp:
        for seed in seeds:
            folder = Path(tmp) / str(seed)
            generate(nights, str(folder), seed=seed, edge_rate=0.3)
            rng = random.Random(seed)
            blobs = {}
            for path in sorted((folder / "gamestats").iterdir()):
                name = classify(path.name)
                if name is None or name.kind != STATS:
                    continue
                data = path.read_bytes()
                draw = rng.random()
                if draw < damaged_share:            # the file damaged: quarantined or still within bounds
                    data = _damaged(data, rng)
                elif draw < 2 * damaged_share:      # a renamed copy a second later: the duplicate check
                    later = dt.datetime.strptime(path.name[:17], "%Y-%m-%d-%H%M%S") + dt.timedelta(seconds=1)
                    blobs[later.strftime("%Y-%m-%d-%H%M%S") + path.name[17:]] = data
                blobs[path.name] = data
            plan = make_plan([ServerFile("gamestats", n, len(b), 0.0) for n, b in blobs.items()], rules)
            for date, planned in sorted(plan.by_date.items()):
                files = [("gamestats/" + p.file.name, p.name, blobs[p.file.name]) for p in planned]
                found["%d/%s" % (seed, date)] = _canonical(_tables(build_rounds(files, date, rules)))
    return found


def _first_difference(a: dict, b: dict) -> str:
    for table in a:
        ra, rb = a[table], b.get(table)
        if ra == rb:
            continue
        if not isinstance(ra, list) or not isinstance(rb, list) or len(ra) != len(rb):
            return "%s: %s rows here, %s there" % (table, len(ra), None if rb is None else len(rb))
        for i, (x, y) in enumerate(zip(ra, rb)):
            if x != y:
                keys = sorted(set(x) | set(y)) if isinstance(x, dict) and isinstance(y, dict) else []
                diff = {k: (x.get(k), y.get(k)) for k in keys if x.get(k) != y.get(k)}
                return "%s row %d: %s" % (table, i, json.dumps(diff or (x, y))[:600])
    return "key order only"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nights", type=int, default=60, help="nights per seed (default 60)")
    ap.add_argument("--seeds", default="11,12,13", help="synth seeds, comma-separated (default 11,12,13)")
    ap.add_argument("--damaged", type=float, default=0.05, help="share of stats files damaged (and the same share copied under another name)")
    ap.add_argument("--against", metavar="REV", help="compare with this git revision (e.g. main)")
    ap.add_argument("--json", action="store_true", help=argparse.SUPPRESS)   # the child's output
    a = ap.parse_args()
    seeds = [int(s) for s in a.seeds.split(",")]
    sys.path.insert(0, str(ROOT))
    here = digests(a.nights, seeds, a.damaged)
    if a.json:
        json.dump(here, sys.stdout)
        return 0
    n_rows = sum(len(d["players"]) for d in here.values())
    total = hashlib.sha256(json.dumps(here, sort_keys=True).encode()).hexdigest()
    print("golden rounds: %d dates, %d player rows, seeds %s x %d nights: sha256 %s"
          % (len(here), n_rows, a.seeds, a.nights, total[:16]))
    if not a.against:
        return 0
    with tempfile.TemporaryDirectory(prefix="golden-rev-") as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", a.against], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        (Path(tmp) / "bench").mkdir(exist_ok=True)
        shutil.copy2(__file__, Path(tmp) / "bench" / "golden_rounds.py")    # this harness, that revision's code
        env = dict(os.environ, PYTHONPATH=tmp)
        child = subprocess.run([sys.executable, str(Path(tmp) / "bench" / "golden_rounds.py"), "--json",
                                "--nights", str(a.nights), "--seeds", a.seeds, "--damaged", str(a.damaged)],
                               cwd=tmp, env=env, capture_output=True, text=True)
        if child.returncode:
            print(child.stderr[-3000:])
            return 2
        there = json.loads(child.stdout)
    bad = [k for k in sorted(set(here) | set(there)) if here.get(k) != there.get(k)]
    if not bad:
        print("identical to %s on all %d dates" % (a.against, len(here)))
        return 0
    k = bad[0]
    print("DIFFERENT from %s on %d of %d dates; first %s: %s"
          % (a.against, len(bad), len(here), k,
             "missing on one side" if k not in here or k not in there else _first_difference(here[k], there[k])))
    return 1


if __name__ == "__main__":
    sys.exit(main())
