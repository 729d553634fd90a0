"""A pressed button as the application's entry point it stands for (bot.app.buttons),
read from the neutral payload its Action carried. Served presses are in
tests/test_teams_app.py (and Slack's in tests/test_slack_*.py)."""

from __future__ import annotations

from bot.app import Outcome, Request
from bot.app.buttons import nowhere_to_share, press
from bot.app.requests import CONSOLE
from bot.reply import ActionKind, Reply, share_action


class Recording:
    """The two entry points a button can stand for, noting what they were asked."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, ...]] = []

    def share(self, request: Request, command: str, args: str) -> Outcome:
        self.asked.append(("share", command, args))
        return Outcome(Reply("Shared", "Shared."), True)

    def post_report(self, request: Request, ref: str | None) -> Outcome:
        self.asked.append(("post_report", str(ref)))
        return Outcome(Reply("Report", "Posted."), True)


def test_a_button_stands_for_the_entry_point_its_payload_names():
    app, request = Recording(), Request(CONSOLE)
    share = share_action("score", " public ")
    assert press(app, request, share.kind.value, dict(share.payload)) is not None
    press(app, request, ActionKind.POST_REPORT.value, {"ref": "R1"})
    press(app, request, ActionKind.POST_REPORT.value, {"ref": ""})
    press(app, request, ActionKind.SHARE.value, {})
    assert app.asked == [
        ("share", "score", "public"),
        ("post_report", "R1"),
        ("post_report", "None"),
        ("share", "", ""),
    ]


def test_a_button_this_version_does_not_know_stands_for_nothing():
    app = Recording()
    assert press(app, Request(CONSOLE), ActionKind.AUDIT_FORM.value, {}) is None
    assert press(app, Request(CONSOLE), "retired", {"command": "x"}) is None
    assert app.asked == []


def test_nowhere_to_share_names_the_setting():
    reply = nowhere_to_share("YOS_TEAMS_CHANNEL")
    assert not reply.ok and reply.title == "Nowhere to share"
    assert "YOS_TEAMS_CHANNEL is not set" in reply.headline + " ".join(
        s.text or "" for s in reply.sections
    )
