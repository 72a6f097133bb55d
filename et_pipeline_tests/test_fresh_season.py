"""Fresh on every path: `et-pipeline run` brings the season assets up to date for what it
changed (the night digest of the night it processed is in its dry-run output; a
re-scored old night changes every later rating), as the daemon's automation does."""
import os
from pathlib import Path

import pytest
from sqlalchemy import select

from et_pipeline.cli import main
from et_pipeline.numbers import day
from et_pipeline.storage import schema as t
from et_pipeline.storage.database import make_engine
from et_pipeline.synth import generate
from et_pipeline_tests.dagster_homes import cli_home

# The system tier (`make test-system`): seasons kept fresh through many runs and the daemon's automation.
pytestmark = pytest.mark.system


def _run(tmp_path, source, db, publish="off", *extra: str) -> int:
    return main(["run", "--source", str(source), "--db", db, "--dagster-home", cli_home(tmp_path / "dh"),
                 "--publish", publish, "--out", str(tmp_path / "out"), *extra])


def test_run_on_a_fresh_database_writes_the_night_digest(tmp_path, night, capsys):
    db = "sqlite:///%s" % (tmp_path / "fresh.db")
    assert _run(tmp_path, night, db, publish="dry-run") == 0
    capsys.readouterr()
    [digest] = (tmp_path / "out" / "2026-02-05").glob("*-digest/players/season_digest.json")
    assert "The season after %s" % day("2026-02-05") in digest.read_text(encoding="utf-8")
    assert not list((tmp_path / "out").glob("*/season-week-*/players/season_week.json"))   # waits for a 2nd night
    assert list((tmp_path / "out" / "season" / "season-achievements" / "players").glob("ach_*.json"))
    cards = [p.read_text(encoding="utf-8") for p in (tmp_path / "out" / "2026-02-05").glob("*/players/map_*.json")]
    assert cards and all("🎲 Before the map" in c for c in cards)     # the first night: from the prior


def _history(db: str) -> dict:
    with make_engine(db).connect() as conn:
        h = t.season_rating_history
        return {(r.guid, r.night): r.value for r in conn.execute(select(h.c.guid, h.c.night, h.c.value))}


def _flip_first_round_two(source: Path, date: str) -> None:
    """Re-score an old night: the first map's round 2 file now names the other side the winner."""
    [r2] = sorted(p for p in (source / "gamestats").iterdir()
                  if p.name.startswith(date) and p.name.endswith("-round-2.txt"))[:1]
    text = r2.read_text(encoding="latin-1")
    head, rest = text.split("\n", 1)
    fields = head.split("\\")
    winner = 5                                          # server\map\mod\round\defender\winner\limit\clock\...
    fields[winner] = {"1": "2", "2": "1"}[fields[winner]]
    r2.write_text("\\".join(fields) + "\n" + rest, encoding="latin-1")
    st = r2.stat()
    os.utime(r2, (st.st_atime, st.st_mtime + 60))


def test_the_daemons_automation_brings_the_season_up_to_date(tmp_path, night):
    """The other path: a real dagster-daemon on the code location; the sensor's run brings
    the night in, the season automation then runs the season, and the digest is written."""
    import shutil
    import subprocess
    import sys
    import time

    from et_pipeline_tests.servers import stop_process_group

    root, bin_dir = Path(__file__).resolve().parents[1], Path(sys.executable).parent
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(root / "deploy" / "dagster.dev.yaml", home / "dagster.yaml")
    env = dict(os.environ, DAGSTER_HOME=str(home), ET_SOURCE=str(night), ET_PUBLISH_MODE="dry-run",
               ET_DB_URL="sqlite:///%s" % (tmp_path / "et.db"), ET_OUT_DIR=str(tmp_path / "out"),
               ET_SETTLE_SECONDS="1", DAGSTER_DISABLE_TELEMETRY="yes")
    log = open(tmp_path / "daemon.log", "wb")
    daemon = subprocess.Popen([str(bin_dir / "dagster-daemon"), "run", "-w", str(root / "workspace.yaml")], cwd=root,
                              env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        # the automation's first evaluation (it never fires on its first one), as its log says
        first = time.monotonic() + 120
        while "Finished auto-materialization tick for season_automation_sensor" not in \
                (tmp_path / "daemon.log").read_text(errors="replace"):
            assert daemon.poll() is None and time.monotonic() < first, (tmp_path / "daemon.log").read_text()[-3000:]
            time.sleep(0.5)
        subprocess.run([str(bin_dir / "dagster"), "sensor", "start", "session_files_sensor", "-w",
                        str(root / "workspace.yaml")], cwd=root, env=env, check=True, capture_output=True)
        deadline = time.monotonic() + 300
        while not list((tmp_path / "out").glob("2026-02-05/*-digest/players/season_digest.json")):
            assert daemon.poll() is None, "dagster-daemon exited"
            assert time.monotonic() < deadline, (tmp_path / "daemon.log").read_text()[-3000:]
            time.sleep(2)
    finally:
        stop_process_group(daemon)
        log.close()
    assert _history("sqlite:///%s" % (tmp_path / "et.db"))


def test_a_rescored_old_night_changes_every_later_rating(tmp_path, capsys):
    source = tmp_path / "server"
    dates = sorted(n["date"] for n in generate(4, str(source), seed=12)["nights"])
    db = "sqlite:///%s" % (tmp_path / "et.db")
    assert _run(tmp_path, source, db) == 0
    capsys.readouterr()
    before = _history(db)
    assert {night for _, night in before} == set(dates)            # the season is there without a daemon
    _flip_first_round_two(source, dates[0])
    assert _run(tmp_path, source, db) == 0
    out = capsys.readouterr().out
    assert "%s  updated" % dates[0] in out and "%s  updated" % dates[-1] not in out
    after = _history(db)
    for night in dates:                                             # the night itself and every later one
        moved = [k for k in before if k[1] == night and k in after and abs(before[k] - after[k]) > 1e-9]
        assert moved, night


def _season_players(db: str) -> int:
    from sqlalchemy import func

    with make_engine(db).connect() as conn:
        return conn.execute(select(func.count()).select_from(t.season_players)).scalar()


def test_a_failed_season_is_brought_up_to_date_by_the_next_run_with_nothing_new(tmp_path, night, capsys,
                                                                                  monkeypatch):
    """The season job failing after the nights succeeded (found at this stop: the next run
    had nothing new, so it never ran the season again and the season stayed behind)."""
    from et_pipeline.cli.common import EXIT_FAILED
    from et_pipeline.season import season as pure

    db = "sqlite:///%s" % (tmp_path / "et.db")

    def broken(*args, **kwargs):
        raise RuntimeError("the season broke")
    with monkeypatch.context() as m:
        m.setattr(pure, "compute_season", broken)
        assert _run(tmp_path, night, db) == EXIT_FAILED
    assert "FAILED season" in capsys.readouterr().out
    assert _season_players(db) == 0
    assert _run(tmp_path, night, db) == 0
    out = capsys.readouterr().out
    assert "0 dates processed, 1 unchanged" in out and "the season brought up to date" in out
    assert _season_players(db) == 7
    assert _run(tmp_path, night, db) == 0           # current now: nothing to do, no Dagster
    assert "the season" not in capsys.readouterr().out


def test_run_season_skip_leaves_the_season_to_the_next_run(tmp_path, night, capsys):
    """`run --season skip` (a long backfill) processes the nights only; the next `run`,
    with nothing new, builds the season from them."""
    db = "sqlite:///%s" % (tmp_path / "et.db")
    assert _run(tmp_path, night, db, "off", "--season", "skip") == 0
    assert "the season is behind the nights" in capsys.readouterr().out
    assert _season_players(db) == 0
    assert _run(tmp_path, night, db) == 0
    assert _season_players(db) == 7


def test_forgetting_a_night_leaves_the_season_behind(tmp_path, night, capsys):
    from et_pipeline.storage.season_state import season_behind

    db = "sqlite:///%s" % (tmp_path / "et.db")
    assert _run(tmp_path, night, db) == 0
    with make_engine(db).connect() as conn:
        assert not season_behind(conn)
    assert main(["forget", "--db", db, "--date", "2026-02-05"]) == 0
    with make_engine(db).connect() as conn:
        assert season_behind(conn)


def test_a_failed_digest_is_published_by_the_next_run_with_nothing_new(tmp_path, night, capsys, monkeypatch):
    """The tables were built but the digest failed (Discord unreachable): the season job
    is not done, so the next `run` runs it again (a reviewer found the tables' token
    marking the season current before the digest ran)."""
    from et_pipeline.cli.common import EXIT_FAILED
    from et_pipeline.season import night_posts

    db = "sqlite:///%s" % (tmp_path / "et.db")

    def unreachable(*args, **kwargs):
        raise ConnectionRefusedError("Discord unreachable")
    with monkeypatch.context() as m:
        m.setattr(night_posts, "publish_night", unreachable)
        assert _run(tmp_path, night, db, "dry-run") == EXIT_FAILED
    assert "FAILED season" in capsys.readouterr().out
    assert not list((tmp_path / "out").glob("2026-02-05/*-digest/players/season_digest.json"))
    assert _run(tmp_path, night, db, "dry-run") == 0
    assert "the season brought up to date" in capsys.readouterr().out
    assert list((tmp_path / "out").glob("2026-02-05/*-digest/players/season_digest.json"))


def test_run_season_skip_with_nothing_new_still_says_the_season_is_behind(tmp_path, night, capsys):
    db = "sqlite:///%s" % (tmp_path / "et.db")
    assert _run(tmp_path, night, db, "off", "--season", "skip") == 0
    capsys.readouterr()
    assert _run(tmp_path, night, db, "off", "--season", "skip") == 0
    assert "the season is behind the nights" in capsys.readouterr().out


def test_a_database_from_before_the_season_token_is_caught_up_once(tmp_path, night, capsys):
    """A database made before the season recorded what it was built from (no token rows):
    its season may be stale, so the first `run` builds it, and the next one does not."""
    from et_pipeline.storage.season_state import NIGHTS_CHANGED, SEASON_BUILT_FROM, SEASON_TABLES_FROM

    db = "sqlite:///%s" % (tmp_path / "et.db")
    assert _run(tmp_path, night, db, "off", "--season", "skip") == 0
    with make_engine(db).begin() as conn:
        conn.execute(t.app_settings.delete().where(
            t.app_settings.c.key.in_([NIGHTS_CHANGED, SEASON_TABLES_FROM, SEASON_BUILT_FROM])))
    capsys.readouterr()
    assert _run(tmp_path, night, db) == 0
    assert "the season brought up to date" in capsys.readouterr().out and _season_players(db) == 7
    assert _run(tmp_path, night, db) == 0
    assert "the season" not in capsys.readouterr().out


def test_a_fresh_database_without_nights_has_no_season_to_catch_up(tmp_path, capsys):
    from et_pipeline.storage.database import ensure_schema
    from et_pipeline.storage.season_state import season_behind

    engine = make_engine("sqlite:///%s" % (tmp_path / "et.db"))
    ensure_schema(engine)
    with engine.connect() as conn:
        assert not season_behind(conn)
