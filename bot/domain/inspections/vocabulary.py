"""Words people use that the data's own names do not have: synonyms of themes
("safeguarding" for "Protecting the child or young person") and the Welsh names of
Welsh services ("Casnewydd" for Newport).

They are data, not code: ``data/vocabulary/synonyms.toml`` and
``data/vocabulary/welsh-names.toml`` (each file says where its words come from). Each is
read the first time it is needed and kept for the life of the process; a file that is
missing or cannot be read is logged once and counts as empty, so a question is never
refused for it.
"""

from __future__ import annotations

import functools
import logging
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT
from bot.text import SMALL_WORDS, plain_words, words

log = logging.getLogger(__name__)

VOCABULARY = PROJECT_ROOT / "data" / "vocabulary"
SYNONYMS = VOCABULARY / "synonyms.toml"
WELSH_NAMES = VOCABULARY / "welsh-names.toml"

Phrase = tuple[str, ...]


def theme_words(text: str) -> Phrase:
    """A theme's name, or a phrase for one, as compared: its words without small words."""
    return tuple(w for w in words(text) if w not in SMALL_WORDS)


def unaccented(text: str) -> str:
    """``text`` without its accents ("Sir Gâr" -> "Sir Gar"), for people who type none."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@functools.cache
def theme_synonyms() -> Mapping[Phrase, frozenset[str]]:
    """Each phrase of ``synonyms.toml`` (as :func:`theme_words`) -> the short names of the
    themes it may mean."""
    found: dict[Phrase, set[str]] = {}
    for entry in _entries(SYNONYMS, "themes"):
        slug, said = entry.get("slug"), entry.get("said")
        if not isinstance(slug, str) or not isinstance(said, list):
            log.warning("%s: an entry needs a slug and a list `said`; skipped", SYNONYMS.name)
            continue
        for phrase in said:
            key = theme_words(phrase) if isinstance(phrase, str) else ()
            if key:
                found.setdefault(key, set()).add(slug)
    return {key: frozenset(slugs) for key, slugs in found.items()}


@functools.cache
def welsh_names() -> Mapping[str, tuple[Phrase, ...]]:
    """A Welsh service's reference (the ratings table's la_ref) -> its Welsh names as
    words, each with and without its accents."""
    found: dict[str, list[Phrase]] = {}
    for entry in _entries(WELSH_NAMES, "services"):
        reference, welsh = entry.get("reference"), entry.get("welsh")
        if not isinstance(reference, str) or not isinstance(welsh, list):
            log.warning(
                "%s: an entry needs a reference and a list `welsh`; skipped", WELSH_NAMES.name
            )
            continue
        names = found.setdefault(reference.strip().lower(), [])
        for name in welsh:
            if not isinstance(name, str):
                continue
            for spelt in dict.fromkeys((name, unaccented(name))):
                if (key := tuple(plain_words(spelt))) and key not in names:
                    names.append(key)
    return {reference: tuple(names) for reference, names in found.items()}


def phrases_in(said: Iterable[str], phrases: Mapping[Phrase, Any]) -> list[Phrase]:
    """The phrases (keys of ``phrases``) said, as runs of consecutive words of ``said``."""
    typed = tuple(said)
    longest = max((len(p) for p in phrases), default=0)
    return [
        typed[start:end]
        for start in range(len(typed))
        for end in range(start + 1, min(len(typed), start + longest) + 1)
        if typed[start:end] in phrases
    ]


def _entries(path: Path, section: str) -> list[Mapping[str, Any]]:
    """The tables of ``section`` in a vocabulary file; none when it cannot be read."""
    import tomllib  # only when a vocabulary file is first needed

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as error:  # missing, not UTF-8, not TOML
        log.warning("%s cannot be read (%s); its words are not used", path.name, error)
        return []
    entries = data.get(section, [])
    if not isinstance(entries, list):
        log.warning("%s: [[%s]] must be a list of tables; not used", path.name, section)
        return []
    return [entry for entry in entries if isinstance(entry, dict)]
