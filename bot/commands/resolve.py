"""Which inspection a question is about: the service named in it, else the home service.

A service may be named anywhere in a question, as people name it: ``summary Reading``,
``summary for Stockton``, ``score public Stockton``, ``scores for West Sussex``. The
words that ask *what* (the vocabulary below) never name a service, so ``recommendations
please`` and ``compare us with others`` ask about the conversation's own service.

What a request's words name was looked up once, when it was interpreted (the context's
``intent``): these helpers read it from there, and look in the data themselves only for
words the intent was not read from.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from bot.commands.catalogue import default_registry
from bot.commands.registry import Context
from bot.domain.inspections.matching import Mention
from bot.domain.inspections.model import Inspection, Service, ServiceMatch, Theme, ThemeMatch
from bot.domain.inspections.queries import InspectionQueries
from bot.reply import Reply, Section, problem
from bot.text import FILLER, plain_words

# Words around a question that ask what, or how, rather than about whom.
QUESTION_WORDS = frozenset(
    {
        *FILLER,
        "a",
        "about",
        "again",
        "against",
        "all",
        "an",
        "and",
        "any",
        "are",
        "as",
        "be",
        "been",
        "by",
        "can",
        "could",
        "current",
        "did",
        "do",
        "does",
        "doing",
        "done",
        "each",
        "else",
        "every",
        "everyone",
        "from",
        "get",
        "give",
        "go",
        "going",
        "got",
        "had",
        "has",
        "have",
        "here",
        "how",
        "i",
        "inspectors",
        "inspector",
        "inspectorate",
        "is",
        "it",
        "its",
        "just",
        "know",
        "last",
        "latest",
        "let",
        "list",
        "me",
        "most",
        "my",
        "now",
        "of",
        "on",
        "one",
        "or",
        "other",
        "others",
        "our",
        "ours",
        "please",
        "recent",
        "rest",
        "see",
        "show",
        "so",
        "tell",
        "thank",
        "thanks",
        "that",
        "their",
        "them",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "us",
        "versus",
        "vs",
        "want",
        "was",
        "we",
        "were",
        "what",
        "whats",
        "when",
        "whens",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yos",
        "service",
        "hmip",
    }
)

# The words that pick a topic when a question does not start with a command, by the
# command they pick (``dispatch`` reads them in its own order).
TOPIC_WORDS: dict[str, frozenset[str]] = {
    "target": frozenset({"target", "targets", "threshold", "aim"}),
    "strengths": frozenset(
        {"strength", "strengths", "strong", "strongest", "positives", "praise", "praised"}
    ),
    "quote": frozenset(
        {
            "say",
            "said",
            "says",
            "saying",
            "quote",
            "feedback",
            "comment",
            "comments",
            "words",
            "wrote",
            "conclude",
            "concluded",
            "conclusion",
            "conclusions",
            "find",
            "found",
            "findings",
        }
    ),
    "recs": frozenset(
        {
            "rec",
            "recs",
            "recommendation",
            "recommendations",
            "recommend",
            "recommended",
            "status",
            "statuses",
            "improve",
            "improvement",
            "improvements",
            "actions",
        }
    ),
    "summary": frozenset({"summary", "summarise", "summarize", "overview", "glance"}),
    "verdict": frozenset({"verdict", "verdicts"}),  # the monitoring verdict, not a quote
    "overall": frozenset({"overall", "range", "average", "lowest", "highest", "total"}),
    "compare": frozenset(
        {
            "compare",
            "compared",
            "comparison",
            "rank",
            "ranked",
            "ranking",
            "rankings",
            "national",
            "nationally",
            "percentile",
            "league",
            "position",
            "benchmark",
            "england",
            "wales",
            "country",
        }
    ),
    "bands": frozenset(
        {
            "band",
            "bands",
            "descriptor",
            "descriptors",
            "stars",
            "star",
            "scale",
            "mean",
            "means",
            "meaning",
            "grades",
        }
    ),
    "timeline": frozenset(
        {
            "timeline",
            "when",
            "date",
            "dates",
            "deadline",
            "call",
            "callin",
            "cabinet",
            "board",
            "resolved",
            "published",
            "publication",
            "publish",
            "fieldwork",
            "signed",
            "decision",
            "decide",
            "decided",
            "visit",
            "visited",
            "happened",
        }
    ),
    "scores": frozenset({"score", "scores", "scored", "themes", "theme", "marks", "standards"}),
    "general": frozenset(
        {"inspection", "inspected", "result", "results", "outcome", "rating", "rated", "how"}
    ),
}

# Words of ordinary speech about results that name nothing: "how well", "went well".
_SPEECH = frozenset({"well", "went", "good", "at", "like", "did", "look", "looks", "up"})


def is_vocabulary(word: str) -> bool:
    """Whether a word asks what rather than naming a service."""
    return (
        word in QUESTION_WORDS
        or word in _SPEECH
        or any(word in topic for topic in TOPIC_WORDS.values())
        or default_registry().find(word) is not None
        or word.isdecimal()
        or (word[:1] == "r" and word[1:].isdecimal())
    )


def residual_words(text: str) -> list[str]:
    """The words of ``text`` that ask nothing (see :func:`is_vocabulary`): what is left
    to name a service."""
    return [w for w in plain_words(text) if not is_vocabulary(w)]


_REC_WORDS = frozenset({"rec", "recs", "recommendation", "recommendations", "number", "no"})


def rec_ref(said: list[str], *, bare: bool = False) -> str | None:
    """The recommendation words name: R1, r2, "recommendation 1", "rec number 3"; with
    ``bare``, a number on its own first ("recs 1")."""
    for n, word in enumerate(said):
        if word[:1] == "r" and word[1:].isdecimal() and len(word) <= 4:
            return f"R{int(word[1:])}"
        after = said[n - 1] in _REC_WORDS if n else bare
        if word.isdecimal() and len(word) <= 3 and after:
            return f"R{int(word)}"
    return None


C = TypeVar("C", bound=Context)
InspectionHandler = Callable[[C, Inspection, str], Reply]


def service_problem(ctx: Context, typed: str, match: ServiceMatch) -> Reply:
    """The answer when what was typed names no service, or more than one: the example is
    of the command that was asked ("compare West Mercia")."""
    shown = " ".join(typed.split())[:60]
    if match.candidates:
        names = tuple(s.name for s in match.candidates)
        example = f"{ctx.command or 'summary'} {names[0]}"
        return problem(
            "Which service?",
            f"“{shown}” fits more than one service.",
            Section(heading="Did you mean", items=names),
            Section(text=f"Name one in full, e.g. {ctx.cmd(example)}."),
        )
    sections = []
    if match.suggestions:
        sections.append(
            Section(heading="Did you mean", items=tuple(s.name for s in match.suggestions))
        )
    sections.append(Section(text=f"See every service in the store with {ctx.cmd('services')}."))
    return problem("Which service?", f"No service in the store matches “{shown}”.", *sections)


def mention_in(ctx: Context, text: str) -> Mention | None:
    """The service ``text`` names anywhere in it, as people name one: the intent's, when
    it was looked for in these words, else looked up."""
    intent = ctx.intent
    if intent is not None and intent.services is None and intent.named_in == text:
        return intent.service
    return ctx.queries.service_in_text(text)


def mentions_in(ctx: Context, text: str) -> list[Mention]:
    """Every service ``text`` names, in the order named (``compare Slough and Reading``):
    the intent's, when they were looked for in these words, else looked up."""
    intent = ctx.intent
    if intent is not None and intent.services is not None and intent.named_in == text:
        return list(intent.services)
    return ctx.queries.services_in_text(text)


def theme_by_name(ctx: Context, inspection: Inspection, asked: str) -> ThemeMatch:
    """The theme ``asked`` names by its name in ``inspection`` ("child", "protecting the
    public"), with the candidates and close spellings when none fits for sure."""
    intent = ctx.intent
    if (
        intent is not None
        and intent.theme_by_name
        and intent.theme is not None
        and intent.about(inspection, asked)
    ):
        return intent.theme
    return ctx.queries.find_theme(inspection, asked)


def theme_mentioned(ctx: Context, inspection: Inspection, asked: str) -> Theme | None:
    """The theme a sentence mentions in ``inspection``, if only one fits."""
    intent = ctx.intent
    if intent is not None and not intent.theme_by_name and intent.about(inspection, asked):
        return intent.theme.theme if intent.theme is not None else None
    return ctx.queries.theme_in_text(inspection, asked)


def find_service(ctx: Context, args: str) -> Service | Reply | None:
    """The service ``args`` names: anywhere in it as people name one, else the words left
    once the question's own words are set aside, named on their own (a prefix or part,
    or a close spelling as a suggestion). None when nothing is left to name one."""
    mention = mention_in(ctx, args)
    if mention is not None:
        if mention.match.service is None:
            return service_problem(ctx, mention.typed, mention.match)
        return mention.match.service
    residual = " ".join(residual_words(args))
    if not residual:
        return None
    match = ctx.queries.match_service(residual)
    if match.service is None:
        return service_problem(ctx, residual, match)
    return match.service


def target(ctx: Context, args: str, *, trailing: bool = False) -> tuple[Inspection, str] | Reply:
    """The inspection a question is about, and what is left of the question.

    With ``trailing``, the words besides the service are the command's own ("score
    public Reading": the theme, then the service) and go to the handler; otherwise
    everything besides the question's own words names the service ("summary for
    Reading").
    """
    if trailing:
        home = ctx.home_inspection()
        if names_only_themes(ctx.queries, home, args):
            return home, args.strip()  # "score protecting-public": no service to look for
        mention = mention_in(ctx, args)
        if mention is None:
            return ctx.home_inspection(), args.strip()
        if mention.match.service is None:
            return service_problem(ctx, mention.typed, mention.match)
        return ctx.queries.latest_inspection(mention.match.service.id), mention.rest
    found = find_service(ctx, args)
    if isinstance(found, Reply):
        return found
    if found is None:
        return ctx.home_inspection(), ""
    return ctx.queries.latest_inspection(found.id), ""


def names_only_themes(queries: InspectionQueries, inspection: Inspection, args: str) -> bool:
    """Whether every word typed belongs to the names of ``inspection``'s themes, so no
    service can be named and the index of every service need not be consulted."""
    said = set(plain_words(args))
    if not said:
        return False
    known: set[str] = set()
    for theme in queries.themes(inspection):
        known.update(plain_words(theme.name))
        known.update(plain_words(theme.slug))
    return said <= known


def about_inspection(
    *, trailing: bool = False
) -> Callable[[InspectionHandler[C]], Callable[[C, str], Reply]]:
    """Resolve the inspection a question is about (see :func:`target`) before the handler.
    The handler takes the context it declares (a PrivateContext, or only a Context)."""

    def wrap(handler: InspectionHandler[C]) -> Callable[[C, str], Reply]:
        @functools.wraps(handler)
        def run(ctx: C, args: str) -> Reply:
            found = target(ctx, args, trailing=trailing)
            if isinstance(found, Reply):
                return found
            inspection, rest = found
            return handler(ctx, inspection, rest)

        return run

    return wrap
