"""Where Teams conversations live, so the bot can write to them unprompted; and who
the people the bot has heard from are, in Teams' terms.

Teams routes a bot's messages through the service URL of the region that hosts the
conversation, and tells the bot that URL only in what it sends. Each conversation's
reference (service URL, ID, kind, team and tenant) is saved whenever the bot hears from
it: when it is added to a team or chat (conversationUpdate), installed
(installationUpdate) and with every message (:class:`bot.app.conversations.
SavedConversations`, which a personal chat's reference names by the Azure AD object ID
of the person it is with). The outbox's Teams transport and the reminder schedule look
references up there.

Channel conversation IDs name a thread as ``<channel>;messageid=<root message ID>``;
references are saved under the channel's own ID (:func:`channel_of`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

THREAD_MARK = ";messageid="


def channel_of(conversation_id: str) -> str:
    """The conversation without the thread part: ``19:x@thread.tacv2;messageid=1`` → ``19:x…``."""
    return conversation_id.split(";", 1)[0]


def thread_of(conversation_id: str) -> str | None:
    """The thread's root message ID in a threaded conversation ID, if any."""
    _, mark, rest = conversation_id.partition(THREAD_MARK)
    return rest.split(";", 1)[0] or None if mark else None


def threaded(conversation_id: str, root: str | None) -> str:
    """The ID to post into a thread of a channel (the conversation's own when no root)."""
    channel = channel_of(conversation_id)
    return f"{channel}{THREAD_MARK}{root}" if root else channel


@dataclass(frozen=True)
class Member:
    """Someone the bot has heard from: their Teams account ID and display name."""

    account_id: str
    name: str | None


class People:
    """Teams account IDs and names by Azure AD object ID, from what people sent this
    process: enough to @mention someone in a thread. Nothing here is a secret, and a
    restart only means a private reply goes without the mention."""

    def __init__(self, limit: int = 10_000) -> None:
        self._members: dict[str, Member] = {}
        self._lock = threading.Lock()
        self.limit = limit

    def remember(self, user_id: str, member: Member) -> None:
        with self._lock:
            if len(self._members) >= self.limit and user_id not in self._members:
                self._members.pop(next(iter(self._members)))
            self._members[user_id.lower()] = member

    def get(self, user_id: str) -> Member | None:
        with self._lock:
            return self._members.get(user_id.lower())

    def object_id(self, account_id: str) -> str | None:
        """The Azure AD object ID of the Teams account ``account_id``, if it is known."""
        with self._lock:
            found = (k for k, m in self._members.items() if m.account_id == account_id)
            return next(found, None)
