"""The conversations a platform told the bot about, kept so it can write to them
unprompted (reminders, reports, a private reply). What a reference holds is the
platform's business; keeping it, in a transaction of its own, and finding one again are
the application's.

A reference is saved whenever the bot hears from its conversation, so it is written
only when it is new or has changed: a small in-process cache answers the rest, and a
message costs no write. Most deliveries carry no names, so a reference saved again keeps
the names an earlier one had (:func:`merged`).

The store has no column for a person, so a personal chat's reference keeps, in
``name``, the ID of the person it is with (for other conversations ``name`` is the
conversation's, when the platform gives it). That is how a private reply finds
someone's personal chat (:meth:`SavedConversations.personal_chat`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.store import StorePool, write_transaction
from bot.store import conversations as saved

# The kind of a one-to-one chat between a person and the bot (a platform's other kinds
# are its own: Teams' "channel" and "groupChat").
PERSONAL = "personal"


@dataclass(frozen=True)
class Reference:
    conversation_id: str  # the conversation's own ID, without any thread part
    service_url: str
    kind: str  # PERSONAL, or the platform's own kind of conversation
    team_id: str | None = None
    tenant_id: str | None = None
    name: str | None = None  # a personal chat: the ID of the person it is with

    @property
    def personal(self) -> bool:
        return self.kind == PERSONAL


def merged(reference: Reference, earlier: Reference | None) -> Reference:
    """``reference`` with what only ``earlier`` knew: most activities carry no names."""
    if earlier is None:
        return reference
    return replace(
        reference,
        name=reference.name if reference.name is not None else earlier.name,
        team_id=reference.team_id if reference.team_id is not None else earlier.team_id,
    )


def _itself(conversation_id: str) -> str:
    return conversation_id


class SavedConversations:
    """One platform's saved conversation references, read through a small in-process
    cache. ``own_id`` turns an ID that names a part of a conversation (a thread) into
    the conversation's own, under which its reference is saved."""

    def __init__(
        self, store: StorePool, platform: str, *, own_id: Callable[[str], str] = _itself
    ) -> None:
        self.store = store
        self.platform = platform
        self.own_id = own_id
        self._known: dict[str, Reference] = {}
        self._lock = threading.Lock()

    def known(self, reference: Reference) -> bool:
        """Whether saving ``reference`` would change nothing (answered from memory, so
        a server's event loop may ask)."""
        reference = replace(reference, conversation_id=self.own_id(reference.conversation_id))
        with self._lock:
            earlier = self._known.get(reference.conversation_id)
        return earlier is not None and merged(reference, earlier) == earlier

    def save(self, reference: Reference) -> bool:
        """Remember ``reference``; True when it was new to the store or has changed."""
        reference = replace(reference, conversation_id=self.own_id(reference.conversation_id))
        if self.known(reference):
            return False
        earlier = self.find(reference.conversation_id)
        reference = merged(reference, earlier)
        changed = earlier != reference
        if changed:
            with write_transaction(self.store.db) as db:
                saved.save(
                    db,
                    self.platform,
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
        own = self.own_id(conversation_id)
        with write_transaction(self.store.db) as db:
            saved.forget(db, self.platform, own)
        with self._lock:
            self._known.pop(own, None)

    def find(self, conversation_id: str) -> Reference | None:
        own = self.own_id(conversation_id)
        with self._lock:
            known = self._known.get(own)
        if known is not None:
            return known
        row = saved.find(self.store.db, self.platform, own)
        return Reference(*row) if row else None

    def personal_chat(self, user_id: str) -> Reference | None:
        """The personal chat the bot has with someone (by their ID), if any."""
        row = saved.latest_named(self.store.db, self.platform, PERSONAL, user_id.lower())
        return Reference(*row) if row else None

    def service_url(self, conversation_id: str) -> str | None:
        """Where to send to ``conversation_id``: its own reference's service URL, else the
        one service URL of every saved reference when they all agree (a channel of a
        team the bot was added to, before anyone has written in it)."""
        found = self.find(conversation_id)
        if found is not None:
            return found.service_url
        urls = saved.service_urls(self.store.db, self.platform, limit=2)
        return urls[0] if len(urls) == 1 else None


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
    """The shared conversations (channels, group chats) among saved ``rows``, newest
    first, and how many personal chats there are (counted only: each names a person)."""
    shared = [Known(str(r[0]), str(r[1]), r[2], str(r[3])) for r in rows if r[1] != PERSONAL]
    return shared, sum(1 for r in rows if r[1] == PERSONAL)
