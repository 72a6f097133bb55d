"""A live night that never freezes, end to end: the recorded night copied onto the
(loopback) game server while `dagster-daemon` runs the project's code location, publishing
live to the loopback Discord: the first four rounds together, then round by round. In the
middle of the night the daemon is killed with its whole process group while a round's run
is under way (its worker dies with it) and restarted a little later; two more rounds land
meanwhile.

Done when: every round is in Discord within a minute of the restart (and the rounds after
it within a minute of landing), the players' channel ends exactly as a clean run of the
whole night publishes it, nothing is posted twice, the season tables match the night and
the night digest was posted once and edited."""
import json
import shutil
import time

import dagster as dg
import pytest
from sqlalchemy import select

from et_pipeline.cli import main
from et_pipeline.season.season import compute_season
from et_pipeline.storage import schema as t
from et_pipeline.storage.database import make_engine
from et_pipeline_tests.daemon_fixtures import ROOT, live_daemon, runs, wait_for
from et_pipeline_tests.pipeline_fixtures import ephemeral_instance, rounds_of

# The system tier (`make test-system`): a real dagster-daemon, killed in the middle of a live night.
pytestmark = pytest.mark.system

NIGHT = ROOT / "sample_data" / "2026-02-05"
DIGEST, WEEK = "🌙 The season after", "🏅 Week"
ANNOUNCED = ("🎖️ ", "🏆 ", "~~")      # an achievement, a final award, a withdrawn one (season/announcements.py)
KILL_AT = 5                  # the 6th round's run is under way when the daemon dies
DOWN = (6, 7)                # rounds (0-based) that land while the daemon is down


def _copy(server_root, files):
    for f in files:                                  # companions first, the stats file last
        sub = "gametimes" if f.name.startswith("gametime-") else "gamestats"
        shutil.copyfile(f, server_root / sub / f.name)
        time.sleep(0.2)


def _readable(payload: dict) -> str:
    """A message as players read it (the client adds the attachments' ids to what it sends)."""
    return json.dumps({k: v for k, v in payload.items() if k != "attachments"}, sort_keys=True, ensure_ascii=False)


def _players_channel(payloads) -> list[str]:
    """The players' channel as it reads now, in a stable order (the season's own messages
    left out: the season job posts them, not the night's runs)."""
    return sorted(_readable(p) for p in payloads
                  if not ((p.get("embeds") or [{}])[0].get("title") or "").startswith((DIGEST, WEEK, *ANNOUNCED)))


def _reference(tmp_path, rounds, name) -> list[str]:
    """What a clean `et-pipeline run` of these rounds (the nights only) publishes to the players' channel."""
    src = tmp_path / ("ref_" + name)
    for sub in ("gamestats", "gametimes"):
        (src / sub).mkdir(parents=True)
    for files in rounds:
        for f in files:
            shutil.copyfile(f, src / ("gametimes" if f.name.startswith("gametime-") else "gamestats") / f.name)
    out = tmp_path / ("ref_out_" + name)
    assert main(["run", "--source", str(src), "--db", "sqlite:///%s" % (tmp_path / ("ref_%s.db" % name)),
                 "--dagster-home", str(tmp_path / ("ref_dh_" + name)), "--publish", "dry-run", "--out", str(out),
                 "--season", "skip"]) == 0
    docs = []
    for index in out.rglob("players/index.json"):
        for m in json.loads(index.read_text())["messages"]:
            if not m["thread"]:
                docs.append(json.loads((index.parent / m["file"]).read_text())["payload"])
    return _players_channel(docs)


def _session_runs_done(home, after: float):
    """Every session run created since `after` has ended, and at least one did."""
    mine = [r for r in runs(home) if r.create_timestamp.timestamp() >= after]
    return mine and all(r.dagster_run.status.value in ("SUCCESS", "FAILURE", "CANCELED") for r in mine)


def _digest_of(db, out):
    """The night digest the season assets write (dry-run) for this database."""
    from et_pipeline.defs.resources import DatabaseResource, DiscordWebhook, RulesResource
    from et_pipeline.defs.season_assets import SEASON_ASSETS

    with ephemeral_instance() as instance:
        assert dg.materialize(SEASON_ASSETS, instance=instance, resources={
            "database": DatabaseResource(url=db), "rules": RulesResource(),
            "discord": DiscordWebhook(mode="dry-run", out_dir=str(out))}).success
    [digest] = list(out.rglob("season_digest.json"))
    return json.loads(digest.read_text())["payload"]


def test_a_live_night_with_the_daemon_killed_in_the_middle(sftp_server, tmp_path, capsys):
    rounds = rounds_of(NIGHT)
    assert len(rounds) == 10
    expected = {n: _reference(tmp_path, rounds[:n], str(n)) for n in (DOWN[-1] + 1, 9, 10)}
    capsys.readouterr()
    for sub in ("gamestats", "gametimes"):
        (sftp_server.root / sub).mkdir()
    with live_daemon(sftp_server, tmp_path) as (fake, home, daemon, env):
        # the first rounds land together (the daemon started late), then one round alone
        for batch in (rounds[:KILL_AT - 1], rounds[KILL_AT - 1:KILL_AT]):
            copied = time.time()
            _copy(sftp_server.root, [f for files in batch for f in files])
            wait_for(lambda: _session_runs_done(home, copied), 240, what="the round's run")

        # the 6th round's run hangs on a slow read of its stats file; the daemon dies meanwhile
        sftp_server.slow_reads[rounds[KILL_AT][-1].name] = 600
        copied = time.time()
        _copy(sftp_server.root, rounds[KILL_AT])
        wait_for(lambda: any(r.create_timestamp.timestamp() >= copied and r.dagster_run.status.value == "STARTED"
                             for r in runs(home)), 240, what="the 6th round's run started")
        time.sleep(2)
        daemon.kill()
        sftp_server.slow_reads.clear()
        for n in DOWN:                              # the night goes on while the daemon is down
            _copy(sftp_server.root, rounds[n])
        time.sleep(2)
        restarted = time.monotonic()
        daemon.start()
        wait_for(lambda: _players_channel(fake.messages.values()) == expected[DOWN[-1] + 1], 120,
                 what="every round in Discord after the restart")
        took = time.monotonic() - restarted
        print("rounds 1-%d in Discord %.1f s after the restart" % (DOWN[-1] + 1, took))
        assert took <= 60, "the rounds of the night reached Discord %.0f s after the restart" % took

        for n in (9, 10):                           # and the night goes on
            landed = time.monotonic()
            _copy(sftp_server.root, rounds[n - 1])
            wait_for(lambda: _players_channel(fake.messages.values()) == expected[n], 60,
                     what="round %d in Discord" % n)
            print("round %d in Discord %.1f s after it landed" % (n, time.monotonic() - landed))

        # the season catches up once the last run of the night is over
        engine = make_engine(env["ET_DB_URL"])

        def season_matches():
            want = {p["guid"]: p["rounds"] for p in compute_season(engine).players["players"]}
            with engine.connect() as conn:
                have = dict(conn.execute(select(t.season_players.c.guid, t.season_players.c.rounds)).all())
            return bool(want) and want == have
        wait_for(season_matches, 240, step=2, what="the season tables matching the night")
        digest = _digest_of(env["ET_DB_URL"], tmp_path / "digest")

        def digest_shows_the_night():
            return [_readable(p) for p in fake.messages.values()
                    if ((p.get("embeds") or [{}])[0].get("title") or "").startswith(DIGEST)] == [_readable(digest)]
        wait_for(digest_shows_the_night, 240, step=2, what="the night digest showing the whole night")
    posts = [r for r in fake.requests if r["method"] == "POST" and r["status"] == 200]
    digests = [r for r in posts if r["titles"] and r["titles"][0].startswith(DIGEST)]
    assert len(digests) == 1, "the night digest was posted %d times" % len(digests)
    night_posts = [r for r in posts if not (r["titles"] and r["titles"][0].startswith((DIGEST, WEEK, *ANNOUNCED)))]
    assert len(night_posts) == len(expected[10]), "a message of the night was posted twice"
    with dg.DagsterInstance.from_config(str(home)) as instance:
        stuck = [r.run_id for r in instance.get_runs() if r.status == dg.DagsterRunStatus.STARTED]
    assert stuck == []
