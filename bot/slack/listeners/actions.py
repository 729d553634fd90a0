"""Buttons: share an answer, post the board report, open the audit form."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.app import Outcome
from bot.commands import Permission
from bot.slack.blocks import ACTION_IDS, message
from bot.slack.deps import Deps
from bot.slack.listeners.views import open_audit_form


def _payload(body: dict[str, Any]) -> dict[str, str]:
    try:
        value = json.loads(body["actions"][0].get("value") or "{}")
    except (ValueError, KeyError, IndexError, TypeError):
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _channel(body: dict[str, Any]) -> str | None:
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    return str(channel) if channel else None


def register(app: App, deps: Deps) -> None:
    def request_for(body: dict[str, Any], conversation: str | None, kind: str) -> Any:
        action = (body.get("actions") or [{}])[0]
        return deps.request(
            user_id=(body.get("user") or {}).get("id"),
            conversation=conversation,
            delivery_id=f"{kind}:{action.get('action_ts') or body.get('trigger_id')}",
            via=kind,
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
            payload = _payload(body)
            request = request_for(body, _channel(body), "share")
            outcome = deps.app.share(request, payload.get("command", ""), payload.get("args", ""))
        except Exception:
            respond(
                response_type="ephemeral", replace_original=False, **message(deps.failed("share"))
            )
            return
        settle(outcome, respond)

    def post_report(body: dict[str, Any], respond: Respond) -> None:
        user = (body.get("user") or {}).get("id")
        # From the Home tab there is no channel: post in YOS_CHANNEL, else to the person.
        conversation = _channel(body) or deps.settings.channel or user
        try:
            request = request_for(body, conversation, "report")
            outcome = deps.app.post_report(request, _payload(body).get("ref") or None)
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

    # The button is acknowledged at once; the form (or the refusal) follows, lazily, so a
    # slow Web API never holds the acknowledgement.
    def open_form(body: dict[str, Any], client: WebClient) -> None:
        user = (body.get("user") or {}).get("id")
        # From the Home tab there is no channel: announce in YOS_CHANNEL, else to the person.
        conversation = _channel(body) or deps.settings.channel or user
        try:
            request = request_for(body, conversation, "form")
            if not deps.app.may(request, Permission.RECORD):
                refusal = deps.app.context(request).refused(
                    "Recording audit updates is for auditors."
                )
                if user:
                    client.chat_postMessage(channel=user, **message(refusal))
                return
            open_audit_form(deps, client, body["trigger_id"], request)
        except Exception:
            deps.failed("opening the audit form")

    app.action(ACTION_IDS["audit_form"])(ack=ack_at_once, lazy=[open_form])
