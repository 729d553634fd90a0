"""Reminders and board reports for YOS_TEAMS_CHANNEL, checked shortly after start, every
hour, and at once when the bot first hears from that channel.

This is :func:`bot.app.schedule.start_reminders` with two differences Teams needs: a
proactive message needs the channel's saved reference (its service URL), so nothing is
queued until there is one; and it can be woken, so a reminder that fell due while the
bot had no reference goes out as soon as the bot is added to the team, not an hour
later. Each reminder is queued under a unique key, so it is sent once whatever wakes
the check, and across restarts and processes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from bot.app import Application, Sender
from bot.app.failures import log_failure
from bot.app.schedule import FIRST_CHECK_SECONDS, REMINDER_INTERVAL_SECONDS
from bot.teams.platform import TEAMS

logger = logging.getLogger(__name__)


class Reminders:
    def __init__(
        self,
        app: Application,
        sender: Sender,
        channel: str | None,
        service_url: Callable[[str], str | None],
        *,
        interval: float = REMINDER_INTERVAL_SECONDS,
        first: float = FIRST_CHECK_SECONDS,
    ) -> None:
        self.app = app
        self.sender = sender
        self.channel = channel
        self.service_url = service_url
        self.interval = interval
        self.first = first
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._told = False

    def start(self) -> Reminders:
        if self.channel and self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="reminders-teams", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def check_now(self) -> None:
        self._wake.set()

    def check(self) -> list[str]:
        """Queue whatever is due for the channel; the keys of what was queued."""
        if not self.channel:
            return []
        service_url = self.service_url(self.channel)
        if service_url is None:
            if not self._told:
                logger.info(
                    "no reminders for YOS_TEAMS_CHANNEL yet: the bot has not heard from "
                    "that channel; add the bot to its team, or mention it there once"
                )
                self._told = True
            return []
        queued = self.app.queue_reminders(TEAMS, self.channel, service_url=service_url)
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
