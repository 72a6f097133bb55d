"""Long ranges run in bounded chunks (issue 15 §3): the same cap for UI backfills
(the assets' backfill policy) and for `et-pipeline run`, so memory does not grow with
the number of nights."""
import dagster as dg

from et_pipeline.cli import main
from et_pipeline.defs.assets import ALL_ASSETS
from et_pipeline.defs.partitions import max_partitions_per_run
from et_pipeline.synth import generate

RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"
PARTITION = "dagster/partition"


def _span(run) -> tuple[str, str]:
    """A run's first and last date: a range's tags, or a one-date run's partition tag (a
    one-date block is launched with `partition_key`, as the UI does: cli._run_tags)."""
    if RANGE_START in run.tags:
        return run.tags[RANGE_START], run.tags[RANGE_END]
    return run.tags[PARTITION], run.tags[PARTITION]


def test_every_asset_backfills_in_bounded_runs():
    for asset in ALL_ASSETS:
        policy = asset.backfill_policy
        assert policy.max_partitions_per_run == max_partitions_per_run(), asset.key


def test_run_over_many_nights_executes_bounded_chunks(tmp_path, monkeypatch, capsys):
    truth = generate(7, str(tmp_path / "server"), seed=3, write_truth=False)
    dates = sorted({n["date"] for n in truth["nights"]})
    monkeypatch.setenv("ET_PARTITIONS_PER_RUN", "3")
    home = tmp_path / "dh"
    assert main(["run", "--source", str(tmp_path / "server"), "--db", "sqlite:///%s" % (tmp_path / "et.db"),
                 "--dagster-home", str(home), "--publish", "off"]) == 0
    printed = capsys.readouterr().out
    assert printed.count("  updated  ") == len(dates)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        ranges = sorted(_span(r) for r in instance.get_runs())
    assert len(ranges) == 3                                     # 7 nights, at most 3 per run
    covered = [d for d in dates if any(a <= d <= b for a, b in ranges)]
    assert covered == dates
