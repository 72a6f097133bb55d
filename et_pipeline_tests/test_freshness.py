"""Freshness policies only for a fixed game night (defs/freshness.py): none by default, and
with ET_NIGHT_DEADLINE_CRON the night's Discord step and every season asset carry the
cron policy in ET_TIMEZONE, as the code location loads them."""
import datetime as dt

import dagster as dg
import pytest

from et_pipeline.defs.factory import definitions_from_env

FRESH = {"discord_posts", "night_digest", "players", "ratings", "records", "achievements"}


def _policies(monkeypatch, tmp_path, **env) -> dict[str, object]:
    monkeypatch.setenv("ET_SOURCE", str(tmp_path))
    monkeypatch.setenv("ET_DB_URL", "sqlite:///%s" % (tmp_path / "et.db"))
    for name in ("ET_NIGHT_DEADLINE_CRON", "ET_NIGHT_HOURS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    graph = definitions_from_env().resolve_asset_graph()
    return {key.to_user_string(): graph.get(key).freshness_policy for key in graph.get_all_asset_keys()}


def test_no_policy_without_a_game_night(monkeypatch, tmp_path):
    assert {k for k, p in _policies(monkeypatch, tmp_path).items() if p is not None} == set()


def test_a_fixed_game_night_puts_the_deadline_on_the_nights_discord_step_and_the_season(monkeypatch, tmp_path):
    policies = _policies(monkeypatch, tmp_path, ET_NIGHT_DEADLINE_CRON="0 2 * * 5", ET_NIGHT_HOURS="8",
                         ET_TIMEZONE="Europe/Ljubljana")
    fresh = {k for k, p in policies.items() if p is not None}
    assert FRESH <= fresh and not fresh & {"rounds", "server_files", "map_results", "game_server"}
    policy = policies["discord_posts"]
    assert isinstance(policy, dg.FreshnessPolicy)
    assert (policy.deadline_cron, policy.timezone) == ("0 2 * * 5", "Europe/Ljubljana")
    assert policy.lower_bound_delta == dt.timedelta(hours=8)


@pytest.mark.parametrize("cron, hours", [("0 2 * * 5", "0"), ("0 2 * * *", "30"), ("not a cron", "8"),
                                         ("0 2 * * 5", "eight")])
def test_a_bad_window_is_refused_when_the_definitions_load(monkeypatch, tmp_path, cron, hours):
    with pytest.raises(ValueError, match="ET_NIGHT_HOURS"):
        _policies(monkeypatch, tmp_path, ET_NIGHT_DEADLINE_CRON=cron, ET_NIGHT_HOURS=hours)


def test_a_whole_week_before_a_weekly_deadline_is_a_window(monkeypatch, tmp_path):
    assert _policies(monkeypatch, tmp_path, ET_NIGHT_DEADLINE_CRON="0 2 * * 5", ET_NIGHT_HOURS="168")["ratings"]
