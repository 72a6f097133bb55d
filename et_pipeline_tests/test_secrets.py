"""Issue 12 §6: the app database URL (with its password) and, in `--publish live`, the
webhook URL (with its token) were stored in Dagster's run storage (the job snapshot in
runs.db) and shown as resource config. Both are passed as `dg.EnvVar`: after a live run
through the command line and with the webserver up on the same instance, neither secret
is anywhere in the instance's storage files or in the webserver's GraphQL answers."""
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import zlib
from pathlib import Path

import pytest

from et_pipeline.cli import main
from et_pipeline_tests.fixtures.publish.fake_discord import FakeDiscord
from et_pipeline_tests.servers import stop_process_group

PASSWORD = "pw-Zq9x-never-shown"
TOKEN = "tok-Xy7w-never-shown"
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _with_password(url: str) -> str:
    scheme, rest = url.split("://", 1)
    user, host = rest.split("@", 1)
    return "%s://%s:%s@%s" % (scheme, user, PASSWORD, host)


def _texts_in_storage(home: Path):
    """Every file's bytes, and every value of every SQLite table, zlib-compressed blobs
    (Dagster's snapshots) decompressed."""
    for path in home.rglob("*"):
        if not path.is_file():
            continue
        yield str(path), path.read_bytes()
        if path.suffix == ".db":
            conn = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
            try:
                for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall():
                    for row in conn.execute('SELECT * FROM "%s"' % table):
                        for value in row:
                            if isinstance(value, str):
                                yield "%s:%s" % (path, table), value.encode()
                            elif isinstance(value, bytes):
                                try:
                                    yield "%s:%s (zlib)" % (path, table), zlib.decompress(value)
                                except zlib.error:
                                    yield "%s:%s" % (path, table), value
            finally:
                conn.close()


def _graphql(port: int, query: str, variables=None) -> str:
    req = urllib.request.Request("http://127.0.0.1:%d/graphql" % port, method="POST",
                                 data=json.dumps({"query": query, "variables": variables or {}}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        body = resp.read().decode()
    assert '"errors"' not in body, body[:500]
    return body


RUNS = """{ runsOrError { ... on Runs { results { runId jobName runConfigYaml pipelineSnapshotId
  tags { key value } repositoryOrigin { repositoryLocationName repositoryName } } } } }"""
WORKSPACE = """{ workspaceOrError { ... on Workspace { locationEntries { name locationOrLoadError {
  ... on RepositoryLocation { name repositories { name } } ... on PythonError { message } } } } } }"""
RESOURCES = """query($loc: String!, $repo: String!) {
  allTopLevelResourceDetailsOrError(repositorySelector: {repositoryLocationName: $loc, repositoryName: $repo}) {
    ... on ResourceDetailsList { results { name configuredValues { key value type }
      configFields { name defaultValueAsJson } } } } }"""
SNAPSHOT = """query($id: String!) { pipelineSnapshotOrError(snapshotId: $id) {
  ... on PipelineSnapshot { name modes { name resources { name configField { defaultValueAsJson
    configType { key ... on CompositeConfigType { fields { name defaultValueAsJson } } } } } } } } }"""


@pytest.mark.system   # a run and the Dagster webserver
def test_no_secret_in_run_storage_or_the_webserver(postgres_server, tmp_path, monkeypatch, capsys):
    from et_pipeline_tests.pipeline_fixtures import lay_out_night

    db_url = _with_password(postgres_server.create_database("secrets_app"))
    night = lay_out_night(tmp_path / "server")
    home = tmp_path / "dh"
    with FakeDiscord() as fake:
        webhook = fake.base + "/api/webhooks/1234567890/" + TOKEN
        monkeypatch.setenv("ET_DISCORD_WEBHOOK_URL", webhook)
        monkeypatch.setenv("ET_DB_URL", db_url)       # a password reaches `run` through the environment only
        assert main(["run", "--source", str(night), "--dagster-home", str(home),
                     "--publish", "live", "--out", str(tmp_path / "out")]) == 0
        assert fake.messages                                    # really published, through the secret URL
    out = capsys.readouterr()
    assert PASSWORD not in out.out + out.err and TOKEN not in out.out + out.err

    port = _free_port()
    env = dict(os.environ, DAGSTER_HOME=str(home), ET_DB_URL=db_url, ET_DISCORD_WEBHOOK_URL=webhook,
               ET_PUBLISH_MODE="live", ET_SOURCE=str(night))
    server = subprocess.Popen([str(BIN / "dagster-webserver"), "-h", "127.0.0.1", "-p", str(port),
                               "-m", "et_pipeline.definitions"], env=env, cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while True:
            assert server.poll() is None, "dagster-webserver exited"
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/server_info" % port, timeout=5):
                    break
            except OSError:
                assert time.monotonic() < deadline, "dagster-webserver did not come up"
                time.sleep(0.5)
        answers = [_graphql(port, RUNS), _graphql(port, WORKSPACE)]
        runs = json.loads(answers[0])["data"]["runsOrError"]["results"]
        assert runs, "the command line's runs are in the instance"
        # what the Overview timeline files a run under (it leaves out a run without an origin)
        assert {(r["repositoryOrigin"] or {}).get("repositoryLocationName") for r in runs} == {"et_pipeline"}
        for snapshot_id in {r["pipelineSnapshotId"] for r in runs}:
            answers.append(_graphql(port, SNAPSHOT, {"id": snapshot_id}))
        entries = json.loads(answers[1])["data"]["workspaceOrError"]["locationEntries"]
        located = [(e["name"], r["name"]) for e in entries for r in (e["locationOrLoadError"] or {}).get("repositories", [])]
        assert located, answers[1]
        for loc, repo in located:
            answers.append(_graphql(port, RESOURCES, {"loc": loc, "repo": repo}))
        shown = json.loads(answers[-1])["data"]["allTopLevelResourceDetailsOrError"]["results"]
        assert {"database", "discord"} <= {r["name"] for r in shown}
        leaks = [text for text in answers if PASSWORD in text or TOKEN in text]
        assert leaks == []
        assert any("ET_DB_URL" in json.dumps(r) for r in shown if r["name"] == "database")   # shown as an EnvVar
    finally:
        stop_process_group(server)
    found = sorted({where for where, data in _texts_in_storage(home)
                    if PASSWORD.encode() in data or TOKEN.encode() in data})
    assert found == []
    postgres_server.drop_database("secrets_app")


@pytest.mark.system   # the installed command's processes
def test_a_db_url_with_its_password_on_the_command_line(postgres_server, tmp_path, monkeypatch, capsys):
    """`--db postgresql+psycopg2://user:password@host/db` works as the command line promises
    (it was refused once the run took its database from the code location's config): the
    command re-runs itself with the URL in its child's environment, so the run storage still
    holds the variable's name only, and this process's environment is untouched."""
    from sqlalchemy import create_engine, func, select

    from et_pipeline.storage import schema as t
    from et_pipeline_tests.pipeline_fixtures import lay_out_night

    db_url = _with_password(postgres_server.create_database("secrets_cli"))
    night = lay_out_night(tmp_path / "server")
    home = tmp_path / "dh"
    monkeypatch.delenv("ET_DB_URL", raising=False)
    try:
        assert main(["run", "--source", str(night), "--db", db_url, "--dagster-home", str(home),
                     "--publish", "off", "--season", "skip"]) == 0
        assert "ET_DB_URL" not in os.environ
        engine = create_engine(db_url)
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(t.rounds)).scalar() == 10
        engine.dispose()
        out = capsys.readouterr()
        assert PASSWORD not in out.out + out.err
        found = sorted({where for where, data in _texts_in_storage(home) if PASSWORD.encode() in data})
        assert found == []
    finally:
        postgres_server.drop_database("secrets_cli")
