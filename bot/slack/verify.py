"""Checking that a request really comes from Slack, on its raw bytes, before anything
reads the body.

Slack signs every request: ``v0=`` + HMAC-SHA256 of ``v0:{timestamp}:{body}`` with the
app's signing secret, and the timestamp must be within five minutes (against replays).
slack_sdk's :class:`SignatureVerifier` checks both; anything that fails is refused with
401 before it can reach a parser.
"""

from __future__ import annotations

from slack_sdk.signature import Clock, SignatureVerifier

# The replay window slack_sdk enforces: a timestamp further than this from now is refused.
MAX_AGE_SECONDS = 5 * 60
# Slack's largest payloads (a modal's state, a long message) are well under this.
MAX_BODY_BYTES = 1_000_000


class SlackSignature:
    """The check of one app's requests, made once per process."""

    def __init__(self, signing_secret: str, clock: Clock | None = None) -> None:
        if not signing_secret.strip():
            # An empty key would make every signature easy to forge: refuse to serve.
            raise ValueError("a Slack signing secret is needed to check requests")
        self._verifier = SignatureVerifier(signing_secret, clock or Clock())

    def holds(self, timestamp: str | None, signature: str | None, body: bytes) -> bool:
        """Whether ``signature`` is Slack's for ``body`` sent at ``timestamp``, recently."""
        # slack_sdk reads the timestamp with int(), which also takes signs, spaces and
        # other scripts' digits: Slack sends ASCII digits, so only those are read.
        if not (timestamp and signature) or len(timestamp) > 20:
            return False
        if not (timestamp.isascii() and timestamp.isdigit()):
            return False
        try:
            return self._verifier.is_valid(body=body, timestamp=timestamp, signature=signature)
        except UnicodeDecodeError:  # slack_sdk reads the body as UTF-8, as Slack sends it
            return False
