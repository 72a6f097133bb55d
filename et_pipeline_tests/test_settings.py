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
    from et_pipeline.config import SettingError, rules_from_env

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
