"""The Home tab, the board report button and the report's chart, through the served app."""

from __future__ import annotations

import json

import pytest

from tests.blockkit import all_text, assert_valid_blocks, assert_valid_message
from tests.conftest import start_served

AUDITOR = "U0MANAGER"
STRANGER = "U0STRANGER"
BOARD = "C0BOARD"


@pytest.fixture(scope="module")
def home_app(fake_slack, tmp_path_factory):
    """A server after the monitoring window, with three monthly audits recorded."""
    served = start_served(
        fake_slack,
        tmp_path_factory.mktemp("home"),
        YOS_TODAY="2014-04-20",
        YOS_AUDITORS=AUDITOR,
        YOS_CHANNEL=BOARD,
        YOS_OUTBOX_RETRY_SECONDS="0.05",
    )
    for figures, day in (("17/20", "2014-01-30"), ("18/20", "2014-02-27"), ("19/20", "2014-03-27")):
        typed = f'audit R1 {figures} {day} monthly audit --late "from the paper log"'
        body = served.command(typed, user=AUDITOR).json()
        assert "Recorded audit update" in body["text"]
    served.wait_until_outbox_idle()
    yield served
    served.stop()


@pytest.fixture
def app(home_app, fake_slack):
    home_app.wait_until_outbox_idle()
    fake_slack.reset()
    return home_app


def home_opened(app, user: str, event_id: str):
    return app.event(
        {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"},
        event_id=event_id,
    )


def button(action_id: str, value: dict[str, str], user: str, trigger: str) -> dict:
    return {
        "type": "block_actions",
        "team": {"id": "T0001", "domain": "example"},
        "user": {"id": user, "username": user.lower(), "team_id": "T0001"},
        "api_app_id": "A0001",
        "token": "legacy",
        "container": {"type": "view", "view_id": "V0HOME"},
        "trigger_id": trigger,
        "view": {"id": "V0HOME", "type": "home"},
        "actions": [
            {
                "action_id": action_id,
                "block_id": "b1",
                "type": "button",
                "text": {"type": "plain_text", "text": "x"},
                "value": json.dumps(value),
                "action_ts": f"1700000100.{trigger[-6:]}",
            }
        ],
    }


def test_opening_the_home_tab_publishes_the_dashboard(app, fake_slack):
    assert home_opened(app, AUDITOR, "Ev0HOME1").status == 200
    [published] = fake_slack.wait_for("views.publish")
    assert published.params["user_id"] == AUDITOR
    view = published.params["view"]
    assert view["type"] == "home"
    assert_valid_blocks(view["blocks"], limit=100)
    text = all_text(view["blocks"])
    assert "Protecting the public" in text and "91%" in text
    assert "R1:" in text
    assert "19/20 (95%)" in text  # the latest update
    labels = [
        e["text"]["text"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert labels == ["Record audit update", "Post board report"]


def test_someone_who_is_not_an_auditor_sees_no_auditor_buttons(app, fake_slack):
    home_opened(app, STRANGER, "Ev0HOME2")
    [published] = fake_slack.wait_for("views.publish")
    blocks = published.params["view"]["blocks"]
    assert not [b for b in blocks if b["type"] == "actions"]


def test_the_board_report_button_posts_the_report_and_its_chart(app, fake_slack):
    app.interaction(button("post_report", {"ref": ""}, AUDITOR, "1.1.000001"))
    [post] = fake_slack.wait_for("chat.postMessage")
    assert post.params["channel"] == BOARD
    assert_valid_message(post.params)
    assert "19/20 (95%)" in all_text(post.params["blocks"])
    [complete] = fake_slack.wait_for("files.completeUploadExternal")
    [upload] = [c for c in fake_slack.calls if c.method.startswith("upload:")]
    assert upload.params["bytes"].startswith(b"\x89PNG")
    assert complete.params.get("channel_id") == BOARD


def test_the_board_report_button_is_refused_to_someone_not_an_auditor(app, fake_slack):
    app.interaction(button("post_report", {"ref": ""}, STRANGER, "1.1.000002"))
    [refusal] = fake_slack.wait_for("chat.postMessage")
    assert refusal.params["channel"] == STRANGER  # told privately, in a direct message
    assert "Only auditors can post the board report" in refusal.params["text"]
    app.wait_until_outbox_idle()
    assert [c.params["channel"] for c in fake_slack.of("chat.postMessage")] == [STRANGER]
    assert fake_slack.of("files.completeUploadExternal") == []


def test_report_by_command_answers_privately_then_the_chart_follows(app, fake_slack):
    body = app.command("report R1", user=AUDITOR).json()
    assert body["response_type"] == "ephemeral"
    assert "19/20 (95%)" in all_text(body["blocks"])
    fake_slack.wait_for("files.completeUploadExternal")
    [ticket] = fake_slack.of("files.getUploadURLExternal")
    [upload] = [c for c in fake_slack.calls if c.method.startswith("upload:")]
    assert int(ticket.params["length"]) == len(upload.params["bytes"])
