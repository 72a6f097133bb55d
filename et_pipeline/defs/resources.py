"""Dagster resources: where files come from, where rows go, the community's rules."""
import dataclasses
import os
from typing import Optional

import dagster as dg
from pydantic import PrivateAttr

from et_pipeline.choices import DoubleFullhold, PublishMode
from et_pipeline.config import Rules
from et_pipeline.sources import StatsSource, source_from_url
from et_pipeline.storage.database import DEFAULT_URL, ensure_schema, make_engine

_ENGINES: dict = {}


def env_secret(name: str) -> Optional[dg.EnvVar]:
    """`name` as a `dg.EnvVar` when it is set, else None: a secret (database password,
    webhook token) reaches a resource by its variable's name, so Dagster's run storage and
    UI never hold its value (README, "Runs that heal, secrets that stay secret")."""
    return dg.EnvVar(name) if os.environ.get(name) else None


class StatsSourceResource(dg.ConfigurableResource):
    """The game server's fs_game folder: a local path or `sftp://user@host:port/path`."""

    url: str
    key_path: Optional[str] = None
    known_hosts: Optional[str] = None
    cache_dir: Optional[str] = None

    def get_source(self) -> StatsSource:
        return source_from_url(self.url, key_path=self.key_path, known_hosts=self.known_hosts,
                               cache_dir=self.cache_dir)


class DatabaseResource(dg.ConfigurableResource):
    """The app database (SQLite file by default, PostgreSQL in production)."""

    url: str = DEFAULT_URL

    def get_engine(self):
        engine = _ENGINES.get(self.url)
        if engine is None:
            engine = make_engine(self.url)
            ensure_schema(engine)
            _ENGINES[self.url] = engine
        return engine


class RulesResource(dg.ConfigurableResource):
    """Community rules (config.Rules), field for field (test_settings checks that each one
    survives the trip); what each one decides: docs/rules.md and the README's Configuration."""

    timezone: str = Rules.timezone
    session_gap_minutes: float = Rules.session_gap_minutes
    pairing_window_minutes: float = Rules.pairing_window_minutes
    link_window_minutes: float = Rules.link_window_minutes
    award_narrow_seconds: float = Rules.award_narrow_seconds
    double_fullhold: DoubleFullhold = Rules.double_fullhold
    team_names: list[str] = []

    def rules(self) -> Rules:
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(Rules)}
        return Rules(**{**values, "team_names": tuple(self.team_names)})

    @staticmethod
    def config_of(r: Rules) -> dict:
        """The resource's config for these rules (also a run's `resources: rules: config:`)."""
        return {**dataclasses.asdict(r), "team_names": list(r.team_names)}

    @classmethod
    def from_rules(cls, r: Rules) -> "RulesResource":
        return cls(**cls.config_of(r))


class DiscordWebhook(dg.ConfigurableResource):
    """Where the night is published. mode: off | dry-run (files under out_dir) | live."""

    url: Optional[str] = None
    mode: PublishMode = "dry-run"
    out_dir: str = "out"
    # the admins' channel (optional second webhook) and the players' details
    # thread (an existing thread of the players' channel; without it the details are a
    # text file attached to each map's card)
    admin_url: Optional[str] = None
    details_thread_id: Optional[str] = None
    # the Dagster UI the admins' messages link to (ET_DAGSTER_URL; None: the default, "": no links)
    dagster_url: Optional[str] = None
    _client = PrivateAttr(default=None)

    def links_to(self) -> str | None:
        from et_pipeline.publish.dagster_links import base_url

        return base_url(self.dagster_url)

    def client(self):
        if self.mode != "live":
            return None
        if not self.url:
            raise dg.Failure("publish mode 'live' needs ET_DISCORD_WEBHOOK_URL")
        if self._client is None:
            from et_pipeline.publish.webhook import DiscordWebhookClient

            self._client = DiscordWebhookClient(self.url)
        return self._client

    def admin_client(self):
        """The admins' channel client, or None (not live, or no admin webhook)."""
        if self.mode != "live" or not self.admin_url:
            return None
        from et_pipeline.publish.webhook import DiscordWebhookClient

        return DiscordWebhookClient(self.admin_url)

    def details_client(self):
        """The players' webhook posting into the details thread, or None."""
        if self.mode != "live" or not self.details_thread_id or not self.url:
            return None
        from et_pipeline.publish.webhook import DiscordWebhookClient

        return DiscordWebhookClient("%s%sthread_id=%s" % (self.url, "&" if "?" in self.url else "?",
                                                          self.details_thread_id))
