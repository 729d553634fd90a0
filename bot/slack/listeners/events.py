"""Mentions and direct messages: questions asked in conversation."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.commands import dispatch
from bot.render.blocks import message
from bot.slack.deps import Deps, ack_at_once, apology, new_reference
from bot.store.deliveries import claim

logger = logging.getLogger(__name__)


def _is_direct_message(event: dict[str, Any]) -> bool:
    return (
        event.get("channel_type") == "im" and not event.get("subtype") and not event.get("bot_id")
    )


def register(app: App, deps: Deps) -> None:
    def answer(body: dict[str, Any], event: dict[str, Any], client: WebClient, via: str) -> None:
        # Slack retries an event it thinks went unanswered; the event ID is claimed in
        # the store so a retry, in any worker, finds it taken and stays silent.
        if not claim(deps.store.db, f"event:{body.get('event_id')}", "event"):
            logger.info("event %s already handled; retry ignored", body.get("event_id"))
            return
        channel = event["channel"]
        try:
            ctx = deps.context(via=via, user_id=event.get("user"), channel_id=channel)
            reply = dispatch(event.get("text", ""), ctx)
            client.chat_postMessage(
                channel=channel, thread_ts=event.get("thread_ts"), **message(reply)
            )
        except Exception:
            reference = new_reference()
            logger.exception("answering %s failed (reference %s)", via, reference)
            if event.get("user"):
                client.chat_postEphemeral(
                    channel=channel, user=event["user"], text=apology(reference)
                )

    def answer_mention(body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        answer(body, event, client, "mention")

    def answer_direct_message(
        body: dict[str, Any], event: dict[str, Any], client: WebClient
    ) -> None:
        answer(body, event, client, "direct message")

    app.event("app_mention")(ack=ack_at_once, lazy=[answer_mention])
    app.event("message", matchers=[_is_direct_message])(
        ack=ack_at_once, lazy=[answer_direct_message]
    )
