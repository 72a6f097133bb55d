"""What the Dagster UI shows on each asset reads like the night, not like Python (issue 14 §4)."""
import re

import dagster as dg

from et_pipeline.cli import main
from et_pipeline.config import Rules
from et_pipeline.defs.assets import ALL_ASSETS
from et_pipeline.defs.factory import build_definitions
from et_pipeline.defs.resources import DiscordWebhook, StatsSourceResource

PYTHONISMS = re.compile(r"\bNone\b|\bTrue\b|\bFalse\b|\{\"|\{'")


def _kinds(source: str, db: str) -> dict[str, set]:
    defs = build_definitions(source=StatsSourceResource(url=source, key_path="k", known_hosts="h"), db_url=db,
                             rules=Rules(), discord=DiscordWebhook(mode="off"))
    return {s.key.path[-1]: set(s.kinds) for s in defs.resolve_all_asset_specs()}


def test_kinds_follow_the_configured_source_and_database():
    local = _kinds("sample_data/2026-02-05", "sqlite:///et.db")
    assert local["server_files"] == {"local", "sqlite"} and local["rounds"] == {"sqlite"}
    assert local["discord_posts"] == {"discord", "sqlite"}
    remote = _kinds("sftp://et@game:22/legacy", "postgresql+psycopg2://et@db/etstats")
    assert remote["server_files"] == {"sftp", "postgresql"}
    assert (local["game_server"], remote["game_server"]) == ({"local"}, {"sftp"})     # external: in no database
    assert all("postgresql" in k and "sqlite" not in k for name, k in remote.items() if name != "game_server")


def test_every_asset_has_readable_metadata_and_dagsters_row_count(tmp_path, night, capsys):
    home, out = tmp_path / "dh", tmp_path / "out"
    assert main(["run", "--source", str(night), "--db", "sqlite:///%s" % (tmp_path / "et.db"),
                 "--dagster-home", str(home), "--out", str(out)]) == 0
    capsys.readouterr()
    with dg.DagsterInstance.from_config(str(home)) as instance:
        meta = {}
        for a in ALL_ASSETS:
            event = instance.get_latest_materialization_event(a.key)
            assert event.asset_materialization.partition == "2026-02-05"
            meta[a.key.path[-1]] = {k: v.value for k, v in event.asset_materialization.metadata.items()}
    for name, values in meta.items():
        assert values["session date"] == "2026-02-05", name
        assert isinstance(values["dagster/row_count"], int), name             # charted by the UI
        if name != "discord_posts":                                          # dry-run: no outbox rows
            assert values["dagster/row_count"] > 0, name
        for key, text in values.items():
            assert not PYTHONISMS.search(str(text)), (name, key, text)
    head, _, *body = [[c.strip() for c in line.strip("|").split("|")] for line in meta["rounds"]["preview"].splitlines()]
    sides = {row[head.index(col)] for row in body for col in ("defender", "winner")}
    assert sides == {"Axis", "Allies"}                                       # never 1/2
    assert meta["rounds"]["stats files"] == "10 parsed"
    assert "Axis" in meta["map_results"]["preview"] and "yes" in meta["map_results"]["preview"]
    posts = meta["discord_posts"]
    assert "**Team A 1 – 3 Team B**" in posts["session summary"] and "supply" in posts["session summary"]
    assert posts["dry-run files"] == str(out / "2026-02-05")


def _specs():
    from et_pipeline.definitions import defs

    return {s.key: s for s in defs.resolve_all_asset_specs()}


def test_every_asset_says_who_owns_it_and_what_it_holds():
    for key, spec in _specs().items():
        assert spec.owners, key.to_user_string()
        assert spec.description and len(spec.description) > 40, key.to_user_string()


def test_the_lineage_lists_its_groups_in_data_order():
    """The UI lists and collapses groups by name: the names sort in the order data flows
    (no asset reads from a group listed after its own)."""
    specs = _specs()
    groups = sorted({s.group_name for s in specs.values()})
    assert len(groups) > 2
    for key, spec in specs.items():
        for dep in spec.deps:
            upstream = specs[dep.asset_key].group_name
            assert groups.index(upstream) <= groups.index(spec.group_name), (dep.asset_key, key, upstream,
                                                                             spec.group_name)
