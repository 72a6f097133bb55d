"""Fixtures for running the pipeline itself: a server folder laid out from the recorded
night, the Dagster resources, and a helper that materialises partitions in-process."""
import datetime as dt
import os
import shutil
from pathlib import Path

import dagster as dg
import pytest

from et_pipeline.config import Rules
from et_pipeline.defs.assets import ALL_ASSETS
from et_pipeline.defs.checks import ALL_CHECKS
from et_pipeline.defs.partitions import session_dates
from et_pipeline.defs.resources import DatabaseResource, DiscordWebhook, RulesResource, StatsSourceResource
from et_pipeline.storage.database import make_engine
from et_pipeline_tests.dagster_homes import cli_home, ephemeral_instance

CORPUS = Path(__file__).parent / "fixtures" / "corpus" / "2026-02-05"
VARIANTS = {
    "feb2026": {"gamestats": "gamestats", "gametimes": "gametimes"},
    "head": {"gamestats": "gamestats_c0rnp0rn8", "gametimes": "gametimes_webhook_v1.7.2"},
}


def lay_out_night(dest: Path, variant: str = "feb2026") -> Path:
    """The recorded night as a game server's fs_game folder (CONTRACT.md section 2)."""
    v = VARIANTS[variant]
    (dest / "gamestats").mkdir(parents=True, exist_ok=True)
    (dest / "gametimes").mkdir(parents=True, exist_ok=True)
    for sub, target in ((v["gamestats"], "gamestats"), ("endstats", "gamestats"), (v["gametimes"], "gametimes")):
        for f in sorted((CORPUS / sub).iterdir()):
            shutil.copy2(f, dest / target / f.name)
            os.chmod(dest / target / f.name, 0o644)
    return dest


def lay_out_night_past_midnight(dest: Path) -> Path:
    """The recorded night 95 minutes later (its last map's R2 ends at 00:11 the next day),
    without the gametime files (their Unix times would not move with the names)."""
    night = lay_out_night(dest)
    for f in list((night / "gamestats").iterdir()):
        when = dt.datetime.strptime(f.name[:17], "%Y-%m-%d-%H%M%S") + dt.timedelta(minutes=95)
        shutil.move(f, f.with_name(when.strftime("%Y-%m-%d-%H%M%S") + f.name[17:]))
    for f in list((night / "gametimes").iterdir()):
        f.unlink()
    return night


def rounds_of(night: Path) -> list[list[Path]]:
    """Each round's files of a server folder, in play order, the stats file last (as the
    game server writes them): companions matched by map, round and time."""
    from et_pipeline.parsers.filenames import STATS, classify
    from et_pipeline.steps.plan import local_time_of

    rules = Rules()
    files = [(p, classify(p.name)) for sub in ("gamestats", "gametimes") for p in sorted((night / sub).iterdir())]
    files = [(p, n) for p, n in files if n is not None]
    out = []
    for p, n in files:
        if n.kind != STATS:
            continue
        t = local_time_of(n, rules)
        mates = [q for q, m in files if m.kind != STATS and m.map == n.map and m.round == n.round
                 and abs(local_time_of(m, rules) - t) <= dt.timedelta(seconds=60)]
        out.append(mates + [p])
    return sorted(out, key=lambda r: r[-1].name)


def other_round(data: bytes) -> bytes:
    """A stats file with other numbers in it (its first player's kills changed): a copy that
    is neither a byte-identical duplicate nor the same round's payload."""
    lines = data.decode().split("\n")
    head, *tab = lines[1].split("\t")
    tab[4] = str(int(tab[4]) + 37)
    lines[1] = "\t".join([head, *tab])
    return "\n".join(lines).encode()


NIGHT_DATE = "2026-02-05"       # the recorded night's session date


def run_cli(source, db: str, tmp_path: Path, capsys, *extra: str, season: str = "skip") -> tuple[int, str]:
    """`et-pipeline run --publish off` of a server folder (or the `sftp://` arguments in
    `source`, a list), the Dagster home under tmp_path: (exit code, stdout). The nights
    only unless `season="auto"`: the season job is the season tests' (test_fresh_season)."""
    from et_pipeline.cli import main

    where = list(source) if isinstance(source, (list, tuple)) else ["--source", str(source)]
    code = main(["run", *where, "--db", db, "--dagster-home", cli_home(tmp_path / "dh"), "--publish", "off",
                 "--season", season, *extra])
    return code, capsys.readouterr().out


def report_cli(db: str, capsys, date: str = NIGHT_DATE) -> dict:
    """`et-pipeline report` of one date, as a document."""
    import json

    from et_pipeline.cli import main

    capsys.readouterr()
    assert main(["report", "--db", db, "--date", date]) == 0
    return json.loads(capsys.readouterr().out)


def sftp_source_args(server, cache: Path) -> list[str]:
    """`--source sftp://…` and the key, known_hosts and cache options for the loopback server."""
    url = "sftp://%s@%s:%d%s" % (server.user, server.host, server.port, server.remote_root)
    return ["--source", url, "--sftp-key", server.client_key_path, "--known-hosts", server.known_hosts_path,
            "--sftp-cache", str(cache)]


def registry_row(db: str, name: str):
    """The server_files row of the file `name` (None when there is none)."""
    from sqlalchemy import select

    from et_pipeline.storage import schema as t

    with make_engine(db).connect() as conn:
        return conn.execute(select(t.server_files).where(t.server_files.c.name == name)).one_or_none()


class Pipeline:
    """Materialise the whole graph (or a selection) for partitions, in-process."""

    def __init__(self, source: Path, db_url: str, out: Path, instance: dg.DagsterInstance, rules: Rules = Rules(),
                 publish: str = "dry-run"):
        self.source, self.db_url, self.out, self.instance = source, db_url, out, instance
        self.resources = {"source": StatsSourceResource(url=str(source)), "database": DatabaseResource(url=db_url),
                          "rules": RulesResource.from_rules(rules),
                          "discord": DiscordWebhook(mode=publish, out_dir=str(out))}

    @property
    def engine(self):
        return make_engine(self.db_url)

    def materialize(self, dates: list[str], selection=None) -> dg.ExecuteInProcessResult:
        from et_pipeline.defs.dagster_private import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

        known = set(self.instance.get_dynamic_partitions(session_dates.name))
        new = [d for d in dates if d not in known]
        if new:
            self.instance.add_dynamic_partitions(session_dates.name, new)
        tags = {ASSET_PARTITION_RANGE_START_TAG: dates[0], ASSET_PARTITION_RANGE_END_TAG: dates[-1]}
        return dg.materialize([*ALL_ASSETS, *ALL_CHECKS], instance=self.instance, resources=self.resources,
                              tags=tags, selection=selection, raise_on_error=False)


@pytest.fixture
def dagster_instance():
    with ephemeral_instance() as instance:
        yield instance


@pytest.fixture
def night(tmp_path) -> Path:
    return lay_out_night(tmp_path / "server")


@pytest.fixture
def pipeline(tmp_path, night, dagster_instance) -> Pipeline:
    return Pipeline(night, "sqlite:///%s" % (tmp_path / "et.db"), tmp_path / "out", dagster_instance)
