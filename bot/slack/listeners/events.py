"""Mentions and direct messages: questions asked, and audit updates posted, in conversation."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.commands import dispatch, interpret
from bot.render.blocks import message
from bot.slack.announce import announce
from bot.slack.deps import Deps, ack_at_once, apology, new_reference
from bot.store.deliveries import claim

logger = logging.getLogger(__name__)


def _is_direct_message(event: dict[str, Any]) -> bool:
    return (
        event.get("channel_type") == "im" and not event.get("subtype") and not event.get("bot_id")
    )


def register(app: App, deps: Deps) -> None:
    def answer(body: dict[str, Any], event: dict[str, Any], client: WebClient, via: str) -> None:
        event_id = body.get("event_id")
        key = f"event:{event_id}"
        channel, user = event["channel"], event.get("user")
        thread = event.get("thread_ts")
        try:
            ctx = deps.context(
                client,
                via=via,
                user_id=user,
                channel_id=channel,
                delivery_key=key,
                message_ts=event.get("ts"),
            )
            found, _ = interpret(
                event.get("text", ""), ctx.queries, ctx.queries.channel_service(channel)
            )
            if found is not None and found.writes:
                # A write dedupes on the event ID in its own transaction.
                reply = dispatch(event.get("text", ""), ctx)
                if reply.duplicate:
                    return
                if reply.announce:
                    announce(deps, client, key, channel=channel, thread_ts=thread, poster=user)
                elif user:
                    client.chat_postEphemeral(channel=channel, user=user, **message(reply))
                return
            # Slack retries an event it thinks went unanswered; the event ID is claimed in
            # the store so a retry, in any worker, finds it taken and stays silent.
            if not claim(deps.store.db, key, "event"):
                logger.info("event %s already handled; retry ignored", event_id)
                return
            reply = dispatch(event.get("text", ""), ctx)
            client.chat_postMessage(channel=channel, thread_ts=thread, **message(reply))
        except Exception:
            reference = new_reference()
            logger.exception("answering a %s failed (reference %s)", via, reference)
            if user:
                client.chat_postEphemeral(channel=channel, user=user, text=apology(reference))

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
