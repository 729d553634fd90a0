"""Which inspection a question is about: the service named in it, else the home service.

``summary Reading`` asks about Reading; ``score public Reading`` names a theme and then
the service; ``recommendations please`` asks about the conversation's own service.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from bot.commands.registry import Context, Handler
from bot.domain.model import Inspection, ServiceMatch
from bot.reply import Reply, Section, problem
from bot.text import words

# Words around a question that do not name a service.
FILLER = frozenset(
    [
        "please",
        "thanks",
        "thank",
        "you",
        "for",
        "our",
        "us",
        "we",
        "me",
        "the",
        "a",
        "an",
        "of",
        "in",
        "on",
        "show",
        "give",
        "what",
        "are",
        "is",
        "was",
        "were",
        "latest",
        "all",
        "any",
    ]
)

InspectionHandler = Callable[[Context, Inspection, str], Reply]


def service_problem(ctx: Context, typed: str, match: ServiceMatch) -> Reply:
    """The answer when what was typed names no service, or more than one."""
    shown = typed.strip()[:60]
    if match.candidates:
        names = tuple(s.name for s in match.candidates)
        return problem(
            "Which service?",
            f"“{shown}” fits more than one service.",
            Section(heading="Did you mean", items=names),
        )
    sections = [Section(heading="Did you mean", items=tuple(s.name for s in match.suggestions))]
    sections.append(Section(text=f"See every service in the store with {ctx.cmd('services')}."))
    return problem("Which service?", f"No service in the store matches “{shown}”.", *sections)


def target(ctx: Context, args: str, *, trailing: bool = False) -> tuple[Inspection, str] | Reply:
    """The inspection a question is about, and what is left of the question.

    With ``trailing``, a service may follow the command's own argument ("score public
    Reading"); otherwise everything typed names the service ("summary Reading").
    """
    args = args.strip()
    if not trailing and not set(words(args)) - FILLER:
        args = ""  # "recommendations please" asks about our own service
    if args and not trailing:
        match = ctx.queries.match_service(args)
        if match.service is None:
            return service_problem(ctx, args, match)
        return ctx.queries.latest_inspection(match.service.id), ""
    typed = args.split()
    for cut in range(1, len(typed)):
        match = ctx.queries.match_service(" ".join(typed[cut:]), exact_only=True)
        if match.service is not None:
            return ctx.queries.latest_inspection(match.service.id), " ".join(typed[:cut])
    return ctx.home_inspection(), args


def about_inspection(*, trailing: bool = False) -> Callable[[InspectionHandler], Handler]:
    """Resolve the inspection a question is about (see :func:`target`) before the handler."""

    def wrap(handler: InspectionHandler) -> Handler:
        @functools.wraps(handler)
        def run(ctx: Context, args: str) -> Reply:
            found = target(ctx, args, trailing=trailing)
            if isinstance(found, Reply):
                return found
            inspection, rest = found
            return handler(ctx, inspection, rest)

        return run

    return wrap
