"""Sending outbox items to Teams through the Bot Connector.

The :class:`~bot.app.Sender` runs on its own thread; the SDK's HTTP client belongs to
the server's event loop. :meth:`TeamsTransport.deliver` therefore does the blocking
parts (looking up where a conversation lives, rendering the card, drawing nothing:
the chart comes drawn) on the sender's thread and hands only the send itself to the
server's loop (``asyncio.run_coroutine_threadsafe``), waiting for it with a deadline.

Where each kind of item goes:

* ``MESSAGE``: the conversation, in the thread when the address names one (a channel
  conversation ID with ``;messageid=<root>``), else as a new post.
* ``PRIVATE``: Teams has no message only one person in a channel can see. A private
  reply goes to the person's personal chat with the bot when there is one (it is
  already that chat when they asked there); otherwise it is posted in the thread it
  answers, addressed to them with an @mention. The exception is the confirmation of a
  write (``ok`` and ``private``: "Recorded audit update #3…"), which is dropped rather
  than posted in the thread, where the write's announcement already is.
* ``CHART``: the chart as an Adaptive Card whose image the bot serves itself (or, without
  TEAMS_PUBLIC_URL, inline; :mod:`bot.teams.chart`), where a message to the same address
  would go.

A request that has just queued its answer sends it itself, on the server's loop
(:meth:`TeamsTransport.prepare` in its worker thread, then :meth:`TeamsTransport.send`),
with no hand-off to another thread. Every send goes through one API client per service
URL, made once (the SDK's ``App.send`` would make a new one for every message to a
service URL other than its default).

The SDK neither retries nor times out on its own. As Microsoft's guidance for bots
asks, 412, 429, 502, 503 and 504 (and 408, any other 5xx, a network failure or no
token to be had) become a :class:`~bot.app.TransientError`, carrying Retry-After when
Teams gives one; any other refusal (400, 401, 403, 404…) is a
:class:`~bot.app.PermanentError`. The sender tries a transient failure again after
the delay of a :class:`~bot.app.retry.RetryPolicy` with ``jitter``: exponential
back-off with full jitter, and never sooner than Retry-After; after the last attempt
the asker is told.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

import httpx

from bot.app import Address, Delivery, OutboxKind, PermanentError, TransientError
from bot.app.chart_links import ChartStore
from bot.app.conversations import Reference, SavedConversations
from bot.app.retry import retry_after_seconds, transient
from bot.render.recent import RecentRenderings
from bot.reply import ActionKind, Reply
from bot.teams.cards import escape, message_activity
from bot.teams.chart import chart_activity
from bot.teams.conversations import People, channel_of, threaded
from bot.teams.sdk import (
    Account,
    ApiClient,
    App,
    ConversationAccount,
    MessageActivityInput,
)
from bot.teams.token import TokenUnavailable

logger = logging.getLogger(__name__)

# The SDK's own HTTP timeout is set on the App (ClientOptions); this bounds the whole
# send, including getting a token, so the sender's thread is never stuck.
SEND_DEADLINE_SECONDS = 45.0
# What Microsoft's rate-limit guidance for bots retries; other 4xx are final.
RETRIED_STATUSES = frozenset({408, 412, 429, 502, 503, 504})
# Teams has a handful of regional service URLs; a bound keeps the clients few regardless.
MAX_API_CLIENTS = 32
# Answers repeat (the application keeps a reply until the data changes), and a card takes
# longer to render than to look up: the last few are kept, by the reply they show.
RENDERED_CARDS = 128


@dataclass(frozen=True)
class Target:
    """Where one activity goes: the conversation ID to post to and its service URL."""

    conversation_id: str
    service_url: str
    reference: Reference | None
    mention: tuple[str, str] | None = None  # (account ID, name) to address in a thread


@dataclass(frozen=True)
class Ready:
    """One delivery made ready to send: where it goes and the activity itself."""

    target: Target
    activity: MessageActivityInput


class TeamsTransport:
    def __init__(
        self,
        app: App,
        conversations: SavedConversations,
        people: People,
        *,
        share_channel: str | None = None,
        deadline: float = SEND_DEADLINE_SECONDS,
        charts: ChartStore | None = None,
    ) -> None:
        self.app = app
        self.conversations = conversations
        self.people = people
        self.share_channel = share_channel
        self.deadline = deadline
        self.charts = charts
        self._loop: asyncio.AbstractEventLoop | None = None
        self._apis: OrderedDict[str, ApiClient] = OrderedDict()
        self._cards = RecentRenderings(message_activity, RENDERED_CARDS)

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Send through ``loop`` (the server's), where the SDK's client lives."""
        self._loop = loop

    # --- the Sender's side ---------------------------------------------------------------

    def deliver(self, delivery: Delivery) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            raise TransientError("the Teams server is not running")
        ready = self.prepare(delivery)
        if ready is None:
            return
        future = asyncio.run_coroutine_threadsafe(self._send(ready), loop)
        try:
            future.result(timeout=self.deadline)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TransientError(f"Teams did not answer within {self.deadline:.0f}s") from None
        except concurrent.futures.CancelledError:
            raise TransientError("the Teams server is shutting down") from None

    def prepare(self, delivery: Delivery) -> Ready | None:
        """Where ``delivery`` goes and the activity to post there (blocking: it may read
        the store); None when there is nothing to post."""
        target = self._target(delivery)
        if target is None:
            return None
        activity = MessageActivityInput.model_validate(self._activity(delivery, target))
        return Ready(target, activity)

    async def send(self, ready: Ready) -> None:
        """Post a prepared delivery, on the server's loop, within the deadline."""
        try:
            async with asyncio.timeout(self.deadline):
                await self._send(ready)
        except TimeoutError:
            raise TransientError(f"Teams did not answer within {self.deadline:.0f}s") from None

    def _target(self, delivery: Delivery) -> Target | None:
        address = delivery.address
        private = delivery.kind == OutboxKind.PRIVATE or (
            delivery.kind == OutboxKind.CHART and not address.conversation
        )
        if private and address.user:
            here = self.conversations.find(address.conversation) if address.conversation else None
            if here is not None and here.personal:
                return self._in(here.conversation_id, None, address, here)
            chat = self.conversations.personal_chat(address.user)
            if chat is not None:
                return Target(chat.conversation_id, chat.service_url, chat)
            if not address.conversation:
                raise PermanentError(
                    "that person has no personal chat with the bot (they can open one by "
                    "messaging the bot)"
                )
            reply = delivery.reply
            if reply is not None and reply.ok and reply.private:
                # The confirmation of a write (an audit update, a close): its
                # announcement is already in this thread for everyone, the asker too.
                return None
            member = self.people.get(address.user)
            target = self._in(address.conversation, address.thread, address)
            return replace(
                target, mention=(member.account_id, member.name or "you") if member else None
            )
        if not address.conversation:
            raise PermanentError("the outbox item has no conversation to go to")
        return self._in(address.conversation, address.thread, address)

    def _in(
        self,
        conversation: str,
        thread: str | None,
        address: Address,
        reference: Reference | None = None,
    ) -> Target:
        reference = reference or self.conversations.find(conversation)
        service_url = address.service_url or (
            reference.service_url if reference else self.conversations.service_url(conversation)
        )
        if not service_url:
            raise PermanentError(
                f"the bot has no saved reference for conversation {channel_of(conversation)}: "
                "add the bot to it (or mention it there once)"
            )
        return Target(threaded(conversation, thread), service_url, reference)

    def _activity(self, delivery: Delivery, target: Target) -> dict[str, Any]:
        if delivery.kind == OutboxKind.CHART:
            if delivery.png is None:
                raise PermanentError("the chart had no picture")
            url = self.charts.publish(delivery.png) if self.charts is not None else None
            return chart_activity(delivery.png, delivery.title, delivery.comment, image_url=url)
        if delivery.reply is None:
            raise PermanentError("the outbox item had nothing to say")
        reply = self._for(target, delivery.reply)
        activity = dict(self._cards(reply))  # a copy: the one kept is never changed
        if target.mention is None:
            return activity
        account_id, name = target.mention
        tag = f"<at>{escape(name)}</at>"
        activity["text"] = f"{tag} {activity.get('text', '')}".strip()
        activity["entities"] = [
            {"type": "mention", "text": tag, "mentioned": {"id": account_id, "name": name}}
        ]
        return activity

    def _for(self, target: Target, reply: Reply) -> Reply:
        """The reply with only the buttons that make sense where it lands: "Share in
        channel" only in a personal chat, and only when there is a channel to share to
        (in a channel or group chat the answer is already there for everyone)."""
        in_personal_chat = target.reference is not None and target.reference.personal
        keep_share = in_personal_chat and self.share_channel is not None
        actions = tuple(a for a in reply.actions if a.kind is not ActionKind.SHARE or keep_share)
        return reply if actions == reply.actions else replace(reply, actions=actions)

    # --- the server loop's side --------------------------------------------------------

    def _api(self, service_url: str) -> ApiClient:
        """The SDK's API client for ``service_url`` (made from the app's the first time:
        it shares the app's HTTP connections and asks the bot's token for each call)."""
        key = service_url.rstrip("/")
        api = self._apis.get(key)
        if api is None:
            api = self.app.api.clone(service_url=key)
            self._apis[key] = api
            while len(self._apis) > MAX_API_CLIENTS:
                self._apis.popitem(last=False)
        return api

    async def _send(self, ready: Ready) -> None:
        target, activity = ready.target, ready.activity
        if self.app.id is None:
            raise PermanentError("the Teams app has no credentials")
        # What the SDK's App.send does, through a client kept for the service URL.
        activity.from_ = Account(id=self.app.id)
        activity.conversation = ConversationAccount(id=target.conversation_id)
        try:
            api = self._api(target.service_url)
            await api.conversations.create_activity(target.conversation_id, activity)
        except httpx.HTTPStatusError as error:
            raise _classified(error.response) from None
        except TokenUnavailable as error:
            raise TransientError(str(error)) from None
        except httpx.TransportError as error:  # connection refused, timeout, DNS, TLS
            raise TransientError(
                f"could not reach Teams at {target.service_url}: {type(error).__name__}"
            ) from None


def _classified(response: httpx.Response) -> Exception:
    status = response.status_code
    code = _error_code(response)
    retry_after = retry_after_seconds(response.headers.get("Retry-After"))
    if transient(status, RETRIED_STATUSES):
        what = {429: "rate limit", 412: "precondition failed", 408: "timed out"}.get(
            status, "server error"
        )
        return TransientError(f"Teams {what} ({status} {code})", retry_after=retry_after)
    return PermanentError(f"Teams refused it ({status} {code})")


def _error_code(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return "no details"
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and error.get("code"):
        return str(error["code"])[:80]
    if isinstance(body, dict) and body.get("message"):
        return str(body["message"])[:80]
    return "no details"
