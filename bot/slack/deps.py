"""What Slack listeners share: the application, the outbox sender and the directory."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from bot.app import Application, Request, Sender
from bot.app.failures import failed
from bot.config import Settings
from bot.reply import Person, Reply
from bot.slack.directory import SlackDirectory
from bot.slack.platform import MAX_TEXT, SLACK

logger = logging.getLogger(__name__)


@dataclass
class Deps:
    settings: Settings
    app: Application
    sender: Sender
    directory: SlackDirectory

    def person(self, user_id: str | None, name: str | None = None) -> Person:
        """The asker, named from memory: the display name once looked up, until then
        the username Slack sent with the request (if any)."""
        return Person(user_id, self.directory.name(user_id) or name, SLACK.name)

    def request(
        self,
        *,
        user_id: str | None,
        conversation: str | None,
        text: str = "",
        user_name: str | None = None,
        **options: Any,
    ) -> Request:
        return Request(
            SLACK,
            text=text[:MAX_TEXT],
            user=self.person(user_id, user_name),
            conversation=conversation,
            **options,
        )

    def failed(self, what: str) -> Reply:
        """Log the failure being handled, safely, and the apology for the asker."""
        return failed(logger, what)
