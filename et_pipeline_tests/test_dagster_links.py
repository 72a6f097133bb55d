"""The admins' messages link into the Dagster UI from a configurable base (ET_DAGSTER_URL):
the default is the UI `make dev` opens, an empty value turns links off, and the setting
reaches the Discord resource on both paths (the code location and `et-pipeline run`)."""
from et_pipeline.config import Rules
from et_pipeline.defs.launch import run_config
from et_pipeline.defs.resources import DiscordWebhook
from et_pipeline.publish import dagster_links as links


def test_base_url_default_given_and_off():
    assert links.base_url(None) == "http://127.0.0.1:3000"
    assert links.base_url(" https://dagster.example/ui/ ") == "https://dagster.example/ui"
    assert links.base_url("") is None
    assert links.run_url(None, "abc") is None and links.partition_url(None, "rounds", "2026-02-05") is None
    assert links.run_url("http://d", "ab c") == "http://d/runs/ab%20c"
    assert (links.partition_url("http://d", "night_checks", "2026-02-05")
            == "http://d/assets/night_checks?view=partitions&partition=2026-02-05")


def test_the_setting_reaches_the_resource(monkeypatch):
    assert DiscordWebhook().links_to() == links.DEFAULT_URL
    assert DiscordWebhook(dagster_url="").links_to() is None
    monkeypatch.setenv("ET_DAGSTER_URL", "http://ui.example:3000")
    config = run_config(source={"path": "x"}, db_url="sqlite://", rules=Rules(), publish="dry-run", out_dir="out")
    assert config["resources"]["discord"]["config"]["dagster_url"] == "http://ui.example:3000"
    from et_pipeline.defs.factory import definitions_from_env

    discord = definitions_from_env().resources["discord"]
    assert discord.links_to() == "http://ui.example:3000"

