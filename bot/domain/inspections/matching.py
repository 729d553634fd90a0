"""Finding the service or theme a person meant from what they typed.

Services are named as people name them: the full name, the short name, the reference,
or any leading word or words of a name that only one service has ("Stockton", "West
Sussex"), in any case and punctuation, with or without "the", "for", "at" or "in".
Named on its own, a service may also be a prefix or a part only it has, and close
spellings are suggested. Found inside a question ("score public Stockton"), a single
leading word counts only when it is a place name rather than a common word ("north",
"royal", "vale"), so a question is never read as a service by accident.

A Welsh service also answers to its Welsh names, and a theme to the words people use for
it that its name does not have ("safeguarding"): both are data (``vocabulary``).

When more than one fits, the candidates come back, so the caller asks rather than
guesses. All text is normalised first (``bot.text``); every step is linear in what
was typed.
"""

from __future__ import annotations

import difflib
import functools
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice

from bot.domain.inspections import vocabulary
from bot.domain.inspections.model import Service, ServiceMatch, Theme, ThemeMatch
from bot.text import SMALL_WORDS, normalise, plain_words, slugify, words

MAX_CANDIDATES = 10
# Longest text compared by spelling: no service's name is longer, and the comparison
# is quadratic in length.
MAX_SPELLING = 80

# Words that begin service names but, alone inside a question, are more likely to be
# ordinary words or parts of a region's name: they name a service only with the words
# that follow ("West Sussex", "Royal Borough of Greenwich"), or named on their own.
COMMON_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "of",
        "on",
        "to",
        "north",
        "south",
        "east",
        "west",
        "northern",
        "southern",
        "eastern",
        "western",
        "central",
        "mid",
        "new",
        "old",
        "great",
        "greater",
        "royal",
        "county",
        "city",
        "isle",
        "vale",
        "st",
        "saint",
        # Welsh: "Sir Gâr" (county), "Bro Morgannwg" (vale), "Pen-y-bont" (head of).
        "sir",
        "bro",
        "pen",
        "upon",
        "borough",
        "council",
        "district",
        "youth",
        "offending",
        "justice",
        "service",
        "services",
        "team",
        "inspection",
        "yos",
        "yot",
        "yjs",
        "ji",
    }
)


# --- services -----------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceIndex:
    """Every way each service is named, as word sequences: the whole names with the
    services each fits, and the same names in order, so the names that begin with some
    words are found by bisection (a search, not a table of every leading run)."""

    services: tuple[Service, ...]
    whole: dict[tuple[str, ...], frozenset[str]] = field(default_factory=dict)
    ordered: tuple[tuple[str, ...], ...] = ()
    by_id: dict[str, Service] = field(default_factory=dict)
    longest: int = 0

    def of(self, ids: Iterable[str]) -> tuple[Service, ...]:
        """The services with these ids, by name."""
        return tuple(sorted((self.by_id[i] for i in ids), key=lambda s: s.name))

    def leading(self, key: tuple[str, ...]) -> frozenset[str]:
        """The services with a name that begins with these words (or is them)."""
        found: set[str] = set()
        for name in islice(self.ordered, bisect_left(self.ordered, key), None):
            if name[: len(key)] != key:
                break
            found |= self.whole[name]
        return frozenset(found)


def service_index(services: Sequence[Service]) -> ServiceIndex:
    whole: dict[tuple[str, ...], set[str]] = {}
    for service in services:
        for key in _name_keys(service):
            whole.setdefault(key, set()).add(service.id)
    return ServiceIndex(
        services=tuple(services),
        whole={k: frozenset(v) for k, v in whole.items()},
        ordered=tuple(sorted(whole)),
        by_id={s.id: s for s in services},
        longest=max((len(k) for k in whole), default=0),
    )


def _name_keys(service: Service) -> set[tuple[str, ...]]:
    """The service's names as word sequences: name, short name, id, reference, local
    authority ("Stockton-on-Tees Borough Council" -> stockton on tees borough council)
    and, for a Welsh service, its Welsh names ("Sir Gâr", and "Sir Gar" without accents)."""
    # Name, short name and local authority are often the same text: read each once.
    names = {
        service.name,
        service.short_name,
        service.id,
        service.reference,
        service.local_authority,
    }
    keys = {key for name in names if name and (key := _words_of_name(name))}
    # A Welsh service's Welsh names (data/vocabulary/welsh-names.toml), by its reference.
    keys.update(vocabulary.welsh_names().get((service.reference or "").lower(), ()))
    return keys


@functools.lru_cache(maxsize=8192)
def _words_of_name(name: str) -> tuple[str, ...]:
    """A name, id or reference as words, worked out once per process: the index is built
    again from every service's names whenever the inspection data changes, and names
    themselves seldom do."""
    return tuple(plain_words(name))


def match_service(index: ServiceIndex, text: str, *, exact_only: bool = False) -> ServiceMatch:
    """The service ``text`` names on its own: a whole name, then leading words, then a
    prefix or part only it has; else close spellings as suggestions. Several that fit
    come back as candidates."""
    typed = tuple(plain_words(text))
    if not typed:
        return ServiceMatch(None)
    exact = index.whole.get(typed, frozenset())
    if len(exact) == 1 or exact_only:
        return _outcome(index, exact)
    if exact:
        return _outcome(index, exact)
    leading = index.leading(typed)
    if leading:
        return _outcome(index, leading)
    wanted = " ".join(typed)[:MAX_SPELLING]
    return _partial_service(index, wanted) or _close_services(index, wanted)


def _outcome(index: ServiceIndex, ids: frozenset[str]) -> ServiceMatch:
    if len(ids) == 1:
        return ServiceMatch(index.by_id[next(iter(ids))])
    return ServiceMatch(None, candidates=index.of(ids)[:MAX_CANDIDATES])


def _partial_service(index: ServiceIndex, wanted: str) -> ServiceMatch | None:
    """The one service a name starts with, else contains; the candidates when several do."""
    names = [(s, [" ".join(key) for key in _name_keys(s)]) for s in index.services]
    for fits in (
        [s for s, known in names if any(n.startswith(wanted) for n in known)],
        [s for s, known in names if any(wanted in n for n in known)],
    ):
        if len(fits) == 1:
            return ServiceMatch(fits[0])
        if fits:
            return ServiceMatch(None, candidates=index.of(s.id for s in fits)[:MAX_CANDIDATES])
    return None


def _close_services(index: ServiceIndex, wanted: str) -> ServiceMatch:
    by_name = {normalise(s.name): s for s in index.services}
    close = difflib.get_close_matches(wanted, list(by_name), n=3, cutoff=0.6)
    return ServiceMatch(None, suggestions=tuple(by_name[n] for n in close))


@dataclass(frozen=True)
class Mention:
    """A service named inside a question, and the question's other words."""

    match: ServiceMatch
    typed: str  # the words that named it
    rest: str  # the question without them
    # What those words name on their own: the same, unless the question names other
    # services in runs as long, which ``match`` counts among the candidates.
    alone: ServiceMatch | None = None


def service_in_text(index: ServiceIndex, text: str) -> Mention | None:
    """The service a question names anywhere in it ("score public Stockton", "how did
    West Sussex do"): the longest run of words that is a whole name or the leading words
    of one. None when no run names one; candidates when the longest runs fit several."""
    tokens = plain_words(text)
    spans = [span for start in range(len(tokens)) if (span := _span_at(index, tokens, start))]
    if not spans:
        return None
    longest = max(end - start for start, end, _ in spans)
    best = [(start, end, ids) for start, end, ids in spans if end - start == longest]
    start, end, first = best[0]
    ids = frozenset().union(*(ids for _, _, ids in best))
    typed = " ".join(tokens[start:end])
    rest = " ".join(tokens[:start] + tokens[end:])
    return Mention(_outcome(index, ids), typed, rest, _outcome(index, first))


def services_in_text(index: ServiceIndex, text: str) -> list[Mention]:
    """Every service a question names, in the order named ("compare Slough and Reading"):
    the longest runs of words that name one, never overlapping, so a name with "and" in
    it ("Bath and North East Somerset") is one service, not two. Each mention's ``rest``
    is the question without any of them."""
    tokens = plain_words(text)
    spans = [span for start in range(len(tokens)) if (span := _span_at(index, tokens, start))]
    chosen: list[tuple[int, int, frozenset[str]]] = []
    for start, end, ids in sorted(spans, key=lambda span: (span[0] - span[1], span[0])):
        if all(end <= s or start >= e for s, e, _ in chosen):
            chosen.append((start, end, ids))
    chosen.sort()
    taken = {n for start, end, _ in chosen for n in range(start, end)}
    rest = " ".join(t for n, t in enumerate(tokens) if n not in taken)
    return [
        Mention(_outcome(index, ids), " ".join(tokens[start:end]), rest)
        for start, end, ids in chosen
    ]


def _span_at(
    index: ServiceIndex, tokens: Sequence[str], start: int
) -> tuple[int, int, frozenset[str]] | None:
    """The longest run of words from ``start`` that names a service, with the services
    it fits: only those it names whole, when it names one whole. The run's last word may
    be possessive ("Stockton's", normalised to "stocktons")."""
    found: tuple[int, int, frozenset[str]] | None = None
    key: tuple[str, ...] = ()
    for end in range(start + 1, min(len(tokens), start + index.longest) + 1):
        word = tokens[end - 1]
        owner = (*key, word[:-1]) if len(word) > 3 and word.endswith("s") else None
        key = (*key, word)
        leading = index.leading(key)
        for tried in (key, owner):
            if tried is None:
                continue
            ids = leading if tried is key else index.leading(tried)
            if ids and _names_something(tried):
                whole = index.whole.get(tried, frozenset())
                found = (start, end, whole if len(whole) == 1 else ids)
                break
        if not leading:
            break
    return found


def _names_something(key: tuple[str, ...]) -> bool:
    """Whether a run of words found in a question may name a service: not only common
    words or numbers, and not one word of two letters ("cd" is a reference, but said in a
    question more likely something else; named on its own it still matches)."""
    if all(w in COMMON_WORDS or w.isdecimal() for w in key):
        return False
    return len(key) > 1 or len(key[0]) > 2


# --- themes -------------------------------------------------------------------------


def find_theme(themes: Sequence[Theme], query: str) -> ThemeMatch:
    """Find a theme by slug, full name, a phrase the synonyms file gives it ("safeguarding"),
    or a unique word or prefix of its name."""
    wanted_slug = slugify(query)
    wanted_words = [w for w in words(query) if w not in SMALL_WORDS]
    if not wanted_words:
        return ThemeMatch(None, suggestions=tuple(themes))
    named = _theme_named(themes, query, wanted_slug) or _theme_by_synonym(themes, wanted_words)
    if named is not None:
        return ThemeMatch(named)
    covering = [t for t in themes if _covers(t, wanted_words)]
    if len(covering) == 1:
        return ThemeMatch(covering[0])
    if covering:
        return ThemeMatch(None, candidates=tuple(covering))
    close = difflib.get_close_matches(
        wanted_slug[:MAX_SPELLING], [t.slug for t in themes], n=3, cutoff=0.5
    )
    by_slug = {t.slug: t for t in themes}
    return ThemeMatch(None, suggestions=tuple(by_slug[slug] for slug in close))


def _theme_by_synonym(themes: Sequence[Theme], said: Sequence[str]) -> Theme | None:
    """The one theme of ``themes`` a phrase of the synonyms file said means, if only one."""
    synonyms = vocabulary.theme_synonyms()
    meant = {slug for phrase in vocabulary.phrases_in(said, synonyms) for slug in synonyms[phrase]}
    fits = [t for t in themes if t.slug in meant]
    return fits[0] if len(fits) == 1 else None


def _theme_named(themes: Sequence[Theme], query: str, wanted_slug: str) -> Theme | None:
    """The theme whose slug or full name was typed, else the only one the slug begins."""
    typed = normalise(query)
    for theme in themes:
        if wanted_slug == theme.slug or typed == normalise(theme.name):
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
    ("public", not "protecting"), or a phrase the synonyms file gives it ("public
    protection"); when two themes fit equally it returns None, so the caller asks rather
    than guesses.
    """
    said = [w for w in words(text) if w not in SMALL_WORDS]
    said_set = set(said)
    fits: list[tuple[int, Theme]] = []
    for theme in themes:
        own = theme.slug.split("-")
        others = {w for t in themes if t is not theme for w in t.slug.split("-")}
        if any(w in said_set and w not in others for w in own):
            fits.append((sum(w in said_set for w in own), theme))
    fits.sort(key=lambda fit: fit[0], reverse=True)
    if fits and (len(fits) == 1 or fits[0][0] > fits[1][0]):
        return fits[0][1]
    return _theme_by_synonym(themes, said) if not fits else None
