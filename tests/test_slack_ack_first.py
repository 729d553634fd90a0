"""Acknowledge first (issue 23): over HTTP every Slack request is answered before any Web API
call, so a Slack whose API takes 4 seconds a call (past its own 3-second limit for the
acknowledgement) still hears back at once, and the form, the refusal or the reply still
follows."""

from __future__ import annotations

import time

import pytest

from tests.conftest import IN_WINDOW, start_served
from tests.test_slack_audits import shortcut_payload
from tests.test_slack_home import button, home_opened

SLOW = 4.0  # seconds each Web API call takes
ACK_LIMIT = 0.100  # the acknowledgement, measured at the client
AUDITOR = "U0MANAGER"
STRANGER = "U0STRANGER"
BOARD = "C0BOARD"
TIMES: dict[str, float] = {}


@pytest.fixture(scope="module")
def served_slowly(fake_slack, tmp_path_factory):
    served = start_served(
        fake_slack,
        tmp_path_factory.mktemp("ack-first"),
        YOS_TODAY=IN_WINDOW.isoformat(),
        YOS_AUDITORS=AUDITOR,
        YOS_CHANNEL=BOARD,
    )
    # Warm: the worker has answered once and has looked up who is asking.
    served.command("summary", user=AUDITOR)
    served.command("summary", user=STRANGER)
    time.sleep(0.5)
    yield served
    fake_slack.release()  # the last test's calls still held at 4 s need not hold the stop
    served.stop()
    if TIMES:
        print("\nacknowledgements with Slack at 4 s a call:")
        for name, seconds in TIMES.items():
            print(f"  {name}: {seconds * 1000:.1f} ms")


@pytest.fixture
def app(served_slowly, fake_slack):
    fake_slack.reset()
    fake_slack.slow = SLOW
    yield served_slowly
    fake_slack.slow = 0.0


def acknowledged(name: str, send) -> object:
    """Send (up to three times if the machine was busy: the fault this guards against takes
    4 s every time) and check the acknowledgement came within ACK_LIMIT."""
    best = None
    for _ in range(3):
        started = time.perf_counter()
        response = send()
        took = time.perf_counter() - started
        assert response.status == 200, response.body
        best = took if best is None else min(best, took)
        if took < ACK_LIMIT:
            break
    assert best is not None
    TIMES[name] = best
    assert best < ACK_LIMIT, f"{name} acknowledged after {best * 1000:.0f} ms"
    return response


_triggers = iter(range(100_000, 999_999))


def _trigger() -> str:
    return f"8.8.{next(_triggers):06d}"


def test_the_audit_command_is_acknowledged_before_the_form_opens(app, fake_slack):
    sent = time.monotonic()
    response = acknowledged("/yos audit", lambda: app.command("audit", user=AUDITOR))
    assert response.body in (b"", b"{}") or "text" not in response.json()
    [opened] = fake_slack.wait_for("views.open", timeout=3)
    assert opened.at - sent < 1.0  # well within the trigger's 3 seconds
    assert opened.params["view"]["callback_id"] == "audit_form"


def test_a_non_auditors_audit_command_is_refused_in_the_acknowledgement(app, fake_slack):
    response = acknowledged(
        "/yos audit (not an auditor)", lambda: app.command("audit", user=STRANGER)
    )
    assert "for auditors" in response.json()["text"]
    time.sleep(0.2)
    assert fake_slack.of("views.open") == []


def test_the_message_shortcut_is_acknowledged_before_the_form_opens(app, fake_slack):
    sent = time.monotonic()
    acknowledged("message shortcut", lambda: app.interaction(shortcut_payload(_trigger())))
    [opened] = fake_slack.wait_for("views.open", timeout=3)
    assert opened.at - sent < 1.0
    assert opened.params["view"]["callback_id"] == "audit_form"


def test_a_non_auditors_shortcut_is_refused_after_the_acknowledgement(app, fake_slack):
    def send():
        payload = shortcut_payload(_trigger())
        payload["user"] = {"id": STRANGER, "username": "stranger", "team_id": "T0001"}
        return app.interaction(payload)

    acknowledged("message shortcut (not an auditor)", send)
    [refusal] = fake_slack.wait_for("chat.postEphemeral", timeout=3)
    assert refusal.params["user"] == STRANGER
    assert "for auditors" in refusal.params["text"]
    assert fake_slack.of("views.open") == []


def test_the_home_record_button_is_acknowledged_before_the_form_opens(app, fake_slack):
    acknowledged(
        "Home: record button",
        lambda: app.interaction(button("open_audit_form", {}, AUDITOR, _trigger())),
    )
    [opened] = fake_slack.wait_for("views.open", timeout=3)
    assert opened.params["view"]["callback_id"] == "audit_form"


def test_a_non_auditors_home_record_button_is_refused_after_the_acknowledgement(app, fake_slack):
    acknowledged(
        "Home: record button (not an auditor)",
        lambda: app.interaction(button("open_audit_form", {}, STRANGER, _trigger())),
    )
    [refusal] = fake_slack.wait_for("chat.postMessage", timeout=3)
    assert refusal.params["channel"] == STRANGER
    assert "for auditors" in refusal.params["text"]


def test_the_home_report_button_is_acknowledged_before_anything_is_posted(app, fake_slack):
    acknowledged(
        "Home: report button",
        lambda: app.interaction(button("post_report", {"ref": ""}, AUDITOR, _trigger())),
    )
    [post] = fake_slack.wait_for("chat.postMessage", timeout=8)
    assert post.params["channel"] == BOARD


def test_a_non_auditors_home_report_button_is_refused_after_the_acknowledgement(app, fake_slack):
    acknowledged(
        "Home: report button (not an auditor)",
        lambda: app.interaction(button("post_report", {"ref": ""}, STRANGER, _trigger())),
    )
    [refusal] = fake_slack.wait_for("chat.postMessage", timeout=3)
    assert refusal.params["channel"] == STRANGER


def test_opening_the_home_tab_is_acknowledged_before_it_is_published(app, fake_slack):
    acknowledged("app_home_opened", lambda: home_opened(app, AUDITOR, f"Ev{_trigger()}"))
    fake_slack.wait_for("views.publish", timeout=3)
