"""The /yos slash command."""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.app import Request
from bot.commands import Permission
from bot.reply import Reply
from bot.slack.blocks import message
from bot.slack.deps import Deps
from bot.slack.listeners.views import open_audit_form

FORM_WORDS = {"audit", "audit form", "record", "record audit"}


class RenderedReplies:
    """The Block Kit of the last few replies, by the reply they were made from.

    An answer from the cache is the same ``Reply`` object each time it is asked for, so
    it is rendered once, not on every request. An entry is used only while its reply
    is alive and is that very object (a weak reference), never for a reply that merely
    has the same id."""

    def __init__(self, size: int = 128) -> None:
        self.size = size
        self._items: OrderedDict[int, tuple[weakref.ref[Reply], dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def message(self, reply: Reply) -> dict[str, Any]:
        with self._lock:
            found = self._items.get(id(reply))
        if found is not None and found[0]() is reply:
            return found[1]
        rendered = message(reply, interactive=True)
        with self._lock:
            self._items[id(reply)] = (weakref.ref(reply), rendered)
            self._items.move_to_end(id(reply))
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return rendered


def _asks_for_form(command: dict[str, Any]) -> bool:
    return str(command.get("text") or "").strip().lower() in FORM_WORDS


def register(app: App, deps: Deps) -> None:
    rendered = RenderedReplies()

    def request_for(command: dict[str, Any]) -> Request:
        return deps.request(
            text=str(command.get("text") or "").strip(),
            user_id=command.get("user_id"),
            user_name=command.get("user_name"),
            conversation=command.get("channel_id"),
            delivery_id=f"command:{command.get('trigger_id')}",
            via="command",
        )

    # `/yos audit` on its own opens the form. Slack is answered first, at once (a refusal
    # is the answer itself); the form is opened after, lazily, while the trigger is
    # fresh, so a slow Web API never holds the acknowledgement.
    def ack_form(ack: Ack, command: dict[str, Any]) -> None:
        try:
            request = request_for(command)
            if not deps.app.may(request, Permission.RECORD):
                refusal = deps.app.context(request).refused(
                    "Recording audit updates is for auditors."
                )
                ack(response_type="ephemeral", **message(refusal))
                return
        except Exception:
            ack(response_type="ephemeral", **message(deps.failed("/yos")))
            return
        ack()

    def open_form(command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        try:
            request = request_for(command)
            if deps.app.may(request, Permission.RECORD):
                open_audit_form(deps, client, command["trigger_id"], request)
        except Exception:
            respond(response_type="ephemeral", **message(deps.failed("opening the audit form")))

    app.command("/yos", matchers=[_asks_for_form])(ack=ack_form, lazy=[open_form])

    @app.command("/yos")
    def yos(ack: Ack, command: dict[str, Any]) -> None:
        # Queries take milliseconds, so the answer goes back inside the acknowledgement;
        # whatever else must be sent is in the outbox by the time Slack hears back.
        try:
            outcome = deps.app.handle(request_for(command))
            ack(response_type="ephemeral", **rendered.message(outcome.reply))
            if outcome.queued:
                deps.sender.wake()
        except Exception:
            ack(response_type="ephemeral", **message(deps.failed("/yos")))
