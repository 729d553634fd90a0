"""Sending outbox items through Slack's Web API.

The client used here has no retry handlers of its own: the outbox sender decides when
to try again (honouring Retry-After), so no worker thread sleeps inside a call.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.app import Delivery, PermanentError, TransientError
from bot.config import Settings
from bot.render.blocks import escape, message
from bot.store.outbox import CHART, PRIVATE

logger = logging.getLogger(__name__)

# Errors that mean the bot cannot post to that person in that channel, though it could
# still write to them directly.
NOT_THERE = {"not_in_channel", "channel_not_found", "user_not_in_channel", "is_archived"}


def outbox_client(settings: Settings, timeout: int = 15) -> WebClient:
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=timeout,
        retry_handlers=[],
    )


class SlackTransport:
    def __init__(self, client: WebClient) -> None:
        self.client = client

    def deliver(self, delivery: Delivery) -> None:
        try:
            self._deliver(delivery)
        except SlackApiError as error:
            raise _classified(error) from None
        except OSError as error:  # network trouble: connection refused, timeout, DNS
            raise TransientError(f"could not reach Slack: {error}") from None

    def _deliver(self, delivery: Delivery) -> None:
        address = delivery.address
        if delivery.kind == CHART:
            self.client.files_upload_v2(
                channel=address.conversation or address.user,
                thread_ts=address.thread,
                file=delivery.png,
                filename=delivery.filename or "chart.png",
                title=delivery.title,
                initial_comment=escape(delivery.comment) if delivery.comment else None,
            )
            return
        assert delivery.reply is not None
        content = message(delivery.reply)
        if delivery.kind == PRIVATE and address.user:
            if address.conversation:
                try:
                    self.client.chat_postEphemeral(
                        channel=address.conversation,
                        user=address.user,
                        thread_ts=address.thread,
                        **content,
                    )
                    return
                except SlackApiError as error:
                    if error.response.get("error") not in NOT_THERE:
                        raise
            # Not a member of the channel: write to the person directly instead.
            self.client.chat_postMessage(channel=address.user, **content)
            return
        if not address.conversation:
            raise PermanentError("nowhere to post: the message has no conversation")
        self.client.chat_postMessage(
            channel=address.conversation, thread_ts=address.thread, **content
        )


def _classified(error: SlackApiError) -> Exception:
    response = error.response
    code = response.get("error", "unknown_error")
    status = response.status_code
    if status == 429 or code == "ratelimited":
        retry_after = response.headers.get("Retry-After") or response.headers.get("retry-after")
        try:
            wait = float(retry_after) if retry_after is not None else None
        except ValueError:
            wait = None
        return TransientError(f"Slack rate limit ({code})", retry_after=wait)
    if status >= 500 or code in {"internal_error", "fatal_error", "service_unavailable"}:
        return TransientError(f"Slack server error {status} ({code})")
    return PermanentError(f"Slack refused it ({code})")
