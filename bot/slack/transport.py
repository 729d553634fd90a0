"""Sending outbox items through Slack's Web API.

The client used here has no retry handlers of its own: the outbox sender decides when
to try again (honouring Retry-After), so no worker thread sleeps inside a call.

**Exactly once.** Every message posted to a conversation carries its outbox key in Slack's
message metadata (``event_type`` :data:`EVENT_TYPE`, ``event_payload`` ``{"key": ...}``).
A row claimed before (a worker died holding it, or an earlier try failed) may already have
been posted: before posting it again the transport reads the conversation (or the thread)
from when the row was queued, less :data:`LOOKBACK_MARGIN_SECONDS`, with
``include_all_metadata``, and if a message with that key is there the row is delivered
without a second post. Reading history needs ``channels:history``, ``groups:history``,
``im:history`` and ``mpim:history`` (manifest.yml); without them, or when Slack will not
show that conversation, it posts, as before: at least once. Ephemeral replies leave no
history to read and charts carry no metadata: those can still be sent twice if a worker
dies in the moment between Slack taking them and the row being marked sent.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.app import Delivery, OutboxKind, PermanentError, TransientError
from bot.config import Settings
from bot.slack.blocks import escape, message

logger = logging.getLogger(__name__)

# Errors that mean the bot cannot post to that person in that channel, though it could
# still write to them directly.
NOT_THERE = {"not_in_channel", "channel_not_found", "user_not_in_channel", "is_archived"}
EVENT_TYPE = "yos_outbox"  # the message metadata that carries an outbox row's key
LOOKBACK_MARGIN_SECONDS = 60.0  # clocks differ: read history from a minute earlier
# ... and up to ten seconds after the last earlier claim ran out: history is read newest
# first, so every message posted after that bound would be read before the one looked for.
LOOKAHEAD_MARGIN_SECONDS = 10.0
HISTORY_PAGE = 200
HISTORY_PAGES = 10  # at most 2,000 messages read before posting anyway


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
        self._cannot_read: set[str] = set()  # Slack's reasons already logged

    def deliver(self, delivery: Delivery) -> None:
        try:
            self._deliver(delivery)
        except SlackApiError as error:
            raise _classified(error) from None
        except OSError as error:  # network trouble: connection refused, timeout, DNS
            raise TransientError(f"could not reach Slack: {error}") from None

    def _deliver(self, delivery: Delivery) -> None:
        address = delivery.address
        if delivery.kind == OutboxKind.CHART:
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
        if delivery.kind == OutboxKind.PRIVATE and address.user:
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
            self.client.chat_postMessage(
                channel=address.user, metadata=_metadata(delivery.key), **content
            )
            return
        if not address.conversation:
            raise PermanentError("nowhere to post: the message has no conversation")
        if delivery.key and delivery.attempt > 1 and self.posted_before(delivery):
            logger.info("outbox message was posted before its worker stopped; not again")
            return
        self.client.chat_postMessage(
            channel=address.conversation,
            thread_ts=address.thread,
            metadata=_metadata(delivery.key),
            **content,
        )

    def posted_before(self, delivery: Delivery) -> bool:
        """Whether the conversation (or thread) already holds a message carrying
        ``delivery.key``, posted since the row was queued and before its last earlier
        claim ran out (with a margin each side for clocks). Slack's rate limits and server
        errors are raised, to try again later; any other refusal to read is taken as no
        (and logged once per reason), so the message is posted."""
        address = delivery.address
        since = (delivery.queued_at or 0.0) - LOOKBACK_MARGIN_SECONDS
        cursor = None
        for _ in range(HISTORY_PAGES):
            arguments: dict[str, Any] = {
                "channel": address.conversation,
                "oldest": f"{max(since, 0.0):.6f}",
                "inclusive": True,
                "limit": HISTORY_PAGE,
                "include_all_metadata": True,
            }
            if delivery.claimed_until is not None:
                arguments["latest"] = f"{delivery.claimed_until + LOOKAHEAD_MARGIN_SECONDS:.6f}"
            if cursor:
                arguments["cursor"] = cursor
            try:
                if address.thread:
                    page = self.client.conversations_replies(ts=address.thread, **arguments)
                else:
                    page = self.client.conversations_history(**arguments)
            except SlackApiError as error:
                failure = _classified(error)
                if isinstance(failure, TransientError):
                    raise failure from None
                self._cannot_read_history(str(error.response.get("error", "unknown_error")))
                return False
            for found in page.get("messages") or []:
                metadata = found.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if metadata.get("event_type") == EVENT_TYPE and payload.get("key") == delivery.key:
                    return True
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not page.get("has_more") or not cursor:
                return False
        return False

    def _cannot_read_history(self, reason: str) -> None:
        if reason not in self._cannot_read:
            self._cannot_read.add(reason)
            logger.warning(
                "cannot read a conversation's history to post each message once (%s): "
                "posting anyway; see README, Install in Slack, for the history scopes",
                reason,
            )


def _metadata(key: str | None) -> dict[str, Any] | None:
    """Slack message metadata carrying an outbox row's key."""
    return {"event_type": EVENT_TYPE, "event_payload": {"key": key}} if key else None


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
