"""A live night over SFTP: `et-pipeline run --source sftp://...` and the sensor read the
game server through a real SFTP server on loopback and give the same night as a local
folder; nothing is ever written on the server."""
import json
import os
import time

import dagster as dg

from et_pipeline.cli import main
from et_pipeline.config import Rules
from et_pipeline.defs.factory import session_job
from et_pipeline.defs.resources import DatabaseResource, RulesResource, StatsSourceResource
from et_pipeline.defs.sensors import build_sensor
from et_pipeline_tests.dagster_homes import cli_home
from et_pipeline_tests.pipeline_fixtures import ephemeral_instance, lay_out_night

DATE = "2026-02-05"


def _report(db, capsys):
    assert main(["report", "--db", db, "--date", DATE]) == 0
    return json.loads(capsys.readouterr().out)


def test_run_over_sftp_equals_local(sftp_server, tmp_path, capsys):
    lay_out_night(sftp_server.root)
    before = sftp_server.snapshot()
    url = "sftp://%s@%s:%d%s" % (sftp_server.user, sftp_server.host, sftp_server.port, sftp_server.remote_root)
    remote_db = "sqlite:///%s" % (tmp_path / "remote.db")
    assert main(["run", "--source", url, "--sftp-key", sftp_server.client_key_path,
                 "--known-hosts", sftp_server.known_hosts_path, "--sftp-cache", str(tmp_path / "cache"),
                 "--db", remote_db, "--dagster-home", cli_home(tmp_path / "dh1"),
                 "--publish", "off", "--season", "skip"]) == 0
    capsys.readouterr()
    local_db = "sqlite:///%s" % (tmp_path / "local.db")
    assert main(["run", "--source", str(sftp_server.root), "--db", local_db,
                 "--dagster-home", cli_home(tmp_path / "dh2"), "--publish", "off", "--season", "skip"]) == 0
    capsys.readouterr()
    assert _report(remote_db, capsys) == _report(local_db, capsys)
    assert sftp_server.write_ops == [] and sftp_server.snapshot() == before


def test_sensor_tick_over_sftp_is_one_connection_and_lists_only(sftp_server, tmp_path):
    lay_out_night(sftp_server.root)
    past = time.time() - 3600
    for root, _, files in os.walk(sftp_server.root):
        for f in files:
            os.utime(os.path.join(root, f), (past, past))
    url = "sftp://%s@%s:%d%s" % (sftp_server.user, sftp_server.host, sftp_server.port, sftp_server.remote_root)
    source = StatsSourceResource(url=url, key_path=sftp_server.client_key_path,
                                 known_hosts=sftp_server.known_hosts_path, cache_dir=str(tmp_path / "cache"))
    sensor = build_sensor(session_job(), settle_seconds=60)
    with ephemeral_instance() as instance:
        result = sensor(dg.build_sensor_context(instance=instance, resources={
            "source": source, "rules": RulesResource.from_rules(Rules()),
            "database": DatabaseResource(url="sqlite:///%s" % (tmp_path / "et.db"))}))
    assert [r.partition_key for r in result.run_requests] == [DATE]
    assert sftp_server.connections == 1
    assert sftp_server.opened == []                 # listing never opens a file
    assert not os.path.exists(tmp_path / "cache") or not os.listdir(tmp_path / "cache")
