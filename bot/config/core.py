"""The core settings, whatever the platform: the store, the service and channel replies
are about, who audits, what "today" is, personal data, the plan's RAG rule, sending and
backups, and where the servers listen and log."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BeforeValidator, Field

from bot.config.base import Part
from bot.config.checks import IsoDate, LogLevel, Seconds, UserPath, between, one_of, web_address
from bot.config.ids import AuditorIds

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
# HMIP's youth justice ratings as the data-to-insight scrape publishes them (MIT; the
# ratings are HMIP's, under the Open Government Licence): `yos-bot update-ratings`.
DEFAULT_RATINGS_URL = (
    "https://raw.githubusercontent.com/data-to-insight/hmi-probation-youth-justice-scrape/"
    "main/hmi_youth_justice_inspection_ratings.csv"
)


def _ratings_url(value: str) -> str:
    return web_address(value, example=DEFAULT_RATINGS_URL, what="a ratings table (CSV)")


class CoreSettings(Part):
    db_path: Path = Field(Path("data/yos.db"), validation_alias="YOS_DB")
    data_dir: Path = Field(PROJECT_ROOT / "data", validation_alias="YOS_DATA_DIR")
    service: str | None = Field(None, validation_alias="YOS_SERVICE")
    # The Slack channel for reminders and board reports.
    channel: str | None = Field(None, validation_alias="YOS_CHANNEL")
    auditors: AuditorIds = Field((), validation_alias="YOS_AUDITORS")
    # Pins the bot's idea of "today", for demonstrations and tests.
    today: IsoDate | None = Field(None, validation_alias="YOS_TODAY")
    # Where the servers listen (each platform has its own port), and how much they log.
    host: str = Field("0.0.0.0", validation_alias="YOS_HOST")
    log_level: LogLevel = Field("INFO", validation_alias="YOS_LOG_LEVEL")
    # How the outbox retries: the first back-off, and how long a sender may hold an
    # item before another may take it over (a worker that died holding it).
    outbox_retry_seconds: Seconds = Field(2.0, validation_alias="YOS_OUTBOX_RETRY_SECONDS")
    outbox_lease_seconds: Seconds = Field(60.0, validation_alias="YOS_OUTBOX_LEASE_SECONDS")
    # How long after start a serving process first checks for reminders that are due.
    first_reminder_check_seconds: Seconds = Field(
        5.0, validation_alias="YOS_FIRST_REMINDER_CHECK_SECONDS"
    )
    # Backups: where the serving process puts its daily backup (None: no daily backup),
    # and how many it keeps.
    backup_dir: UserPath | None = Field(None, validation_alias="YOS_BACKUP_DIR")
    backup_keep: Annotated[int, between(1, 10_000)] = Field(14, validation_alias="YOS_BACKUP_KEEP")
    # Personal data: who may read audit notes ("auditors" or "everyone"), and how many
    # days a note is kept before it is erased (the figures stay).
    notes_visible_to: Annotated[str, one_of("auditors", "everyone")] = Field(
        "auditors", validation_alias="YOS_NOTES_VISIBLE_TO"
    )
    note_retention_days: Annotated[int, between(1, 36_500)] = Field(
        730, validation_alias="YOS_NOTE_RETENTION_DAYS"
    )
    # Where `yos-bot update-ratings` fetches HMIP's published ratings table.
    ratings_url: Annotated[str, BeforeValidator(_ratings_url)] = Field(
        DEFAULT_RATINGS_URL, validation_alias="YOS_RATINGS_URL"
    )
    # The improvement plan's RAG rule: an action due within this many days with no
    # progress in the last so many is Amber, and so is one whose due date moved more
    # than so often.
    rag_due_soon_days: Annotated[int, between(0, 365)] = Field(
        14, validation_alias="YOS_RAG_DUE_SOON_DAYS"
    )
    rag_no_progress_days: Annotated[int, between(1, 365)] = Field(
        30, validation_alias="YOS_RAG_NO_PROGRESS_DAYS"
    )
    rag_due_moves: Annotated[int, between(0, 100)] = Field(1, validation_alias="YOS_RAG_DUE_MOVES")
