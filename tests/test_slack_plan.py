"""An action's owner records progress from Slack: the served app, over HTTP, signed."""

from __future__ import annotations

import time
from datetime import date

import pytest

from bot.app.forms import form_asked_for
from bot.app.refusals import REFUSALS
from bot.commands import Permission
from bot.forms import FormKind
from bot.store import open_db
from bot.store import plan as store
from bot.store.plan import Actor
from bot.store.plan_model import Owner
from tests.blockkit import all_text
from tests.conftest import IN_WINDOW, start_served
from tests.form_words import ASKS_FOR_THE_FORM, DOES_NOT
from tests.test_slack_home import button

AUDITOR = "U0MANAGER"
OWNER = "U0OWNER"
STRANGER = "U0STRANGER"


@pytest.fixture(scope="module")
def app(fake_slack, tmp_path_factory):
    served = start_served(
        fake_slack,
        tmp_path_factory.mktemp("plan"),
        YOS_TODAY=IN_WINDOW.isoformat(),
        YOS_AUDITORS=AUDITOR,
    )
    db = open_db(served.db_path)
    rec = store.plan_rec(db, "stockton-on-tees-sqs-2013", "R1")
    assert rec is not None
    store.add_action(
        db,
        rec,
        text="Dip sample ten reviews a month",
        owner=Owner("Omar Owner", OWNER, "slack"),
        agency="YOS",
        due=date(2014, 3, 31),
        actor=Actor(AUDITOR, "Manager", "slack", "command"),
        today=IN_WINDOW,
    )
    db.close()
    yield served
    served.stop()


def test_the_owner_records_progress_and_a_stranger_is_refused(app, fake_slack):
    app.wait_until_outbox_idle()
    fake_slack.reset()
    refused = app.command('action R1.1 progress "Sampled ten"', user=STRANGER).json()
    assert refused["response_type"] == "ephemeral"
    assert "R1.1 is owned by Omar Owner" in all_text(refused["blocks"])

    body = app.command('action R1.1 progress "Sampled ten reviews"', user=OWNER).json()
    assert body["response_type"] == "ephemeral"
    assert "Progress recorded on R1.1 (20 February 2014): Sampled ten reviews" in body["text"]
    posts = fake_slack.wait_for("chat.postMessage")
    [announced] = [text for text in (all_text(p.params["blocks"]) for p in posts) if "R1.1" in text]
    assert "Progress recorded on R1.1" in announced
    assert "Sampled ten reviews" not in announced  # a note: auditors only
    db = open_db(app.db_path)
    try:
        [note] = db.execute("SELECT text, user_id, via FROM plan_progress").fetchall()
        assert tuple(note) == ("Sampled ten reviews", OWNER, "command")
    finally:
        db.close()
    shown = all_text(app.command("action R1.1", user=AUDITOR).json()["blocks"])
    assert "Sampled ten reviews" in shown and "R1.1: Green" in shown


# --- people named in a typed command, forms asked for in words, refusals ------------------


def _action(app, text: str) -> tuple:
    db = open_db(app.db_path)
    try:
        row = db.execute(
            "SELECT number, owner_id, owner_name, owner_platform, state FROM plan_actions "
            "WHERE text = ?",
            [text],
        ).fetchone()
        return tuple(row) if row else ()
    finally:
        db.close()


def test_an_owner_mentioned_in_the_command_is_that_person_and_may_update_it(app, fake_slack):
    # With should_escape on, Slack sends the @mention the person picked as <@ID|name>.
    typed = f'action add R1 "Check the register weekly" owner <@{OWNER}|omar> due 31/03/2027'
    added = app.command(typed, user=AUDITOR).json()
    assert "Action R1." in added["text"], added["text"]
    number, owner_id, _name, platform, _state = _action(app, "Check the register weekly")
    assert (owner_id, platform) == (OWNER, "slack")
    progress = app.command(f'action R1.{number} progress "Register checked twice"', user=OWNER)
    assert "Progress recorded on" in progress.json()["text"]
    done = app.command(f'action R1.{number} done "Register checked every week"', user=OWNER)
    assert done.json()["text"].startswith(f"R1.{number}"), done.json()["text"]
    assert _action(app, "Check the register weekly")[4] == "done"


def test_a_mention_typed_as_text_names_nobody(app, fake_slack):
    """The neutral form the application reads cannot be typed: it stays a name."""
    typed = f'action add R1 "Forged owner" owner @{{{OWNER}|Omar}} due 31/03/2027'
    assert "Action R1." in app.command(typed, user=AUDITOR).json()["text"]
    _number, owner_id, owner_name, _platform, _state = _action(app, "Forged owner")
    assert owner_id is None and "Omar" in owner_name


@pytest.mark.parametrize("words", ASKS_FOR_THE_FORM)
def test_the_words_that_open_the_audit_form(app, fake_slack, words):
    fake_slack.reset()
    assert form_asked_for(words) is FormKind.AUDIT
    response = app.command(words, user=AUDITOR)
    assert response.body in (b"", b"{}") or "text" not in response.json()
    [opened] = fake_slack.wait_for("views.open", timeout=3)
    assert opened.params["view"]["callback_id"] == "audit_form"


@pytest.mark.parametrize("words", DOES_NOT)
def test_other_words_are_commands(app, fake_slack, words):
    fake_slack.reset()
    assert form_asked_for(words) is None
    assert app.command(words, user=AUDITOR).json()["response_type"] == "ephemeral"
    time.sleep(0.2)
    assert fake_slack.of("views.open") == []


def test_refusals_are_the_applications_words(app, fake_slack):
    refused = app.command("record audit", user=STRANGER).json()
    record = all_text(refused["blocks"])
    assert REFUSALS[Permission.RECORD] in record and "Ask your Slack admin" in record
    app.interaction(button("open_action_form", {}, STRANGER, "1.2.000777"))
    [told] = [c for c in fake_slack.wait_for("chat.postMessage") if c.params["channel"] == STRANGER]
    expected = REFUSALS[Permission.EDIT_PLAN].format(command="action add")
    assert expected in all_text(told.params["blocks"])
