"""Mentions and direct messages: questions asked, and audit updates posted, in conversation.

The request is handled before the event is acknowledged: a write is recorded, and the
answer queued in the outbox, in milliseconds. If the worker dies after that, another
one sends the answer; if it dies before, Slack retries the event.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.app import Via
from bot.slack.deps import Deps
from bot.slack.mentions import neutral
from bot.slack.platform import MAX_TEXT


def strip_bot_mention(text: str, bot_user_id: str | None) -> str:
    """The text without the bot's own mention (``<@U0BOT>`` or ``<@U0BOT|yos>``).

    Word by word, so its cost is linear in the text whatever it holds; colleagues'
    mentions stay, since they may be part of a note.
    """
    if not bot_user_id:
        return text
    own = f"<@{bot_user_id}"
    kept = [
        word
        for word in text[:MAX_TEXT].split()
        if not (word.startswith(own) and word[len(own) : len(own) + 1] in (">", "|"))
    ]
    return " ".join(kept)


def _is_plain_direct_message(event: dict[str, Any]) -> bool:
    return (
        event.get("channel_type") == "im" and not event.get("subtype") and not event.get("bot_id")
    )


def register(app: App, deps: Deps) -> None:
    def answer(
        ack: Ack, body: dict[str, Any], event: dict[str, Any], context: BoltContext, via: Via
    ) -> None:
        try:
            text = strip_bot_mention(str(event.get("text") or ""), context.bot_user_id)
            # Messages keep the rest of Slack's markup as they always have.
            text, mentions = neutral(text, deps.person, plain=False)
            request = deps.request(
                text=text,
                mentions=mentions,
                user_id=event.get("user"),
                conversation=event.get("channel"),
                thread=event.get("thread_ts"),
                message_ref=event.get("ts"),
                delivery_id=f"event:{body.get('event_id')}",
                via=via,
                answer_in_conversation=True,
            )
            outcome = deps.app.handle(request)
            if outcome.queued:
                deps.sender.wake()
        except Exception:
            deps.failed(f"a {via}")
        ack()

    @app.event("app_mention")
    def on_mention(
        ack: Ack, body: dict[str, Any], event: dict[str, Any], context: BoltContext
    ) -> None:
        answer(ack, body, event, context, Via.MENTION)

    @app.event("message", matchers=[_is_plain_direct_message])
    def on_direct_message(
        ack: Ack, body: dict[str, Any], event: dict[str, Any], context: BoltContext
    ) -> None:
        answer(ack, body, event, context, Via.DIRECT_MESSAGE)

    @app.event("message")
    def on_other_message(ack: Ack) -> None:
        # Edits, deletions, file shares, the bot's own posts: acknowledged, so Slack
        # does not retry them, and otherwise ignored.
        ack()
