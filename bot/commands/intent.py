"""Reading what someone typed, once: the command they meant and what it is about.

Text is normalised first (Unicode NFKC, case, punctuation, and "the", "for", "at",
"in" set aside: ``bot.text``). A question that starts with a command is that command
("scores for Stockton"); one that does not is read by its words, in this order: a
recommendation named ("status of R1", "how are we doing on R1"), then the topics
("what is the target", "what went well", "what did the inspectors say", "when was it
published", ...), then a theme named ("how did we score on protecting the public"),
then services in the plural ("which services are outstanding"), then scores or the
summary. What matches nothing comes back not understood, for the help and its
suggestion; nothing at all (a bare ``/yos``) is the help.

The same step looks in the data, once: for the service the command's words name (every
service, for ``compare``) and, for a command that reads a theme, the latest inspection
the question is about and the theme it names there; and it reads the recommendation
named. The dispatcher puts the :class:`Intent` on the handler's context, and the
handlers' helpers (``bot.commands.resolve``) read these from it instead of looking
again: the same words give the same answer until the inspection data changes.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum, auto

from bot.commands.audits import named_after_reference
from bot.commands.catalogue import default_registry
from bot.commands.plan import service_words as plan_service_words
from bot.commands.plan_questions import plan_question
from bot.commands.registry import Command, Registry, split_args
from bot.commands.resolve import TOPIC_WORDS, is_vocabulary, names_only_themes, rec_ref
from bot.domain.inspections.matching import Mention
from bot.domain.inspections.model import Inspection, Theme, ThemeMatch
from bot.domain.inspections.queries import InspectionQueries, NotFound
from bot.text import normalise, plain_words, words


@dataclass(frozen=True)
class Intent:
    """What a request asks, read once (:func:`interpret`).

    ``args`` are the words the command reads (its handler's, and part of the key its
    answer is kept under). The rest is looked up in the data once, against them:

    - ``service``: the service named in ``named_in``, the words of ``args`` that may name
      one (all of them but for ``rec``, ``audits`` and ``plan``; none when they name only
      themes of the conversation's inspection, for ``score`` or ``quote``), as found
      there (candidates when they fit several); None when they name none, and the
      question is then about ``conversation_service``, the service the conversation chose
      with ``use`` (None: the default service). For ``compare``, ``services`` instead:
      every service named, in order (None for any other command);
    - ``asked``: the words of ``args`` besides the service;
    - for a command that reads a theme (``score``, ``quote``), ``inspection``: the
      latest inspection of the service the question is about (None when it names
      several, or there is none), and ``theme``, the theme ``asked`` names in it (None
      when it names none): by its name for a command that takes one
      (``theme_by_name``: ``score child``), else one mentioned in a sentence ("what did
      they say about safeguarding"); other commands read neither here;
    - ``recommendation``: the reference named ("R1"), if any.

    ``not_understood`` is the text no command fits (``command`` is then None).
    """

    command: Command | None
    args: str = ""
    conversation_service: str | None = None
    named_in: str = ""
    service: Mention | None = None
    services: tuple[Mention, ...] | None = None
    inspection: Inspection | None = None
    asked: str = ""
    theme: ThemeMatch | None = None
    theme_by_name: bool = False
    recommendation: str | None = None
    not_understood: str = ""

    def about(self, inspection: Inspection, asked: str) -> bool:
        """Whether this intent was resolved for ``asked`` about ``inspection``: what a
        handler found for itself, so its theme may be read rather than looked up."""
        return (
            self.inspection is not None
            and self.inspection.id == inspection.id
            and self.asked == asked
        )


class _Unread(Enum):
    """A service not looked for yet."""

    LOOK = auto()


# Commands that read the words of the question besides the service (a theme, an event,
# a recommendation, "range"): a question in plain words reaches them whole.
_READS_WORDS = frozenset(
    {"score", "timeline", "target", "overall", "quote", "compare", "services", "verdict"}
)
# The words of a command that may name a service, where they are not all of them: after
# a recommendation's reference ("rec R1 Slough"), or besides the plan's colours.
_SERVICE_WORDS: dict[str, Callable[[str], str]] = {
    "rec": lambda args: named_after_reference(split_args(args)),
    "audits": lambda args: named_after_reference(args.split()),
    "plan": plan_service_words,
}
# Commands that read every service named, in order ("compare Slough and Reading").
_COMPARES = frozenset({"compare"})
# Commands that read a theme in the rest of their words, and those of them that take it
# by its name ("score child") rather than find it mentioned ("quote on safeguarding").
_READS_THEME = frozenset({"score", "quote"})
_THEME_BY_NAME = frozenset({"score"})
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


def interpret(
    text: str,
    queries: InspectionQueries,
    service_id: str | None = None,
    registry: Registry | None = None,
) -> Intent:
    """What ``text`` asks, in a conversation about ``service_id`` (None: the default
    service): the command, strictly first, then leniently from its words, and what it is
    about, each looked up once. Without a command, the text is ``not_understood``."""
    registry = registry or default_registry()
    # Adapters strip their own mentions and command prefixes before it gets here.
    text = text.strip()
    if not text:  # a bare invocation ("/yos", or a mention with nothing after it)
        return Intent(registry.find("help"), conversation_service=service_id)
    first, _, rest = text.partition(" ")
    found = registry.find(normalise(first).replace(" ", ""))
    if found:
        command, args, ref = _refined(registry, found, first, rest.strip())
        return _resolved(queries, Intent(command, args, service_id, recommendation=ref))
    return _lenient(registry, text, queries, service_id)


def _refined(
    registry: Registry, found: Command, first: str, rest: str
) -> tuple[Command, str, str | None]:
    """A command typed first, sharpened by what follows: ``recs R1`` is ``rec R1``,
    ``score overall`` is ``overall``, ``range`` keeps its word; with the reference of the
    recommendation taken as the whole of what follows, if any."""
    said = plain_words(rest)
    rec = registry.find("rec")
    ref = rec_ref(said[:3], bare=True)
    if found.name == "recs" and rec and ref:
        return rec, ref, ref
    if found.name == "rec" and ref and _asks_only(said[1:]):
        return found, ref, ref  # "rec 1 status": the recommendation, as "status of R1" is
    overall = registry.find("overall")
    if found.name == "score" and said and said[0] in _OVERALL and overall:
        return overall, rest, None
    if found.name == "overall":
        return found, f"{first} {rest}".strip(), None
    return found, rest, None


def _asks_only(said: list[str]) -> bool:
    """Whether words after a recommendation only ask about it ("status", "please"),
    rather than act on it ("close", "reopen")."""
    return bool(said) and all(is_vocabulary(w) and w not in _REC_ACTIONS for w in said)


def _lenient(
    registry: Registry, text: str, queries: InspectionQueries, service_id: str | None
) -> Intent:
    """The command a question in plain words asks for, with the words it needs: the
    whole question for those that read it, else the service it names, if any. The
    question is searched for a service only when choosing needs it."""
    said = plain_words(text)
    draft = Intent(None, conversation_service=service_id)
    planned = plan_question(said, words(text))  # the improvement plan's questions
    planned_command = registry.find(planned[0]) if planned is not None else None
    if planned is not None and planned_command is not None:
        return _resolved(queries, replace(draft, command=planned_command, args=planned[1]))
    name = _topic(said, words(text))
    ref = rec_ref(said)
    rec = registry.find("rec")
    if ref and name not in ("target", "verdict") and rec:
        return _resolved(queries, replace(draft, command=rec, args=ref, recommendation=ref))
    reads_words = registry.find(name) if name else None
    if reads_words is not None and reads_words.name in _READS_WORDS:
        return _resolved(queries, replace(draft, command=reads_words, args=text))
    mention = queries.service_in_text(text)
    service = mention.typed if mention is not None else ""
    looked: tuple[Inspection | None, Theme | None] | None = None
    if name is None:
        # Services in the plural are listed ("which services are outstanding") unless the
        # other words name a theme ("how did we do on partnerships and services").
        listed = "services" in said
        named = " ".join(w for w in words(text) if w != "services") if listed else text
        looked = _theme(queries, named, mention, service_id)
        theme = looked[1]
        if theme is not None:
            args = f"{theme.slug} {service}".strip()
            score = registry.find("score")
            if score is None:
                return replace(draft, not_understood=args, service=mention)
            draft = replace(draft, command=score, args=args)
            return _resolved(queries, draft, _after(mention, theme.slug), looked)
        if listed:
            name = "services"
        elif set(said) & TOPIC_WORDS["scores"]:
            name = "scores"
    if name is None and (set(said) & TOPIC_WORDS["general"] or _only_names(mention)):
        name = "summary"  # "how did Slough do", or just "Slough"
    found = registry.find(name) if name else None
    if found is None:
        return replace(draft, not_understood=text, named_in=text, service=mention)
    if found.name in _READS_WORDS:
        return _resolved(queries, replace(draft, command=found, args=text), mention, looked)
    draft = replace(draft, command=found, args=service)
    return _resolved(queries, draft, _after(mention, ""), looked)


def _after(mention: Mention | None, before: str) -> Mention | None:
    """What looking for a service in ``before`` and then the words that named the
    service in the question finds, found without looking again: those words, naming what
    they name on their own."""
    if mention is None:
        return None
    alone = mention.alone or mention.match
    return Mention(alone, mention.typed, " ".join(plain_words(before)), alone)


def _resolved(
    queries: InspectionQueries,
    draft: Intent,
    mention: Mention | _Unread | None = _Unread.LOOK,
    looked: tuple[Inspection | None, Theme | None] | None = None,
) -> Intent:
    """``draft`` with what its words are about: the service they name (``mention``, when
    it was found in ``args`` already), and the recommendation; for a command that reads a
    theme, the inspection the question is about, read as its handler reads it
    (``resolve.target``), and the theme named there, unless ``looked`` has it (where it
    was looked for, and what was found). Other commands read no inspection here: each
    reads only what its answer shows."""
    name = draft.command.name if draft.command is not None else ""
    words_of = _SERVICE_WORDS.get(name)
    named_in = words_of(draft.args) if words_of is not None else draft.args
    home = _latest(queries, draft.conversation_service) if name in _READS_THEME else None
    themes_only = home is not None and names_only_themes(queries, home, draft.args)
    services: tuple[Mention, ...] | None = None
    if name in _COMPARES:
        services, mention = tuple(queries.services_in_text(named_in)), None
    elif isinstance(mention, _Unread):
        if themes_only:
            # "score protecting-public": its handler reads the conversation's inspection
            # whatever a service is called, so none is looked for (nor every service's
            # names read)
            named_in, mention = "", None
        else:
            mention = queries.service_in_text(named_in)
    own = mention is not None and named_in == draft.args
    asked = mention.rest if mention is not None and own else draft.args.strip()
    inspection: Inspection | None = None
    theme: ThemeMatch | None = None
    if name in _READS_THEME:
        inspection, asked = _about(queries, draft, home, themes_only, mention)
        theme = _theme_named(queries, inspection, asked, name in _THEME_BY_NAME, looked)
    return replace(
        draft,
        named_in=named_in,
        service=mention,
        services=services,
        inspection=inspection,
        asked=asked,
        theme=theme,
        theme_by_name=name in _THEME_BY_NAME,
        recommendation=draft.recommendation or rec_ref(words(asked)),
    )


def _about(
    queries: InspectionQueries,
    draft: Intent,
    home: Inspection | None,
    themes_only: bool,
    mention: Mention | None,
) -> tuple[Inspection | None, str]:
    """The inspection a question is about and its words besides the service, as
    ``resolve.target`` reads them for a command that reads the rest of its words: the
    conversation's (``home``) when the words name only its themes or no service."""
    if themes_only or mention is None:
        return home, draft.args.strip()
    if mention.match.service is None:
        return None, mention.rest  # it names several: the handler asks which
    return _latest(queries, mention.match.service.id), mention.rest


def _theme_named(
    queries: InspectionQueries,
    inspection: Inspection | None,
    asked: str,
    by_name: bool,
    looked: tuple[Inspection | None, Theme | None] | None,
) -> ThemeMatch | None:
    """The theme ``asked`` names in ``inspection``: what was ``looked`` for already when
    it was looked for there (a question naming no theme names none for any command)."""
    if looked is not None:
        found_in, found = looked
        if found is None:
            return None
        if (
            inspection is not None
            and found_in is not None
            and found_in.id == inspection.id
            and plain_words(asked) == plain_words(found.slug)
        ):
            return ThemeMatch(found)  # asked by its slug, in the inspection it was found in
    if inspection is None:
        return None
    if by_name:
        return queries.find_theme(inspection, asked) if asked.strip() else None
    theme = queries.theme_in_text(inspection, asked)
    return ThemeMatch(theme) if theme is not None else None


def _latest(queries: InspectionQueries, service_id: str | None) -> Inspection | None:
    """The service's latest inspection (without one, the default service's), if any."""
    try:
        return queries.latest_inspection(service_id)
    except NotFound:
        return None


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
) -> tuple[Inspection | None, Theme | None]:
    """The theme a question names, in the inspection it is about, with that inspection."""
    if mention is not None and mention.match.service is not None:
        service_id = mention.match.service.id
    inspection = _latest(queries, service_id)
    if inspection is None:
        return None, None
    return inspection, queries.theme_in_text(inspection, text)
