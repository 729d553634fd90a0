"""Hostile requests to the served Slack app: refused cleanly, never a 500 or a traceback."""

from __future__ import annotations

import json
import os
import time
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.slack_requests import sign

GARBAGE = [
    pytest.param(b'{"type": ', "application/json", id="truncated-json"),
    pytest.param(b"payload=%7Bx", "application/x-www-form-urlencoded", id="broken-payload"),
    pytest.param(b"payload=null", "application/x-www-form-urlencoded", id="null-payload"),
    pytest.param(b"[1, 2, 3]", "application/json", id="json-list"),
    pytest.param(b"\xff\xfe\xfa not utf-8", "application/x-www-form-urlencoded", id="not-utf8"),
    pytest.param(
        b"command=%2Fyos&text=" + b"x" * 5000,
        "application/x-www-form-urlencoded",
        id="unsigned-command",
    ),
]


@pytest.fixture(autouse=True)
def _idle(served):
    served.wait_until_outbox_idle()


@pytest.mark.parametrize(("body", "content_type"), GARBAGE)
def test_unsigned_garbage_is_refused_without_a_traceback(served, slack, body, content_type):
    before = served.log().count("Traceback")
    response = served.post(body, content_type, {})
    assert response.status == 401
    bad_timestamp = {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=00"}
    assert served.post(body, content_type, bad_timestamp).status == 401
    assert served.log().count("Traceback") == before
    assert slack.calls == []


@pytest.mark.parametrize(("body", "content_type"), GARBAGE[:5])
def test_signed_garbage_is_a_bad_request_not_a_server_error(served, slack, body, content_type):
    before = served.log().count("Traceback")
    response = served.post(body, content_type, sign(body))
    assert 400 <= response.status < 500, response.body
    assert served.log().count("Traceback") == before


def test_two_hundred_malformed_posts_leave_no_traceback(served):
    before = served.log()
    statuses = set()
    for n in range(200):
        body = f"payload=%7B{n}".encode()
        statuses.add(served.post(body, "application/x-www-form-urlencoded", {}).status)
    assert statuses == {401}
    assert "Traceback" not in served.log()[len(before) :]


def test_a_100_kb_crafted_mention_is_answered_quickly(served, slack):
    crafted = "<@A|" * 25_000  # the shape that made a backtracking pattern quadratic
    started = time.monotonic()
    response = served.mention(crafted, event_id="Ev0CRAFTED")
    elapsed = time.monotonic() - started
    assert response.status == 200
    assert elapsed < 3  # inside Slack's acknowledgement limit
    served.wait_until_outbox_idle()
    started = time.monotonic()
    body = served.command("summary").json()
    assert time.monotonic() - started < 3
    assert "91%" in json.dumps(body)


def test_message_subtypes_the_bot_ignores_are_acknowledged(served, slack):
    for subtype in ("message_changed", "message_deleted", "file_share"):
        response = served.event(
            {
                "type": "message",
                "subtype": subtype,
                "channel": "D0DM",
                "channel_type": "im",
                "ts": "1700000009.000100",
            },
            event_id=f"Ev0{subtype}",
        )
        assert response.status == 200
    time.sleep(0.1)
    assert slack.of("chat.postMessage") == []


def test_a_replayed_request_is_refused(served, slack):
    body = urlencode({"command": "/yos", "text": "summary", "trigger_id": "replay"})
    old = sign(body, timestamp=int(time.time()) - 6 * 60)
    assert served.post(body, "application/x-www-form-urlencoded", old).status == 401


# --- fuzzing the endpoint --------------------------------------------------------------

_FORM = "application/x-www-form-urlencoded"
_bodies = st.one_of(
    st.binary(max_size=2_000),
    st.builds(
        lambda payload: ("payload=" + quote(payload)).encode(),
        st.one_of(
            st.text(max_size=300),
            st.recursive(
                st.none() | st.booleans() | st.integers() | st.text(max_size=40),
                lambda inner: (
                    st.lists(inner, max_size=4)
                    | st.dictionaries(
                        st.sampled_from(["type", "user", "view", "actions", "team"]),
                        inner,
                        max_size=4,
                    )
                ),
                max_leaves=12,
            ).map(json.dumps),
        ),
    ),
    st.builds(
        lambda text, trigger: urlencode(
            {"command": "/yos", "text": text, "trigger_id": trigger, "user_id": "U0F"}
        ).encode(),
        st.text(max_size=300),
        st.text(max_size=20),
    ),
    st.dictionaries(st.text(max_size=10), st.text(max_size=30), max_size=5).map(
        lambda d: json.dumps({"type": "event_callback", "event": d}).encode()
    ),
)


@pytest.mark.fuzz
@pytest.mark.quick
@settings(
    max_examples=2_000 if os.environ.get("YOS_FUZZ") == "long" else 40,
    deadline=None,
    derandomize=os.environ.get("YOS_FUZZ") != "long",
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    body=_bodies,
    content_type=st.sampled_from([_FORM, "application/json", "text/plain", ""]),
    signed=st.booleans(),
)
def test_no_request_signed_or_not_gets_a_server_error(served, body, content_type, signed):
    headers = sign(body) if signed else {}
    response = served.post(body, content_type, headers)
    assert response.status < 500, (response.status, body[:200])
    if not signed:
        assert response.status == 401


def test_the_endpoint_fuzz_left_no_traceback(served):
    assert "Traceback" not in served.log()


def test_a_name_slack_will_not_give_is_not_asked_for_on_every_request(slack):
    """Without the users:read scope (or for a deleted user) the lookup fails: it is asked
    again after a while, not by every request that person sends."""
    from slack_sdk import WebClient

    from bot.slack.directory import SlackDirectory
    from tests.conftest import wait_until

    slack.script("users.info", 200, {"ok": False, "error": "missing_scope"})
    directory = SlackDirectory(
        WebClient(token="xoxb-test", base_url=slack.api_url), (), name_retry_seconds=0.5
    )
    assert directory.name("U0NEW") is None
    slack.wait_for("users.info")
    time.sleep(0.1)  # the failure is noted
    for _ in range(20):
        assert directory.name("U0NEW") is None
    time.sleep(0.2)
    assert len(slack.of("users.info")) == 1
    time.sleep(0.5)  # after the retry time, asked once more (and this time answered)
    assert directory.name("U0NEW") is None
    slack.wait_for("users.info", count=2)
    wait_until(lambda: directory.name("U0NEW") is not None, seconds=5)
    assert directory.name("U0NEW") == "U0NEW Name"
    assert len(slack.of("users.info")) == 2
