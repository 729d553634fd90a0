"""A platform's rendering of the last few replies (bot.render.recent): rendered once while
a reply is among the last few, by the reply it shows."""

from __future__ import annotations

from bot.render.recent import RecentRenderings
from bot.reply import Reply, Section


def test_a_reply_is_rendered_once_while_it_is_among_the_last_few():
    drawn: list[str] = []

    def render(reply: Reply) -> dict[str, str]:
        drawn.append(reply.headline)
        return {"text": reply.headline}

    recent = RecentRenderings(render, keep=2)
    first = recent(Reply("T", "one"))
    assert recent(Reply("T", "one")) is first  # equal replies: one rendering
    recent(Reply("T", "two"))
    recent(Reply("T", "one"))  # used again, so kept over "two"
    recent(Reply("T", "three"))  # "two" goes
    recent(Reply("T", "two"))
    assert drawn == ["one", "two", "three", "two"]


def test_a_reply_that_cannot_be_a_key_is_rendered_every_time():
    drawn: list[Reply] = []
    recent = RecentRenderings(lambda reply: drawn.append(reply) or len(drawn), keep=8)
    unhashable = Reply("T", "x", sections=[Section("a", "b")])  # a list: no hash
    assert (recent(unhashable), recent(unhashable)) == (1, 2)
