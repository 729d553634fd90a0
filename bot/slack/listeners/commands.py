"""The /yos slash command."""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.app import Request, Via
from bot.forms import FormKind
from bot.reply import Reply
from bot.slack.blocks import message
from bot.slack.deps import Deps
from bot.slack.listeners.forms import open_form
from bot.slack.mentions import neutral


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


def register(app: App, deps: Deps) -> None:
    rendered = RenderedReplies()

    def request_for(command: dict[str, Any]) -> Request:
        text, mentions = neutral(str(command.get("text") or ""), deps.person)
        return deps.request(
            text=text.strip(),
            user_id=command.get("user_id"),
            user_name=command.get("user_name"),
            conversation=command.get("channel_id"),
            delivery_id=f"command:{command.get('trigger_id')}",
            via=Via.COMMAND,
            mentions=mentions,
        )

    def form_asked_for(command: dict[str, Any]) -> FormKind | None:
        return deps.app.form_asked_for(str(command.get("text") or ""))

    # `/yos audit` on its own opens the form. Slack is answered first, at once (a refusal
    # is the answer itself); the form is opened after, lazily, while the trigger is
    # fresh, so a slow Web API never holds the acknowledgement.
    def ack_form(ack: Ack, command: dict[str, Any]) -> None:
        try:
            kind = form_asked_for(command)
            refusal = deps.app.form_refusal(request_for(command), kind) if kind else None
        except Exception:
            ack(response_type="ephemeral", **message(deps.failed("/yos")))
            return
        if refusal is not None:
            ack(response_type="ephemeral", **message(refusal))
        else:
            ack()

    def opened(command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        def tell(reply: Reply) -> None:
            respond(response_type="ephemeral", **message(reply))

        try:
            kind = form_asked_for(command)
            request = request_for(command)
            if kind is not None and deps.app.form_refusal(request, kind) is None:
                open_form(
                    deps,
                    client,
                    command["trigger_id"],
                    request,
                    kind,
                    tell,
                )
        except Exception:
            respond(response_type="ephemeral", **message(deps.failed("opening the form")))

    # Questions first: Bolt matches listeners in turn, building each one's arguments
    # afresh, so the one every question reaches is matched first, and the forms' after it
    # needs no matcher of its own (every /yos that is not a question asks for a form).
    @app.command("/yos", matchers=[lambda command: form_asked_for(command) is None])
    def yos(ack: Ack, command: dict[str, Any]) -> None:
        # Queries take milliseconds, so the answer goes back inside the acknowledgement;
        # whatever else must be sent is in the outbox by the time Slack hears back, queued
        # claimed by this worker's sender and handed to it, so no second transaction
        # claims it before it is sent.
        claimed = []
        try:
            with deps.sender.claiming() as claimed:
                outcome = deps.app.handle(request_for(command))
            ack(response_type="ephemeral", **rendered.message(outcome.reply))
        except Exception:
            ack(response_type="ephemeral", **message(deps.failed("/yos")))
            outcome = None
        if claimed or (outcome is not None and outcome.queued):
            deps.sender.hand_over(claimed)

    app.command("/yos")(ack=ack_form, lazy=[opened])
