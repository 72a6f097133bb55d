"""Long ranges run in bounded chunks (issue 15 §3): the same cap for UI backfills
(the assets' backfill policy) and for `et-pipeline run`, so memory does not grow with
the number of nights."""
import dagster as dg
import pytest

from et_pipeline.cli import main
from et_pipeline.defs.assets import ALL_ASSETS
from et_pipeline.defs.partitions import max_partitions_per_run
from et_pipeline.env_values import SettingError
from et_pipeline.settings import Settings
from et_pipeline.synth import generate

RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


def test_every_asset_backfills_in_bounded_runs():
    assert max_partitions_per_run() == Settings.partitions_per_run == 100       # the cap the README documents
    for asset in ALL_ASSETS:
        policy = asset.backfill_policy
        assert policy == dg.BackfillPolicy.multi_run(100), asset.key             # a few runs, not one for all


def test_the_cap_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("ET_PARTITIONS_PER_RUN", "7")
    assert max_partitions_per_run() == 7
    for bad in ("0", "-5", "2.5", "abc"):                                       # never an empty run, never a guess
        monkeypatch.setenv("ET_PARTITIONS_PER_RUN", bad)
        with pytest.raises(SettingError, match="ET_PARTITIONS_PER_RUN=%r" % bad):
            max_partitions_per_run()


@pytest.mark.system   # a run over many nights
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
        # a one-date chunk runs as that partition (tagged like a UI launch), a longer one as a range
        ranges = sorted((r.tags.get(RANGE_START, r.tags.get("dagster/partition")),
                         r.tags.get(RANGE_END, r.tags.get("dagster/partition")))
                        for r in instance.get_runs() if r.job_name == "session_job")
        season = [r for r in instance.get_runs() if r.job_name == "season_job"]
    assert len(ranges) == 3                                     # 7 nights, at most 3 per run
    assert len(season) == 1                                     # then the season, once, over every night
    covered = [d for d in dates if any(a <= d <= b for a, b in ranges)]
    assert covered == dates
