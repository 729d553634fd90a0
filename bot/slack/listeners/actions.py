"""Buttons on an answer: share it, post the board report. (Buttons that open a form are
in :mod:`bot.slack.listeners.forms`.)"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.app import Outcome, Request, Via
from bot.slack.blocks import ACTION_IDS, message
from bot.slack.deps import Deps
from bot.slack.listeners.forms import channel_of, payload


def register(app: App, deps: Deps) -> None:
    def request_for(body: dict[str, Any], conversation: str | None, via: Via) -> Request:
        action = (body.get("actions") or [{}])[0]
        return deps.request(
            user_id=(body.get("user") or {}).get("id"),
            conversation=conversation,
            delivery_id=f"{via}:{action.get('action_ts') or body.get('trigger_id')}",
            via=via,
        )

    def settle(outcome: Outcome, respond: Respond) -> None:
        if outcome.reply.ok:
            deps.sender.wake()
            respond(delete_original=True)
        else:
            respond(response_type="ephemeral", replace_original=False, **message(outcome.reply))

    # Sharing and posting run after the acknowledgement (lazily): they are a button
    # press, so a lost one leaves the button in place to press again.
    def share(body: dict[str, Any], respond: Respond) -> None:
        try:
            given = payload(body)
            request = request_for(body, channel_of(body), Via.SHARE)
            outcome = deps.app.share(request, given.get("command", ""), given.get("args", ""))
        except Exception:
            respond(
                response_type="ephemeral", replace_original=False, **message(deps.failed("share"))
            )
            return
        settle(outcome, respond)

    def post_report(body: dict[str, Any], respond: Respond) -> None:
        user = (body.get("user") or {}).get("id")
        # From the Home tab there is no channel: post in YOS_CHANNEL, else to the person.
        conversation = channel_of(body) or deps.settings.channel or user
        try:
            request = request_for(body, conversation, Via.REPORT)
            outcome = deps.app.post_report(request, payload(body).get("ref") or None)
        except Exception:
            outcome = Outcome(deps.failed("posting the report"), False)
        if body.get("container", {}).get("type") == "view":
            if not outcome.reply.ok and user:
                deps.directory.client.chat_postMessage(channel=user, **message(outcome.reply))
            deps.sender.wake()
            return
        settle(outcome, respond)

    def ack_at_once(ack: Ack) -> None:
        ack()

    app.action(ACTION_IDS["share"])(ack=ack_at_once, lazy=[share])
    app.action(ACTION_IDS["post_report"])(ack=ack_at_once, lazy=[post_report])
