"""Reading what someone typed and picking the command they meant."""

from __future__ import annotations

from bot.commands.registry import Command, Context, command, registry
from bot.domain.queries import InspectionQueries, NotFound
from bot.reply import Reply, Section, problem
from bot.text import words

# --- reading what was typed ---------------------------------------------------

# Keywords that pick a command when a sentence does not start with one. Order matters:
# a theme named in the sentence is tried after these specific topics.
_TOPICS: tuple[tuple[str, frozenset[str]], ...] = (
    ("recs", frozenset({"recommendation", "recommendations", "recs", "rec", "recommend"})),
    ("strengths", frozenset({"strength", "strengths", "strong", "good at"})),
    ("bands", frozenset({"band", "bands", "descriptor", "descriptors", "stars", "scale"})),
    (
        "timeline",
        frozenset({"timeline", "when", "board", "cabinet", "call", "deadline", "resolved"}),
    ),
)
_SCORES_WORDS = frozenset({"score", "scores", "scored", "themes", "theme", "marks"})
_SUMMARY_WORDS = frozenset(
    {"summary", "latest", "inspection", "overall", "result", "results", "outcome", "how"}
)


def clean(text: str) -> str:
    """The question without surrounding space (adapters strip their own mentions and
    command prefixes before it gets here)."""
    return text.strip()


def interpret(
    text: str, queries: InspectionQueries, service_id: str | None = None
) -> tuple[Command | None, str]:
    """Pick the command a person meant, strictly first, then leniently from keywords."""
    text = clean(text)
    if not text:
        return registry.find("summary"), ""
    first, _, rest = text.partition(" ")
    found = registry.find(first.strip("?!.,:"))
    if found:
        return found, rest.strip()
    said = set(words(text))
    for name, keywords in _TOPICS:
        if said & keywords:
            return registry.find(name), ""
    try:
        theme = queries.theme_in_text(queries.latest_inspection(service_id), text)
    except NotFound:
        theme = None
    if theme is not None:
        return registry.find("score"), theme.slug
    if said & _SCORES_WORDS:
        return registry.find("scores"), ""
    if said & _SUMMARY_WORDS:
        return registry.find("summary"), ""
    return None, text


def dispatch(text: str, ctx: Context) -> Reply:
    found, args = interpret(text, ctx.queries, ctx.queries.channel_service(ctx.conversation))
    if found is None:
        return _help_overview(ctx, not_understood=args)
    try:
        if found.cacheable:
            # The same question on the same day, about the same service, has the same
            # answer until the store changes (any write empties the cache).
            key = (
                "reply",
                found.name,
                args,
                ctx.today,
                ctx.queries.channel_service(ctx.conversation),
                ctx.invocation,
            )
            return ctx.queries.memo(key, lambda: found.handler(ctx, args))
        return found.handler(ctx, args)
    except NotFound as missing:
        return problem("Nothing to show yet", str(missing))


# --- help -------------------------------------------------------------------


def _help_overview(ctx: Context, not_understood: str | None = None) -> Reply:
    lines = tuple(f"{ctx.cmd(c.usage)}: {c.summary}" for c in registry.commands.values())
    headline = "Ask about your latest HMIP inspection and the recommendations from it."
    if not_understood:
        headline = f"I didn't understand “{not_understood[:80]}”. Here is what I can answer:"
    return Reply(
        title="YOS inspection bot",
        headline=headline,
        sections=(
            Section(items=lines),
            Section(
                text="You can also mention me with a question, e.g. "
                "“how did we score on protecting the public?”. "
                f"Type {ctx.cmd('help <command>')} for more on one command."
            ),
        ),
        ok=not_understood is None,
    )


@command(
    "help",
    "help [command]",
    "what I can answer, or more on one command",
    examples=("help", "help score"),
)
def help_command(ctx: Context, args: str) -> Reply:
    if not args:
        return _help_overview(ctx)
    found = registry.find(args.split()[0].removeprefix("/"))
    if found is None:
        return _help_overview(ctx, not_understood=args)
    sections = [Section(text=found.details)] if found.details else []
    if found.aliases:
        sections.append(Section(heading="Also", text=", ".join(found.aliases)))
    if found.examples:
        sections.append(
            Section(heading="Examples", items=tuple(ctx.cmd(e) for e in found.examples))
        )
    return Reply(
        title=ctx.cmd(found.usage),
        headline=found.summary.capitalize() + ".",
        sections=tuple(sections),
    )
