"""The improvement plan's dialogs and the personal-chat dashboard, through the served
Teams app (tests/teams_served.py) and the local fakes: an owner sees their actions,
overdue and due soon first, with a button per action that opens the progress dialog;
an auditor adds an action with the add-action dialog. Both are submitted as the typed
commands are, so what they refuse is said beside the field, with what was entered
kept, and nothing is recorded; a redelivered submit is recorded once.

"Today" is 20 April 2014. Robin Reader owns three actions of R1: R1.1 due 25 April
(due soon), R1.2 due 10 April (overdue) and R1.3 due 30 June."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pytest

from bot.app.forms import form_asked_for
from bot.app.refusals import REFUSALS
from bot.commands import Permission
from bot.forms import FormKind
from bot.store import open_db
from bot.store import plan as store
from bot.store.plan import Actor
from bot.store.plan_model import Owner
from tests.form_words import ASKS_FOR_THE_FORM, DOES_NOT
from tests.teams_fakes import ADAPTIVE_CARD
from tests.teams_served import (
    AUDITOR,
    BOARD,
    BOT,
    COLLEAGUE,
    READER,
    STRANGER,
    ServedTeams,
    in_channel,
    invoke,
    mention_entity,
    personal,
)
from tests.test_teams_app import (
    _checked,
    assert_valid_card,
    buttons,
    card_text,
    one_send,
    plain,
    text_of,
)

TODAY = date(2014, 4, 20)
INSPECTION = "stockton-on-tees-sqs-2013"
ACTIONS = (
    ("Brief the team on reviews", date(2014, 4, 25)),
    ("Dip sample ten reviews a month", date(2014, 4, 10)),
    ("Audit plans for contingency", date(2014, 6, 30)),
)
TASK_FETCH = {"type": "task/fetch"}
REFUSED_TO_ADD = "Changing the improvement plan is for auditors (action add)."


@pytest.fixture(scope="module")
def served(teams_fakes, tmp_path_factory):
    app = ServedTeams(
        tmp_path_factory.mktemp("teams-plan"),
        teams_fakes,
        YOS_TODAY=TODAY.isoformat(),
        YOS_AUDITORS=AUDITOR.aad,
        YOS_TEAMS_CHANNEL=BOARD,
        YOS_OUTBOX_RETRY_SECONDS="0.05",
    ).start()
    db = open_db(app.db_path)
    try:
        rec = store.plan_rec(db, INSPECTION, "R1")
        assert rec is not None
        for text, due in ACTIONS:
            store.add_action(
                db,
                rec,
                text=text,
                owner=Owner(READER.name, READER.aad, "teams"),
                agency="YOS",
                due=due,
                actor=Actor(AUDITOR.aad, AUDITOR.name, "teams", "command"),
                today=date(2014, 3, 1),
            )
    finally:
        db.close()
    yield app
    app.stop()


@pytest.fixture
def teams(served, teams_fakes):
    yield from _checked(served, teams_fakes)


@pytest.fixture
def connector(teams_fakes):
    return teams_fakes.connector


@pytest.fixture
def url(teams_fakes):
    return teams_fakes.connector.url


def progress_rows(teams: ServedTeams) -> list[tuple[Any, ...]]:
    return [
        tuple(r)
        for r in teams.query(
            "SELECT a.number, p.text, p.user_id, p.via FROM plan_progress p "
            "JOIN plan_actions a ON a.id = p.action_id ORDER BY p.id"
        )
    ]


def actions_of(teams: ServedTeams) -> list[tuple[Any, ...]]:
    return [
        tuple(r)
        for r in teams.query(
            "SELECT number, text, owner_id, owner_name, agency, due_date, state "
            "FROM plan_actions ORDER BY number"
        )
    ]


def dialog(answer: Any) -> dict[str, Any]:
    """The card of a dialog Teams is told to show (again), checked against the schema."""
    task = answer.body["task"]
    assert task["type"] == "continue", task
    attachment = task["value"]["card"]
    assert attachment["contentType"] == ADAPTIVE_CARD
    assert_valid_card(attachment["content"])
    return dict(attachment["content"])


def message(answer: Any) -> str:
    task = answer.body["task"]
    assert task["type"] == "message", task
    return str(task["value"])


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in card["body"] if str(e.get("type", "")).startswith("Input.")}


def beside(card: dict[str, Any]) -> dict[str, str]:
    """Each input's problem: the attention-coloured line that follows it."""
    found = {}
    body = card["body"]
    for before, element in itertools.pairwise(body):
        if element.get("color") == "Attention" and "id" in before:
            found[before["id"]] = plain(element["text"])
    return found


def submit_data(card: dict[str, Any], **values: str) -> dict[str, Any]:
    [submit] = card["actions"]
    return {**submit["data"], **values}


# --- the dashboard ---------------------------------------------------------------------


def test_installed_as_a_personal_app_the_dashboard_shows_my_actions_first(teams, connector, url):
    installed = personal(None, url, user=READER)
    installed.update(type="installationUpdate", action="add")
    assert teams.post(installed).status == 200
    home = one_send(connector, READER.personal_chat)
    text = text_of(home)
    assert "My actions" in text and "The plan at a glance" in text
    # Overdue first, then due soon, then the rest.
    overdue = text.index("R1.2 Dip sample ten reviews a month: due 10 April 2014 (Red")
    soon = text.index("R1.1 Brief the team on reviews: due 25 April 2014 (Amber")
    later = text.index("R1.3 Audit plans for contingency: due 30 June 2014")
    assert overdue < soon < later
    assert "R1 Red" in text  # the recommendation's RAG at a glance
    # A button per action opens the progress dialog; no "Add an action" for an owner.
    assert [(b["title"], b["data"]) for b in buttons(home)] == [
        (
            f"Record progress on {ref}",
            {"action": "progress_form", "ref": ref, "msteams": TASK_FETCH},
        )
        for ref in ("R1.2", "R1.1", "R1.3")
    ]


def test_an_auditors_dashboard_offers_add_an_action(teams, connector, url):
    teams.post(personal("home", url))
    home = one_send(connector, AUDITOR.personal_chat)
    text = text_of(home)
    assert "None: no open action of the plan is yours." in text
    assert "The plan at a glance" in text
    titles = {b["title"]: b for b in buttons(home)}
    assert titles["Add an action"]["data"] == {"action": "action_form", "msteams": TASK_FETCH}
    assert "Record audit update" in titles


# --- recording progress -------------------------------------------------------------------


def test_an_owner_records_progress_in_the_dialog_once(teams, connector, url):
    pressed = {"action": "progress_form", "ref": "R1.2", "msteams": TASK_FETCH}
    opened = teams.post(invoke("task/fetch", {"data": pressed}, url, user=READER))
    assert opened.body["task"]["value"]["title"] == "Record progress"
    card = dialog(opened)
    fields = inputs(card)
    assert [c["value"] for c in fields["ref"]["choices"]] == ["R1.1", "R1.2", "R1.3"]
    assert fields["ref"]["value"] == "R1.2"  # the one whose button was pressed
    assert [c["value"] for c in fields["state"]["choices"]] == ["progress", "done"]
    assert fields["note"]["isRequired"] is True

    # Nothing said: shown again, the problem beside the field, the choices kept.
    empty = teams.post(
        invoke(
            "task/submit",
            {"data": submit_data(card, ref="R1.2", note=" ", state="done")},
            url,
            user=READER,
        )
    )
    again = dialog(empty)
    assert beside(again) == {"note": "Say what was done (for done: the evidence)."}
    kept = inputs(again)
    assert (kept["ref"]["value"], kept["state"]["value"]) == ("R1.2", "done")
    assert progress_rows(teams) == []

    # The command's own check: a note that looks like personal data is refused there.
    screened = teams.post(
        invoke(
            "task/submit",
            {
                "data": submit_data(
                    card, ref="R1.2", note="Saw J. Smith, DOB 01/02/2003", state="progress"
                )
            },
            url,
            user=READER,
        )
    )
    refused = dialog(screened)
    assert "note" in beside(refused)
    assert inputs(refused)["note"]["value"] == "Saw J. Smith, DOB 01/02/2003"
    assert progress_rows(teams) == []

    right = invoke(
        "task/submit",
        {
            "data": submit_data(
                card, ref="R1.2", note="Sampled ten reviews; it's going well", state="progress"
            )
        },
        url,
        user=READER,
    )
    said = message(teams.post(right))
    assert said.startswith("Progress recorded on R1.2 (20 April 2014): Sampled ten reviews")
    assert said.endswith("It will be announced in the channel where reminders and reports go.")
    assert message(teams.post(right)) == "That was already done."  # Teams redelivers
    assert progress_rows(teams) == [
        (2, "Sampled ten reviews; it's going well", READER.aad, "dialog")
    ]
    announced = one_send(connector, BOARD)
    assert "Progress recorded on R1.2 by Robin Reader" in text_of(announced)


def test_an_owner_completes_an_action_with_its_evidence(teams, connector, url):
    data = {"action": "plan_progress_submit", "ref": "R1.1", "state": "done"}
    done = message(
        teams.post(
            invoke("task/submit", {"data": {**data, "note": "Briefing held"}}, url, user=READER)
        )
    )
    assert done.startswith("R1.1 marked done by Robin Reader: Complete. Evidence: Briefing held.")
    assert ("1", "done") in [(str(a[0]), a[6]) for a in actions_of(teams)]
    one_send(connector, BOARD)


def test_someone_else_is_refused_with_the_words_slack_uses(teams, connector, url):
    pressed = {"action": "progress_form", "ref": "R1.3", "msteams": TASK_FETCH}
    opened = teams.post(invoke("task/fetch", {"data": pressed}, url, user=STRANGER))
    assert message(opened) == "No open action of the plan is yours to update."
    forged = {"action": "plan_progress_submit", "ref": "R1.3", "note": "Done it", "state": "done"}
    answer = teams.post(invoke("task/submit", {"data": forged}, url, user=STRANGER))
    card = dialog(answer)
    assert beside(card)["note"].startswith(
        "R1.3 is owned by Robin Reader: its owner or an auditor can record progress on it"
    )
    assert inputs(card)["ref"]["value"] == "R1.3"  # their choice kept, the refusal beside it
    assert [a[6] for a in actions_of(teams) if a[0] == 3] == ["not started"]


# --- adding an action --------------------------------------------------------------------


def test_an_auditor_adds_an_action_in_the_dialog_once(teams, connector, url):
    pressed = {"action": "action_form", "msteams": TASK_FETCH}
    opened = teams.post(invoke("task/fetch", {"data": pressed}, url))
    assert opened.body["task"]["value"]["title"] == "Add an action"
    card = dialog(opened)
    fields = inputs(card)
    assert [c["value"] for c in fields["recommendation"]["choices"]] == ["R1"]
    assert fields["recommendation"]["value"] == "R1"
    assert fields["owner"]["choices"] == [{"title": "Me (Alex Auditor)", "value": "me"}]
    assert (fields["due"]["type"], fields["due"]["value"]) == ("Input.Date", "2014-04-20")
    values = {
        "recommendation": "R1",
        "text": "Audit “late” reviews <at>monthly</at>",
        "owner": "me",
        "agency": "YOS",
        "due": "2014-05-30",
    }

    both = dialog(
        teams.post(
            invoke(
                "task/submit",
                {"data": submit_data(card, **values, owner_name="Head of Service")},
                url,
            )
        )
    )
    assert beside(both) == {"owner_name": "Choose yourself or name an owner here, not both."}
    kept = inputs(both)
    assert (kept["text"]["value"], kept["owner_name"]["value"], kept["due"]["value"]) == (
        values["text"],
        "Head of Service",
        "2014-05-30",
    )
    nobody = dialog(
        teams.post(
            invoke("task/submit", {"data": submit_data(card, **{**values, "owner": ""})}, url)
        )
    )
    assert list(beside(nobody)) == ["owner"]
    assert len(actions_of(teams)) == 3

    right = invoke("task/submit", {"data": submit_data(card, **values)}, url)
    said = message(teams.post(right))
    assert said.startswith(
        'Action R1.4 added to R1: Audit "late" reviews <at>monthly</at> '
        "(owner Alex Auditor, due 30 May 2014)."
    )
    assert message(teams.post(right)) == "That was already done."  # redelivered: once
    assert actions_of(teams)[3] == (
        4,
        'Audit "late" reviews <at>monthly</at>',
        AUDITOR.aad,
        "Alex Auditor",
        "YOS",
        "2014-05-30",
        "not started",
    )
    announced = one_send(connector, BOARD)
    assert "Action R1.4 added to R1" in text_of(announced)
    assert "<at>" not in card_text(announced.cards[0])  # shown as typed, never a mention

    # The new action is the auditor's: their dashboard lists it with its button.
    teams.post(personal("home", url))
    home = one_send(connector, AUDITOR.personal_chat)
    assert "R1.4 Audit" in text_of(home)
    assert "Record progress on R1.4" in [b["title"] for b in buttons(home)]


def test_a_named_owner_not_on_teams(teams, connector, url):
    data = {
        "action": "plan_action_submit",
        "recommendation": "R1",
        "text": "Agree the out-of-court policy",
        "owner_name": "Head of Service",
        "due": "2014-07-31",
    }
    said = message(teams.post(invoke("task/submit", {"data": data}, url)))
    assert "(owner Head of Service, due 31 July 2014)" in said
    [added] = [a for a in actions_of(teams) if a[1] == "Agree the out-of-court policy"]
    assert (added[2], added[3], added[4]) == (None, "Head of Service", None)
    one_send(connector, BOARD)


def test_someone_not_an_auditor_cannot_add_an_action(teams, connector, url):
    pressed = {"action": "action_form", "msteams": TASK_FETCH}
    opened = message(teams.post(invoke("task/fetch", {"data": pressed}, url, user=READER)))
    assert opened.startswith(REFUSED_TO_ADD)
    forged = {
        "action": "plan_action_submit",
        "recommendation": "R1",
        "text": "Sneaky action",
        "owner": "me",
        "due": "2014-05-30",
    }
    # Submitted all the same (say, opened before they left YOS_AUDITORS): refused by the
    # command, in the same words, and the dialog closes, as they cannot use it.
    said = message(teams.post(invoke("task/submit", {"data": forged}, url, user=READER)))
    assert said.startswith(REFUSED_TO_ADD)
    assert "Sneaky action" not in [a[1] for a in actions_of(teams)]


# --- people named in a typed command, forms asked for in words, refusals ------------------


def action_row(teams: ServedTeams, text: str) -> tuple[Any, ...]:
    found = teams.query(
        "SELECT number, owner_id, owner_name, owner_platform, state FROM plan_actions "
        "WHERE text = ?",
        text,
    )
    return tuple(found[0]) if found else ()


def test_an_owner_mentioned_in_a_message_is_that_person_and_may_update_it(teams, url):
    typed = (
        f'action add R1 "Check the register weekly" owner <at>{COLLEAGUE.name}</at> due 31/03/2027'
    )
    added = personal(typed, url, entities=[mention_entity(COLLEAGUE.account_json())])
    assert teams.post(added).status == 200
    number, owner_id, owner_name, platform, _ = action_row(teams, "Check the register weekly")
    assert (owner_id, owner_name, platform) == (COLLEAGUE.aad, COLLEAGUE.name, "teams")
    progress = personal(f'action R1.{number} progress "Checked twice"', url, user=COLLEAGUE)
    assert teams.post(progress).status == 200
    [(text, user_id)] = teams.query(
        "SELECT p.text, p.user_id FROM plan_progress p JOIN plan_actions a "
        "ON a.id = p.action_id WHERE a.number = ?",
        number,
    )
    assert (text, user_id) == ("Checked twice", COLLEAGUE.aad)
    done = personal(f'action R1.{number} done "Checked every week"', url, user=COLLEAGUE)
    assert teams.post(done).status == 200
    assert action_row(teams, "Check the register weekly")[4] == "done"
    # Someone the bot has heard from is known by their Teams account alone, as Teams
    # usually sends a mention (with no Entra object ID).
    typed = f'action add R1 "Known by account" owner <at>{COLLEAGUE.name}</at> due 31/03/2027'
    account = {"id": COLLEAGUE.account, "name": COLLEAGUE.name}
    teams.post(personal(typed, url, entities=[mention_entity(account)]))
    assert action_row(teams, "Known by account")[1] == COLLEAGUE.aad


def test_the_bots_own_mention_is_never_an_owner(teams, url):
    typed = f'action add R1 "Owned by the bot" owner <at>{BOT["name"]}</at> due 31/03/2027'
    post = in_channel(typed, url, user=AUDITOR)
    post["entities"].append(mention_entity(BOT))  # Teams sends one entity per mention
    assert teams.post(post).status == 200
    assert action_row(teams, "Owned by the bot") == ()


def test_a_mention_typed_as_text_names_nobody(teams, url):
    typed = f'action add R1 "Forged owner" owner @{{{READER.aad}|Robin}} due 31/03/2027'
    teams.post(personal(typed, url))
    _, owner_id, owner_name, _, _ = action_row(teams, "Forged owner")
    assert owner_id is None and "Robin" in owner_name


@pytest.mark.parametrize("words", ASKS_FOR_THE_FORM)
def test_the_words_that_offer_the_audit_form(teams, connector, url, words):
    assert form_asked_for(words) is FormKind.AUDIT
    teams.post(personal(words, url))
    [button] = buttons(one_send(connector, AUDITOR.personal_chat))
    assert button["data"] == {"action": "audit_form", "msteams": TASK_FETCH}


@pytest.mark.parametrize("words", DOES_NOT)
def test_other_words_are_commands(teams, connector, url, words):
    assert form_asked_for(words) is None
    teams.post(personal(words, url))
    call = one_send(connector, AUDITOR.personal_chat)
    assert not [b for b in buttons(call) if b["data"].get("action") == "audit_form"]


def test_refusals_are_the_applications_words(teams, connector, url):
    fetched = invoke("task/fetch", {"data": {"action": "audit_form"}}, url, user=STRANGER)
    record = message(teams.post(fetched))
    assert record.startswith(REFUSALS[Permission.RECORD]) and "Ask your Teams admin" in record
    opened = {"action": "action_form", "msteams": TASK_FETCH}
    add = message(teams.post(invoke("task/fetch", {"data": opened}, url, user=STRANGER)))
    assert add.startswith(REFUSALS[Permission.EDIT_PLAN].format(command="action add"))
    teams.post(personal("record audit", url, user=STRANGER))
    told = one_send(connector, STRANGER.personal_chat)
    assert REFUSALS[Permission.RECORD] in text_of(told)
