"""Time has a horizon: a file dated more than a day after the clock is quarantined
("dated in the future"), names cannot push the sensor past real nights, a server clock
ahead of ours does not hold a round back, and the season's latest night is a real one;
a night whose files are all gone from the server says so."""
import datetime as dt
import json

import dagster as dg
import pytest
from sqlalchemy import select

from et_pipeline.cli import main
from et_pipeline.config import Rules
from et_pipeline.defs.resources import DatabaseResource, DiscordWebhook, RulesResource
from et_pipeline.defs.season_assets import SEASON_ASSETS
from et_pipeline.sources.base import ServerFile
from et_pipeline.steps.plan import make_plan
from et_pipeline.steps.sensor_logic import decide
from et_pipeline.storage import schema as t
from et_pipeline.storage.database import make_engine
from et_pipeline_tests.pipeline_fixtures import NIGHT_DATE, ephemeral_instance, lay_out_night, run_cli

DATE = NIGHT_DATE
T0 = 1770322201.0           # 2026-02-05 21:10:01 Europe/Ljubljana
STATS = "2026-02-05-211001-supply-round-1.txt"
ENDSTATS = "2026-02-05-210959-supply-round-1-endstats.txt"
GAMETIME = "gametime-supply-R1-1770322198.json"
STATS2 = "2026-02-05-212035-supply-round-2.txt"
ENDSTATS2 = "2026-02-05-212034-supply-round-2-endstats.txt"


def _files(*names_mtimes):
    return [ServerFile("gametimes" if n.startswith("gametime-") else "gamestats", n, 1000, m) for n, m in names_mtimes]


def _future_names(count: int, year: int = 2030) -> list[str]:
    first = dt.date(year, 1, 1)
    return ["%s-210000-supply-round-1.txt" % (first + dt.timedelta(days=i)).isoformat() for i in range(count)]


def test_files_dated_more_than_a_day_ahead_are_quarantined_as_dated_in_the_future():
    now = T0 + 600
    tomorrow = dt.datetime.fromtimestamp(now) + dt.timedelta(hours=20)
    near = "%s-supply-round-1.txt" % tomorrow.strftime("%Y-%m-%d-%H%M%S")
    files = _files((STATS, T0), (ENDSTATS, T0), (GAMETIME, T0), (near, T0), ("gametime-supply-R1-1870322198.json", T0),
                   *((n, T0) for n in _future_names(61)))
    plan = make_plan(files, Rules(), now=now)
    refused = {p.file.name: p.error for p in plan.unassigned}
    assert DATE in plan.dates and near not in refused               # within a day of the clock: a night
    assert "dated in the future" in refused["gametime-supply-R1-1870322198.json"]
    for name in _future_names(61):
        assert "dated in the future" in refused[name]
    assert all(not d.startswith("2030") for d in plan.dates)


def test_future_names_cannot_push_the_sensor_past_real_nights():
    now = T0 + 600
    files = _files((STATS, T0), (ENDSTATS, T0), (GAMETIME, T0), *((n, T0) for n in _future_names(61)))
    cursor = {}
    for step in range(3):
        d = decide(make_plan(files, Rules(), now=now + step), cursor, now + step, grace_seconds=10)
        cursor = d.cursor
    assert json.dumps(cursor).count("2030") == 0
    later = _files((STATS, T0), (ENDSTATS, T0), (GAMETIME, T0), (STATS2, T0 + 634), (ENDSTATS2, T0 + 634),
                   ("gametime-supply-R2-1770322832.json", T0 + 634), *((n, T0) for n in _future_names(61)))
    asked = []
    for step in range(3):
        d = decide(make_plan(later, Rules(), now=T0 + 700 + step), cursor, T0 + 700 + step, grace_seconds=10)
        asked += [r.date for r in d.requests]
        cursor = d.cursor
    assert asked == [DATE]


def test_a_cursor_pushed_past_real_nights_by_an_earlier_version_heals():
    poisoned = {"done": {d: "x" * 64 for d in ["2030-01-%02d" % i for i in range(2, 32)]}, "watermark": "2030-01-02"}
    files = _files((STATS, T0), (ENDSTATS, T0), (GAMETIME, T0))
    asked = []
    cursor = poisoned
    for step in range(2):
        d = decide(make_plan(files, Rules(), now=T0 + 60 + step), cursor, T0 + 60 + step, grace_seconds=10)
        asked += [r.date for r in d.requests]
        cursor = d.cursor
    assert asked == [DATE]
    assert "2030" not in json.dumps(cursor)


def test_a_server_clock_ahead_of_ours_does_not_hold_a_round_back():
    """A round without its timing file waits `grace` seconds after the stats file; with the
    server's clock 10 minutes ahead, it waited 10 minutes more."""
    skew = 600
    files = _files((STATS, T0 + skew), (ENDSTATS, T0 + skew), (GAMETIME, T0 - 3))
    r2 = files + _files((STATS2, T0 + 634 + skew))                   # round 2: no award, no timing file yet
    now = T0 + 640
    cursor = {}
    asked = []
    for step in range(0, 40, 5):
        d = decide(make_plan(r2, Rules(), now=now + step), cursor, now + step, grace_seconds=15)
        asked.append((step, [r.date for r in d.requests]))
        cursor = d.cursor
    first = next(step for step, dates in asked if dates)
    assert first <= 20, asked


def _season(db, capsys):
    capsys.readouterr()
    assert main(["season", "--db", db, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_night_dated_2099_never_becomes_the_seasons_latest_night(tmp_path, capsys):
    night = lay_out_night(tmp_path / "server")
    for f in sorted((night / "gamestats").iterdir()):
        (night / "gamestats" / ("2099" + f.name[4:])).write_bytes(f.read_bytes())
    db = "sqlite:///%s" % (tmp_path / "et.db")
    code, out = run_cli(night, db, tmp_path, capsys)
    assert code == 0, out
    assert "dated in the future" in out and "2099-02-05" not in [ln.split()[0] for ln in out.splitlines() if ln]
    with make_engine(db).connect() as conn:
        dates = set(conn.execute(select(t.sessions.c.session_date)).scalars())
    assert dates == {DATE}
    assert _season(db, capsys)["as_of"] == DATE


@pytest.mark.system   # a season over runs whose files go
def test_a_night_whose_files_are_all_gone_says_so_in_season_and_the_digest(tmp_path, capsys):
    night = lay_out_night(tmp_path / "server")
    db = "sqlite:///%s" % (tmp_path / "et.db")
    assert run_cli(night, db, tmp_path, capsys)[0] == 0
    assert _season(db, capsys)["nights_gone_from_server"] == []
    for sub in ("gamestats", "gametimes"):
        for f in (night / sub).iterdir():
            f.unlink()
    assert run_cli(night, db, tmp_path, capsys)[0] == 0
    doc = _season(db, capsys)
    assert doc["as_of"] == DATE and doc["nights_gone_from_server"] == [DATE]
    with ephemeral_instance() as instance:
        result = dg.materialize(SEASON_ASSETS, instance=instance, resources={
            "database": DatabaseResource(url=db), "rules": RulesResource(),
            "discord": DiscordWebhook(mode="dry-run", out_dir=str(tmp_path / "out"))})
        assert result.success
    [digest] = list((tmp_path / "out").rglob("season_digest.json"))
    text = json.dumps(json.loads(digest.read_text())["payload"], ensure_ascii=False)
    assert "no longer on the game server" in text
