"""Generated nights run through the nightly assets, for the season tests: a database
and the generator's truth beside it."""
import json
import sqlite3
from pathlib import Path

import dagster as dg

from et_pipeline.synth import generate
from et_pipeline_tests.pipeline_fixtures import Pipeline, ephemeral_instance


def truth_nights(truth: dict) -> list[dict]:
    return truth["nights"]


def build_season_db(root: Path, nights: int, seed: int, edge_rate=1.0) -> tuple[str, dict, Path]:
    """Generate `nights` nights, materialise every nightly asset for them in-process;
    returns (db url, truth, source folder)."""
    source = root / "server"
    truth = generate(nights, str(source), seed=seed, edge_rate=edge_rate)
    db = "sqlite:///%s" % (root / "season.db")
    with ephemeral_instance() as instance:
        pipe = Pipeline(source, db, root / "out", instance, publish="off")
        result = pipe.materialize(sorted(n["date"] for n in truth["nights"]))
        assert result.success
    return db, truth, source


def copy_db(url: str, dest: Path) -> str:
    """A copy of a SQLite database (WAL included, through SQLite's backup API)."""
    src = sqlite3.connect(url[len("sqlite:///"):])
    dst = sqlite3.connect(dest)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()
    return "sqlite:///%s" % dest


def fastest_attacks_in_truth(truth: dict) -> dict[str, dict]:
    """Per map the fastest successful attack the generator played: a round of a counted
    map whose attackers completed the objective (surrenders are not attacks)."""
    best: dict[str, dict] = {}
    for n in truth["nights"]:
        for m in n["maps"]:
            if not m["counted"]:
                continue
            for number, outcome, seconds in ((1, m["r1_outcome"], m["r1_time_seconds"]),
                                             (2, m["r2_outcome"], m["r2_time_seconds"])):
                if outcome != "objective":
                    continue
                cur = best.get(m["map"])
                if cur is None or seconds < cur["seconds"]:
                    best[m["map"]] = dict(seconds=seconds, r1_files={m["r1_file"]}, date=n["date"])
                elif seconds == cur["seconds"]:
                    cur["r1_files"].add(m["r1_file"])
    return best


def dump(doc) -> str:
    return json.dumps(doc, ensure_ascii=False, default=str)


def run_as_automation(db: str, instance, requested=None, assets=None) -> None:
    """The run the season automation sensor launches: the requested season assets (default:
    all of `assets`, default the season group's stats assets) as the run's asset selection,
    which tells the condition that a dependency updated by that same run is no reason to run
    again (`dg.materialize` records no selection)."""
    from et_pipeline.defs.resources import DatabaseResource, DiscordWebhook, RulesResource
    from et_pipeline.defs.season_assets import SEASON_ASSETS

    assets = assets or SEASON_ASSETS
    defs = dg.Definitions(assets=assets, resources={
        "database": DatabaseResource(url=db), "rules": RulesResource(), "discord": DiscordWebhook(mode="off")})
    job = defs.resolve_implicit_global_asset_job_def()
    selection = sorted(requested) if requested is not None else sorted(k for a in assets for k in a.keys)
    assert job.execute_in_process(instance=instance, asset_selection=selection).success
