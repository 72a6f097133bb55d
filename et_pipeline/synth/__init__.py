"""Synthetic but realistic nights of ET:Legacy stopwatch play, for tests and benchmarks.

`generate(nights, out_dir, seed)` writes, in the CONTRACT.md server layout,
`out_dir/gamestats/` (stats files, c0rnp0rn7 or c0rnp0rn8, and endstats files) and
`out_dir/gametimes/` (upstream gametime JSON), plus `out_dir/truth.json`: per night
the persistent player groups, per map who won (the group, "tie", or null when the map
cannot be scored) and any substitute, per round the expected this-round numbers of
every player and the share of the round he was there for (`presence`), and per night
the stopwatch skill each player had that night (`skills`: it drifts, `life.py`); and
`people`: every person of the community by 8-digit GUID with his potential `skill` (the
stopwatch skill that sets his team's attack times, `outcome.py`), `frag_skill` (the
fragging strength that drives his kills, `sim.py`) and the nights he came and stopped,
plus the `outcome_model`, so a rating can be judged against the generator's own oracle
(`oracle.py`). The community's life (newcomers, players who stop, form, odd nights,
substitutes) is `life.py`.

Deterministic for a seed, and prefix-stable: night k is the same whether 10 or 1,000
nights are generated, so "100 nights, then the 101st" is two calls or one.

Edge cases (DOMAIN.md), each with a seeded probability per night (`edge_rate`):
orphan R2 (R1 stats file lost), R1 without R2, a surrender, a night past midnight, a
reconnect during R2 (his R2 line holds only post-reconnect counters), a late joiner in
R2 (replacing a player who left), an omni-bot, a map played twice, a double full hold,
webhook v1.6.0 (no R2 gametime file after an R1 that set a fractional time).
Gametime files are written for every night, also for dates before 2026-02-07 when the
real webhook script did not write them yet.
"""
import json
import os

from et_pipeline.synth import outcome
from et_pipeline.synth.life import Community
from et_pipeline.synth.night import DEFAULT_EDGE_RATE, EDGE_CASES, calendar, make_night
from et_pipeline.synth.pool import SERVER_NAMES

__all__ = ["generate", "EDGE_CASES", "DEFAULT_EDGE_RATE"]


def generate(nights: int, out_dir: str, seed: int = 1, start_date: str = "2025-01-07", variant_mix: bool = True,
             edge_rate=None, write_truth: bool = True) -> dict:
    """Write `nights` nights under `out_dir` and return the truth document.

    `variant_mix`: True picks the stats/endstats/webhook variants per night at random;
    False follows the real deployment dates (c0rnp0rn8 from 2026-02-21, ...).
    `edge_rate`: probability of each edge case per night (a float, or a dict by name,
    see `EDGE_CASES`); default `DEFAULT_EDGE_RATE` each.
    """
    people = Community(seed)
    server = SERVER_NAMES[seed % len(SERVER_NAMES)]
    stats_dir, times_dir = os.path.join(out_dir, "gamestats"), os.path.join(out_dir, "gametimes")
    os.makedirs(stats_dir, exist_ok=True)
    os.makedirs(times_dir, exist_ok=True)
    out = []
    for i, day in enumerate(calendar(seed, nights, start_date)):
        tonight = people.tonight(i)
        night = make_night(seed, i, day, tonight, server, variant_mix, edge_rate)
        night.truth["skills"] = {p.guid8: p.stopwatch_skill for p in tonight if p.guid8 in night.truth["players"]}
        for f in night.files:
            path = os.path.join(out_dir, f.folder, f.name)
            with open(path, "wb") as fh:
                fh.write(f.data)
            os.utime(path, (f.mtime, f.mtime))
        night.truth["files"] = sorted("%s/%s" % (f.folder, f.name) for f in night.files)
        out.append(night.truth)
    truth = dict(generator=dict(tool="et_pipeline.synth", seed=seed, nights=nights, start_date=start_date,
                                variant_mix=variant_mix, timezone="Europe/Ljubljana",
                                edge_rate=edge_rate if edge_rate is not None else DEFAULT_EDGE_RATE),
                 outcome_model=dict(base=outcome.BASE, k=outcome.K, numbers=outcome.NUMBERS, sigma=outcome.SIGMA,
                                    min_seconds=outcome.MIN_SECONDS, margin=outcome.MARGIN),
                 people={m.person.guid8: dict(name=m.person.clean_name, skill=m.person.stopwatch_skill,
                                              frag_skill=m.person.skill, regularity=m.person.regularity,
                                              first_night=m.arrives, last_night=m.stops, newcomer=m.newcomer)
                         for m in people.everyone(nights)},
                 nights=out)
    if write_truth:
        with open(os.path.join(out_dir, "truth.json"), "w", encoding="utf-8") as fh:
            # one night per line: readable with `jq`, and the C encoder (indent=None) is fast
            fh.write('{"generator": %s,\n "outcome_model": %s,\n "people": %s,\n "nights": [\n'
                     % tuple(json.dumps(truth[k], ensure_ascii=False, sort_keys=True)
                             for k in ("generator", "outcome_model", "people")))
            fh.write(",\n".join(json.dumps(n, ensure_ascii=False, sort_keys=True) for n in out))
            fh.write("\n]}")
            fh.write("\n")
    return truth
