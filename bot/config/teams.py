"""The Microsoft Teams settings: the bot's app registration and tenant, where its tokens
and Teams' signing keys come from, where `yos-bot teams` listens and is reached, the
channel it posts to, and the app package's links to the publisher's pages."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlparse

from pydantic import BeforeValidator, Field

from bot.config.base import ConfigError, Part
from bot.config.checks import PageUrl, between, https_authority
from bot.config.ids import TENANT_ID_HINT, MicrosoftAppId, TeamsConversationId, TenantId

DEFAULT_TEAMS_LOGIN_URL = "https://login.microsoftonline.com"
DEFAULT_TEAMS_OPENID_METADATA_URL = (
    "https://login.botframework.com/v1/.well-known/openidconfiguration"
)
DEFAULT_TEAMS_PORT = 3978
# How long a chart's address in a Teams card works (TEAMS_CHART_DAYS).
DEFAULT_TEAMS_CHART_DAYS = 90


def _metadata_url(value: str) -> str:
    parsed = urlparse(value)
    # The Teams SDK never reads this document: it finds the signing keys by replacing the
    # trailing /openidconfiguration with /keys, so any other ending refuses every request.
    if (
        parsed.scheme not in ("http", "https")
        or not parsed.netloc
        or not parsed.path.endswith("/openidconfiguration")
        or parsed.query
    ):
        raise ValueError(
            "must be an http(s) URL ending in /openidconfiguration, "
            f"such as {DEFAULT_TEAMS_OPENID_METADATA_URL}"
        )
    return value


def _public_url(value: str) -> str:
    """The bot's public HTTPS address (scheme and host, perhaps a path prefix)."""
    parsed = urlparse(value)
    if parsed.scheme != "https" or not parsed.hostname or parsed.query or parsed.fragment:
        raise ValueError(
            "must be the https:// address Teams reaches the bot at, the "
            "messaging endpoint without /api/messages, such as https://yos.example.gov.uk"
        )
    return value.rstrip("/")


class TeamsSettings(Part):
    # The bot's app registration; a single tenant, whose GUID is required to serve.
    app_id: MicrosoftAppId | None = Field(None, validation_alias="TEAMS_APP_ID")
    app_password: str | None = Field(None, validation_alias="TEAMS_APP_PASSWORD", repr=False)
    tenant_id: TenantId | None = Field(None, validation_alias="TEAMS_TENANT_ID")
    # msal accepts only https authorities.
    login_url: Annotated[str, https_authority(example=DEFAULT_TEAMS_LOGIN_URL)] = Field(
        DEFAULT_TEAMS_LOGIN_URL, validation_alias="TEAMS_LOGIN_URL"
    )
    openid_metadata_url: Annotated[str, BeforeValidator(_metadata_url)] = Field(
        DEFAULT_TEAMS_OPENID_METADATA_URL, validation_alias="TEAMS_OPENID_METADATA_URL"
    )
    port: Annotated[int, between(1, 65535)] = Field(
        DEFAULT_TEAMS_PORT, validation_alias="TEAMS_PORT"
    )
    # The conversation that gets reminders and board reports.
    channel: TeamsConversationId | None = Field(None, validation_alias="YOS_TEAMS_CHANNEL")
    # The HTTPS address the bot is reached at (its reverse proxy), serving /api/messages;
    # charts in cards are served from it. None: charts travel inside the card.
    public_url: Annotated[str | None, BeforeValidator(_public_url)] = Field(
        None, validation_alias="TEAMS_PUBLIC_URL"
    )
    chart_days: Annotated[int, between(1, 3650)] = Field(
        DEFAULT_TEAMS_CHART_DAYS, validation_alias="TEAMS_CHART_DAYS"
    )
    # The app package's links to the publisher's pages (teams-package flags override).
    developer_url: PageUrl | None = Field(None, validation_alias="TEAMS_DEVELOPER_URL")
    privacy_url: PageUrl | None = Field(None, validation_alias="TEAMS_PRIVACY_URL")
    terms_url: PageUrl | None = Field(None, validation_alias="TEAMS_TERMS_URL")

    @property
    def configured(self) -> bool:
        return bool(self.app_id and self.app_password)

    @property
    def started(self) -> bool:
        """Some of the app registration is set (all of it, or an error to say)."""
        return bool(self.app_id or self.app_password)

    @property
    def tenant(self) -> str:
        """The tenant whose login authority issues the bot's tokens: always its own."""
        if not self.tenant_id:
            raise ConfigError(f"TEAMS_TENANT_ID is not set: {TENANT_ID_HINT}")
        return self.tenant_id

    def require(self, command: str = "teams") -> None:
        missing = [
            name
            for name, value in (
                ("TEAMS_APP_ID", self.app_id),
                ("TEAMS_APP_PASSWORD", self.app_password),
                ("TEAMS_TENANT_ID", self.tenant_id),
            )
            if not value
        ]
        if missing:
            names = (
                " and ".join(missing)
                if len(missing) < 3
                else f"{', '.join(missing[:-1])} and {missing[-1]}"
            )
            hint = f" (TEAMS_TENANT_ID: {TENANT_ID_HINT})" if "TEAMS_TENANT_ID" in missing else ""
            raise ConfigError(
                f"{names} {'is' if len(missing) == 1 else 'are'} not set: "
                f"`yos-bot {command}` needs TEAMS_APP_ID, TEAMS_APP_PASSWORD and "
                f"TEAMS_TENANT_ID to serve Microsoft Teams{hint}; see .env.example"
            )
