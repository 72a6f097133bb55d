"""What `et-pipeline run` says is true, and short: a failed date never prints "updated",
20,000 misnamed files print one line per reason (with a count and a few names), a second
game server on one database is one error line, two runs registering the same new date
at once do not traceback, and a date whose Discord messages a long 429 deferred is run
again once they are due."""
import dagster as dg
import pytest
from sqlalchemy import update

from et_pipeline.cli import main
from et_pipeline.storage import schema as t
from et_pipeline.storage.database import make_engine
from et_pipeline_tests.dagster_homes import cli_home
from et_pipeline_tests.pipeline_fixtures import lay_out_night

DATE = "2026-02-05"


def _args(night, tmp_path, db=None):
    return ["run", "--source", str(night), "--db", db or "sqlite:///%s" % (tmp_path / "et.db"),
            "--dagster-home", cli_home(tmp_path / "dh"), "--publish", "off", "--season", "skip"]


def test_a_failed_date_never_prints_updated(tmp_path, capsys, monkeypatch):
    import et_pipeline.defs.assets as assets

    night = lay_out_night(tmp_path / "server")

    def broken(*a, **k):
        raise RuntimeError("scoring broke")
    monkeypatch.setattr(assets, "build_map_results", broken)
    assert main(_args(night, tmp_path)) == 1
    out = capsys.readouterr().out
    [line] = [ln for ln in out.splitlines() if ln.startswith(DATE + "  ")]
    assert "updated" not in line and "FAILED" in line
    assert "0 dates processed" in out and "1 failed" in out


@pytest.mark.system   # 20,000 files through a run
def test_twenty_thousand_misnamed_files_print_one_line_per_reason(tmp_path, capsys):
    night = lay_out_night(tmp_path / "server")
    for i in range(20_000):
        (night / "gamestats" / ("2026-02-05-2110-supply-%05d-round-1.txt" % i)).write_bytes(b"x\n")
    for i in range(2):                             # another reason, two files: each on its own line
        (night / "gamestats" / ("2026-02-05-21100%d-supply-round-1.json" % i)).write_bytes(b"x\n")
    assert main(_args(night, tmp_path)) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) < 10, "\n".join(out[:30])
    [folded] = [ln for ln in out if "files:" in ln]
    assert "QUARANTINED  20000 files: malformed round file name" in folded
    assert "gamestats/2026-02-05-2110-supply-00000-round-1.txt" in folded    # a few names as examples
    assert sum("only timing files may be .json" in ln for ln in out) == 2
    assert "20002 bad files" in out[-1]


def test_a_second_game_server_on_one_database_is_one_error_line(tmp_path, capsys):
    first, second = lay_out_night(tmp_path / "first"), lay_out_night(tmp_path / "second")
    assert main(_args(first, tmp_path)) == 0
    capsys.readouterr()
    assert main(_args(second, tmp_path)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(first) in err[0] and str(second) in err[0]
    with make_engine("sqlite:///%s" % (tmp_path / "et.db")).connect() as conn:
        gone = conn.execute(t.server_files.select().where(t.server_files.c.on_server.is_(False))).fetchall()
    assert gone == []                                  # the first server's files are not marked gone


def test_two_runs_registering_one_new_date_at_once_do_not_fail(tmp_path, capsys, monkeypatch):
    """Dagster's SQLite storage reads the known partitions, then inserts the new ones: the
    loser of two runs doing it at once got an IntegrityError traceback (1 of 16 pairs)."""
    night = lay_out_night(tmp_path / "server")
    real = dg.DagsterInstance.add_dynamic_partitions

    def raced(self, name, keys):
        real(self, name, keys)                         # the other run got there first ...
        from sqlalchemy.exc import IntegrityError

        raise IntegrityError("INSERT INTO dynamic_partitions", {}, Exception("UNIQUE constraint failed"))
    monkeypatch.setattr(dg.DagsterInstance, "add_dynamic_partitions", raced)
    assert main(_args(night, tmp_path)) == 0, capsys.readouterr().out


@pytest.mark.system   # runs against the loopback Discord's rate limits
def test_a_date_whose_deferred_discord_messages_are_due_is_run_again(tmp_path, capsys, monkeypatch):
    from et_pipeline_tests.fixtures.publish.fake_discord import FakeDiscord

    night = lay_out_night(tmp_path / "server")
    db = "sqlite:///%s" % (tmp_path / "et.db")
    live = ["run", "--source", str(night), "--db", db, "--dagster-home", cli_home(tmp_path / "dh"), "--publish", "live",
            "--season", "skip", "--out", str(tmp_path / "out")]
    with FakeDiscord() as fake:
        monkeypatch.setenv("ET_DISCORD_WEBHOOK_URL", fake.url)
        assert main(live) == 0
        capsys.readouterr()
        assert main(live) == 0
        assert "%s  unchanged" % DATE in capsys.readouterr().out
        engine = make_engine(db)
        with engine.begin() as conn:                   # what a long 429 left in the outbox, now due
            conn.execute(update(t.discord_posts).where(t.discord_posts.c.kind == "session:summary").values(
                status="deferred", message_id=None, content_hash="x", retry_at="2000-01-01T00:00:00+00:00"))
        assert main(live) == 0
        assert "%s  updated" % DATE in capsys.readouterr().out
        with engine.connect() as conn:
            row = conn.execute(t.discord_posts.select().where(t.discord_posts.c.kind == "session:summary")).one()
        assert row.status == "sent" and row.retry_at is None
