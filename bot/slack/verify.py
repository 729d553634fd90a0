"""Checking that a request really comes from Slack, on its raw bytes, before anything
reads the body.

Slack signs every request: ``v0=`` + HMAC-SHA256 of ``v0:{timestamp}:{body}`` with the
app's signing secret, and the timestamp must be within five minutes (against replays).
Anything that fails is refused with 401 before it can reach a parser.
"""

from __future__ import annotations

import hashlib
import hmac
import time

MAX_AGE_SECONDS = 5 * 60
# Slack's largest payloads (a modal's state, a long message) are well under this.
MAX_BODY_BYTES = 1_000_000


def signature_ok(
    secret: str, timestamp: str | None, signature: str | None, body: bytes, now: float | None = None
) -> bool:
    if not (timestamp and signature) or len(timestamp) > 20 or not timestamp.isascii():
        return False
    if not timestamp.isdigit():
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_AGE_SECONDS:
        return False
    expected = (
        "v0="
        + hmac.new(
            secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256
        ).hexdigest()
    )
    return hmac.compare_digest(expected, signature)
