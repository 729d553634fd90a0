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
from urllib.parse import urlparse

from dotenv import dotenv_values

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SLACK_API_URL = "https://slack.com/api/"


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

    @property
    def mode(self) -> str:
        """Which front end the environment allows: ``socket``, ``http`` or ``console``."""
        if self.slack_bot_token and self.slack_app_token:
            return "socket"
        if self.slack_bot_token and self.slack_signing_secret:
            return "http"
        return "console"

    def require_http(self) -> None:
        _require(self, "slack_bot_token", "SLACK_BOT_TOKEN", "serve")
        _require(self, "slack_signing_secret", "SLACK_SIGNING_SECRET", "serve")

    def require_socket(self) -> None:
        _require(self, "slack_bot_token", "SLACK_BOT_TOKEN", "socket")
        _require(self, "slack_app_token", "SLACK_APP_TOKEN", "socket")


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
    )


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
    if value is not None and not value.startswith(prefix):
        raise ConfigError(f"{name} must start with {prefix!r} (got {value[:5]!r}…)")
    return value


def _api_url(value: str | None) -> str:
    if value is None:
        return DEFAULT_SLACK_API_URL
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(f"SLACK_API_URL must be an http(s) URL such as {DEFAULT_SLACK_API_URL}")
    # slack_sdk joins method names onto the base URL, so it must end in a slash.
    return value if value.endswith("/") else value + "/"


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
