"""Audit updates through Slack: slash command, mention, form, shortcut, announcements."""

from __future__ import annotations

import json
import sqlite3
import time

import pytest

from tests.blockkit import all_text, assert_valid_blocks, assert_valid_message
from tests.conftest import IN_WINDOW, start_served

AUDITOR = "U0MANAGER"
GROUPIE = "U0GROUPIE"
STRANGER = "U0STRANGER"


@pytest.fixture(scope="module")
def served_with_auditors(fake_slack, tmp_path_factory):
    """One server for the module: auditors set, and quick outbox retries."""
    fake_slack.usergroups = {"S0AUDITORS": [GROUPIE, "U0OTHER"]}
    served = start_served(
        fake_slack,
        tmp_path_factory.mktemp("audits"),
        YOS_TODAY=IN_WINDOW.isoformat(),
        YOS_AUDITORS=f"{AUDITOR},S0AUDITORS",
        YOS_OUTBOX_RETRY_SECONDS="0.05",
    )
    yield served
    served.stop()


@pytest.fixture
def app(served_with_auditors, fake_slack):
    """The module's server with an empty history: once its outbox is idle, every record
    of the previous test is cleared from the store (a real SQLite file)."""
    served = served_with_auditors
    served.wait_until_outbox_idle()
    with sqlite3.connect(served.db_path) as conn:
        for table in (
            "audit_retractions",
            "audit_updates",
            "recommendation_history",
            "deliveries",
            "outbox",
        ):
            conn.execute(f"DELETE FROM {table}")
    fake_slack.reset()
    fake_slack.usergroups = {"S0AUDITORS": [GROUPIE, "U0OTHER"]}
    return served


def rows(app) -> list[sqlite3.Row]:
    with sqlite3.connect(app.db_path) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute("SELECT * FROM audit_updates ORDER BY id").fetchall()


def view_submission(
    view_id: str,
    *,
    user: str = AUDITOR,
    audited="20",
    compliant="17",
    ref="R1",
    day="2014-02-20",
    note="Form audit",
    channel="C0YOS",
    message_ts=None,
    via="modal",
) -> dict:
    def entry(kind, **value):
        return {"value": {"type": kind, **value}}

    values = {
        "recommendation": entry(
            "static_select",
            selected_option={"text": {"type": "plain_text", "text": "R1"}, "value": ref},
        ),
        "audit_date": entry("datepicker", selected_date=day),
        "audited": entry("number_input", value=audited),
        "compliant": entry("number_input", value=compliant),
        "note": entry("plain_text_input", value=note),
    }
    return {
        "type": "view_submission",
        "team": {"id": "T0001", "domain": "example"},
        "user": {"id": user, "username": user.lower(), "team_id": "T0001"},
        "api_app_id": "A0001",
        "token": "legacy",
        "trigger_id": "9.9.submit",
        "view": {
            "id": view_id,
            "team_id": "T0001",
            "type": "modal",
            "callback_id": "audit_form",
            "private_metadata": json.dumps(
                {"channel": channel, "message_ts": message_ts, "via": via}
            ),
            "state": {"values": values},
            "hash": "1.abc",
            "blocks": [],
            "title": {"type": "plain_text", "text": "Record audit update"},
        },
        "response_urls": [],
    }


# --- slash command --------------------------------------------------------------------


def test_an_auditor_records_by_slash_command_and_everyone_sees_it(app, fake_slack):
    response = app.command("audit R1 17/20 February case-file audit", user=AUDITOR)
    body = response.json()
    assert body["response_type"] == "ephemeral"
    assert body["text"].startswith(
        "Recorded audit update #1: R1 audit: 17/20 (85%), at or above the 80% target."
    )
    assert body["text"].endswith("It will be announced in this conversation.")
    [post] = fake_slack.wait_for("chat.postMessage")
    assert post.params["channel"] == "C0YOS"
    assert_valid_message(post.params)
    text = all_text(post.params["blocks"])
    assert "17/20 (85%)" in text
    assert "80% (at or above)" in text
    assert "it counts as February's result (14 February to 13 March 2014)" in text
    assert f"Recorded by <@{AUDITOR}>" in text
    [row] = rows(app)
    assert (row["compliant"], row["audited"], row["percent"], row["via"]) == (
        17,
        20,
        85.0,
        "command",
    )
    # Nothing is looked up while answering: the first record carries the username Slack
    # sent with the command, and the display name is fetched afterwards for next time.
    assert (row["user_id"], row["user_name"], row["channel_id"]) == (
        AUDITOR,
        AUDITOR.lower(),
        "C0YOS",
    )
    assert row["note"] == "February case-file audit"
    fake_slack.wait_for("users.info")
    app.command("audit R1 18/20 later", user=AUDITOR)
    assert rows(app)[1]["user_name"] == f"{AUDITOR} Name"

    history = all_text(app.command("audits R1").json()["blocks"])
    assert "#1 20 February 2014 (entered the same day): 17/20 (85%)" in history
    first = next(line for line in history.splitlines() if "#1 " in line)
    assert "by u0manager" in first and "February case-file audit" in first
    assert "replaced in February" in first  # the later audit that month counts instead
    recs = all_text(app.command("recs").json()["blocks"])
    assert "latest audit 18/20 (90%) on 20 February 2014" in recs


def test_a_bad_update_is_refused_privately_and_records_nothing(app, fake_slack):
    body = app.command("audit R1 21/20", user=AUDITOR).json()
    assert body["response_type"] == "ephemeral"
    assert "21 compliant out of 20 audited is not possible." in all_text(body["blocks"])
    assert "Write it like: /yos audit R1 17/20 30/01/2014 January audit" in all_text(body["blocks"])
    assert rows(app) == []
    time.sleep(0.2)
    assert fake_slack.of("chat.postMessage") == []


def test_someone_not_in_yos_auditors_is_refused(app, fake_slack):
    body = app.command("audit R1 17/20", user=STRANGER).json()
    assert body["response_type"] == "ephemeral"
    assert "for auditors" in all_text(body["blocks"])
    assert rows(app) == []
    # Anyone may still ask.
    assert "91%" in all_text(app.command("score public", user=STRANGER).json()["blocks"])


def test_a_member_of_an_auditor_group_may_record(app, fake_slack):
    app.command("audit R1 17/20 first", user=GROUPIE)
    app.command("audit R1 18/20 second", user=GROUPIE)
    assert [r["note"] for r in rows(app)] == ["first", "second"]
    # Membership is refreshed in the background: nothing is looked up while answering.
    assert fake_slack.of("usergroups.users.list") == []


def test_undo_from_slack(app, fake_slack):
    app.command("audit R1 17/20", user=AUDITOR)
    body = app.command("audit undo", user=AUDITOR).json()
    assert "Retracted audit update #1" in body["text"]
    with sqlite3.connect(app.db_path) as conn:
        assert conn.execute("SELECT count(*) FROM audit_retractions").fetchone()[0] == 1
    assert len(rows(app)) == 1


# --- mention ----------------------------------------------------------------------------


def test_a_mentioned_update_retried_by_slack_is_recorded_once(app, fake_slack):
    app.mention("audit R1 17/20 February case-file audit", event_id="Ev0AUDIT1", user=AUDITOR)
    app.mention("audit R1 17/20 February case-file audit", event_id="Ev0AUDIT1", user=AUDITOR)
    app.event(
        {
            "type": "app_mention",
            "user": AUDITOR,
            "channel": "C0YOS",
            "ts": "1700000000.000100",
            "text": "<@UBOT0001> audit R1 17/20 February case-file audit",
        },
        event_id="Ev0AUDIT1",
        retry=2,
    )
    [post] = fake_slack.wait_for("chat.postMessage")
    time.sleep(0.5)
    assert len(fake_slack.of("chat.postMessage")) == 1
    assert len(rows(app)) == 1
    assert rows(app)[0]["via"] == "mention"
    assert "85%" in post.params["text"]


def test_a_bad_mentioned_update_gets_a_private_reply(app, fake_slack):
    app.mention("audit R1 21/20", event_id="Ev0BAD1", user=AUDITOR)
    [note] = fake_slack.wait_for("chat.postEphemeral")
    assert note.params["user"] == AUDITOR
    assert "21 compliant out of 20 audited is not possible." in all_text(note.params["blocks"])
    assert rows(app) == []
    assert fake_slack.of("chat.postMessage") == []


# --- the form and the shortcut ------------------------------------------------------------


def test_audit_without_arguments_opens_the_form(app, fake_slack):
    response = app.command("audit", user=AUDITOR)
    assert response.status == 200
    [opened] = fake_slack.wait_for("views.open")  # after the acknowledgement
    view = opened.params["view"]
    assert view["callback_id"] == "audit_form"
    assert_valid_blocks(view["blocks"], limit=100)
    by_id = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert by_id["audit_date"]["element"]["initial_date"] == "2014-02-20"
    assert by_id["recommendation"]["element"]["initial_option"]["value"] == "R1"
    assert json.loads(view["private_metadata"])["channel"] == "C0YOS"


def test_the_form_is_refused_to_someone_not_an_auditor(app, fake_slack):
    body = app.command("audit", user=STRANGER).json()
    assert "for auditors" in body["text"]
    time.sleep(0.2)  # a form would be opened after the acknowledgement
    assert fake_slack.of("views.open") == []


def test_a_submitted_form_is_recorded_once_even_if_submitted_twice(app, fake_slack):
    first = app.interaction(view_submission("V0FORM1"))
    second = app.interaction(view_submission("V0FORM1"))
    assert first.status == second.status == 200
    assert first.body == b""  # closes the form
    [post] = fake_slack.wait_for("chat.postMessage")
    time.sleep(0.3)
    assert len(fake_slack.of("chat.postMessage")) == 1
    [row] = rows(app)
    assert (row["via"], row["percent"], row["note"]) == ("modal", 85.0, "Form audit")
    assert "85%" in post.params["text"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"compliant": "21"}, "compliant", "21 compliant out of 20 audited is not possible."),
        (
            {"audited": "0", "compliant": "0"},
            "audited",
            "0 cases audited: an audit needs at least one case.",
        ),
        ({"day": "2014-03-01"}, "audit_date", "The audit date 1 March 2014 is in the future"),
        ({"audited": "twenty"}, "audited", "Enter a whole number of cases, like 20."),
    ],
)
def test_a_bad_form_shows_the_problem_in_place(app, fake_slack, changes, field, message):
    response = app.interaction(view_submission("V0BAD", **changes))
    body = response.json()
    assert body["response_action"] == "errors"
    assert message in body["errors"][field]
    assert rows(app) == []


def shortcut_payload(trigger: str) -> dict:
    return {
        "type": "message_action",
        "callback_id": "record_audit_update",
        "trigger_id": trigger,
        "team": {"id": "T0001", "domain": "example"},
        "user": {"id": AUDITOR, "username": "manager", "team_id": "T0001"},
        "channel": {"id": "C0YOS", "name": "yos-board"},
        "message": {
            "type": "message",
            "user": "U0OTHER",
            "ts": "1700000100.000100",
            "text": "R1 February case-file audit: 17/20 reviewed on time",
        },
        "message_ts": "1700000100.000100",
        "response_url": "http://127.0.0.1:9/unused",
        "token": "legacy",
    }


def test_the_shortcut_opens_a_prefilled_form_once_and_links_the_message(app, fake_slack):
    app.interaction(shortcut_payload("7.7.shortcut"))
    app.interaction(shortcut_payload("7.7.shortcut"))  # the same delivery again
    fake_slack.wait_for("views.open")  # after the acknowledgement
    time.sleep(0.3)
    [opened] = fake_slack.of("views.open")
    view = opened.params["view"]
    by_id = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert by_id["audited"]["initial_value"] == "20"
    assert by_id["compliant"]["initial_value"] == "17"
    assert by_id["recommendation"]["initial_option"]["value"] == "R1"
    assert by_id["note"]["initial_value"].startswith("R1 February case-file audit")
    meta = json.loads(view["private_metadata"])
    assert meta == {"channel": "C0YOS", "message_ts": "1700000100.000100", "via": "shortcut"}

    app.interaction(view_submission("V0SHORT", message_ts=meta["message_ts"], via="shortcut"))
    [post] = fake_slack.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == "1700000100.000100"  # answered under the message
    [row] = rows(app)
    assert (row["via"], row["message_ref"]) == ("shortcut", "1700000100.000100")
    # The same message cannot be recorded twice.
    again = app.interaction(
        view_submission("V0SHORT2", message_ts=meta["message_ts"], via="shortcut")
    )
    assert "already recorded as audit update #1" in again.json()["errors"]["recommendation"]


# --- when Slack's Web API fails ---------------------------------------------------------------


def test_a_rate_limited_announcement_is_retried(app, fake_slack):
    fake_slack.script(
        "chat.postMessage", 429, {"ok": False, "error": "ratelimited"}, Retry_After="1"
    )
    app.command("audit R1 17/20 rate limited", user=AUDITOR)
    posts = fake_slack.wait_for("chat.postMessage", 2, timeout=15)
    assert len(posts) == 2
    assert posts[1].at - posts[0].at >= 0.9  # Slack's Retry-After was honoured
    assert len(rows(app)) == 1


def test_a_failed_announcement_loses_nothing_and_the_poster_is_told(app, fake_slack):
    for _ in range(6):  # every attempt the sender makes
        fake_slack.script("chat.postMessage", 500, {"ok": False, "error": "internal_error"})
    body = app.command("audit R1 17/20 <!channel> outage", user=AUDITOR).json()
    assert body["text"].startswith("Recorded audit update #1")
    everything = body["text"] + json.dumps(body["blocks"])
    assert "<!channel>" not in everything
    [told] = fake_slack.wait_for("chat.postEphemeral", timeout=15)
    assert told.params["user"] == AUDITOR
    assert (
        "Your update is recorded, but I couldn't announce it in the conversation"
        in told.params["text"]
    )
    assert len(fake_slack.of("chat.postMessage")) == 6
    assert len(rows(app)) == 1


def test_a_note_with_channel_mentions_is_escaped_everywhere(app, fake_slack):
    confirmation = app.command("audit R1 17/20 <!channel> <!everyone> look", user=AUDITOR).json()
    [post] = fake_slack.wait_for("chat.postMessage")
    history = app.command("audits R1", user=AUDITOR).json()
    for message in (confirmation, post.params, history):
        everything = message["text"] + json.dumps(message["blocks"])
        assert "<!channel>" not in everything and "<!everyone>" not in everything
    # The auditor sees the note, escaped; the channel sees only that there is one.
    for message in (confirmation, history):
        assert "&lt;!channel&gt; &lt;!everyone&gt; look" in all_text(message["blocks"])
    assert "look" not in all_text(post.params["blocks"])
    assert "a note was recorded" in all_text(post.params["blocks"])
