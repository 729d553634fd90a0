"""Settings from the environment, in three parts: the core (``bot.config.core``), Slack
(``bot.config.slack``) and Microsoft Teams (``bot.config.teams``).

``.env`` is read first (python-dotenv) and real environment variables win. Every
setting is checked once, at start-up, so a typo fails with one line naming the
variable instead of surfacing later as a confusing Slack error.

The rest of the bot reads one :class:`Settings`: its parts (``settings.slack.bot_token``)
or the flat names the settings have always had (``settings.slack_bot_token``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from bot.config.base import ConfigError
from bot.config.checks import PLACEHOLDER_HOSTS, page_url_problem
from bot.config.core import DEFAULT_RATINGS_URL, PROJECT_ROOT, CoreSettings
from bot.config.flat import Flat
from bot.config.ids import TENANT_ID_HINT
from bot.config.slack import DEFAULT_SLACK_API_URL, SlackSettings
from bot.config.teams import (
    DEFAULT_TEAMS_CHART_DAYS,
    DEFAULT_TEAMS_LOGIN_URL,
    DEFAULT_TEAMS_OPENID_METADATA_URL,
    DEFAULT_TEAMS_PORT,
    TeamsSettings,
)

__all__ = [
    "DEFAULT_RATINGS_URL",
    "DEFAULT_SLACK_API_URL",
    "DEFAULT_TEAMS_CHART_DAYS",
    "DEFAULT_TEAMS_LOGIN_URL",
    "DEFAULT_TEAMS_OPENID_METADATA_URL",
    "DEFAULT_TEAMS_PORT",
    "PLACEHOLDER_HOSTS",
    "PROJECT_ROOT",
    "TENANT_ID_HINT",
    "ConfigError",
    "CoreSettings",
    "Settings",
    "SlackSettings",
    "TeamsSettings",
    "load_settings",
    "page_url_problem",
    "settings_from",
]


@dataclass(frozen=True)
class Settings:
    """Everything the bot is configured with: its three parts, checked, and each part's
    fields under the flat names code has always read (``settings.teams_channel``)."""

    core: CoreSettings = field(default_factory=lambda: CoreSettings.from_values({}))
    slack: SlackSettings = field(default_factory=lambda: SlackSettings.from_values({}))
    teams: TeamsSettings = field(default_factory=lambda: TeamsSettings.from_values({}))

    @classmethod
    def from_env(cls, env_file: Path | None = None) -> Settings:
        """The settings of this process: ``.env`` overlaid with its environment."""
        return load_settings(env_file=env_file)

    def pinned_to(self, today: date | None) -> Settings:
        """These settings acting as if it were ``today`` (None: the real date)."""
        return replace(self, core=self.core.model_copy(update={"today": today}))

    # --- the core ------------------------------------------------------------------
    db_path = Flat[Path]("core", "db_path")
    data_dir = Flat[Path]("core", "data_dir")
    service = Flat[str | None]("core", "service")
    channel = Flat[str | None]("core", "channel")
    auditors = Flat[tuple[str, ...]]("core", "auditors")
    today = Flat[date | None]("core", "today")
    host = Flat[str]("core", "host")
    log_level = Flat[str]("core", "log_level")
    outbox_retry_seconds = Flat[float]("core", "outbox_retry_seconds")
    outbox_lease_seconds = Flat[float]("core", "outbox_lease_seconds")
    first_reminder_check_seconds = Flat[float]("core", "first_reminder_check_seconds")
    backup_dir = Flat[Path | None]("core", "backup_dir")
    backup_keep = Flat[int]("core", "backup_keep")
    notes_visible_to = Flat[str]("core", "notes_visible_to")
    note_retention_days = Flat[int]("core", "note_retention_days")
    ratings_url = Flat[str]("core", "ratings_url")
    rag_due_soon_days = Flat[int]("core", "rag_due_soon_days")
    rag_no_progress_days = Flat[int]("core", "rag_no_progress_days")
    rag_due_moves = Flat[int]("core", "rag_due_moves")
    # --- Slack -----------------------------------------------------------------------
    slack_bot_token = Flat[str | None]("slack", "bot_token")
    slack_signing_secret = Flat[str | None]("slack", "signing_secret")
    slack_app_token = Flat[str | None]("slack", "app_token")
    slack_api_url = Flat[str]("slack", "api_url")
    port = Flat[int]("slack", "port")
    workers = Flat[int]("slack", "workers")
    threads = Flat[int]("slack", "threads")
    # --- Microsoft Teams ------------------------------------------------------------
    teams_app_id = Flat[str | None]("teams", "app_id")
    teams_app_password = Flat[str | None]("teams", "app_password")
    teams_tenant_id = Flat[str | None]("teams", "tenant_id")
    teams_login_url = Flat[str]("teams", "login_url")
    teams_openid_metadata_url = Flat[str]("teams", "openid_metadata_url")
    teams_port = Flat[int]("teams", "port")
    teams_channel = Flat[str | None]("teams", "channel")
    teams_public_url = Flat[str | None]("teams", "public_url")
    teams_chart_days = Flat[int]("teams", "chart_days")
    teams_developer_url = Flat[str | None]("teams", "developer_url")
    teams_privacy_url = Flat[str | None]("teams", "privacy_url")
    teams_terms_url = Flat[str | None]("teams", "terms_url")

    @property
    def mode(self) -> str:
        """Which front end the environment allows: ``socket``, ``http``, ``teams`` or
        ``console``. Slack wins when its settings are complete (Teams then runs as a
        second process, ``yos-bot teams``); half the Teams credentials is an error."""
        if self.slack.socket_mode:
            return "socket"
        if self.slack.http_mode:
            return "http"
        incomplete = self.slack.incomplete()
        if incomplete:
            raise ConfigError(incomplete)
        if self.teams.started:
            self.teams.require("run")
            return "teams"
        return "console"

    def slack_incomplete(self) -> str | None:
        return self.slack.incomplete()

    @property
    def teams_configured(self) -> bool:
        return self.teams.configured

    @property
    def teams_tenant(self) -> str:
        return self.teams.tenant

    def require_http(self) -> None:
        self.slack.require_http()

    def require_socket(self) -> None:
        self.slack.require_socket()

    def require_teams(self, command: str = "teams") -> None:
        self.teams.require(command)


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path | None = None
) -> Settings:
    """Build settings from ``.env`` overlaid with the process environment."""
    return settings_from(_environment(environ, env_file))


def settings_from(values: Mapping[str, str]) -> Settings:
    """Settings from these environment values alone (blank ones count as unset)."""
    core, slack, teams = _parts(values)
    return Settings(core, slack, teams)


def _environment(environ: Mapping[str, str] | None, env_file: Path | None) -> dict[str, str]:
    values: dict[str, str] = {}
    dotenv_path = env_file if env_file is not None else Path.cwd() / ".env"
    if dotenv_path.is_file():
        from dotenv import dotenv_values  # only when there is a file to read

        values.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    return values


def _parts(values: Mapping[str, str]) -> tuple[CoreSettings, SlackSettings, TeamsSettings]:
    # Checked in the order the settings have always been: Slack's tokens first.
    given = {name: value.strip() for name, value in values.items() if value.strip()}
    slack = SlackSettings.from_values(given)
    core = CoreSettings.from_values(given)
    teams = TeamsSettings.from_values(given)
    return core, slack, teams
