"""Work a serving process does on its own: reminders, checked shortly after start and
then every hour. Each reminder is queued in the outbox under a unique key, so several
workers and restarts never send one twice."""

from __future__ import annotations

import logging
import threading

from bot.app.core import Application
from bot.app.requests import Platform
from bot.app.sender import Sender

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
            except Exception:
                logger.exception("checking reminders failed")
            delay = interval

    thread = threading.Thread(target=loop, name=f"reminders-{platform.name}", daemon=True)
    thread.start()
    return thread
