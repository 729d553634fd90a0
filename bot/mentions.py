"""People named in what was typed, in one form for every platform.

Each adapter turns its platform's mentions (Slack's ``<@U123|jane>``, a Teams
``<at>Jane</at>`` with its mention entity) into a neutral mention, ``@{U123|Jane}``,
and lists the person in :attr:`bot.app.Request.mentions`. Commands read only the
neutral form (:func:`bot.commands.plan_common.parse_owner`). Text a person typed that
merely looks like one is defused, by the adapter before it adds the real ones and by
the application for any that names no one the platform listed, so nobody can name
someone they did not mention. Standard library only (and the neutral Person), so
every layer may read it.
"""

from __future__ import annotations

import re

from bot.reply import Person

# An ID and an optional name; neither holds braces, a bar or (the ID) white space.
NEUTRAL = re.compile(r"@\{([^{}|\s]{1,100})(?:\|([^{}|]{0,80}))?\}")
WORD_JOINER = "\u2060"  # invisible: a defused mention still reads as typed
_UNSAFE_IN_NAME = re.compile(r"[{}|\"'\\<>\s]+")


def mention(person: Person) -> str:
    """The neutral mention of ``person`` (who must have an ID)."""
    name = _UNSAFE_IN_NAME.sub(" ", person.name or "").strip()[:80].strip()
    return f"@{{{person.id}|{name}}}" if name else f"@{{{person.id}}}"


def mentioned(text: str) -> tuple[str, str | None] | None:
    """(ID, name or None) when ``text`` is one neutral mention and nothing else."""
    found = NEUTRAL.fullmatch(text.strip())
    if found is None:
        return None
    return found.group(1), (found.group(2) or "").strip() or None


def defuse(text: str) -> str:
    """``text`` with anything shaped like a neutral mention made inert."""
    return text.replace("@{", f"@{WORD_JOINER}{{")


def checked(text: str, mentions: tuple[Person, ...]) -> str:
    """``text`` with every neutral mention that is not one of ``mentions`` defused."""
    if "@{" not in text:
        return text
    genuine = {mention(person) for person in mentions if person.id}

    def keep(found: re.Match[str]) -> str:
        return found.group(0) if found.group(0) in genuine else defuse(found.group(0))

    return NEUTRAL.sub(keep, text)


def shown(text: str) -> str:
    """``text`` as a person reads it: each neutral mention written ``@Name`` (the ID is
    for the bot, not the reader; a mention without a name is written ``@someone``)."""
    if "@{" not in text:
        return text
    return NEUTRAL.sub(lambda found: f"@{(found.group(2) or '').strip() or 'someone'}", text)
