"""Settings from the environment.

``.env`` is read first (python-dotenv) and real environment variables win. Every
setting is checked once, at start-up, so a typo fails with one line naming the
variable instead of surfacing later as a confusing Slack error.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlparse

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_TEAMS_LOGIN_URL = "https://login.microsoftonline.com"
DEFAULT_TEAMS_OPENID_METADATA_URL = (
    "https://login.botframework.com/v1/.well-known/openidconfiguration"
)
DEFAULT_TEAMS_PORT = 3978
# HMIP's youth justice ratings as the data-to-insight scrape publishes them (MIT; the
# ratings are HMIP's, under the Open Government Licence): `yos-bot update-ratings`.
DEFAULT_RATINGS_URL = (
    "https://raw.githubusercontent.com/data-to-insight/hmi-probation-youth-justice-scrape/"
    "main/hmi_youth_justice_inspection_ratings.csv"
)
# Where an admin finds the tenant ID that TEAMS_TENANT_ID must be.
TENANT_ID_HINT = (
    "find it in the Microsoft Entra admin centre (entra.microsoft.com) under Identity, "
    "Overview: Tenant ID, or as App Tenant ID on the Azure Bot's Configuration page"
)
# How long a chart's address in a Teams card works (TEAMS_CHART_DAYS).
DEFAULT_TEAMS_CHART_DAYS = 90
# Placeholder hosts an app package may not name as the publisher's pages.
PLACEHOLDER_HOSTS = ("example.org", "example.com", "example.net")


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    db_path: Path
    data_dir: Path
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    service: str | None = None
    channel: str | None = None
    auditors: tuple[str, ...] = field(default_factory=tuple)
    host: str = "0.0.0.0"
    port: int = 3000
    workers: int = 2
    threads: int = 2
    log_level: str = "INFO"
    today: date | None = None  # pins the bot's idea of "today", for demos and tests
    # How the outbox retries: the first back-off, and how long a sender may hold an
    # item before another may take it over (a worker that died holding it).
    outbox_retry_seconds: float = 2.0
    outbox_lease_seconds: float = 60.0
    # How long after start a serving process first checks for reminders that are due.
    first_reminder_check_seconds: float = 5.0
    # Microsoft Teams: the bot's app registration, where its tokens come from, and the
    # conversation that gets reminders and board reports.
    teams_app_id: str | None = None
    teams_app_password: str | None = None
    teams_tenant_id: str | None = None  # a GUID, required to serve Teams (single tenant)
    teams_login_url: str = DEFAULT_TEAMS_LOGIN_URL
    teams_openid_metadata_url: str = DEFAULT_TEAMS_OPENID_METADATA_URL
    teams_port: int = DEFAULT_TEAMS_PORT
    teams_channel: str | None = None
    # The HTTPS address the bot is reached at (its reverse proxy), serving /api/messages;
    # charts in cards are served from it. None: charts travel inside the card.
    teams_public_url: str | None = None
    teams_chart_days: int = DEFAULT_TEAMS_CHART_DAYS
    # The app package's links to the publisher's pages (teams-package flags override).
    teams_developer_url: str | None = None
    teams_privacy_url: str | None = None
    teams_terms_url: str | None = None
    # Backups: where the serving process puts its daily backup (None: no daily backup),
    # and how many it keeps.
    backup_dir: Path | None = None
    backup_keep: int = 14
    # Personal data: who may read audit notes ("auditors" or "everyone"), and how many days
    # a note is kept before it is erased (the figures stay).
    notes_visible_to: str = "auditors"
    note_retention_days: int = 730
    # Where `yos-bot update-ratings` fetches HMIP's published ratings table.
    ratings_url: str = DEFAULT_RATINGS_URL
    # The improvement plan's RAG rule: an action due within this many days with no progress
    # in the last so many is Amber, and so is one whose due date moved more than so often.
    rag_due_soon_days: int = 14
    rag_no_progress_days: int = 30
    rag_due_moves: int = 1

    @property
    def mode(self) -> str:
        """Which front end the environment allows: ``socket``, ``http``, ``teams`` or
        ``console``. Slack wins when its settings are complete (Teams then runs as a
        second process, ``yos-bot teams``); half the Teams credentials is an error."""
        if self.slack_bot_token and self.slack_app_token:
            return "socket"
        if self.slack_bot_token and self.slack_signing_secret:
            return "http"
        incomplete = self.slack_incomplete()
        if incomplete:
            raise ConfigError(incomplete)
        if self.teams_app_id or self.teams_app_password:
            self.require_teams("run")
            return "teams"
        return "console"

    def slack_incomplete(self) -> str | None:
        """What is missing when some Slack settings are set but neither mode's are all
        there, named for each mode; None when Slack is configured or not at all."""
        bot, app, secret = self.slack_bot_token, self.slack_app_token, self.slack_signing_secret
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

    @property
    def teams_configured(self) -> bool:
        return bool(self.teams_app_id and self.teams_app_password)

    @property
    def teams_tenant(self) -> str:
        """The tenant whose login authority issues the bot's tokens: always its own."""
        if not self.teams_tenant_id:
            raise ConfigError(f"TEAMS_TENANT_ID is not set: {TENANT_ID_HINT}")
        return self.teams_tenant_id

    def require_http(self) -> None:
        _require(self, "slack_bot_token", "SLACK_BOT_TOKEN", "serve")
        _require(self, "slack_signing_secret", "SLACK_SIGNING_SECRET", "serve")

    def require_socket(self) -> None:
        _require(self, "slack_bot_token", "SLACK_BOT_TOKEN", "socket")
        _require(self, "slack_app_token", "SLACK_APP_TOKEN", "socket")

    def require_teams(self, command: str = "teams") -> None:
        missing = [
            name
            for name, value in (
                ("TEAMS_APP_ID", self.teams_app_id),
                ("TEAMS_APP_PASSWORD", self.teams_app_password),
                ("TEAMS_TENANT_ID", self.teams_tenant_id),
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


def _require(settings: Settings, attr: str, name: str, mode: str) -> None:
    if not getattr(settings, attr):
        raise ConfigError(f"{name} is not set: `yos-bot {mode}` needs it (see .env.example)")


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path | None = None
) -> Settings:
    """Build settings from ``.env`` overlaid with the process environment."""
    values: dict[str, str] = {}
    dotenv_path = env_file if env_file is not None else Path.cwd() / ".env"
    if dotenv_path.is_file():
        from dotenv import dotenv_values  # only when there is a file to read

        values.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    return settings_from(values)


def settings_from(values: Mapping[str, str]) -> Settings:
    def get(name: str) -> str | None:
        value = values.get(name, "").strip()
        return value or None

    bot_token = _token(get("SLACK_BOT_TOKEN"), "SLACK_BOT_TOKEN", "xoxb-")
    app_token = _token(get("SLACK_APP_TOKEN"), "SLACK_APP_TOKEN", "xapp-")
    data_dir = Path(get("YOS_DATA_DIR") or PROJECT_ROOT / "data")
    return Settings(
        db_path=Path(get("YOS_DB") or "data/yos.db"),
        data_dir=data_dir,
        slack_bot_token=bot_token,
        slack_signing_secret=get("SLACK_SIGNING_SECRET"),
        slack_app_token=app_token,
        slack_api_url=_api_url(get("SLACK_API_URL")),
        service=get("YOS_SERVICE"),
        channel=get("YOS_CHANNEL"),
        auditors=_auditors(get("YOS_AUDITORS")),
        host=get("YOS_HOST") or "0.0.0.0",
        port=_int(get("PORT") or get("YOS_PORT"), "YOS_PORT", 3000, 1, 65535),
        workers=_int(get("YOS_WORKERS"), "YOS_WORKERS", 2, 1, 64),
        threads=_int(get("YOS_THREADS"), "YOS_THREADS", 2, 1, 256),
        log_level=_log_level(get("YOS_LOG_LEVEL")),
        today=_date(get("YOS_TODAY"), "YOS_TODAY"),
        outbox_retry_seconds=_seconds(
            get("YOS_OUTBOX_RETRY_SECONDS"), "YOS_OUTBOX_RETRY_SECONDS", 2.0
        ),
        outbox_lease_seconds=_seconds(
            get("YOS_OUTBOX_LEASE_SECONDS"), "YOS_OUTBOX_LEASE_SECONDS", 60.0
        ),
        first_reminder_check_seconds=_seconds(
            get("YOS_FIRST_REMINDER_CHECK_SECONDS"), "YOS_FIRST_REMINDER_CHECK_SECONDS", 5.0
        ),
        teams_app_id=_guid(get("TEAMS_APP_ID"), "TEAMS_APP_ID", "the bot's Microsoft App ID"),
        teams_app_password=get("TEAMS_APP_PASSWORD"),
        teams_tenant_id=_tenant(get("TEAMS_TENANT_ID")),
        teams_login_url=_login_url(get("TEAMS_LOGIN_URL")),
        teams_openid_metadata_url=_metadata_url(get("TEAMS_OPENID_METADATA_URL")),
        teams_port=_int(get("TEAMS_PORT"), "TEAMS_PORT", DEFAULT_TEAMS_PORT, 1, 65535),
        teams_channel=_conversation(get("YOS_TEAMS_CHANNEL"), "YOS_TEAMS_CHANNEL"),
        teams_public_url=_public_url(get("TEAMS_PUBLIC_URL")),
        teams_chart_days=_int(
            get("TEAMS_CHART_DAYS"), "TEAMS_CHART_DAYS", DEFAULT_TEAMS_CHART_DAYS, 1, 3650
        ),
        teams_developer_url=_page_url(get("TEAMS_DEVELOPER_URL"), "TEAMS_DEVELOPER_URL"),
        teams_privacy_url=_page_url(get("TEAMS_PRIVACY_URL"), "TEAMS_PRIVACY_URL"),
        teams_terms_url=_page_url(get("TEAMS_TERMS_URL"), "TEAMS_TERMS_URL"),
        backup_dir=_path(get("YOS_BACKUP_DIR")),
        backup_keep=_int(get("YOS_BACKUP_KEEP"), "YOS_BACKUP_KEEP", 14, 1, 10_000),
        notes_visible_to=_notes_visible_to(get("YOS_NOTES_VISIBLE_TO")),
        note_retention_days=_int(
            get("YOS_NOTE_RETENTION_DAYS"), "YOS_NOTE_RETENTION_DAYS", 730, 1, 36_500
        ),
        ratings_url=_ratings_url(get("YOS_RATINGS_URL")),
        rag_due_soon_days=_int(get("YOS_RAG_DUE_SOON_DAYS"), "YOS_RAG_DUE_SOON_DAYS", 14, 0, 365),
        rag_no_progress_days=_int(
            get("YOS_RAG_NO_PROGRESS_DAYS"), "YOS_RAG_NO_PROGRESS_DAYS", 30, 1, 365
        ),
        rag_due_moves=_int(get("YOS_RAG_DUE_MOVES"), "YOS_RAG_DUE_MOVES", 1, 0, 100),
    )


def _ratings_url(value: str | None) -> str:
    if value is None:
        return DEFAULT_RATINGS_URL
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(
            "YOS_RATINGS_URL must be an http(s) URL of a ratings table (CSV), such as "
            f"{DEFAULT_RATINGS_URL}"
        )
    return value


def _notes_visible_to(value: str | None) -> str:
    if value is None:
        return "auditors"
    if value.lower() not in ("auditors", "everyone"):
        raise ConfigError(f"YOS_NOTES_VISIBLE_TO must be auditors or everyone, got {value[:40]!r}")
    return value.lower()


def _path(value: str | None) -> Path | None:
    return Path(value).expanduser() if value is not None else None


def _seconds(value: str | None, name: str, default: float) -> float:
    if value is None:
        return default
    try:
        seconds = float(value)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, got {value!r}") from None
    if not 0.01 <= seconds <= 3600:
        raise ConfigError(f"{name} must be between 0.01 and 3600 seconds, got {value!r}")
    return seconds


def _date(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{name} must be a date written as YYYY-MM-DD, got {value!r}") from None


def _token(value: str | None, name: str, prefix: str) -> str | None:
    # Never quote the value: a secret pasted into the wrong setting would be printed.
    if value is not None and not value.startswith(prefix):
        raise ConfigError(
            f"{name} must start with {prefix!r}, and the value set does not (it is not "
            "shown, as it may be a secret): check that the right token was pasted whole"
        )
    return value


def _api_url(value: str | None) -> str:
    if value is None:
        return DEFAULT_SLACK_API_URL
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(f"SLACK_API_URL must be an http(s) URL such as {DEFAULT_SLACK_API_URL}")
    # slack_sdk joins method names onto the base URL, so it must end in a slash.
    return value if value.endswith("/") else value + "/"


def _guid(value: str | None, name: str, what: str) -> str | None:
    if value is not None and not _GUID.fullmatch(value.lower()):
        raise ConfigError(
            f"{name} must be {what}, a GUID such as 00000000-0000-0000-0000-000000000000"
        )
    return value


def _tenant(value: str | None) -> str | None:
    """The bot's own tenant ID, a GUID. A domain name (contoso.onmicrosoft.com) is refused:
    activities carry the tenant's ID, never a domain, so no activity would match it."""
    if value is None:
        return None
    if not _GUID.fullmatch(value.lower()):
        what = "a domain name" if "." in value else f"{value[:40]!r}"
        raise ConfigError(
            "TEAMS_TENANT_ID must be your Microsoft Entra tenant ID, a GUID such as "
            f"00000000-0000-0000-0000-000000000000, not {what}: {TENANT_ID_HINT}"
        )
    return value.lower()


def _public_url(value: str | None) -> str | None:
    """The bot's public HTTPS address (scheme and host, perhaps a path prefix)."""
    if value is None:
        return None
    parsed = urlparse(value)
    if parsed.scheme != "https" or not parsed.hostname or parsed.query or parsed.fragment:
        raise ConfigError(
            "TEAMS_PUBLIC_URL must be the https:// address Teams reaches the bot at, the "
            "messaging endpoint without /api/messages, such as https://yos.example.gov.uk"
        )
    return value.rstrip("/")


def _page_url(value: str | None, name: str) -> str | None:
    """A page of the publisher's for the app package: https, and not a placeholder."""
    if value is None:
        return None
    problem = page_url_problem(value)
    if problem:
        raise ConfigError(f"{name} {problem}")
    return value


def page_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be one of the app package's pages, or None."""
    parsed = urlparse(url)
    if parsed.scheme != "https" or not parsed.hostname or len(url) > 2048:
        return f"must be an https:// address of your own page; got {url[:80]!r}"
    host = parsed.hostname.lower()
    if any(host == h or host.endswith("." + h) for h in PLACEHOLDER_HOSTS):
        return f"must be your own page, not a placeholder ({host})"
    return None


def _login_url(value: str | None) -> str:
    if value is None:
        return DEFAULT_TEAMS_LOGIN_URL
    parsed = urlparse(value)
    # msal accepts only https authorities.
    if parsed.scheme != "https" or not parsed.netloc or parsed.query or parsed.fragment:
        raise ConfigError(f"TEAMS_LOGIN_URL must be an https URL such as {DEFAULT_TEAMS_LOGIN_URL}")
    return value.rstrip("/")


def _metadata_url(value: str | None) -> str:
    if value is None:
        return DEFAULT_TEAMS_OPENID_METADATA_URL
    parsed = urlparse(value)
    # The Teams SDK never reads this document: it finds the signing keys by replacing the
    # trailing /openidconfiguration with /keys, so any other ending refuses every request.
    if (
        parsed.scheme not in ("http", "https")
        or not parsed.netloc
        or not parsed.path.endswith("/openidconfiguration")
        or parsed.query
    ):
        raise ConfigError(
            "TEAMS_OPENID_METADATA_URL must be an http(s) URL ending in /openidconfiguration, "
            f"such as {DEFAULT_TEAMS_OPENID_METADATA_URL}"
        )
    return value


def _conversation(value: str | None, name: str) -> str | None:
    """A Teams conversation ID, as copied from a channel link (percent-encoded) or not."""
    if value is None:
        return None
    conversation = unquote(value).split(";", 1)[0]
    if ":" not in conversation or any(c.isspace() for c in conversation):
        raise ConfigError(
            f"{name} must be a Teams conversation ID such as 19:abc123@thread.tacv2 "
            "(from the channel's link)"
        )
    return conversation


def _int(value: str | None, name: str, default: int, low: int, high: int) -> int:
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {value!r}") from None
    if not low <= number <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {number}")
    return number


_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _auditors(value: str | None) -> tuple[str, ...]:
    """Slack user (U…/W…) and user-group (S…) IDs, and Teams users by their Azure AD
    object ID (a GUID), mixed freely."""
    if value is None:
        return ()
    ids = []
    for part in value.split(","):
        auditor = part.strip()
        if not auditor:
            continue
        if _GUID.fullmatch(auditor.lower()):
            ids.append(auditor.lower())
        elif auditor[:1] in ("U", "W", "S") and auditor.isalnum() and auditor.isupper():
            ids.append(auditor)
        else:
            raise ConfigError(
                "YOS_AUDITORS must list Slack user IDs (U…/W…), Slack user-group IDs (S…) "
                "or Teams users' Azure AD object IDs (GUIDs), separated by commas; "
                f"{auditor[:40]!r} is none of these"
            )
    return tuple(ids)


def _log_level(value: str | None) -> str:
    level = (value or "INFO").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"YOS_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {value!r}")
    return level
