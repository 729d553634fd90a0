"""The /yos slash command."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.commands import dispatch
from bot.render.blocks import escape, message
from bot.slack.announce import announce, later
from bot.slack.deps import Deps, apology, new_reference
from bot.slack.listeners.views import REFUSAL, open_audit_form
from bot.slack.reports import upload_chart

logger = logging.getLogger(__name__)

FORM_WORDS = {"audit", "audit form", "record", "record audit"}


def register(app: App, deps: Deps) -> None:
    @app.command("/yos")
    def yos(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        # Queries take milliseconds, so the answer goes back inside the acknowledgement.
        text = command.get("text", "").strip()
        user, channel = command.get("user_id"), command.get("channel_id")
        try:
            if text.lower() in FORM_WORDS:
                if not deps.auditors.allows(user, client):
                    ack(response_type="ephemeral", text=REFUSAL)
                    return
                open_audit_form(deps, client, command["trigger_id"], channel=channel)
                ack()
                return
            key = f"command:{command.get('trigger_id')}"
            ctx = deps.context(
                client, via="command", user_id=user, channel_id=channel, delivery_key=key
            )
            reply = dispatch(text, ctx)
            if reply.announce:
                ack(
                    response_type="ephemeral",
                    text=f"Recorded. {escape(reply.headline)} "
                    "It will be announced in this channel.",
                )
                later(announce, deps, client, key, channel=channel, poster=user)
                return
            ack(response_type="ephemeral", **message(reply, shareable=reply.ok))
            if reply.chart is not None and channel:
                # The chart takes a moment to draw: never inside Slack's 3-second window.
                later(upload_chart, deps, client, channel, reply.chart, reply.headline)
        except Exception:
            reference = new_reference()
            logger.exception("/yos %r failed (reference %s)", text, reference)
            ack(response_type="ephemeral", text=apology(reference))
