"""`et-pipeline synth --nights N --out DIR [--seed S]`: write generated nights. In the command
line's package, not the synth package: registering the subcommand must not import the generator."""
import argparse
import sys

from et_pipeline.cli.common import calendar_date, die, probability, whole_number


def cmd_synth(a) -> int:
    from et_pipeline.synth import generate

    try:
        truth = generate(a.nights, a.out, seed=a.seed, start_date=a.start_date, variant_mix=not a.by_date,
                         edge_rate=a.edge_rate)
    except OSError as e:
        return die("--out %s cannot be written: %s" % (a.out, e.strerror or e))
    nights = truth["nights"]
    n_files = sum(len(n["files"]) for n in nights)
    edges = sorted({e for n in nights for e in n["edge_cases"]})
    first, last = (nights[0]["date"], nights[-1]["date"]) if nights else ("-", "-")
    print("wrote %d night(s), %d files, %s .. %s, under %s" % (len(nights), n_files, first, last, a.out))
    print("edge cases: %s" % (", ".join(edges) or "none"))
    print("truth: %s/truth.json" % a.out)
    return 0


def add_synth_parser(subparsers) -> argparse.ArgumentParser:
    s = subparsers.add_parser("synth", help="generate realistic nights of stopwatch files (tests, benchmarks)",
                              description="Write generated nights as a game server would (gamestats/, gametimes/) "
                                          "and the generator's truth (truth.json) beside them: a folder to try "
                                          "`et-pipeline run` on, or to test and benchmark with.")
    s.add_argument("--nights", type=whole_number(1), required=True, help="how many nights to generate")
    s.add_argument("--out", required=True, help="folder to write gamestats/, gametimes/ and truth.json into")
    s.add_argument("--seed", type=int, default=1, help="random seed (the same seed writes the same files)")
    s.add_argument("--start-date", type=calendar_date, default="2025-01-07", help="date of the first night, YYYY-MM-DD")
    s.add_argument("--by-date", action="store_true",
                   help="file variants by deployment date (c0rnp0rn8 from 2026-02-21, ...) instead of a random mix")
    s.add_argument("--edge-rate", type=probability, default=None, help="probability of each edge case per night")
    s.set_defaults(fn=cmd_synth)
    return s


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m et_pipeline.synth")
    sub = ap.add_subparsers(dest="cmd")
    add_synth_parser(sub)
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] != "synth":
        argv = ["synth"] + argv
    a = ap.parse_args(argv)
    return a.fn(a)
