"""The Slack settings: the app's tokens and signing secret, which say how it connects
(Socket Mode, or HTTP behind `yos-bot serve`), where that server listens, and Slack's
Web API address."""

from __future__ import annotations

from typing import Annotated

from pydantic import AliasChoices, BeforeValidator, Field

from bot.config.base import ConfigError, Part
from bot.config.checks import between, web_address

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
# A signing secret is hexadecimal; a value starting like this is one of the app's tokens.
_TOKEN_PREFIXES = ("xoxb-", "xoxp-", "xapp-", "xoxe")


def token(prefix: str) -> BeforeValidator:
    def check(value: str) -> str:
        # Never quote the value: a secret pasted into the wrong setting would be printed.
        if not value.startswith(prefix):
            raise ValueError(
                f"must start with {prefix!r}, and the value set does not (it is not "
                "shown, as it may be a secret): check that the right token was pasted whole"
            )
        return value

    return BeforeValidator(check)


def _signing_secret(value: str) -> str:
    if value.startswith(_TOKEN_PREFIXES):
        raise ValueError(
            "must be the app's signing secret (Basic Information, App Credentials: "
            "Signing Secret), but the value set is a token (it is not shown, as it may be "
            "a secret): paste the signing secret there, and the token in its own setting"
        )
    return value


def _api_url(value: str) -> str:
    web_address(value, example=DEFAULT_SLACK_API_URL)
    # slack_sdk joins method names onto the base URL, so it must end in a slash.
    return value if value.endswith("/") else value + "/"


class SlackSettings(Part):
    # Secrets stay out of the settings' repr, and so out of logs and tracebacks.
    bot_token: Annotated[str | None, token("xoxb-")] = Field(
        None, validation_alias="SLACK_BOT_TOKEN", repr=False
    )
    signing_secret: Annotated[str | None, BeforeValidator(_signing_secret)] = Field(
        None, validation_alias="SLACK_SIGNING_SECRET", repr=False
    )
    app_token: Annotated[str | None, token("xapp-")] = Field(
        None, validation_alias="SLACK_APP_TOKEN", repr=False
    )
    api_url: Annotated[str, BeforeValidator(_api_url)] = Field(
        DEFAULT_SLACK_API_URL, validation_alias="SLACK_API_URL"
    )
    # `yos-bot serve`: its port (PORT, as hosting platforms set it, wins), and gunicorn's
    # worker processes and threads per worker.
    port: Annotated[int, between(1, 65535)] = Field(
        3000, validation_alias=AliasChoices("PORT", "YOS_PORT")
    )
    workers: Annotated[int, between(1, 64)] = Field(2, validation_alias="YOS_WORKERS")
    threads: Annotated[int, between(1, 256)] = Field(2, validation_alias="YOS_THREADS")

    @property
    def socket_mode(self) -> bool:
        return bool(self.bot_token and self.app_token)

    @property
    def http_mode(self) -> bool:
        return bool(self.bot_token and self.signing_secret)

    def incomplete(self) -> str | None:
        """What is missing when some Slack settings are set but neither mode's are all
        there, named for each mode; None when Slack is configured or not at all."""
        bot, app, secret = self.bot_token, self.app_token, self.signing_secret
        if not (bot or app or secret) or (bot and (app or secret)):
            return None
        given = [
            name
            for name, value in (
                ("SLACK_BOT_TOKEN", bot),
                ("SLACK_APP_TOKEN", app),
                ("SLACK_SIGNING_SECRET", secret),
            )
            if value
        ]
        needs = []
        if bot or app:
            needs.append(
                "Socket Mode needs SLACK_APP_TOKEN (xapp-…) as well as SLACK_BOT_TOKEN"
                if bot
                else "Socket Mode needs SLACK_BOT_TOKEN (xoxb-…) as well as SLACK_APP_TOKEN"
            )
        if bot or secret:
            needs.append(
                "HTTP mode needs SLACK_SIGNING_SECRET as well as SLACK_BOT_TOKEN"
                if bot
                else "HTTP mode needs SLACK_BOT_TOKEN (xoxb-…) as well as SLACK_SIGNING_SECRET"
            )
        return (
            f"Slack is only partly configured ({' and '.join(given)} "
            f"{'is' if len(given) == 1 else 'are'} set): {'; '.join(needs)}. Set what is "
            "missing, or unset the Slack settings to use the local console (see .env.example)."
        )

    def require_http(self) -> None:
        _require(self.bot_token, "SLACK_BOT_TOKEN", "serve")
        _require(self.signing_secret, "SLACK_SIGNING_SECRET", "serve")

    def require_socket(self) -> None:
        _require(self.bot_token, "SLACK_BOT_TOKEN", "socket")
        _require(self.app_token, "SLACK_APP_TOKEN", "socket")


def _require(value: str | None, name: str, command: str) -> None:
    if not value:
        raise ConfigError(f"{name} is not set: `yos-bot {command}` needs it (see .env.example)")
