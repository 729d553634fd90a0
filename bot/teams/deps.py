"""What the Teams handlers share: the application, the outbox sender and the
conversation references, and how an activity becomes a :class:`~bot.app.Request`."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from bot.app import Application, Request, Sender
from bot.app.conversations import Reference, SavedConversations
from bot.app.failures import failed
from bot.app.schedule import Reminders
from bot.app.welcome import Place
from bot.config import Settings
from bot.reply import Person, Reply
from bot.teams.conversations import Member, People, channel_of, thread_of
from bot.teams.platform import CHANNEL, MAX_TEXT, PERSONAL, TEAMS
from bot.teams.sdk import ActivityBase
from bot.teams.transport import TeamsTransport

logger = logging.getLogger(__name__)

# A team's first channel, whose ID is the team's, when Teams sends no name for it.
GENERAL = "General"


@dataclass
class Deps:
    settings: Settings
    app: Application
    sender: Sender
    transport: TeamsTransport
    conversations: SavedConversations
    people: People
    reminders: Reminders
    # Held while an install is handled, so the two activities Teams sends for one
    # install (conversationUpdate and installationUpdate) make one welcome.
    installing: threading.Lock = field(default_factory=threading.Lock)

    # --- who and where --------------------------------------------------------------

    @staticmethod
    def person(activity: ActivityBase) -> Person:
        """The sender: their Azure AD object ID (how YOS_AUDITORS names Teams users), in
        lower case, with the display name Teams sent. Never the Teams account ID
        (``from.id``): on a registration with other channels the client chooses it, and
        the ingress refuses any activity whose sender has no object ID."""
        sender = activity.from_
        user_id = (sender.aad_object_id or "").lower() or None
        return Person(user_id, sender.name or None, TEAMS.name)

    def request(self, activity: ActivityBase, *, text: str = "", **options: Any) -> Request:
        """A request from ``activity``, keyed by its conversation and ID so a redelivery
        of the same activity is recognised; ``options`` add to or override."""
        conversation = activity.conversation
        fields: dict[str, Any] = {
            "text": text[:MAX_TEXT],
            "user": self.person(activity),
            "conversation": channel_of(conversation.id),
            "thread": self.thread(activity, own_root=False),
            "message_ref": activity.id,
            "delivery_id": f"{conversation.id}|{activity.id}",
            "service_url": activity.service_url,
        }
        fields.update(options)
        return Request(TEAMS, **fields)

    @staticmethod
    def kind(activity: ActivityBase) -> str:
        return activity.conversation.conversation_type or PERSONAL

    def thread(self, activity: ActivityBase, *, own_root: bool) -> str | None:
        """The root of the channel thread the activity belongs to: named in the
        conversation ID (``;messageid=``), else the message it replies to, else, for a
        message (``own_root``; not an invoke), the message itself, which starts one."""
        if self.kind(activity) != CHANNEL:
            return None
        found = thread_of(activity.conversation.id) or activity.reply_to_id
        return found or (activity.id if own_root else None)

    def post_to(self, activity: ActivityBase) -> tuple[str, str | None]:
        """Where something posted "for everyone" goes: this channel thread or group chat;
        from a personal chat, YOS_TEAMS_CHANNEL when it is set, else the chat itself."""
        if self.kind(activity) == PERSONAL and self.settings.teams_channel:
            return self.settings.teams_channel, None
        return channel_of(activity.conversation.id), self.thread(activity, own_root=False)

    # --- remembering ----------------------------------------------------------------

    def reference(self, activity: ActivityBase) -> Reference | None:
        """The activity's conversation reference; who sent it is remembered on the way
        (in memory: the event loop may call this)."""
        sender = activity.from_
        if sender.aad_object_id and sender.id:
            self.people.remember(sender.aad_object_id, Member(sender.id, sender.name))
        if not (activity.service_url and activity.conversation and activity.conversation.id):
            return None
        kind = self.kind(activity)
        data = activity.channel_data
        team = data.team if data is not None else None
        tenant = activity.conversation.tenant_id or (
            data.tenant.id if data is not None and data.tenant is not None else None
        )
        if kind == PERSONAL:
            name = (sender.aad_object_id or "").lower() or None
        else:
            place = self.place(activity)
            names = [n for n in (place.team_name, place.channel_name) if n]
            name = " / ".join(names) or None
        return Reference(
            conversation_id=channel_of(activity.conversation.id),
            service_url=activity.service_url,
            kind=kind,
            team_id=team.id if team is not None else None,
            tenant_id=tenant,
            name=name,
        )

    def save(self, reference: Reference) -> bool:
        """Save a conversation reference; True when it was new or changed (blocking: it
        may write to the store). The reminder channel's first reference (or a new one)
        sends whatever reminders fell due while the bot could not reach it."""
        changed = self.conversations.save(reference)
        if changed and reference.conversation_id == self.settings.teams_channel:
            self.reminders.check_now()
        return changed

    def place(self, activity: ActivityBase) -> Place:
        """Where ``activity`` happened, with the team's and channel's names when Teams
        sent them (a team's first channel, whose ID is the team's, is "General")."""
        kind = self.kind(activity)
        conversation = channel_of(activity.conversation.id)
        data = activity.channel_data
        team = data.team if data is not None else None
        channel = data.channel if data is not None else None
        channel_name = channel.name if channel is not None and channel.name else None
        if kind == CHANNEL and channel_name is None and team is not None:
            channel_name = GENERAL if team.id == conversation else None
        return Place(
            conversation_id=conversation,
            kind=kind,
            team_name=team.name if team is not None and team.name else None,
            channel_name=channel_name,
        )

    # --- failures -------------------------------------------------------------------

    def failed(self, what: str) -> Reply:
        """Log the failure being handled, safely, and the apology for the asker."""
        return failed(logger, what)
