"""The Block Kit renderer keeps every reply valid and within Slack's limits."""

from __future__ import annotations

import json

import pytest

from bot.commands import registry
from bot.render.blocks import escape, message, reply_blocks
from bot.reply import Field, Reply, Section
from tests.blockkit import all_text, assert_valid_message


@pytest.mark.parametrize("name", sorted(registry.commands))
def test_every_command_renders_valid_block_kit(ask, name):
    for text in (name, f"help {name}"):
        rendered = message(ask(text), shareable=True)
        assert_valid_message(rendered)


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
        share="summary",
    )
    rendered = message(reply, shareable=True)
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
