"""Buttons: "Share in channel"."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.commands import dispatch
from bot.render.blocks import SHARE_ACTION, message
from bot.slack.deps import Deps, ack_at_once, apology, new_reference

logger = logging.getLogger(__name__)

NOT_A_MEMBER = {"not_in_channel", "channel_not_found"}


def register(app: App, deps: Deps) -> None:
    def share_in_channel(body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        user = body["user"]["id"]
        channel = (body.get("channel") or {}).get("id") or body["container"]["channel_id"]
        text = body["actions"][0]["value"]
        try:
            ctx = deps.context(client, via="share", user_id=user, channel_id=channel)
            reply = dispatch(text, ctx)
            client.chat_postMessage(channel=channel, **message(reply, shared_by=user))
        except Exception as error:
            if isinstance(error, SlackApiError) and error.response.get("error") in NOT_A_MEMBER:
                respond(
                    response_type="ephemeral",
                    replace_original=False,
                    text="I can't post in this channel yet: invite me with `/invite @YOS` "
                    "and press Share again.",
                )
                return
            reference = new_reference()
            logger.exception("sharing %r failed (reference %s)", text, reference)
            respond(response_type="ephemeral", replace_original=False, text=apology(reference))
            return
        respond(delete_original=True)

    app.action(SHARE_ACTION)(ack=ack_at_once, lazy=[share_in_channel])
