"""Settings as types and in one list: every community rule survives the trip through the
rules resource (award_narrow_seconds was silently dropped), a setting with a fixed set of
values is refused where it is given, and every ET_* variable the code reads is in
.env.example (and nothing else is)."""
import dataclasses
import re
from pathlib import Path
from typing import get_args

import dagster as dg
import pydantic
import pytest

from et_pipeline.choices import Period, PublishMode
from et_pipeline.config import Rules
from et_pipeline.defs.resources import DiscordWebhook, RulesResource

ROOT = Path(__file__).parents[1]


def _other_than_default(field: dataclasses.Field):
    value = field.default
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 7
    if isinstance(value, tuple):
        return ("Axis Allies", "Raiders")
    if field.name == "double_fullhold":
        return "r2_defenders"
    if field.name == "timezone":
        return "America/Chicago"
    raise AssertionError("add a value for the new rule %s" % field.name)


def test_every_rule_survives_the_trip_through_the_resource():
    rules = Rules(**{f.name: _other_than_default(f) for f in dataclasses.fields(Rules)})
    assert all(getattr(rules, f.name) != f.default for f in dataclasses.fields(Rules))
    assert RulesResource.from_rules(rules).rules() == rules
    assert set(RulesResource.config_of(rules)) == {f.name for f in dataclasses.fields(Rules)}


def test_every_rule_can_be_set_from_the_environment():
    """`dagster dev`, the daemon and `et-pipeline run` take the rules from ET_* variables:
    a rule without one would be stuck at its default there (award_narrow_seconds was)."""
    from et_pipeline.config import rules_from_env

    rules = Rules(**{f.name: _other_than_default(f) for f in dataclasses.fields(Rules)})
    env = {"ET_TEAM_NAMES": ",".join(rules.team_names)}
    env.update({"ET_" + f.name.upper(): str(getattr(rules, f.name)) for f in dataclasses.fields(Rules)
                if f.name != "team_names"})
    assert rules_from_env(env) == rules
    listed = set(re.findall(r"^#?\s*(ET_[A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert set(env) <= listed


@pytest.mark.parametrize("variable, value", [("ET_TIMEZONE", "Mars/Olympus"), ("ET_SESSION_GAP_MINUTES", "abc"),
                                             ("ET_PAIRING_WINDOW_MINUTES", "-5"), ("ET_LINK_WINDOW_MINUTES", "nan"),
                                             ("ET_AWARD_NARROW_SECONDS", "inf")])
def test_a_bad_rule_in_the_environment_is_named_with_its_value(variable, value):
    from et_pipeline.config import rules_from_env
    from et_pipeline.env_values import SettingError

    with pytest.raises(SettingError, match="^%s=%r" % (variable, value)):
        rules_from_env({variable: value})


def test_a_bad_rule_in_the_environment_is_one_line_from_every_command(monkeypatch, tmp_path, capsys):
    """A typo in .env (ET_TIMEZONE=Europe/Ljubjana) was a traceback from `run`, `report`
    and `season`; it is the usage error's one line, before anything is read or written."""
    from et_pipeline.cli import main
    from et_pipeline.cli.common import EXIT_USAGE

    monkeypatch.setenv("ET_TIMEZONE", "Europe/Ljubjana")
    db = "sqlite:///%s" % (tmp_path / "et.db")
    for argv in (["run", "--source", str(ROOT / "sample_data" / "2026-02-05"), "--db", db,
                  "--dagster-home", str(tmp_path / "dh"), "--publish", "off"],
                 ["report", "--db", db, "--date", "2026-02-05"], ["season", "--db", db]):
        assert main(argv) == EXIT_USAGE, argv
        err = capsys.readouterr().err
        assert err.splitlines() == ["et-pipeline: ET_TIMEZONE='Europe/Ljubjana' is not a time zone "
                                    "(an IANA name such as Europe/Ljubljana)"], argv
    assert not (tmp_path / "et.db").exists()


def _run_once(tmp_path, *extra):
    from et_pipeline.cli import main

    return main(["run", "--source", str(ROOT / "sample_data" / "2026-02-05"), "--db", "sqlite:///%s" % (tmp_path / "et.db"),
                 "--dagster-home", str(tmp_path / "dh"), "--season", "skip", *extra])


@pytest.mark.parametrize("variable, value", [
    ("ET_SETTLE_SECONDS", "abc"), ("ET_SETTLE_SECONDS", "inf"), ("ET_PARTITIONS_PER_RUN", "2.5"),
    ("ET_PARTITIONS_PER_RUN", "0"), ("ET_GRAPH_WORKERS", "abc"), ("ET_EXECUTOR", "bogus"),
    ("ET_PUBLISH_MODE", "loud"), ("ET_NIGHT_HOURS", "nan"), ("ET_NIGHT_DEADLINE_CRON", "bogus"),
    ("ET_DAGSTER_URL", "not a url"), ("ET_DISCORD_DETAILS_THREAD_ID", "abc"), ("ET_TEAM_NAMES", "Solo"),
    ("ET_TEAM_NAMES", "Red,Red")])
def test_a_bad_setting_is_one_line_before_run_reads_or_writes_anything(variable, value, monkeypatch, tmp_path, capsys):
    """Each of these was a traceback from `run` after the database was written (or, for
    the team names, silently ignored)."""
    monkeypatch.setenv(variable, value)
    from et_pipeline.cli.common import EXIT_USAGE

    assert _run_once(tmp_path, "--publish", "off") == EXIT_USAGE
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("et-pipeline: %s=%r" % (variable, value)), line
    assert not (tmp_path / "et.db").exists()


def test_celery_without_a_broker_is_named(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("ET_EXECUTOR", "celery")
    monkeypatch.delenv("ET_CELERY_BROKER", raising=False)
    assert _run_once(tmp_path, "--publish", "off") == 2
    assert "needs ET_CELERY_BROKER" in capsys.readouterr().err


@pytest.mark.parametrize("env, extra, says", [
    ({}, ["--publish", "live"], "--publish live needs ET_DISCORD_WEBHOOK_URL"),
    ({"ET_DISCORD_WEBHOOK_URL": "not-a-url"}, ["--publish", "live"], "ET_DISCORD_WEBHOOK_URL: not a Discord webhook URL"),
    ({"ET_DISCORD_WEBHOOK_URL": "http://127.0.0.1:9/api/webhooks/1/abc", "ET_DISCORD_ADMIN_WEBHOOK_URL": "x"},
     ["--publish", "live"], "ET_DISCORD_ADMIN_WEBHOOK_URL: not a Discord webhook URL"),
    ({}, ["--publish", "dry-run", "--out", "A_FILE/out"], "--out A_FILE/out cannot be created: A_FILE is not a folder"),
])
def test_what_would_fail_the_publishing_is_said_before_the_night_is_read(env, extra, says, monkeypatch, tmp_path, capsys):
    """These failed the night's discord_posts step after all the work (with Dagster's class
    path in the message), and the admins' URL stopped the players' messages too."""
    for name in ("ET_DISCORD_WEBHOOK_URL", "ET_DISCORD_ADMIN_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    assert _run_once(tmp_path, *[x.replace("A_FILE", str(a_file)) for x in extra]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("et-pipeline: " + says.replace("A_FILE", str(a_file))), line
    assert "://" not in line.replace("http://127.0.0.1:9", "")      # a webhook's token is never printed
    assert not (tmp_path / "et.db").exists()


def test_a_value_outside_a_settings_set_is_refused_where_it_is_given():
    with pytest.raises(pydantic.ValidationError):
        DiscordWebhook(mode="loud")
    with pytest.raises(pydantic.ValidationError):
        RulesResource(double_fullhold="coin_flip")
    assert set(get_args(PublishMode)) == {"off", "dry-run", "live"}


def test_the_environment_takes_exactly_the_double_fullhold_rules_the_resource_does():
    from et_pipeline.choices import DoubleFullhold
    from et_pipeline.config import rules_from_env

    for rule in get_args(DoubleFullhold):
        assert RulesResource.from_rules(rules_from_env({"ET_DOUBLE_FULLHOLD": rule})).rules().double_fullhold == rule
    with pytest.raises(ValueError, match="ET_DOUBLE_FULLHOLD"):
        rules_from_env({"ET_DOUBLE_FULLHOLD": "coin_flip"})


def test_the_career_period_is_one_dagster_checks_at_launch(tmp_path):
    from et_pipeline.defs.season_assets import season_tables
    from et_pipeline.season.careers import PERIODS

    assert set(PERIODS) == set(get_args(Period))          # one list of periods for the rule and the config
    job = dg.Definitions(assets=[season_tables], resources={"database": dg.ResourceDefinition.none_resource(),
                                                            "rules": RulesResource()}).resolve_implicit_global_asset_job_def()
    with pytest.raises(dg.DagsterInvalidConfigError, match="period"):
        job.execute_in_process(run_config={"ops": {"season_tables": {"config": {"period": "week"}}}})


def test_every_et_variable_the_code_reads_is_in_env_example():
    read = set()
    for path in (ROOT / "et_pipeline").rglob("*.py"):
        read |= set(re.findall(r"[\"'](ET_[A-Z_]+)[\"']", path.read_text(encoding="utf-8")))
    listed = set(re.findall(r"^#?\s*(ET_[A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert read - listed == set(), "read by the code, not in .env.example"
    assert listed - read == set(), "in .env.example, read by nothing"


def test_every_et_variable_the_bench_and_tools_read_is_documented():
    """Theirs are not the pipeline's settings (.env.example): bench/README.md names them."""
    read = set()
    for path in [*(ROOT / "bench").rglob("*.py"), *(ROOT / "tools").rglob("*.py")]:
        read |= set(re.findall(r"[\"'](ET_[A-Z_]+)[\"']", path.read_text(encoding="utf-8")))
    listed = set(re.findall(r"^#?\s*(ET_[A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    documented = set(re.findall(r"ET_[A-Z_]+", (ROOT / "bench" / "README.md").read_text()))
    assert read - listed - documented == set()


def test_the_services_environment_template_sets_only_known_variables():
    """deploy/et-pipeline.env.example (production) names no ET_* variable the code does not
    read (a typo there is silently ignored), and sets the admins' link to the UI."""
    pattern = r"^#?\s*(ET_[A-Z_]+)="
    known = set(re.findall(pattern, (ROOT / ".env.example").read_text(), re.M))
    production = set(re.findall(pattern, (ROOT / "deploy" / "et-pipeline.env.example").read_text(), re.M))
    assert production - known == set()
    assert "ET_DAGSTER_URL" in production


def test_the_code_location_names_a_source_it_cannot_read_and_a_blank_one_is_the_default(monkeypatch):
    """ET_SOURCE=ftp://... loaded and failed on every sensor tick without naming the variable;
    a blank one was the current folder."""
    from et_pipeline.defs.factory import definitions_from_env
    from et_pipeline.env_values import SettingError
    from et_pipeline.settings import DEFAULT_SOURCE, settings_from_env

    monkeypatch.setenv("ET_SOURCE", "ftp://game.example.org/legacy")
    with pytest.raises(SettingError, match="^ET_SOURCE=ftp://game.example.org/legacy: only a local folder or sftp"):
        definitions_from_env()
    monkeypatch.setenv("ET_SOURCE", "sftp://stats@game.example.org:abc/legacy")
    with pytest.raises(SettingError, match="^ET_SOURCE: sftp://stats@game.example.org:abc/legacy: the port is not"):
        definitions_from_env()
    assert settings_from_env({"ET_SOURCE": "  "}).source == DEFAULT_SOURCE


def test_a_source_url_in_the_environment_that_cannot_work_stops_run_before_it_writes(monkeypatch, tmp_path, capsys):
    """`run --source` loads the code location, which reads ET_SOURCE: an ftp:// there failed
    the run after the database was written."""
    monkeypatch.setenv("ET_SOURCE", "ftp://x/y")
    assert _run_once(tmp_path, "--publish", "off") == 2
    assert capsys.readouterr().err.splitlines() == [
        "et-pipeline: ET_SOURCE=ftp://x/y: only a local folder or sftp://user@host[:port]/path is supported"]
    assert not (tmp_path / "et.db").exists()
