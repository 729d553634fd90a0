"""Reading what someone typed and picking the command they meant.

Text is normalised first (Unicode NFKC, case, punctuation, and "the", "for", "at",
"in" set aside: ``bot.text``). A question that starts with a command is that command
("scores for Stockton"); one that does not is read by its words, in this order: a
recommendation named ("status of R1", "how are we doing on R1"), then the topics
("what is the target", "what went well", "what did the inspectors say", "when was it
published", ...), then a theme named ("how did we score on protecting the public"),
then services in the plural ("which services are outstanding"), then scores or the
summary. What matches nothing gets the closest command or topic as a suggestion ("Did you
mean `recs`?"), else the help; nothing at all (a bare ``/yos``) is the help.
"""

from __future__ import annotations

import difflib
import itertools
from dataclasses import replace
from datetime import date

from bot.commands.catalogue import default_registry
from bot.commands.permissions import permissions_reply
from bot.commands.plan_questions import plan_question
from bot.commands.registry import Command, Context, Registry
from bot.commands.resolve import TOPIC_WORDS, is_vocabulary, rec_ref
from bot.domain.inspections.matching import Mention
from bot.domain.inspections.queries import InspectionQueries, NotFound
from bot.reply import Reply, Section, problem
from bot.text import normalise, plain_words, words

# Commands that read the words of the question besides the service (a theme, an event,
# a recommendation, "range"): a question in plain words reaches them whole.
_READS_WORDS = frozenset(
    {"score", "timeline", "target", "overall", "quote", "compare", "services", "verdict"}
)
# Topics tried in this order when a question does not start with a command.
_TOPIC_ORDER = (
    "verdict",
    "target",
    "strengths",
    "quote",
    "recs",
    "summary",
    "overall",
    "compare",
    "bands",
    "timeline",
)
# Two-word phrases that pick a topic where one word would be too loose.
_PHRASES: tuple[tuple[tuple[str, str], str], ...] = (
    (("went", "well"), "strengths"),
    (("did", "well"), "strengths"),
    (("do", "well"), "strengths"),
    (("done", "well"), "strengths"),
    (("go", "well"), "strengths"),
    (("good", "at"), "strengths"),
    (("best", "at"), "strengths"),
)
# What may follow a recommendation's reference to act on it rather than ask about it.
_REC_ACTIONS = frozenset({"close", "reopen"})
# Words of the first part of a "score" question that ask for the overall result instead.
_OVERALL = frozenset({"overall", "range", "average", "total"})
# At most this many words of a question are compared by spelling for a suggestion.
_SPELLING_WORDS = 12


def interpret(
    text: str,
    queries: InspectionQueries,
    service_id: str | None = None,
    registry: Registry | None = None,
) -> tuple[Command | None, str]:
    """Pick the command a person meant, strictly first, then leniently from its words.
    Without one, the text comes back for the help (and its suggestion)."""
    registry = registry or default_registry()
    # Adapters strip their own mentions and command prefixes before it gets here.
    text = text.strip()
    if not text:  # a bare invocation ("/yos", or a mention with nothing after it)
        return registry.find("help"), ""
    first, _, rest = text.partition(" ")
    found = registry.find(normalise(first).replace(" ", ""))
    if found:
        return _refined(registry, found, first, rest.strip())
    return _lenient(registry, text, queries, service_id)


def _refined(registry: Registry, found: Command, first: str, rest: str) -> tuple[Command, str]:
    """A command typed first, sharpened by what follows: ``recs R1`` is ``rec R1``,
    ``score overall`` is ``overall``, ``range`` keeps its word."""
    said = plain_words(rest)
    rec = registry.find("rec")
    ref = rec_ref(said[:3], bare=True)
    if found.name == "recs" and rec and ref:
        return rec, ref
    if found.name == "rec" and ref and _asks_only(said[1:]):
        return found, ref  # "rec 1 status": the recommendation, as "status of R1" is
    overall = registry.find("overall")
    if found.name == "score" and said and said[0] in _OVERALL and overall:
        return overall, rest
    if found.name == "overall":
        return found, f"{first} {rest}".strip()
    return found, rest


def _asks_only(said: list[str]) -> bool:
    """Whether words after a recommendation only ask about it ("status", "please"),
    rather than act on it ("close", "reopen")."""
    return bool(said) and all(is_vocabulary(w) and w not in _REC_ACTIONS for w in said)


def _lenient(
    registry: Registry, text: str, queries: InspectionQueries, service_id: str | None
) -> tuple[Command | None, str]:
    """The command a question in plain words asks for, with the words it needs: the
    whole question for those that read it, else the service it names, if any."""
    said = plain_words(text)
    planned = plan_question(said, words(text))  # the improvement plan's questions
    if planned is not None and registry.find(planned[0]):
        return registry.find(planned[0]), planned[1]
    mention = queries.service_in_text(text)
    service = mention.typed if mention is not None else ""
    name = _topic(said, words(text))
    ref = rec_ref(said)
    if ref and name not in ("target", "verdict") and registry.find("rec"):
        return registry.find("rec"), ref
    if name is None:
        # Services in the plural are listed ("which services are outstanding") unless the
        # other words name a theme ("how did we do on partnerships and services").
        listed = "services" in said
        named = " ".join(w for w in words(text) if w != "services") if listed else text
        theme = _theme(queries, named, mention, service_id)
        if theme is not None:
            return registry.find("score"), f"{theme} {service}".strip()
        if listed:
            name = "services"
        elif set(said) & TOPIC_WORDS["scores"]:
            name = "scores"
    if name is None and (set(said) & TOPIC_WORDS["general"] or _only_names(mention)):
        name = "summary"  # "how did Slough do", or just "Slough"
    found = registry.find(name) if name else None
    if found is None:
        return None, text
    return found, text if found.name in _READS_WORDS else service


def _only_names(mention: Mention | None) -> bool:
    """Whether a question is a service's name and nothing else ("Stockton", "Slough?")."""
    return mention is not None and not plain_words(mention.rest)


def _topic(said: list[str], every_word: list[str]) -> str | None:
    """The first topic, in ``_TOPIC_ORDER``, whose words (of ``said``) or phrases (of
    ``every_word``, small words and all: "good at") the question uses."""
    words_said = set(said)
    pairs = set(itertools.pairwise(every_word))
    phrased = {topic for pair, topic in _PHRASES if pair in pairs}
    for topic in _TOPIC_ORDER:
        if topic in phrased or words_said & TOPIC_WORDS[topic]:
            return topic
    return None


def _theme(
    queries: InspectionQueries, text: str, mention: Mention | None, service_id: str | None
) -> str | None:
    """The slug of the theme a question names, in the inspection it is about."""
    if mention is not None and mention.match.service is not None:
        service_id = mention.match.service.id
    try:
        theme = queries.theme_in_text(queries.latest_inspection(service_id), text)
    except NotFound:
        return None
    return theme.slug if theme is not None else None


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
    found: Command, args: str, today: date, service: str | None, invocation: str
) -> tuple[str, str, str, date, str | None, str]:
    """Under what a cacheable command's reply is kept: the same question on the same day,
    about the same service, typed the same way, has the same answer until the inspection
    data changes (a reply that depends on who asks is not cacheable)."""
    return ("reply", found.name, args, today, service, invocation)


def dispatch(
    text: str,
    ctx: Context,
    interpreted: tuple[Command | None, str] | None = None,
    service: str | None = None,
    registry: Registry | None = None,
) -> Reply:
    """Answer ``text``. ``interpreted`` is what :func:`interpret` made of it and ``service``
    the conversation's service it was read with, when the caller has them already (the
    application does, to tell a write from a read).

    What a command (or the part of it asked for) requires is checked here, before its
    handler runs: someone without it is refused, and nothing is done."""
    registry = registry or default_registry()
    if interpreted is None:
        service = ctx.queries.channel_service(ctx.conversation)
    found, args = interpreted or interpret(text, ctx.queries, service, registry)
    if found is None:
        return _help_overview(registry, ctx, not_understood=args)
    ctx = replace(ctx, command=found.name)
    need = found.need(args)
    if need is not None and not any(ctx.may(p) for p in need.requires):
        return ctx.refuse(need.requires[0], need.name)
    try:
        if found.cacheable:
            # Only a handler that reads inspection data alone is cacheable (the registry
            # refuses any other): its reply is kept until that data changes.
            key = reply_key(found, args, ctx.today, service, ctx.invocation)
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
