"""Announcing a recorded update in the channel, once, after Slack has had its answer."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from slack_sdk import WebClient

from bot.commands.audits import announcement_for_delivery
from bot.render.blocks import escape, message
from bot.slack.deps import Deps
from bot.store.deliveries import claim, release

logger = logging.getLogger(__name__)

# A slash command or modal must be answered within 3 seconds; announcements and charts
# can wait out a rate limit, so they are posted from here once the answer has gone.
_later = ThreadPoolExecutor(max_workers=2, thread_name_prefix="announce")


def later(work: Callable[..., object], *args: object, **kwargs: object) -> None:
    """Run ``work`` after Slack has had its answer, logging rather than losing a failure."""

    def guarded() -> None:
        try:
            work(*args, **kwargs)
        except Exception:
            logger.exception("background work %s failed", getattr(work, "__name__", work))

    _later.submit(guarded)


def announce(
    deps: Deps,
    client: WebClient,
    key: str,
    *,
    channel: str | None,
    thread_ts: str | None = None,
    poster: str | None = None,
) -> bool:
    """Post the announcement for what delivery ``key`` recorded; at most once.

    The record is already stored: a failure here loses nothing and, since the claim
    is released, a later attempt may still announce it. The poster is told either way.
    """
    claim_key = f"announce:{key}"
    if not channel or not claim(deps.store.db, claim_key, "announcement"):
        return False
    reply = None
    try:
        ctx = deps.context(client, via="announce", user_id=poster, channel_id=channel)
        reply = announcement_for_delivery(ctx, key)
        if reply is None:
            release(deps.store.db, claim_key)
            return False
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, **message(reply))
        return True
    except Exception:
        release(deps.store.db, claim_key)
        logger.exception("announcing %s in %s failed; the record is stored", key, channel)
        if poster and reply is not None:
            try:
                client.chat_postEphemeral(
                    channel=channel,
                    user=poster,
                    text=f"Recorded, but I couldn't announce it in the channel: "
                    f"{escape(reply.headline)}",
                )
            except Exception:
                logger.exception("telling %s about the stored update failed too", poster)
        return False
