"""The /yos slash command."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App

from bot.commands import dispatch
from bot.render.blocks import message
from bot.slack.deps import Deps, apology, new_reference

logger = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    @app.command("/yos")
    def yos(ack: Ack, command: dict[str, Any]) -> None:
        # Queries take milliseconds, so the answer goes back inside the acknowledgement.
        try:
            ctx = deps.context(
                via="command", user_id=command.get("user_id"), channel_id=command.get("channel_id")
            )
            reply = dispatch(command.get("text", ""), ctx)
            ack(response_type="ephemeral", **message(reply, shareable=reply.ok))
        except Exception:
            reference = new_reference()
            logger.exception("/yos %r failed (reference %s)", command.get("text"), reference)
            ack(response_type="ephemeral", text=apology(reference))
