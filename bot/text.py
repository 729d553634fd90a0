"""Normalising what people type and what the data files say, for comparing names.

The bottom of the package: the standard library only, so the store (reading data
files), the domain (matching names) and the commands (reading questions) can all use
it without depending on each other. How things are *shown* lives in
``bot.domain.wording``.

Everything here is linear in the length of the text: one Unicode normalisation, one
translation and one regular expression without nested quantifiers.
"""

from __future__ import annotations

import re
import unicodedata

# Words people leave out when they name a theme: "protecting the public" -> "protecting-public".
SMALL_WORDS = frozenset(
    {"a", "an", "and", "at", "by", "for", "in", "is", "of", "on", "or", "that", "the", "to"}
)
# Words that never change what a question asks about: "scores for Stockton", "the summary
# in Reading", "R1 at Stockton" ask what "scores Stockton", "summary Reading" and "R1
# Stockton" ask.
FILLER = frozenset({"the", "for", "at", "in"})

# Apostrophes of every kind join a word ("what's" -> "whats"); other punctuation
# separates words.
_APOSTROPHES = str.maketrans({"'": None, "\u2019": None, "\u2018": None, "\u02bc": None})
_WORD = re.compile(r"[^\W_]+")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def normalise(text: str) -> str:
    """``text`` as compared: Unicode NFKC (full-width letters become plain ones), case
    folded, apostrophes dropped, punctuation turned to spaces, spaces collapsed."""
    return " ".join(words(text))


def words(text: str) -> list[str]:
    """The normalised words and numbers of ``text`` (see :func:`normalise`)."""
    if _SLUG.fullmatch(text):
        # Already normal (ids and references): its words are between the hyphens.
        return text.split("-")
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
    return _WORD.findall(folded)


def plain_words(text: str) -> list[str]:
    """The words of ``text`` without "the", "for", "at" and "in"."""
    return [w for w in words(text) if w not in FILLER]


def slugify(text: str) -> str:
    """The short name of a theme: lower case, small words dropped, joined by hyphens."""
    return "-".join(w for w in words(text) if w not in SMALL_WORDS)
