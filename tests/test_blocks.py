"""The Block Kit renderer keeps every reply valid and within Slack's limits."""

from __future__ import annotations

import json

import pytest

from bot.commands import default_registry
from bot.reply import Action, ActionKind, Field, Person, Reply, Section, share_action
from bot.slack.blocks import escape, fallback_text, message, person, reply_blocks
from tests.blockkit import all_text, assert_valid_message


@pytest.mark.parametrize("name", sorted(default_registry().commands))
def test_every_command_renders_valid_block_kit(ask, name):
    for text in (name, f"help {name}"):
        reply = ask(text)
        for interactive in (True, False):
            assert_valid_message(message(reply, interactive=interactive))
        if reply.announcement is not None:
            assert_valid_message(message(reply.announcement))


def buttons(blocks) -> list[dict]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_buttons_carry_the_actions_payload_only_when_interactive(ask):
    reply = ask("score protecting-public")
    [share] = buttons(reply_blocks(reply, interactive=True))
    assert share["action_id"] == "share_reply"
    assert share["text"]["text"] == "Share in channel"
    assert json.loads(share["value"]) == {
        "command": "score",
        "args": "protecting-public Stockton-on-Tees Youth Offending Service",
    }
    assert buttons(reply_blocks(reply)) == []  # a message everyone sees has no buttons


def test_the_dashboard_buttons_open_the_form_and_post_the_report(ask):
    home = buttons(reply_blocks(ask("home"), interactive=True))
    assert [(b["action_id"], b["text"]["text"], b.get("style")) for b in home] == [
        ("open_audit_form", "Record audit update", "primary"),
        ("post_report", "Post board report", None),
    ]
    assert json.loads(home[0]["value"]) == {}
    assert json.loads(home[1]["value"]) == {"ref": ""}


def test_a_button_value_is_data_and_never_markup():
    action = Action(ActionKind.SHARE, "x" * 100, (("command", "score"), ("args", "<!here> & co")))
    [button] = buttons(reply_blocks(Reply("T", "h", actions=(action,)), interactive=True))
    assert json.loads(button["value"]) == {"command": "score", "args": "<!here> & co"}
    assert len(button["text"]["text"]) == 75


@pytest.mark.parametrize(
    ("title", "headline", "text"),
    [
        (
            "Protecting the public",
            "Protecting the public: 91%, Good (★★★★).",
            "Protecting the public: 91%, Good (★★★★).",
        ),
        (
            "Key strengths",
            "Three strengths were noted.",
            "Key strengths: Three strengths were noted.",
        ),
        ("R1 closed", "R1 closed: Met.", "R1 closed: Met."),
        ("A <b>", "a <!here>", "A &lt;b&gt;: a &lt;!here&gt;"),
    ],
)
def test_the_fallback_text_never_repeats_the_title(title, headline, text):
    assert fallback_text(Reply(title=title, headline=headline)) == text


def test_a_real_reply_has_its_title_once_in_the_fallback(ask):
    rendered = message(ask("score protecting-public"))
    assert rendered["text"] == "Protecting the public: 91%, Good (★★★★)."
    assert rendered["text"].count("Protecting the public") == 1


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        (Person("U0ALICE", "Alice", "slack"), "<@U0ALICE>"),
        (Person("W0ENTERPRISE", None, "slack"), "<@W0ENTERPRISE>"),
        (Person("U0ALICE", "Alice", "teams"), "Alice"),  # not a Slack ID here: by name
        (Person(None, "<!channel> Eve", "console"), "&lt;!channel&gt; Eve"),
        (Person("not an id", None, "slack"), "not an id"),
        (Person(), "someone"),
    ],
)
def test_people_are_mentioned_only_by_a_slack_id_from_slack(who, shown):
    assert person(who) == shown


def test_recorded_and_shared_by_are_in_the_footer():
    reply = Reply(
        "T",
        "h",
        source="From the record",
        recorded_by=Person("U0ALICE", "Alice", "slack"),
        shared_by=Person(None, "Bob", "teams"),
    )
    [footer] = [b for b in reply_blocks(reply) if b["type"] == "context"]
    assert footer["elements"][0]["text"] == (
        "From the record · Recorded by <@U0ALICE> · Shared by Bob"
    )


def test_escape():
    assert escape("<!channel> & <@U1|x>") == "&lt;!channel&gt; &amp; &lt;@U1|x&gt;"


def test_a_huge_reply_is_trimmed_to_fit_and_says_so():
    reply = Reply(
        title="T" * 400,
        headline="H" * 5000,
        sections=tuple(
            Section(
                heading=f"Part {i}",
                text="x" * 4000,
                items=tuple("y" * 300 for _ in range(30)),
                fields=tuple(Field(f"F{j}", "z" * 2500) for j in range(25)),
            )
            for i in range(20)
        ),
        source="S" * 5000,
        actions=(share_action("summary"),),
    )
    rendered = message(reply, interactive=True)
    assert_valid_message(rendered)
    assert "left out to fit" in all_text(rendered["blocks"])
    assert rendered["blocks"][-1]["type"] == "actions"  # the footer survives trimming
    assert len(rendered["text"]) <= 3000


def test_stored_text_is_escaped_too():
    reply = Reply(title="<b>", headline="a <!here> b", sections=(Section(items=("<!everyone>",)),))
    blocks = json.dumps(reply_blocks(reply))
    assert "<!here>" not in blocks and "<!everyone>" not in blocks


def test_quotes_are_block_quotes():
    blocks = reply_blocks(
        Reply(title="Q", headline="h", sections=(Section(text="one\ntwo", quote=True),))
    )
    assert blocks[2]["text"]["text"] == ">one\n>two"
