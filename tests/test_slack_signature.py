"""Slack's request signature, checked by slack_sdk's SignatureVerifier on the raw bytes
before anything parses the body: over HTTP against ``yos-bot serve``, and the check on
its own at the edges of the five-minute window."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest
from slack_sdk.signature import Clock

from bot.slack.verify import MAX_AGE_SECONDS, SlackSignature
from tests.slack_requests import SIGNING_SECRET, sign

CHALLENGE = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"


def handshake() -> str:
    return json.dumps({"token": "t", "challenge": CHALLENGE, "type": "url_verification"})


def signed_as(body: str, timestamp: str) -> dict[str, str]:
    """Signed with the right secret over a timestamp written as Slack never writes one."""
    digest = hmac.new(
        SIGNING_SECRET.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256
    ).hexdigest()
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": f"v0={digest}"}


# --- over HTTP -------------------------------------------------------------------------


@pytest.mark.parametrize("age", [0, 4 * 60], ids=["now", "four-minutes-old"])
def test_a_signed_request_is_answered(served, slack, age):
    body = handshake()
    response = served.post(body, "application/json", sign(body, int(time.time()) - age))
    assert response.status == 200
    assert CHALLENGE in response.body.decode()


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda body, headers: (body + " ", headers), id="body-changed-after-signing"),
        pytest.param(
            lambda body, headers: (body, sign(body, secret="not-" + SIGNING_SECRET)),
            id="another-apps-secret",
        ),
        pytest.param(
            lambda body, headers: (
                body,
                {**headers, "X-Slack-Signature": headers["X-Slack-Signature"].upper()},
            ),
            id="signature-in-capitals",
        ),
        pytest.param(
            lambda body, headers: (
                body,
                signed_as(body, "+" + headers["X-Slack-Request-Timestamp"]),
            ),
            id="timestamp-not-plain-digits",
        ),
    ],
)
def test_a_badly_signed_request_is_refused(served, slack, tamper):
    body, headers = tamper(handshake(), sign(handshake()))
    response = served.post(body, "application/json", headers)
    assert response.status == 401
    assert response.json() == {"ok": False, "error": "invalid request signature"}
    assert CHALLENGE not in response.body.decode()
    assert slack.calls == []


@pytest.mark.parametrize(
    "skew", [-(MAX_AGE_SECONDS + 60), MAX_AGE_SECONDS + 60], ids=["six-minutes-old", "from-ahead"]
)
def test_a_stale_signature_is_refused_against_replays(served, slack, skew):
    body = handshake()
    response = served.post(body, "application/json", sign(body, int(time.time()) + skew))
    assert response.status == 401
    assert CHALLENGE not in response.body.decode()
    assert slack.calls == []


def test_an_unsigned_body_is_refused_before_it_is_parsed(served, slack):
    """Not JSON at all: refused as unsigned (401), never parsed (which would say 400)."""
    response = served.post(b"{not json", "application/json", {})
    assert response.status == 401
    assert response.json()["error"] == "invalid request signature"


def test_a_signed_body_that_is_not_utf8_is_refused_not_a_crash(served, slack):
    body = b'{"type": "url_verification", "challenge": "\xff\xfe"}'
    response = served.post(body, "application/json", sign(body))
    assert response.status == 401
    assert served.get("/healthz").status == 200


# --- the check on its own ------------------------------------------------------------


class FixedClock(Clock):
    def __init__(self, now: float) -> None:
        self.at = now

    def now(self) -> float:
        return self.at


SENT = 1_700_000_000


def signed(body: bytes, timestamp: int = SENT) -> tuple[str, str]:
    headers = sign(body, timestamp)
    return headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]


@pytest.mark.parametrize(
    ("seconds_later", "holds"),
    [
        (0, True),
        (MAX_AGE_SECONDS, True),
        (MAX_AGE_SECONDS + 1, False),
        (-MAX_AGE_SECONDS - 1, False),
    ],
)
def test_the_replay_window_is_five_minutes_either_way(seconds_later, holds):
    check = SlackSignature(SIGNING_SECRET, FixedClock(SENT + seconds_later))
    assert check.holds(*signed(b"payload=1"), b"payload=1") is holds


@pytest.mark.parametrize(
    ("timestamp", "signature"),
    [(None, "v0=00"), (str(SENT), None), ("", ""), ("+" + str(SENT), "v0=00"), ("1" * 21, "v0=0")],
)
def test_missing_or_malformed_headers_do_not_hold(timestamp, signature):
    check = SlackSignature(SIGNING_SECRET, FixedClock(SENT))
    assert check.holds(timestamp, signature, b"payload=1") is False


def test_an_empty_signing_secret_is_refused_rather_than_trusted():
    with pytest.raises(ValueError, match="signing secret"):
        SlackSignature("  ")
