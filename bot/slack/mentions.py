"""Slack's people in what was typed, as the application reads them.

A slash command (``should_escape: true`` in the manifest) and a message's event both
carry people as ``<@U123|jane>`` or ``<@U123>``, and ``&``, ``<`` and ``>`` typed as
entities. People become neutral mentions (listed as the request's mentions); a slash
command's entities become the characters typed. Other markup (``<!channel>``) is kept
as text, which every renderer escapes.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.app import defuse, mention
from bot.reply import Person

PERSON = re.compile(r"<@([UW][A-Z0-9]{1,20})(?:\|([^<>]{0,80}))?>")
ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


def neutral(
    text: str, person: Callable[[str, str | None], Person], *, plain: bool = True
) -> tuple[str, tuple[Person, ...]]:
    """``text`` with its people as neutral mentions, and those people (``person`` names
    each from its ID and the name Slack sent). ``plain`` also turns entities back into
    the characters typed (a slash command's text)."""
    people: dict[str, Person] = {}

    def swap(found: re.Match[str]) -> str:
        who = person(found.group(1), (found.group(2) or "").strip() or None)
        people.setdefault(found.group(1), who)
        return mention(people[found.group(1)])

    text = PERSON.sub(swap, defuse(text))
    if plain:
        for entity, character in ENTITIES:
            text = text.replace(entity, character)
    return text, tuple(people.values())
