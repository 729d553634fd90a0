"""What a form says as it closes (bot.app.closing), where a platform closes it with a
line of text. The served dialogs are in tests/test_teams_app.py and test_teams_plan.py."""

from __future__ import annotations

from bot.app import ANNOUNCED, FormOutcome, Outcome
from bot.app.closing import IN_THE_CHANNEL, closing_words
from bot.forms import FormKind
from bot.reply import Reply

RECORDED = f"Recorded audit update #3 for R1. {ANNOUNCED}"


def closed(outcome: Outcome | None, kind=FormKind.AUDIT, elsewhere=False, **errors) -> str:
    return closing_words(FormOutcome(errors, outcome), kind, announced_elsewhere=elsewhere)


def test_problems_with_nothing_to_show_again_are_said_on_one_line():
    assert closed(None, note="Not yours.", text="Ask.") == "Not yours. Ask."
    assert closed(None) == "Nothing was recorded."


def test_a_submission_seen_before_says_so():
    again = Outcome(Reply("Audit", RECORDED), True, duplicate=True)
    assert closed(again) == "That update was already recorded."
    plan = Outcome(Reply("Plan", "Action R1.2 added."), True, duplicate=True)
    assert closed(plan, FormKind.ADD_ACTION) == "Action R1.2 added."


def test_the_answer_says_where_it_is_announced_as_the_asker_sees_it():
    done = Outcome(Reply("Audit", RECORDED), True)
    assert closed(done) == RECORDED
    assert closed(done, elsewhere=True) == f"Recorded audit update #3 for R1. {IN_THE_CHANNEL}"
    quiet = Outcome(Reply("Audit", "Recorded privately."), True)
    assert closed(quiet, elsewhere=True) == "Recorded privately."
