"""Normalising what people type and what the data files say, for comparing names.

The bottom of the package: the standard library only, so the store (reading data
files), the domain (matching names) and the commands (reading questions) can all use
it without depending on each other. How things are *shown* lives in
``bot.domain.wording``.
"""

from __future__ import annotations

import re

# Words people leave out when they name a theme: "protecting the public" -> "protecting-public".
SMALL_WORDS = frozenset(
    {"a", "an", "and", "at", "by", "for", "in", "is", "of", "on", "or", "that", "the", "to"}
)


def words(text: str) -> list[str]:
    """The lower-case words and numbers of ``text``, apostrophes dropped."""
    return re.findall(r"[a-z0-9]+", text.lower().replace("'", ""))


def slugify(text: str) -> str:
    """The short name of a theme: lower case, small words dropped, joined by hyphens."""
    return "-".join(w for w in words(text) if w not in SMALL_WORDS)
