"""Work a serving process does on its own: reminders, checked shortly after start and
then every hour (each queued in the outbox under a unique key, so several workers and
restarts never send one twice); the daily backup; erasing personal data past its time."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from bot.app.core import Application
from bot.app.failures import log_failure
from bot.app.requests import Platform
from bot.app.sender import Sender
from bot.config import Settings
from bot.store import open_db

logger = logging.getLogger(__name__)

REMINDER_INTERVAL_SECONDS = 3600.0
FIRST_CHECK_SECONDS = 5.0


def start_reminders(
    app: Application,
    platform: Platform,
    conversation: str,
    sender: Sender,
    *,
    interval: float = REMINDER_INTERVAL_SECONDS,
    first: float = FIRST_CHECK_SECONDS,
) -> threading.Thread:
    stop = threading.Event()

    def loop() -> None:
        delay = first
        while not stop.wait(delay):
            try:
                if app.queue_reminders(platform, conversation):
                    sender.wake()
            except Exception as error:
                log_failure(logger, "checking reminders", error)
            delay = interval

    thread = threading.Thread(target=loop, name=f"reminders-{platform.name}", daemon=True)
    thread.start()
    return thread


BACKUP_CHECK_SECONDS = 3600.0
FIRST_BACKUP_SECONDS = 60.0


def start_backups(
    settings: Settings,
    *,
    interval: float = BACKUP_CHECK_SECONDS,
    first: float = FIRST_BACKUP_SECONDS,
    every: timedelta = timedelta(days=1),
) -> threading.Thread | None:
    """Back the store up daily into YOS_BACKUP_DIR, keeping YOS_BACKUP_KEEP; None when
    YOS_BACKUP_DIR is not set.

    Checks a minute after start and then hourly, and backs up when the newest backup in
    the folder is a day old (or there is none), so every worker of every serving process
    may run this: a lock in the folder and the age check mean one backup a day, restarts
    included. The backup is SQLite's online copy, so serving carries on meanwhile.
    """
    out_dir = settings.backup_dir
    if out_dir is None:
        return None
    stop = threading.Event()

    def loop() -> None:
        # Imported here, in the background, not before a serving process's first reply.
        from bot.store.backup import BackupError, backup_if_due

        delay = first
        while not stop.wait(delay):
            try:
                taken = backup_if_due(settings.db_path, out_dir, settings.backup_keep, every=every)
                if taken is not None:
                    logger.info("backed up the store to %s", taken)
            except BackupError as error:
                logger.error("the daily backup failed: %s", error)
            except Exception:
                logger.exception("the daily backup failed")
            delay = interval

    thread = threading.Thread(target=loop, name="backups", daemon=True)
    thread.start()
    return thread


PURGE_CHECK_SECONDS = 3600.0
FIRST_PURGE_SECONDS = 90.0


def start_purge(
    settings: Settings,
    *,
    interval: float = PURGE_CHECK_SECONDS,
    first: float = FIRST_PURGE_SECONDS,
) -> threading.Thread:
    """Erase personal data past its time (``retention.purge``): notes older than
    YOS_NOTE_RETENTION_DAYS, the text of sent messages, old deliveries.

    Checks shortly after start and then hourly (at most a day late for any note), on its own
    connection. Every worker of every serving process may run it: erasing what is already
    erased changes nothing, and each run is one short write transaction.
    """
    stop = threading.Event()

    def loop() -> None:
        from bot.domain.monitoring.retention import purge  # in the background, as for backups

        delay = first
        db = None
        while not stop.wait(delay):
            try:
                db = db or open_db(settings.db_path)
                done = purge(db, retention_days=settings.note_retention_days)
                if done.notes or done.outbox or done.deliveries:
                    logger.info("purge: %s", done.describe())
            except Exception:
                logger.exception("erasing personal data past its time failed")
            delay = interval

    thread = threading.Thread(target=loop, name="purge", daemon=True)
    thread.start()
    return thread
