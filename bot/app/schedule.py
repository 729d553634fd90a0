"""Work a serving process does on its own: reminders, checked shortly after start and
then every hour (each queued in the outbox under a unique key, so several workers and
restarts never send one twice); the daily backup; erasing personal data past its time."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
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


class Reminders:
    """Reminders and board reports for one conversation, checked ``first`` seconds after
    start, then every ``interval``, and at once when woken (:meth:`check_now`). Each is
    queued under a unique key, so it is sent once whatever wakes the check, across
    restarts and processes.

    A platform whose proactive messages need the conversation's saved reference (Teams:
    its service URL) gives ``reachable``, which answers it or None; until there is one,
    nothing is queued, and ``unreachable`` is logged once.
    """

    def __init__(
        self,
        app: Application,
        platform: Platform,
        conversation: str | None,
        sender: Sender,
        *,
        reachable: Callable[[str], str | None] | None = None,
        unreachable: str = "",
        interval: float = REMINDER_INTERVAL_SECONDS,
        first: float = FIRST_CHECK_SECONDS,
    ) -> None:
        self.app = app
        self.platform = platform
        self.conversation = conversation
        self.sender = sender
        self.reachable = reachable
        self.unreachable = unreachable
        self.interval = interval
        self.first = first
        self.thread: threading.Thread | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._told = False

    def start(self) -> Reminders:
        if self.conversation and self.thread is None:
            self.thread = threading.Thread(
                target=self._loop, name=f"reminders-{self.platform.name}", daemon=True
            )
            self.thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def check_now(self) -> None:
        self._wake.set()

    def check(self) -> list[str]:
        """Queue whatever is due for the conversation; the keys of what was queued."""
        if not self.conversation:
            return []
        service_url = None
        if self.reachable is not None:
            service_url = self.reachable(self.conversation)
            if service_url is None:
                if not self._told:
                    logger.info("%s", self.unreachable)
                    self._told = True
                return []
        queued = self.app.queue_reminders(self.platform, self.conversation, service_url=service_url)
        if queued:
            self.sender.wake()
        return queued

    def _loop(self) -> None:
        delay = self.first
        while not self._stop.is_set():
            if self._wake.wait(delay):
                self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.check()
            except Exception as error:
                log_failure(logger, "checking reminders", error)
            delay = self.interval


def start_reminders(
    app: Application,
    platform: Platform,
    conversation: str,
    sender: Sender,
    *,
    interval: float = REMINDER_INTERVAL_SECONDS,
    first: float = FIRST_CHECK_SECONDS,
) -> threading.Thread | None:
    """Check ``conversation``'s reminders in the background (see :class:`Reminders`)."""
    reminders = Reminders(app, platform, conversation, sender, interval=interval, first=first)
    return reminders.start().thread


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
