"""The /yos slash command."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.commands import Permission
from bot.render.blocks import message
from bot.slack.deps import Deps
from bot.slack.listeners.views import open_audit_form

FORM_WORDS = {"audit", "audit form", "record", "record audit"}


def register(app: App, deps: Deps) -> None:
    @app.command("/yos")
    def yos(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        # Queries take milliseconds, so the answer goes back inside the acknowledgement;
        # whatever else must be sent is in the outbox by the time Slack hears back.
        text = str(command.get("text") or "").strip()
        request = deps.request(
            text=text,
            user_id=command.get("user_id"),
            user_name=command.get("user_name"),
            conversation=command.get("channel_id"),
            delivery_id=f"command:{command.get('trigger_id')}",
            via="command",
        )
        try:
            if text.lower() in FORM_WORDS:
                if not deps.app.may(request, Permission.RECORD):
                    refusal = deps.app.context(request).refused(
                        "Recording audit updates is for auditors."
                    )
                    ack(response_type="ephemeral", **message(refusal))
                    return
                open_audit_form(deps, client, command["trigger_id"], request)
                ack()
                return
            outcome = deps.app.handle(request)
            ack(response_type="ephemeral", **message(outcome.reply, interactive=True))
            if outcome.queued:
                deps.sender.wake()
        except Exception:
            ack(response_type="ephemeral", **message(deps.failed("/yos")))
