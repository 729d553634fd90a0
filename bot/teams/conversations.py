"""Where Teams conversations live, so the bot can write to them unprompted.

Teams routes a bot's messages through the service URL of the region that hosts the
conversation, and tells the bot that URL only in what it sends. Each conversation's
reference (service URL, ID, kind, team and tenant) is saved in the store's
``conversations`` table whenever the bot hears from it: when it is added to a team or
chat (conversationUpdate), installed (installationUpdate) and with every message. The
outbox's Teams transport and the reminder schedule look references up there.

The table has no column for a person, so a personal chat's row keeps the Azure AD
object ID of the person it is with in ``name`` (for channels and group chats ``name``
is the channel's or team's name, when Teams gives it). That is how a private reply
finds someone's personal chat.

Channel conversation IDs name a thread as ``<channel>;messageid=<root message ID>``;
references are saved under the channel's own ID.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

from bot.app import StorePool
from bot.app.conversations import SavedConversations
from bot.teams.platform import PERSONAL, TEAMS

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
class Reference:
    conversation_id: str  # without any thread part
    service_url: str
    kind: str  # personal, channel or groupChat
    team_id: str | None = None
    tenant_id: str | None = None
    name: str | None = None  # a personal chat: the person's Azure AD object ID

    @property
    def personal(self) -> bool:
        return self.kind == PERSONAL


class Conversations:
    """The saved references, read through a small in-process cache: a reference is
    written only when it is new or has changed, so a message costs no write."""

    def __init__(self, store: StorePool) -> None:
        self.saved = SavedConversations(store, TEAMS.name)
        self._known: dict[str, Reference] = {}
        self._lock = threading.Lock()

    def known(self, reference: Reference) -> bool:
        """Whether saving ``reference`` would change nothing (answered from memory, so
        the server's event loop may ask)."""
        reference = replace(reference, conversation_id=channel_of(reference.conversation_id))
        with self._lock:
            earlier = self._known.get(reference.conversation_id)
        return earlier is not None and _merged(reference, earlier) == earlier

    def save(self, reference: Reference) -> bool:
        """Remember ``reference``; True when it was new to the store or has changed."""
        reference = replace(reference, conversation_id=channel_of(reference.conversation_id))
        if self.known(reference):
            return False
        earlier = self.find(reference.conversation_id)
        reference = _merged(reference, earlier)
        changed = earlier != reference
        if changed:
            self.saved.save(
                conversation_id=reference.conversation_id,
                service_url=reference.service_url,
                kind=reference.kind,
                team_id=reference.team_id,
                tenant_id=reference.tenant_id,
                name=reference.name,
            )
        with self._lock:
            self._known[reference.conversation_id] = reference
        return changed

    def forget(self, conversation_id: str) -> None:
        """The bot was removed from the conversation (or uninstalled)."""
        channel = channel_of(conversation_id)
        self.saved.forget(channel)
        with self._lock:
            self._known.pop(channel, None)

    def find(self, conversation_id: str) -> Reference | None:
        channel = channel_of(conversation_id)
        with self._lock:
            known = self._known.get(channel)
        if known is not None:
            return known
        row = self.saved.find(channel)
        return Reference(*row) if row else None

    def personal_chat(self, user_id: str) -> Reference | None:
        """The personal chat the bot has with someone (by Azure AD object ID), if any."""
        row = self.saved.latest_named(PERSONAL, user_id.lower())
        return Reference(*row) if row else None

    def service_url(self, conversation_id: str) -> str | None:
        """Where to send to ``conversation_id``: its own reference's service URL, else the
        one service URL of every saved reference when they all agree (a channel of a
        team the bot was added to, before anyone has written in it)."""
        found = self.find(conversation_id)
        if found is not None:
            return found.service_url
        urls = self.saved.service_urls(limit=2)
        return urls[0] if len(urls) == 1 else None


def _merged(reference: Reference, earlier: Reference | None) -> Reference:
    """``reference`` with what only ``earlier`` knew: most activities carry no names."""
    if earlier is None:
        return reference
    return replace(
        reference,
        name=reference.name if reference.name is not None else earlier.name,
        team_id=reference.team_id if reference.team_id is not None else earlier.team_id,
    )


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


@dataclass(frozen=True)
class Known:
    """A conversation the bot can post in, as ``yos-bot teams-channels`` lists it."""

    conversation_id: str
    kind: str
    name: str | None
    saved_at: str


def known_conversations(
    rows: list[tuple[str, str, str | None, str]],
) -> tuple[list[Known], int]:
    """The team channels and group chats the bot knows, newest first, and how many
    personal chats it has (listed by count only: each names a person)."""
    shared = [Known(str(r[0]), str(r[1]), r[2], str(r[3])) for r in rows if r[1] != PERSONAL]
    return shared, sum(1 for r in rows if r[1] == PERSONAL)
