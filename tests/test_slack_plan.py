"""An action's owner records progress from Slack: the served app, over HTTP, signed."""

from __future__ import annotations

from datetime import date

import pytest

from bot.store import open_db
from bot.store import plan as store
from bot.store.plan import Actor
from bot.store.plan_model import Owner
from tests.blockkit import all_text
from tests.conftest import IN_WINDOW, start_served

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
