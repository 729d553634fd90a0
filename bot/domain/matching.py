"""Finding the service or theme a person meant from what they typed.

Exact names first, then a prefix or a part only one of them has, then close spellings
as suggestions; when more than one fits, the candidates, so the caller asks rather
than guesses.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from bot.domain.model import Service, ServiceMatch, Theme, ThemeMatch
from bot.text import SMALL_WORDS, slugify, words

MAX_CANDIDATES = 10


# --- services -----------------------------------------------------------------------


def match_service(
    services: Sequence[Service], text: str, *, exact_only: bool = False
) -> ServiceMatch:
    """Find a service by id, name, short name or reference; then by prefix, part or
    spelling, with the candidates when more than one fits."""
    wanted = " ".join(text.lower().split())
    if not wanted:
        return ServiceMatch(None)
    exact = [s for s in services if wanted in s.names or slugify(wanted) == s.id]
    if len(exact) == 1:
        return ServiceMatch(exact[0])
    if exact_only:
        return ServiceMatch(None, candidates=tuple(exact))
    return _partial_service(services, wanted) or _close_services(services, wanted)


def _partial_service(services: Sequence[Service], wanted: str) -> ServiceMatch | None:
    """The one service a name starts with, else contains; the candidates when several do."""
    for fits in (
        [s for s in services if any(n.startswith(wanted) for n in s.names)],
        [s for s in services if any(wanted in n for n in s.names)],
    ):
        if len(fits) == 1:
            return ServiceMatch(fits[0])
        if fits:
            return ServiceMatch(None, candidates=tuple(fits[:MAX_CANDIDATES]))
    return None


def _close_services(services: Sequence[Service], wanted: str) -> ServiceMatch:
    by_name = {s.name.lower(): s for s in services}
    close = difflib.get_close_matches(wanted, list(by_name), n=3, cutoff=0.6)
    return ServiceMatch(None, suggestions=tuple(by_name[n] for n in close))


# --- themes -------------------------------------------------------------------------


def find_theme(themes: Sequence[Theme], query: str) -> ThemeMatch:
    """Find a theme by slug, full name, or a unique word or prefix of either."""
    wanted_slug = slugify(query)
    wanted_words = [w for w in words(query) if w not in SMALL_WORDS]
    if not wanted_words:
        return ThemeMatch(None, suggestions=tuple(themes))
    named = _theme_named(themes, query, wanted_slug)
    if named is not None:
        return ThemeMatch(named)
    covering = [t for t in themes if _covers(t, wanted_words)]
    if len(covering) == 1:
        return ThemeMatch(covering[0])
    if covering:
        return ThemeMatch(None, candidates=tuple(covering))
    close = difflib.get_close_matches(wanted_slug, [t.slug for t in themes], n=3, cutoff=0.5)
    by_slug = {t.slug: t for t in themes}
    return ThemeMatch(None, suggestions=tuple(by_slug[slug] for slug in close))


def _theme_named(themes: Sequence[Theme], query: str, wanted_slug: str) -> Theme | None:
    """The theme whose slug or full name was typed, else the only one the slug begins."""
    for theme in themes:
        if wanted_slug == theme.slug or query.strip().lower() == theme.name.lower():
            return theme
    by_prefix = [t for t in themes if (t.slug + "-").startswith(wanted_slug + "-")]
    return by_prefix[0] if len(by_prefix) == 1 else None


def _covers(theme: Theme, wanted_words: Sequence[str]) -> bool:
    """Every word typed begins one of the theme's words ("child" for "children-...")."""
    theme_words = theme.slug.split("-")
    return all(any(tw.startswith(w) for tw in theme_words) for w in wanted_words)


def theme_in_text(themes: Sequence[Theme], text: str) -> Theme | None:
    """The theme a sentence mentions ("how did we score on protecting the public?").

    A theme counts only when the sentence uses a word that no other theme has
    ("public", not "protecting"); when two themes fit equally it returns None,
    so the caller asks rather than guesses.
    """
    said = set(words(text)) - SMALL_WORDS
    fits: list[tuple[int, Theme]] = []
    for theme in themes:
        own = theme.slug.split("-")
        others = {w for t in themes if t is not theme for w in t.slug.split("-")}
        if any(w in said and w not in others for w in own):
            fits.append((sum(w in said for w in own), theme))
    fits.sort(key=lambda fit: fit[0], reverse=True)
    if not fits or (len(fits) > 1 and fits[0][0] == fits[1][0]):
        return None
    return fits[0][1]
