"""Answering what someone typed: the command :func:`interpret` read, refused first if the
asker lacks what it requires, else run (its answer kept when only inspection data makes
it); and the help, with a suggestion for what was not understood ("Did you mean
`recs`?").
"""

from __future__ import annotations

import difflib
from dataclasses import replace
from datetime import date

from bot.commands.catalogue import default_registry
from bot.commands.intent import Intent, interpret
from bot.commands.permissions import permissions_reply
from bot.commands.registry import Command, Context, Registry
from bot.commands.resolve import TOPIC_WORDS
from bot.domain.inspections.queries import NotFound
from bot.reply import Reply, Section, problem
from bot.text import normalise, plain_words, words

# At most this many words of a question are compared by spelling for a suggestion.
_SPELLING_WORDS = 12


def suggestion(registry: Registry, text: str) -> Command | None:
    """The command a misspelt word most likely meant: a command's name or alias, or a
    topic's word ("recomendations" -> recs), when one is close enough."""
    known: dict[str, str] = {}
    for cmd in registry.commands.values():
        for word in (cmd.name, *cmd.aliases):
            known[word] = cmd.name
    for topic, topic_words in TOPIC_WORDS.items():
        if registry.find(topic) is not None:
            for word in topic_words:
                known.setdefault(word, topic)
    for word in plain_words(text)[:_SPELLING_WORDS]:
        if len(word) < 4 or word in known:
            continue
        close = difflib.get_close_matches(word[:40], list(known), n=1, cutoff=0.8)
        if close:
            return registry.find(known[close[0]])
    return None


def reply_key(
    intent: Intent, today: date, invocation: str
) -> tuple[str, str | None, str, date, str | None, str]:
    """Under what a cacheable command's reply is kept: the same question on the same day,
    about the same service, typed the same way, has the same answer until the inspection
    data changes (a reply that depends on who asks is not cacheable)."""
    name = intent.command.name if intent.command is not None else None
    return ("reply", name, intent.args, today, intent.conversation_service, invocation)


def dispatch(
    text: str,
    ctx: Context,
    intent: Intent | None = None,
    registry: Registry | None = None,
) -> Reply:
    """Answer ``text``. ``intent`` is what :func:`interpret` made of it, in the
    conversation's service, when the caller has it already (the application does, to tell
    a write from a read); else it is read here.

    What a command (or the part of it asked for) requires is checked here, before its
    handler runs: someone without it is refused, and nothing is done."""
    registry = registry or default_registry()
    if intent is None:
        service = ctx.queries.channel_service(ctx.conversation)
        intent = interpret(text, ctx.queries, service, registry)
    found, args = intent.command, intent.args
    if found is None:
        return _help_overview(registry, ctx, not_understood=intent.not_understood)
    # The handler reads what the intent resolved rather than looking it up again.
    ctx = replace(ctx, command=found.name, intent=intent)
    need = found.need(args)
    if need is not None and not any(ctx.may(p) for p in need.requires):
        return ctx.refuse(need.requires[0], need.name)
    try:
        if found.cacheable:
            # Only a handler that reads inspection data alone is cacheable (the registry
            # refuses any other): its reply is kept until that data changes.
            key = reply_key(intent, ctx.today, ctx.invocation)
            kept = ctx.queries.kept(key)
            if isinstance(kept, Reply):
                return kept
            begun = ctx.queries.mark()
            reply = found.run(ctx, args)
            ctx.queries.keep(key, reply, begun)
            return reply
        return found.run(ctx, args)
    except NotFound as missing:
        return problem("Nothing to show yet", str(missing))


# --- help -------------------------------------------------------------------


def _help_overview(registry: Registry, ctx: Context, not_understood: str | None = None) -> Reply:
    lines = tuple(f"{ctx.cmd(c.usage)}: {c.summary}" for c in registry.commands.values())
    headline = "Ask about your latest HMIP inspection and the recommendations from it."
    sections = [Section(items=lines)]
    if not_understood:
        shown = " ".join(not_understood.split())[:80]
        meant = suggestion(registry, not_understood)
        if meant is not None:
            headline = f"I didn't understand “{shown}”. Did you mean `{ctx.cmd(meant.name)}`?"
            sections.insert(
                0,
                Section(
                    heading="Did you mean",
                    items=(f"{ctx.cmd(meant.usage)}: {meant.summary}",),
                ),
            )
        else:
            headline = f"I didn't understand “{shown}”. Here is what I can answer:"
    sections.append(
        Section(
            text="You can also mention me with a question, e.g. "
            "“how did we score on protecting the public?”. "
            f"Type {ctx.cmd('help <command>')} for more on one command."
        )
    )
    return Reply(
        title="YOS inspection bot",
        headline=headline,
        sections=tuple(sections),
        ok=not_understood is None,
    )


def help_command_of(registry: Registry) -> Command:
    """The ``help`` command, answering from ``registry``."""

    def help_command(ctx: Context, args: str) -> Reply:
        return _help(registry, ctx, args)

    return Command(
        "help",
        "help [command]",
        "what I can answer, or more on one command",
        help_command,
        examples=("help", "help score", "help permissions"),
    )


def _help(registry: Registry, ctx: Context, args: str) -> Reply:
    if not args:
        return _help_overview(registry, ctx)
    word = normalise(args.split()[0]).replace(" ", "")
    if word in ("permissions", "permission"):
        return permissions_reply(registry, ctx)
    found = registry.find(word)
    part = None
    if found is None:
        found, part = _part_of_command(registry, word)
    if found is None:
        return _help_overview(registry, ctx, not_understood=args)
    sections = [Section(text=found.details)] if found.details else []
    if found.aliases:
        sections.append(Section(heading="Also", text=", ".join(found.aliases)))
    if found.examples:
        sections.append(
            Section(heading="Examples", items=tuple(ctx.cmd(e) for e in found.examples))
        )
    headline = found.summary.capitalize() + "."
    if part is not None:
        headline = f"{word} is part of {ctx.cmd(found.name)}: {part}"
    return Reply(
        title=ctx.cmd(found.usage),
        headline=headline,
        sections=tuple(sections),
    )


def _part_of_command(registry: Registry, word: str) -> tuple[Command | None, str | None]:
    """The one command that ``word`` is a part of ("undo": ``audit undo``), found in the
    commands' own help, with the sentence of its details that says what the part does
    (else its example); nothing when no command, or more than one, has it."""
    if not word.isalpha():
        return None, None
    having = [
        cmd
        for cmd in registry.commands.values()
        if any(word in words(example)[1:] for example in (cmd.usage, *cmd.examples))
    ]
    if len(having) != 1:
        return None, None
    found = having[0]
    typed = f"{found.name} {word}"
    for sentence in (found.details or "").replace("\n", " ").split(". "):
        if typed in sentence:
            return found, sentence.strip().rstrip(".") + "."
    example = next((e for e in found.examples if word in words(e)[1:]), found.usage)
    return found, f"{example}."
