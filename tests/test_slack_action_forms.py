"""The improvement plan's forms and the App Home, through the served Slack app (HTTP,
signed requests, the fake Web API): the owner's actions on the Home tab with a button to
record progress; the progress form and the add-action form, checked as the commands
check them, with what they refuse shown beside the field and nothing recorded."""

from __future__ import annotations

import json

import pytest

from bot.store import open_db
from bot.store import plan as store
from bot.store.plan import Actor
from bot.store.plan_model import Owner
from tests.blockkit import all_text, assert_valid_blocks
from tests.conftest import IN_WINDOW, start_served
from tests.test_slack_home import button, home_opened

AUDITOR = "U0MANAGER"
OWNER = "U0OWNER"
STRANGER = "U0STRANGER"
INSPECTION = "stockton-on-tees-sqs-2013"


@pytest.fixture(scope="module")
def forms_app(fake_slack, tmp_path_factory):
    served = start_served(
        fake_slack,
        tmp_path_factory.mktemp("forms"),
        YOS_TODAY=IN_WINDOW.isoformat(),
        YOS_AUDITORS=AUDITOR,
        YOS_CHANNEL="C0BOARD",
    )
    db = open_db(served.db_path)
    rec = store.plan_rec(db, INSPECTION, "R1")
    assert rec is not None
    for text, due in (("Dip sample ten reviews a month", 3), ("Brief the team on reviews", 1)):
        store.add_action(
            db,
            rec,
            text=text,
            owner=Owner("Omar Owner", OWNER, "slack"),
            agency="YOS",
            due=IN_WINDOW.replace(month=IN_WINDOW.month + due),
            actor=Actor(AUDITOR, "Manager", "slack", "command"),
            today=IN_WINDOW,
        )
    db.close()
    yield served
    served.stop()


@pytest.fixture
def app(forms_app, fake_slack):
    forms_app.wait_until_outbox_idle()
    fake_slack.reset()
    return forms_app


def submission(callback: str, view_id: str, user: str, values: dict, home: bool = True) -> dict:
    def entry(kind: str, **value):
        return {"value": {"type": kind, **value}}

    state = {}
    for block, (kind, value) in values.items():
        if kind == "static_select":
            state[block] = entry(kind, selected_option={"value": value})
        elif kind == "users_select":
            state[block] = entry(kind, selected_user=value)
        elif kind == "datepicker":
            state[block] = entry(kind, selected_date=value)
        else:
            state[block] = entry(kind, value=value)
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
            "callback_id": callback,
            "private_metadata": json.dumps({"channel": "C0BOARD", "home": home}),
            "state": {"values": state},
            "hash": "1.abc",
            "blocks": [],
        },
        "response_urls": [],
    }


def progress_rows(app) -> list[tuple]:
    db = open_db(app.db_path)
    try:
        return [tuple(r) for r in db.execute("SELECT text, user_id, via FROM plan_progress")]
    finally:
        db.close()


def test_the_home_tab_shows_my_actions_and_the_plan_with_progress_buttons(app, fake_slack):
    home_opened(app, OWNER, "Ev0FORMS1")
    [published] = fake_slack.wait_for("views.publish")
    blocks = published.params["view"]["blocks"]
    assert_valid_blocks(blocks, limit=100)
    text = all_text(blocks)
    assert "My actions" in text and "The plan at a glance" in text
    # The action due sooner comes first.
    assert text.index("R1.2 Brief the team") < text.index("R1.1 Dip sample")
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert [e["text"]["text"] for e in buttons] == [
        "Record progress on R1.2",
        "Record progress on R1.1",
    ]
    assert [e["action_id"] for e in buttons] == ["open_progress_form", "open_progress_form:1"]
    assert json.loads(buttons[1]["value"]) == {"ref": "R1.1"}


def test_an_owner_records_progress_from_the_home_tab(app, fake_slack):
    app.interaction(button("open_progress_form:1", {"ref": "R1.1"}, OWNER, "1.2.000001"))
    [opened] = fake_slack.wait_for("views.open")
    view = opened.params["view"]
    assert view["callback_id"] == "plan_progress_form"
    picker = view["blocks"][0]["element"]
    assert picker["initial_option"]["value"] == "R1.1"
    assert [o["value"] for o in picker["options"]] == ["R1.1", "R1.2"]

    answer = app.interaction(
        submission(
            "plan_progress_form",
            "V0PROG1",
            OWNER,
            {
                "action": ("static_select", "R1.1"),
                "note": ("plain_text_input", "Sampled ten reviews; it's going well"),
                "state": ("static_select", "progress"),
            },
        )
    )
    assert answer.status == 200 and answer.body == b""  # the form closes
    assert progress_rows(app) == [("Sampled ten reviews; it's going well", OWNER, "modal")]
    fake_slack.wait_for("views.publish")  # the Home tab shows the change


def test_a_stranger_is_refused_beside_the_field_and_nothing_is_recorded(app, fake_slack):
    before = progress_rows(app)
    answer = app.interaction(
        submission(
            "plan_progress_form",
            "V0PROG2",
            STRANGER,
            {
                "action": ("static_select", "R1.2"),
                "note": ("plain_text_input", "Done it"),
                "state": ("static_select", "done"),
            },
        )
    )
    body = json.loads(answer.body)
    assert body["response_action"] == "errors"
    assert body["errors"]["note"].startswith("R1.2 is owned by Omar Owner")
    assert progress_rows(app) == before


def test_an_auditor_adds_an_action_with_the_form(app, fake_slack):
    app.interaction(button("open_action_form", {}, AUDITOR, "1.2.000002"))
    [opened] = fake_slack.wait_for("views.open")
    assert opened.params["view"]["callback_id"] == "plan_action_form"
    values = {
        "recommendation": ("static_select", "R1"),
        "text": ("plain_text_input", "Audit “late” reviews monthly"),
        "owner": ("users_select", OWNER),
        "agency": ("plain_text_input", "YOS"),
        "due": ("datepicker", "2014-05-30"),
    }
    both = app.interaction(
        submission(
            "plan_action_form",
            "V0ADD1",
            AUDITOR,
            {**values, "owner_name": ("plain_text_input", "Head of Service")},
        )
    )
    assert json.loads(both.body)["errors"] == {
        "owner_name": "Choose an owner on Slack or name one here, not both."
    }
    answer = app.interaction(submission("plan_action_form", "V0ADD2", AUDITOR, values))
    assert answer.status == 200 and answer.body == b""
    db = open_db(app.db_path)
    try:
        row = db.execute(
            "SELECT number, text, owner_id, agency, due_date FROM plan_actions WHERE number = 3"
        ).fetchone()
    finally:
        db.close()
    assert tuple(row) == (3, 'Audit "late" reviews monthly', OWNER, "YOS", "2014-05-30")


def test_someone_not_an_auditor_cannot_add_an_action(app, fake_slack):
    app.interaction(button("open_action_form", {}, OWNER, "1.2.000003"))
    [told] = fake_slack.wait_for("chat.postMessage")
    assert told.params["channel"] == OWNER
    assert fake_slack.of("views.open") == []
    answer = app.interaction(
        submission(
            "plan_action_form",
            "V0ADD3",
            OWNER,
            {
                "recommendation": ("static_select", "R1"),
                "text": ("plain_text_input", "Sneaky action"),
                "owner_name": ("plain_text_input", "Me"),
                "due": ("datepicker", "2014-05-30"),
            },
        )
    )
    assert "auditors" in json.loads(answer.body)["errors"]["text"]
