"""The Teams app, served for real (``yos-bot teams``) and spoken to as Teams speaks to it.

The bot's process authenticates each activity against FakeOpenID's keys, gets its own
token from FakeLogin over HTTPS and sends to FakeConnector (tests/teams_fakes.py): the
only stand-ins. Nothing in the SDK or msal is patched. Every card the connector
receives is checked against the Adaptive Card 1.5 schema and Teams' size limit, and
every call the bot makes must carry a token FakeLogin issued.

"Today" is 20 April 2014, after R1's monitoring window (14 January to 14 April 2014):
reminders and the board report are due, and backdated audits fall in the window.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from jsonschema.exceptions import best_match

from bot.config import PROJECT_ROOT, ConfigError, settings_from
from tests import launch
from tests.teams_fakes import ADAPTIVE_CARD, ConnectorCall
from tests.teams_served import (
    AUDITOR,
    BOARD,
    CHANNEL_AUDITOR,
    COLLEAGUE,
    GENERAL,
    GROUP,
    READER,
    STRANGER,
    TENANT,
    ServedTeams,
    bot_added,
    channel_conversation,
    in_channel,
    in_group_chat,
    invoke,
    new_id,
    personal,
)
from tests.test_cards import AC

TODAY = "2014-04-20"
MAX_ACTIVITY_BYTES = 28_000
WORD_JOINER = "\u2060"
LIVE_MENTION = re.compile(r"<\s*/?\s*at\b", re.IGNORECASE)
SERVICE = "Stockton-on-Tees Youth Offending Service"


GENERIC_ENVIRONMENT = {
    "CLIENT_ID": "99999999-0000-0000-0000-000000000001",
    "CLIENT_SECRET": "another-apps-secret",
    "TENANT_ID": "99999999-0000-0000-0000-000000000002",
    "MSAL_FORCE_REGION": "uksouth",
}

# --- the served app ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(teams_fakes, tmp_path_factory):
    app = ServedTeams(
        tmp_path_factory.mktemp("teams"),
        teams_fakes,
        YOS_TODAY=TODAY,
        # Upper case on purpose: Teams sends object IDs in lower case.
        YOS_AUDITORS=f"{AUDITOR.aad.upper()},{CHANNEL_AUDITOR.aad}",
        YOS_TEAMS_CHANNEL=BOARD,
        YOS_OUTBOX_RETRY_SECONDS="0.05",
        # Generic names other Microsoft tools on the machine may have set: the SDK would
        # log in by itself with CLIENT_SECRET, and msal would rewrite the login host with
        # MSAL_FORCE_REGION, so every reply below shows they are ignored.
        **GENERIC_ENVIRONMENT,
    ).start()
    yield app
    app.stop()


def _checked(served: ServedTeams, teams_fakes):
    served.reset()
    teams_fakes.connector.reset()
    yield served
    served.wait_until_outbox_idle()
    for call in teams_fakes.connector.calls:
        assert call.bearer in teams_fakes.login.issued_tokens(), call
        if call.is_send:
            assert_valid_activity(call.body)


@pytest.fixture
def teams(served, teams_fakes):
    """The module's server with an empty history, once everything the previous test
    caused has been sent; afterwards, every call the bot made is checked."""
    yield from _checked(served, teams_fakes)


# A day inside March's monthly period (14 March to 14 April 2014), while it is still open:
# an audit dated in it is entered on time, so the forms record it without --late.
IN_MARCH = "2014-03-25"
MARCH_SERVERS: list[ServedTeams] = []  # started on first use, each with its own token cache


@pytest.fixture(scope="module")
def served_in_march(teams_fakes, tmp_path_factory):
    app = ServedTeams(
        tmp_path_factory.mktemp("teams-march"),
        teams_fakes,
        YOS_TODAY=IN_MARCH,
        YOS_AUDITORS=f"{AUDITOR.aad},{CHANNEL_AUDITOR.aad}",
        YOS_TEAMS_CHANNEL=BOARD,
        YOS_OUTBOX_RETRY_SECONDS="0.05",
    ).start()
    MARCH_SERVERS.append(app)
    yield app
    app.stop()


@pytest.fixture
def teams_in_march(served_in_march, teams_fakes):
    """A second server whose today falls in an open monthly period, for the forms."""
    yield from _checked(served_in_march, teams_fakes)


@pytest.fixture
def connector(teams_fakes):
    return teams_fakes.connector


@pytest.fixture
def url(teams_fakes):
    """The service URL activities carry: the fake Bot Connector."""
    return teams_fakes.connector.url


def assert_valid_activity(body: dict[str, Any]) -> None:
    size = len(json.dumps(body, separators=(",", ":")).encode())
    assert size < MAX_ACTIVITY_BYTES, f"{size} bytes"
    cards = [a["content"] for a in body.get("attachments", []) if a["contentType"] == ADAPTIVE_CARD]
    assert cards, "every reply is an Adaptive Card"
    for card in cards:
        assert_valid_card(card)
    assert body.get("text") or body.get("summary"), "a plain-text fallback"


def assert_valid_card(card: dict[str, Any]) -> None:
    error = best_match(AC.iter_errors(card))
    assert error is None, f"{error.message} at {list(error.absolute_path)}"
    assert card["version"] == "1.5"


def plain(text: str) -> str:
    """Card text as a person reads it: without the escaping that keeps it inert."""
    return re.sub(r"\\(.)", r"\1", text.replace(WORD_JOINER, ""))


def card_text(card: dict[str, Any]) -> str:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                found.append(node["text"])
            for fact in node.get("facts", []):
                found.append(f"{fact['title']}: {fact['value']}")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card.get("body", []))
    return "\n".join(found)


def text_of(call: ConnectorCall) -> str:
    return plain("\n".join(card_text(card) for card in call.cards))


def buttons(call: ConnectorCall) -> list[dict[str, Any]]:
    return [action for card in call.cards for action in card.get("actions", [])]


def one_send(connector, conversation: str, timeout: float = 5.0) -> ConnectorCall:
    return connector.wait_for(lambda c: c.is_send and c.conversation_id == conversation, timeout)


def sends(connector, conversation: str | None = None) -> list[ConnectorCall]:
    return [c for c in connector.sent() if conversation in (None, c.conversation_id)]


def rows(teams) -> list[Any]:
    return teams.query("SELECT * FROM audit_updates ORDER BY id")


def after(connector, teams, url) -> None:
    """Make sure the bot has finished with what came before: ask something and wait for
    the answer, which the outbox sends after anything queued earlier."""
    question = personal("strengths", url, user=READER)
    assert teams.post(question).status == 200
    connector.wait_for(
        lambda c: (
            c.is_send
            and c.conversation_id == READER.personal_chat
            and "strengths" in (c.text or "").lower()
        )
    )
    teams.wait_until_outbox_idle()


# --- serving -----------------------------------------------------------------------------


def test_health_check(teams):
    response = teams.get("/healthz")
    assert (response.status, response.body) == (200, {"ok": True})
    assert teams.started_in is not None and teams.started_in < 10


def test_no_api_documentation_is_served(teams):
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert teams.get(path).status == 404


# --- questions in a personal chat --------------------------------------------------------


def test_score_is_answered_with_a_card_in_the_personal_chat(teams, connector, url, teams_fakes):
    assert teams.post(personal("score protecting-public", url)).status == 200
    call = one_send(connector, AUDITOR.personal_chat)
    assert call.body["text"] == "Protecting the public: Protecting the public: 91%, Good (★★★★)."
    assert call.body["summary"] == "Protecting the public: 91%, Good (★★★★)."
    text = text_of(call)
    for fact in ("Protecting the public", "Score: 91%", "Rating: ★★★★ Good", "Band: Good"):
        assert fact in text
    # From a personal chat an answer can be shared in YOS_TEAMS_CHANNEL: the button
    # carries the question to ask again, as data, never a command line.
    [share] = buttons(call)
    assert share["type"] == "Action.Submit" and share["title"] == "Share in channel"
    assert share["data"] == {
        "action": "share",
        "command": "score",
        "args": f"protecting-public {SERVICE}",
    }
    assert call.bearer in teams_fakes.login.issued_tokens()


def test_summary(teams, connector, url):
    teams.post(personal("summary", url))
    text = text_of(one_send(connector, AUDITOR.personal_chat))
    for fact in ("91%", "80% to 100%", "25-27 November 2013", "18 December 2013", "R1:"):
        assert fact in text
    assert "Protecting the child or young person: 87%  ★★★★ Good" in text


def test_recs(teams, connector, url):
    teams.post(personal("recs", url))
    text = text_of(one_send(connector, AUDITOR.personal_chat))
    assert "Reviews of risk of harm to others 85%, Reviews of vulnerability 80%" in text
    assert "14 January 2014 to 14 April 2014" in text


def test_help_lists_commands_as_they_are_typed_in_teams(teams, connector, url):
    teams.post(personal("help", url))
    call = one_send(connector, AUDITOR.personal_chat)
    text = text_of(call)
    assert "• score <theme>" in text
    assert "• audit <rec> <compliant>/<audited>" in text
    assert "/yos" not in json.dumps(call.body)
    assert "<theme>" not in card_text(call.cards[0]), "shown as typed, but never as a tag"


def test_an_unknown_theme_gets_a_helpful_reply(teams, connector, url):
    teams.post(personal("score wellbeing", url))
    call = one_send(connector, AUDITOR.personal_chat)
    text = text_of(call)
    assert "No theme matches “wellbeing”" in text
    assert "protecting-public: Protecting the public" in text
    assert buttons(call) == []  # nothing to share


def test_an_unknown_command_gets_help(teams, connector, url):
    teams.post(personal("frobnicate", url))
    assert "I didn't understand “frobnicate”" in text_of(one_send(connector, AUDITOR.personal_chat))


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("what's the latest inspection summary?", "overall 91%"),
        ("how did we score on protecting the public", "Protecting the public: 91%"),
        ("recommendations", "Recommendations"),
        ("strengths", "Key strengths"),
        ("bands", "Good: 80% and over"),
    ],
)
def test_plain_questions(teams, connector, url, question, answer):
    teams.post(personal(question, url))
    assert answer in text_of(one_send(connector, AUDITOR.personal_chat))


def test_the_home_card_offers_the_form_and_the_board_report(teams, connector, url):
    teams.post(personal("home", url))
    call = one_send(connector, AUDITOR.personal_chat)
    text = text_of(call)
    assert SERVICE in text and "R1:" in text and "Latest audit updates" in text
    form, report = buttons(call)
    assert form["title"] == "Record audit update"
    assert form["data"] == {"action": "audit_form", "msteams": {"type": "task/fetch"}}
    assert report["data"] == {"action": "post_report", "ref": ""}


def test_a_redelivered_question_is_answered_once(teams, connector, url):
    question = personal("timeline", url)
    teams.post(question)
    one_send(connector, AUDITOR.personal_chat)
    assert teams.post(question).status == 200  # Teams retries without saying so
    after(connector, teams, url)
    assert len(sends(connector, AUDITOR.personal_chat)) == 1


# --- who may speak to the bot ------------------------------------------------------------


def _expired(openid):
    now = int(time.time())
    return {"exp": now - 3600, "nbf": now - 7200}


@pytest.mark.parametrize(
    "forgery",
    [
        pytest.param(lambda o: {"authorization": ""}, id="no-token"),
        pytest.param(lambda o: {"authorization": "Basic dXNlcjpwYXNz"}, id="not-a-bearer"),
        pytest.param(lambda o: {"token": o.token().rsplit(".", 1)[0] + "."}, id="unsigned"),
        pytest.param(lambda o: {"key": o.other_key}, id="unpublished-key"),
        pytest.param(lambda o: {"key": o.other_key, "kid": o.key.kid}, id="forged-under-our-kid"),
        pytest.param(_expired, id="expired"),
        pytest.param(lambda o: {"aud": "another-bot"}, id="wrong-audience"),
        pytest.param(lambda o: {"iss": "https://evil.example"}, id="wrong-issuer"),
        pytest.param(
            lambda o: {"serviceurl": "https://smba.trafficmanager.net/teams"},
            id="other-service-url",
        ),
        pytest.param(lambda o: {"serviceurl": None}, id="no-service-url"),
    ],
)
def test_requests_without_a_valid_token_are_refused(teams, connector, url, teams_fakes, forgery):
    conversation = f"a:1forged-{new_id()}"
    forged = personal(
        "audit R1 17/20 forged",
        url,
        conversation={"id": conversation, "conversationType": "personal", "tenantId": TENANT},
    )
    response = teams.post(forged, **forgery(teams_fakes.openid))
    assert response.status == 401
    assert "91%" not in json.dumps(response.body)
    connector.assert_quiet(within=0.1)
    assert rows(teams) == []
    assert teams.query("SELECT * FROM deliveries") == []
    saved = teams.query("SELECT * FROM conversations WHERE conversation_id = ?", conversation)
    assert saved == []


def test_a_body_that_is_not_json_is_refused(teams, connector):
    response = teams.post_raw(b"{not json", {"Content-Type": "application/json"})
    assert (response.status, response.body) == (400, {"error": "Bad request"})
    response = teams.post_raw(b"[1, 2]", {"Content-Type": "application/json"})
    assert response.status == 400
    connector.assert_quiet(within=0.1)


def test_activities_from_another_tenant_are_refused(teams, connector, url):
    # tests/test_teams_tenant.py refuses every other shape of a stranger's activity.
    visitor = personal("summary", url)
    visitor["conversation"]["tenantId"] = "99999999-0000-0000-0000-000000000000"
    visitor["channelData"] = {"tenant": {"id": "99999999-0000-0000-0000-000000000000"}}
    assert teams.post(visitor).status == 403
    connector.assert_quiet(within=0.3)


# --- channels and group chats -------------------------------------------------------------


def test_a_mention_in_a_channel_is_answered_in_its_thread(teams, connector, url):
    post = in_channel("recommendations", url)
    assert teams.post(post).status == 200
    call = one_send(connector, f"{GENERAL};messageid={post['id']}")
    assert "Recommendations" in text_of(call)
    assert buttons(call) == [], "no Share button where the answer is already public"

    root = post["id"]
    reply = in_channel("how did we score on protecting the public", url, root=root)
    teams.post(reply)
    answers = connector.wait_for_count(
        2, lambda c: c.is_send and c.conversation_id == f"{GENERAL};messageid={root}"
    )
    assert "Protecting the public: 91%" in text_of(answers[1])


def test_channel_messages_that_do_not_mention_the_bot_are_left_alone(teams, connector, url):
    teams.post(in_channel("summary please, anyone?", url, mention_bot=False))
    after(connector, teams, url)
    assert sends(connector) == [sends(connector)[-1]]  # only the answer in `after`


def test_a_mention_in_a_group_chat_is_answered_there(teams, connector, url):
    teams.post(in_group_chat("strengths", url))
    assert "Key strengths" in text_of(one_send(connector, GROUP))


# --- recording audit updates ---------------------------------------------------------------


def test_an_auditor_records_by_message_and_a_redelivery_is_recorded_once(teams, connector, url):
    # The "done when": the same activity delivered twice is recorded once. (Its
    # date is written 2014-01-30: the committed audit parser reads ISO dates only.)
    update = personal('audit R1 17/20 2014-01-30 January audit --late "paper log"', url)
    assert teams.post(update).status == 200
    assert teams.post(update).status == 200  # delivered again, as Teams retries
    teams.wait_until_outbox_idle()
    after(connector, teams, url)
    [row] = rows(teams)
    assert (row["compliant"], row["audited"], row["percent"], row["audit_date"]) == (
        17,
        20,
        85.0,
        "2014-01-30",
    )
    assert (row["user_id"], row["user_name"], row["platform"], row["via"]) == (
        AUDITOR.aad,
        "Alex Auditor",
        "teams",
        "direct message",
    )
    assert (row["channel_id"], row["note"]) == (AUDITOR.personal_chat, "January audit")
    # The announcement is queued first, then the answer to the asker.
    announcement, confirmation = sends(connector, AUDITOR.personal_chat)
    assert text_of(confirmation).startswith("Recorded audit update #")
    assert "It will be announced in this conversation." in text_of(confirmation)
    text = text_of(announcement)
    assert "R1 audit: 17/20 (85%), at or above the 80% target." in text
    assert "Recorded by Alex Auditor" in text

    teams.post(personal("audits R1", url))
    history = text_of(connector.wait_for(lambda c: "Audit history" in (c.text or "")))
    assert (
        f"#{row['id']} 30 January 2014 (entered late on 20 April 2014: paper log): 17/20 (85%)"
        in history
    )
    assert "by Alex Auditor" in history and "January audit" in history


def test_the_command_line_lists_updates_recorded_in_teams(teams, connector, url):
    teams.post(personal('audit R1 16/20 2014-02-14 February audit --late "paper log"', url))
    connector.wait_for_count(2, lambda c: c.is_send)
    listed = launch.run(
        ["ask", "audits R1"],
        cwd=PROJECT_ROOT,
        env=teams.env,
        timeout=60,
    )
    [row] = rows(teams)
    assert (
        f"#{row['id']} 14 February 2014 (entered late on 20 April 2014: paper log): 16/20 (80%)"
        in listed.stdout
    )
    assert "by Alex Auditor" in listed.stdout and "February audit" in listed.stdout


def test_in_a_channel_only_the_bots_mention_is_stripped_and_notes_stay_inert(teams, connector, url):
    note = "checked with <at>Jo Colleague</at> [click](http://evil.example) **bold** <!channel>"
    post = in_channel(
        f'audit R1 18/20 2014-02-10 {note} --late "paper log"',
        url,
        user=CHANNEL_AUDITOR,
        others=(COLLEAGUE,),
    )
    assert teams.post(post).status == 200
    thread = f"{GENERAL};messageid={post['id']}"
    announcement = one_send(connector, thread)
    [row] = rows(teams)
    assert row["note"] == note
    assert (row["channel_id"], row["message_ref"], row["via"]) == (GENERAL, post["id"], "mention")
    raw = json.dumps(announcement.body, ensure_ascii=False)
    assert not LIVE_MENTION.search(raw), "no live mention in the card or the text"
    assert "[click](" not in raw and "**bold**" not in raw
    assert "<!channel>" not in raw
    # Only auditors read notes: the channel is told that there is one, never what it says
    # (tests/test_fuzz.py renders any text, notes included, as an inert card).
    assert "Jo Colleague" not in text_of(announcement)
    assert "a note was recorded" in text_of(announcement)
    assert "entities" not in announcement.body
    after(connector, teams, url)
    # Chris has no personal chat with the bot: the private confirmation is not posted
    # in the thread as well, where the announcement already is.
    assert sends(connector, thread) == [announcement]


def test_a_non_auditor_is_refused_in_their_personal_chat(teams, connector, url):
    teams.post(personal("audit R1 17/20 my audit", url, user=READER))
    call = one_send(connector, READER.personal_chat)
    text = text_of(call)
    assert "Only auditors can do that" in text
    assert "Ask your Teams admin to add you to YOS_AUDITORS" in text
    assert rows(teams) == []


def test_a_private_reply_in_a_channel_goes_to_the_personal_chat(teams, connector, url):
    teams.post(personal("help audit", url, user=READER))  # Robin has a personal chat
    one_send(connector, READER.personal_chat)
    post = in_channel("audit R1 17/20", url, user=READER)
    teams.post(post)
    refusal = connector.wait_for_count(2, lambda c: c.conversation_id == READER.personal_chat)[1]
    assert "Only auditors can do that" in text_of(refusal)
    after(connector, teams, url)
    assert sends(connector, f"{GENERAL};messageid={post['id']}") == []


def test_without_a_personal_chat_a_private_reply_is_addressed_in_the_thread(teams, connector, url):
    post = in_channel("audit R1 17/20", url, user=STRANGER)
    teams.post(post)
    call = one_send(connector, f"{GENERAL};messageid={post['id']}")
    tag = f"<at>{STRANGER.name}</at>"
    assert call.body["text"].startswith(tag)
    assert call.body["entities"] == [
        {
            "type": "mention",
            "text": tag,
            "mentioned": {"id": STRANGER.account, "name": STRANGER.name},
        }
    ]
    assert "Only auditors can do that" in text_of(call)
    assert rows(teams) == []


def test_the_audit_form_as_a_dialog(teams_in_march, connector, url):
    teams = teams_in_march
    thread = new_id()
    where = channel_conversation(GENERAL, thread)
    opened = teams.post(
        invoke(
            "task/fetch",
            {"data": {"action": "audit_form", "msteams": {"type": "task/fetch"}}},
            url,
            user=CHANNEL_AUDITOR,
            conversation=where,
        )
    )
    assert opened.status == 200
    task = opened.body["task"]
    assert task["type"] == "continue" and task["value"]["title"] == "Record audit update"
    form = task["value"]["card"]
    assert form["contentType"] == ADAPTIVE_CARD
    assert_valid_card(form["content"])
    [record] = form["content"]["actions"]
    hidden = {k: v for k, v in record["data"].items() if k != "action"}
    assert record["data"]["action"] == "audit_form_submit"
    inputs = {e["id"]: e for e in form["content"]["body"] if "id" in e}
    assert [c["value"] for c in inputs["recommendation"]["choices"]] == ["R1"]
    assert inputs["audit_date"]["max"] == IN_MARCH

    def submit(**values: str):
        data = {
            "action": "audit_form_submit",
            **hidden,
            "recommendation": "R1",
            "audit_date": "2014-03-17",
            "audited": "20",
            "note": "Dialog audit",
            **values,
        }
        activity = invoke(
            "task/submit", {"data": data}, url, user=CHANNEL_AUDITOR, conversation=where
        )
        return activity, teams.post(activity)

    _, wrong = submit(compliant="21")
    again = wrong.body["task"]
    assert again["type"] == "continue"
    shown = again["value"]["card"]["content"]
    assert_valid_card(shown)
    errors = [b["text"] for b in shown["body"] if b.get("color") == "Attention"]
    assert [plain(e) for e in errors] == [
        "Cases compliant: 21 compliant out of 20 audited is not possible."
    ]
    values = {e["id"]: e.get("value") for e in shown["body"] if "id" in e}
    assert (values["audited"], values["compliant"], values["note"]) == (20, 21, "Dialog audit")
    assert rows(teams) == []

    submitted, right = submit(compliant="19")
    assert right.body["task"]["type"] == "message"
    assert right.body["task"]["value"].startswith("Recorded audit update #")
    assert teams.post(submitted).body["task"]["value"] == "That update was already recorded."
    [row] = rows(teams)
    assert (row["compliant"], row["via"], row["message_ref"]) == (19, "dialog", None)
    announcement = one_send(connector, f"{GENERAL};messageid={thread}")
    assert "R1 audit: 19/20 (95%)" in text_of(announcement)
    after(connector, teams, url)
    assert len(sends(connector, f"{GENERAL};messageid={thread}")) == 1


def test_the_dialog_refuses_a_late_entry_with_the_command_that_records_it(teams, connector, url):
    """On 20 April the window has closed: an audit of 3 March is a late entry, which
    needs a reason; the dialog says so, with the command to type, and records nothing."""
    data = {
        "action": "audit_form_submit",
        "recommendation": "R1",
        "audit_date": "2014-03-03",
        "audited": "20",
        "compliant": "19",
        "note": "Dialog audit",
    }
    answer = teams.post(invoke("task/submit", {"data": data}, url, user=CHANNEL_AUDITOR)).body[
        "task"
    ]
    assert answer["type"] == "continue"
    said = plain(card_text(answer["value"]["card"]["content"]))
    assert "is a late entry" in said
    assert "audit R1 19/20 03/03/2014 Dialog audit --late" in said
    assert rows(teams) == []


def test_the_dialog_is_refused_to_non_auditors(teams, connector, url):
    refused = teams.post(
        invoke("task/fetch", {"data": {"action": "audit_form"}}, url, user=STRANGER)
    )
    assert refused.body["task"]["type"] == "message"
    assert "Recording audit updates is for auditors." in refused.body["task"]["value"]
    assert "Ask your Teams admin" in refused.body["task"]["value"]
    fake_submit = invoke(
        "task/submit",
        {
            "data": {
                "action": "audit_form_submit",
                "recommendation": "R1",
                "audit_date": "2014-03-03",
                "audited": "20",
                "compliant": "20",
            }
        },
        url,
        user=STRANGER,
    )
    answer = teams.post(fake_submit).body["task"]
    assert answer["type"] == "continue"
    assert "for auditors" in card_text(answer["value"]["card"]["content"])
    assert rows(teams) == []


def test_record_as_audit_update_on_a_message(teams_in_march, connector, url):
    teams = teams_in_march
    message_id = new_id()
    where = channel_conversation(GENERAL, message_id)
    payload = {
        "id": message_id,
        "messageType": "message",
        "body": {
            "contentType": "html",
            "content": "<p>March case-file audit for <b>R1</b>: 17/20 reviews on time &amp; "
            "signed off</p>",
        },
    }
    opened = teams.post(
        invoke(
            "composeExtension/fetchTask",
            {
                "commandId": "recordAuditUpdate",
                "commandContext": "message",
                "messagePayload": payload,
            },
            url,
            conversation=where,
        )
    )
    form = opened.body["task"]["value"]["card"]["content"]
    assert_valid_card(form)
    values = {e["id"]: e.get("value") for e in form["body"] if "id" in e}
    assert (values["recommendation"], values["compliant"], values["audited"]) == ("R1", 17, 20)
    assert values["note"] == "March case-file audit for R1: 17/20 reviews on time & signed off"
    [record] = form["actions"]
    assert record["data"]["message_ref"] == message_id

    def submit():
        data = {**record["data"], **{k: str(v) for k, v in values.items() if v is not None}}
        data["audit_date"] = "2014-03-20"
        return teams.post(
            invoke(
                "composeExtension/submitAction",
                {"commandId": "recordAuditUpdate", "commandContext": "message", "data": data},
                url,
                conversation=where,
            )
        )

    done = submit()
    assert done.body["task"]["type"] == "message"
    [row] = rows(teams)
    assert (row["message_ref"], row["channel_id"], row["via"]) == (
        message_id,
        GENERAL,
        "message action",
    )
    assert "R1 audit: 17/20 (85%)" in text_of(
        one_send(connector, f"{GENERAL};messageid={message_id}")
    )
    again = submit().body["task"]  # the same message a second time: said in the form
    assert again["type"] == "continue"
    assert f"That message is already recorded as audit update #{row['id']}" in plain(
        card_text(again["value"]["card"]["content"])
    )


def test_typing_audit_offers_the_form(teams, connector, url):
    teams.post(personal("audit", url))
    call = one_send(connector, AUDITOR.personal_chat)
    [button] = buttons(call)
    assert button["data"] == {"action": "audit_form", "msteams": {"type": "task/fetch"}}


# --- buttons -------------------------------------------------------------------------------


def test_share_posts_the_answer_in_the_channel_once(teams, connector, url):
    teams.post(personal("score protecting-public", url))
    [share] = buttons(one_send(connector, AUDITOR.personal_chat))
    pressed = personal(None, url, value=share["data"])
    assert teams.post(pressed).status == 200
    shared = one_send(connector, BOARD)
    assert "Protecting the public: 91%" in text_of(shared)
    assert "Shared by Alex Auditor" in text_of(shared)
    assert buttons(shared) == []
    teams.post(pressed)  # pressed once, delivered twice
    after(connector, teams, url)
    assert len(sends(connector, BOARD)) == 1


def test_post_board_report_from_home_with_its_chart(teams, connector, url):
    teams.post(personal("home", url))
    _, report = buttons(one_send(connector, AUDITOR.personal_chat))
    teams.post(personal(None, url, value=report["data"]))
    posted, chart = connector.wait_for_count(2, lambda c: c.conversation_id == BOARD, timeout=15)
    assert posted.text.startswith("Monitoring report")
    assert "Shared by Alex Auditor" in text_of(posted)
    [image] = [e for e in chart.cards[0]["body"] if e["type"] == "Image"]
    assert image["url"].startswith("data:image/png;base64,iVBORw0KGgo")
    assert "R1 monitoring" in image["altText"]


def test_non_auditors_cannot_post_the_report(teams, connector, url):
    teams.post(personal(None, url, user=READER, value={"action": "post_report", "ref": ""}))
    refusal = one_send(connector, READER.personal_chat)
    assert "Only auditors can post the board report." in text_of(refusal)
    after(connector, teams, url)
    assert sends(connector, BOARD) == []


# --- proactive messages ------------------------------------------------------------------------


def test_reminders_go_to_the_channel_once(teams, connector, url):
    # The bot is added to the board's team: it says hello, its reference is saved, and
    # the reminders that are due (R1's window has ended) go out at once, with the report
    # and chart.
    assert teams.post(bot_added(BOARD, url)).status == 200
    hello, reminder, report, chart = connector.wait_for_count(
        4, lambda c: c.conversation_id == BOARD, timeout=15
    )
    assert "reminders and board reports will be posted in this channel" in text_of(hello)
    assert text_of(reminder).startswith("Monitoring reminder\nR1's monitoring window has ended")
    assert report.text.startswith("Monitoring report")
    assert any(e["type"] == "Image" for e in chart.cards[0]["body"])
    [saved] = teams.query("SELECT * FROM conversations WHERE conversation_id = ?", BOARD)
    assert (saved["service_url"], saved["kind"], saved["tenant_id"]) == (url, "channel", TENANT)

    # Removed and added again: welcomed again, but the reminder was sent, so it is not
    # sent again.
    teams.post(bot_added(BOARD, url, removed=True))
    assert teams.query("SELECT * FROM conversations WHERE conversation_id = ?", BOARD) == []
    teams.post(bot_added(BOARD, url))
    after(connector, teams, url)
    assert len(sends(connector, BOARD)) == 5
    assert "is here" in text_of(sends(connector, BOARD)[-1])


# --- Slack and Teams on one store ---------------------------------------------------------------


def test_slack_and_teams_serve_one_store_at_once(teams, connector, url, fake_slack):
    from tests.blockkit import all_text
    from tests.slack_requests import ServedApp

    fake_slack.reset()
    slack = ServedApp(
        teams.db_path,
        fake_slack.api_url,
        YOS_TODAY=TODAY,
        YOS_AUDITORS="U0MANAGER",
        YOS_OUTBOX_RETRY_SECONDS="0.05",
    ).start()
    try:
        answer = slack.command(
            'audit R1 17/20 2014-02-02 from Slack --late "paper log"', user="U0MANAGER"
        ).json()
        assert answer["text"].startswith("Recorded audit update #")
        fake_slack.wait_for("chat.postMessage")  # Slack's own sender announced it
        teams.post(personal('audit R1 18/20 2014-03-03 from Teams --late "paper log"', url))
        connector.wait_for_count(2, lambda c: c.is_send)

        teams.post(personal("audits R1", url))
        in_teams = text_of(connector.wait_for(lambda c: "Audit history" in (c.text or "")))
        in_slack = all_text(slack.command("audits R1").json()["blocks"])
        for history in (in_teams, in_slack):
            assert (
                "2 February 2014 (entered late on 20 April 2014: paper log): 17/20 (85%)" in history
            )
            assert "3 March 2014 (entered late on 20 April 2014: paper log): 18/20 (90%)" in history
        slack.wait_until_outbox_idle()
    finally:
        slack.stop()
    # Each process sent its own platform's items, and only those.
    assert [r["platform"] for r in rows(teams)] == ["slack", "teams"]
    assert len(fake_slack.of("chat.postMessage")) == 1
    assert all(c.conversation_id == AUDITOR.personal_chat for c in connector.calls)


# --- the Bot Connector failing ---------------------------------------------------------------


def test_a_rate_limit_is_waited_out(teams, connector, url):
    connector.fail_next(1, status=429, retry_after=0.3, operations={"send"})
    teams.post(personal("strengths", url))
    limited, sent = connector.wait_for_count(
        2, lambda c: c.conversation_id == AUDITOR.personal_chat
    )
    assert (limited.status, sent.status) == (429, 201)
    assert sent.at - limited.at >= 0.3


@pytest.mark.parametrize("status", [412, 502, 503, 504])
def test_a_busy_or_failing_teams_is_tried_again(teams, connector, url, status):
    connector.fail_next(2, status=status, retry_after=None, operations={"send"})
    teams.post(personal("strengths", url))
    calls = connector.wait_for_count(3, lambda c: c.conversation_id == AUDITOR.personal_chat)
    assert [c.status for c in calls] == [status, status, 201]
    assert "Key strengths" in text_of(calls[-1])


def test_a_bad_request_is_not_tried_again(teams, connector, url):
    connector.fail_next(1, status=400, retry_after=None, operations={"send"})
    teams.post(personal("strengths", url))
    refused = connector.wait_for(lambda c: c.conversation_id == AUDITOR.personal_chat)
    assert refused.status == 400
    teams.wait_until_outbox_idle()
    connector.assert_quiet(lambda c: c is not refused and "Key strengths" in (c.text or ""), 0.3)


def test_a_refused_announcement_is_reported_to_the_auditor(teams, connector, url):
    connector.fail_next(1, status=403, retry_after=None, operations={"send"})
    post = in_channel('audit R1 15/20 2014-03-30 refused --late "paper log"', url)
    teams.post(post)
    notes = connector.wait_for_count(
        2, lambda c: c.is_send and c.conversation_id == AUDITOR.personal_chat
    )
    said = " ".join(text_of(n) for n in notes)
    assert "Recorded audit update #" in said
    assert "Your update is recorded, but I couldn't announce it in the conversation" in said
    assert len(rows(teams)) == 1


# --- the bot's own token, and its log --------------------------------------------------------


def test_one_token_from_the_login_service_serves_every_call(teams, connector, url, teams_fakes):
    teams.post(personal("strengths", url))
    call = one_send(connector, AUDITOR.personal_chat)
    login = teams_fakes.login
    assert call.bearer in login.issued_tokens()
    # msal's cache: one token per serving process for the whole module
    assert login.token_requests == 1 + len(MARCH_SERVERS)
    for issued in login.issued:
        assert (issued.client_id, issued.tenant, issued.scope) == (
            "00000000-0000-0000-0000-00000000b07a",
            TENANT,
            "https://api.botframework.com/.default",
        )


def test_the_log_has_no_tracebacks(teams):
    log = teams.log()
    assert "Traceback" not in log
    assert "inbound activity rejected" in log  # the 401s above, one line each


def test_generic_microsoft_settings_are_named_as_ignored(teams):
    log = teams.log()
    for name in GENERIC_ENVIRONMENT:
        assert f"ignoring {name} from the environment" in log
    assert "another-apps-secret" not in log


# --- settings and layers (no server) -----------------------------------------------------------


def test_half_the_teams_settings_stop_run_with_what_is_missing(tmp_path):
    import os

    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TEAMS_", "YOS_"))},
        "TEAMS_APP_ID": "00000000-0000-0000-0000-00000000b07a",
        "TEAMS_TENANT_ID": TENANT,
        "YOS_DB": str(tmp_path / "yos.db"),
    }
    done = launch.run(
        ["run"],
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    assert done.returncode != 0
    assert "TEAMS_APP_PASSWORD is not set" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("values", "mode"),
    [
        (
            {
                "TEAMS_APP_ID": "00000000-0000-0000-0000-00000000b07a",
                "TEAMS_APP_PASSWORD": "p",
                "TEAMS_TENANT_ID": TENANT,
            },
            "teams",
        ),
        (
            {
                "TEAMS_APP_ID": "00000000-0000-0000-0000-00000000b07a",
                "TEAMS_APP_PASSWORD": "p",
                "SLACK_BOT_TOKEN": "xoxb-1",
                "SLACK_APP_TOKEN": "xapp-1",
            },
            "socket",
        ),
    ],
)
def test_run_chooses_teams_only_when_slack_is_not_configured(values, mode):
    assert settings_from(values).mode == mode


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TEAMS_APP_ID", "yos-bot", "TEAMS_APP_ID must be the bot's Microsoft App ID, a GUID"),
        ("TEAMS_TENANT_ID", "not a tenant", "TEAMS_TENANT_ID must be your Microsoft Entra"),
        (
            "TEAMS_TENANT_ID",
            "contoso.onmicrosoft.com",
            "not a domain name: find it in the Microsoft Entra admin centre",
        ),
        ("TEAMS_PUBLIC_URL", "http://yos.example.gov.uk", "TEAMS_PUBLIC_URL must be the https://"),
        ("TEAMS_PRIVACY_URL", "https://example.org/privacy", "must be your own page"),
        ("TEAMS_LOGIN_URL", "http://login.example", "TEAMS_LOGIN_URL must be an https URL"),
        (
            "TEAMS_OPENID_METADATA_URL",
            "https://login.botframework.com/v1/.well-known/openid-configuration",
            "must be an http(s) URL ending in /openidconfiguration",
        ),
        ("TEAMS_PORT", "0", "TEAMS_PORT must be between 1 and 65535"),
        ("YOS_TEAMS_CHANNEL", "general", "YOS_TEAMS_CHANNEL must be a Teams conversation ID"),
    ],
)
def test_malformed_teams_settings_name_the_variable(name, value, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        settings_from({name: value})


def test_teams_settings_defaults_and_a_pasted_channel_link():
    settings = settings_from({"YOS_TEAMS_CHANNEL": "19%3aabc123%40thread.tacv2;messageid=1"})
    assert settings.teams_channel == "19:abc123@thread.tacv2"
    assert settings.teams_port == 3978
    assert settings.teams_login_url == "https://login.microsoftonline.com"
    assert settings.teams_public_url is None and settings.teams_chart_days == 90
    with pytest.raises(ConfigError, match="TEAMS_TENANT_ID is not set: find it in"):
        settings.teams_tenant  # noqa: B018  (no multi-tenant authority to fall back on)
    tenant = settings_from({"TEAMS_TENANT_ID": TENANT.upper()})
    assert tenant.teams_tenant == TENANT  # msal's authority is always the tenant's own


def test_serving_teams_needs_the_tenant_id():
    settings = settings_from(
        {"TEAMS_APP_ID": "00000000-0000-0000-0000-00000000b07a", "TEAMS_APP_PASSWORD": "p"}
    )
    with pytest.raises(ConfigError, match="TEAMS_TENANT_ID is not set") as refused:
        settings.require_teams()
    assert "Microsoft Entra admin centre" in str(refused.value)


def test_the_message_action_is_the_one_the_package_declares():
    from bot.teams import package
    from bot.teams.platform import RECORD_AUDIT_ACTION

    assert package.MESSAGE_ACTION_ID == RECORD_AUDIT_ACTION


# --- the bot's token provider, against FakeLogin (real msal, in this process) ------------------


def test_the_token_provider_caches_and_reports_failures_in_one_line(
    teams_fakes, monkeypatch, caplog
):
    import certifi

    from bot.teams.token import BotToken, TokenUnavailable

    login = teams_fakes.login
    scope = "https://api.botframework.com/.default"
    # A machine that does not trust the login service's certificate.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    untrusting = BotToken(
        login.url, TENANT, "00000000-0000-0000-0000-00000000b07a", "s3cret-for-tests-only"
    )
    with caplog.at_level("WARNING", logger="bot.teams.token"):
        for _ in range(2):
            with pytest.raises(TokenUnavailable, match="certificate is not trusted"):
                untrusting.acquire(scope)
    assert len(caplog.records) == 1, "one line per outage, not per attempt"
    assert caplog.records[0].exc_info is None

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(login.ca_path))
    wrong = BotToken(login.url, TENANT, "00000000-0000-0000-0000-00000000b07a", "wrong")
    with pytest.raises(TokenUnavailable, match="invalid_client"):
        wrong.acquire(scope)

    token = BotToken(
        login.url, TENANT, "00000000-0000-0000-0000-00000000b07a", "s3cret-for-tests-only"
    )
    before = login.token_requests
    first, second = token.acquire(scope), token.acquire(scope)
    assert first == second and login.is_valid(first)
    assert login.token_requests == before + 1
    assert not token.instance_discovery  # the fake's host is not Microsoft's
