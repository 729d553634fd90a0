"""Slack's request signature, with the standard library only: client processes that
import it start in milliseconds, without the bot or pytest."""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def sign(
    body: str | bytes, timestamp: int | None = None, secret: str = SIGNING_SECRET
) -> dict[str, str]:
    """Slack's request signature: v0= + HMAC-SHA256 of v0:timestamp:body."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    raw = body.encode() if isinstance(body, str) else body
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + raw, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}
