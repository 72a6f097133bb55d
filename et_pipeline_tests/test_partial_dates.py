"""A date whose data is partial says so in `report`: its last run did not finish (some
tables hold that run's numbers, others the previous run's), or a file of it could not be
read from the server. Every session carries `complete` and, when false, why."""
from et_pipeline_tests.pipeline_fixtures import (NIGHT_DATE, Pipeline, ephemeral_instance, lay_out_night, report_cli,
                                                 run_cli, sftp_source_args)

DATE = NIGHT_DATE
LOCKED = "2026-02-05-215043-te_escape2-round-2.txt"


def test_a_date_whose_last_run_failed_half_way_is_marked_incomplete(tmp_path, capsys, monkeypatch):
    import et_pipeline.defs.assets as assets

    night = lay_out_night(tmp_path / "server")
    db = "sqlite:///%s" % (tmp_path / "et.db")
    with ephemeral_instance() as instance:
        pipe = Pipeline(night, db, tmp_path / "out", instance, publish="off")
        assert pipe.materialize([DATE]).success
        [session] = report_cli(db, capsys)["sessions"]
        assert session["complete"] is True and session["incomplete_because"] == []

        def broken(*a, **k):
            raise RuntimeError("scoring broke")
        monkeypatch.setattr(assets, "build_map_results", broken)
        assert not pipe.materialize([DATE]).success
        [session] = report_cli(db, capsys)["sessions"]
        assert session["complete"] is False
        assert "did not finish" in " ".join(session["incomplete_because"])
        monkeypatch.undo()
        assert pipe.materialize([DATE]).success
        assert report_cli(db, capsys)["sessions"][0]["complete"] is True


def test_a_date_with_a_file_the_server_refused_is_marked_incomplete(sftp_server, tmp_path, capsys):
    lay_out_night(sftp_server.root)
    sftp_server.refused.add(LOCKED)
    db = "sqlite:///%s" % (tmp_path / "et.db")
    assert run_cli(sftp_source_args(sftp_server, tmp_path / "cache"), db, tmp_path, capsys)[0] == 0
    [session] = report_cli(db, capsys)["sessions"]
    assert session["complete"] is False
    assert any(LOCKED in why and "could not be read" in why for why in session["incomplete_because"])
