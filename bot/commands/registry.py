"""The command registry and the context every handler receives."""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import TypeVar

from bot.domain.model import Inspection
from bot.domain.plan.rag import RagRule
from bot.domain.queries import InspectionQueries
from bot.reply import Person, Reply, Section, problem
from bot.store.db import Store


class Permission(StrEnum):
    """What a request may need beyond asking a question. The application layer's policy
    decides who holds each; commands only ask."""

    RECORD = "record"  # record an audit update, retract one's own
    RETRACT_ANY = "retract_any"  # retract anyone's update
    CLOSE = "close"  # close or reopen a recommendation
    USE = "use"  # change the service a conversation is about
    POST_REPORT = "post_report"  # post the board report for everyone in a conversation
    # See what an audit note says (others see the figures and that a note was recorded).
    # A reply that depends on it must be registered cacheable=False: the reply cache is
    # shared by everyone who asks.
    READ_NOTES = "read_notes"
    # The improvement plan: add and change actions, record supervision and measure
    # evidence, override a RAG, record board dates (auditors: the plan's editors).
    EDIT_PLAN = "edit_plan"
    # Record progress on, and complete, an action one owns (whose action it is, the
    # command checks against the plan; who may own one at all, the policy decides).
    OWN_ACTION = "own_action"


# Permissions about what a reply shows rather than what a request does: a reply posted for
# everyone in a conversation shows what everyone there may see, whoever asked for it.
VIEWING: frozenset[Permission] = frozenset({Permission.READ_NOTES})


@dataclass
class Context:
    """Who is asking, where, and when: everything a handler may need besides the text.

    ``invocation`` is how a command is typed on the asker's platform ("/yos " where
    commands are slash commands, "" where they are plain messages), so examples in
    replies are ones the person can type. ``allowed`` answers permission questions
    (the application layer's policy; None, for the trusted local front ends, allows
    everything); ``delivery_key`` is the platform's ID for this delivery, so a write
    arriving twice is recorded once.
    """

    queries: InspectionQueries
    today: date
    user: Person = field(default_factory=Person)
    conversation: str | None = None
    message_ref: str | None = None
    platform: str = "console"
    via: str = "console"
    invocation: str = ""
    admin_hint: str = "Ask whoever runs the bot"
    delivery_key: str | None = None
    allowed: Callable[[Permission], bool] | None = None
    # What everyone in the conversation may see (``VIEWING`` permissions): what a post for
    # the whole conversation, such as an announcement, may show. None: nothing more than
    # the figures.
    everyone_allowed: Callable[[Permission], bool] | None = None
    # The improvement plan's RAG thresholds (settings).
    plan_rule: RagRule = field(default_factory=RagRule)
    # The command being answered (set by the dispatcher), so an example in a reply is of
    # the command that was asked: "compare West Mercia", not "summary West Mercia".
    command: str | None = None

    def cmd(self, text: str) -> str:
        """A command as the asker would type it here."""
        return f"{self.invocation}{text}"

    def may(self, permission: Permission) -> bool:
        return self.allowed(permission) if self.allowed else True

    def everyone_may(self, permission: Permission) -> bool:
        """Whether everyone in the conversation may see what ``permission`` guards."""
        return self.everyone_allowed(permission) if self.everyone_allowed else False

    def for_everyone(self) -> Context:
        """This context for a reply posted for the whole conversation: what it shows is
        what everyone there may see; what it may do is still the asker's."""
        asker, everyone = self.may, self.everyone_may
        return replace(
            self,
            allowed=lambda permission: (
                everyone(permission) if permission in VIEWING else asker(permission)
            ),
        )

    def refused(self, headline: str) -> Reply:
        """The private answer to someone asking for what only an auditor may do."""
        return problem(
            "Only auditors can do that",
            headline,
            Section(
                text=f"{self.admin_hint} to add you to YOS_AUDITORS. "
                "Anyone can still ask questions."
            ),
        )

    def home_service(self) -> str:
        """The service replies are about: the conversation's choice, else the default."""
        return self.queries.channel_service(self.conversation) or self.queries.default_service_id()

    def home_inspection(self) -> Inspection:
        return self.queries.latest_inspection(self.home_service())

    @property
    def db(self) -> Store:
        """The store itself, for audit evidence and writes. What is read through it is not
        inspection data, so a reply being worked out meanwhile is not kept in the cache."""
        self.queries.read_elsewhere()
        return self.queries.db


Handler = Callable[[Context, str], Reply]


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    summary: str
    handler: Handler
    aliases: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    details: str | None = None
    writes: bool = False  # records something: never answered from a retry twice
    cacheable: bool = True  # a pure read: its reply may be reused until the store changes


@dataclass
class Registry:
    commands: dict[str, Command] = field(default_factory=dict)
    _names: dict[str, str] = field(default_factory=dict)

    def command(
        self,
        name: str,
        usage: str,
        summary: str,
        *,
        aliases: tuple[str, ...] = (),
        examples: tuple[str, ...] = (),
        details: str | None = None,
        writes: bool = False,
        cacheable: bool = True,
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.commands[name] = Command(
                name,
                usage,
                summary,
                handler,
                aliases,
                examples,
                details,
                writes,
                cacheable and not writes,
            )
            for word in (name, *aliases):
                self._names[word] = name
            return handler

        return register

    def find(self, word: str) -> Command | None:
        name = self._names.get(word.lower())
        return self.commands[name] if name else None


registry = Registry()
command = registry.command


T = TypeVar("T")


def paginate(items: Sequence[T], page: int, size: int) -> tuple[Sequence[T], int, int]:
    """The items on ``page`` (clamped to 1..pages), that page, and how many pages there are."""
    pages = max(1, -(-len(items) // size))
    page = min(max(page, 1), pages)
    return items[(page - 1) * size : page * size], page, pages


_STRAIGHT_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})


def split_args(args: str) -> list[str]:
    """Split like a shell, tolerating curly quotes and an unbalanced quote."""
    normal = args.translate(_STRAIGHT_QUOTES)
    try:
        return shlex.split(normal)
    except ValueError:
        return normal.split()
