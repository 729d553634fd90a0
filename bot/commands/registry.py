"""Commands, what each needs of the asker, the registry help lists them from, and the
context every handler receives."""

from __future__ import annotations

import inspect
import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Self, TypeVar, cast, get_type_hints

from bot.domain.inspections.model import Inspection
from bot.domain.inspections.queries import InspectionQueries, store_behind
from bot.domain.plan.rag import RagRule
from bot.reply import Person, Reply, Section, problem
from bot.store.db import Store

if TYPE_CHECKING:  # the intent names commands, which are defined here
    from bot.commands.intent import Intent


class Permission(StrEnum):
    """What a request may need beyond asking a question. The application layer's policy
    decides who holds each; commands only ask."""

    RECORD = "record"  # record an audit update, retract one's own
    RETRACT_ANY = "retract_any"  # retract anyone's update
    CLOSE = "close"  # close or reopen a recommendation
    USE = "use"  # change the service a conversation is about
    POST_REPORT = "post_report"  # post the board report for everyone in a conversation
    # See what an audit note says (others see the figures and that a note was recorded).
    # A reply that depends on it comes from a handler taking a PrivateContext, never kept:
    # the reply cache is shared by everyone who asks.
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


@dataclass(frozen=True)
class RefusalWording:
    """How a refusal reads, in the application layer's words: a headline by what was
    asked (``by_command``, by the name a command declares its need under) or else by the
    permission missing (``{command}`` stands for what was asked), and who to ask."""

    title: str
    by_permission: Mapping[Permission, str]
    by_command: Mapping[str, str]
    how_to_get_access: str  # with ``{admin_hint}``

    def reply(self, permission: Permission, command: str, admin_hint: str) -> Reply:
        headline = self.by_command.get(command) or self.by_permission.get(
            permission, "That is for auditors ({command})."
        )
        return problem(
            self.title,
            headline.format(command=command),
            Section(text=self.how_to_get_access.format(admin_hint=admin_hint)),
        )


@dataclass
class Context:
    """Who is asking, where, and when: everything a handler may need besides the text.

    ``invocation`` is how a command is typed on the asker's platform ("/yos " where
    commands are slash commands, "" where they are plain messages), so examples in
    replies are ones the person can type. ``allowed`` answers permission questions
    (the application layer's policy; None, for the trusted local front ends, allows
    everything); ``delivery_key`` is the platform's ID for this delivery, so a write
    arriving twice is recorded once.

    A ``Context`` reads inspection data only (``queries``): what a handler taking one
    answers may be kept in the process-wide answer cache. Audit evidence, notes and writes
    need the store, which only a :class:`PrivateContext` has.
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
    # How a refusal is worded: the application layer's words. None: a plain refusal.
    refusal: RefusalWording | None = None
    # What the request asks, read once (set by the dispatcher): the command's words and
    # the service, inspection, theme and recommendation they name, so a handler reads
    # them rather than looking in the data again (``bot.commands.resolve``).
    intent: Intent | None = None

    def cmd(self, text: str) -> str:
        """A command as the asker would type it here."""
        return f"{self.invocation}{text}"

    def may(self, permission: Permission) -> bool:
        return self.allowed(permission) if self.allowed else True

    def everyone_may(self, permission: Permission) -> bool:
        """Whether everyone in the conversation may see what ``permission`` guards."""
        return self.everyone_allowed(permission) if self.everyone_allowed else False

    def for_everyone(self) -> Self:
        """This context for a reply posted for the whole conversation: what it shows is
        what everyone there may see; what it may do is still the asker's."""
        asker, everyone = self.may, self.everyone_may
        return replace(
            self,
            allowed=lambda permission: (
                everyone(permission) if permission in VIEWING else asker(permission)
            ),
        )

    def refuse(self, permission: Permission, what: str | None = None) -> Reply:
        """The private answer to someone without ``permission`` for ``what`` they asked
        (by default the command being answered). The words are the application's
        (``refusal``); without an application, a plain refusal naming what was asked."""
        asked = what or self.command or ""
        if self.refusal is not None:
            return self.refusal.reply(permission, asked, self.admin_hint)
        return problem("Not allowed", f"{asked or 'That'} needs the {permission} permission.")

    def home_service(self) -> str:
        """The service replies are about: the conversation's choice, else the default."""
        return self.queries.channel_service(self.conversation) or self.queries.default_service_id()

    def home_inspection(self) -> Inspection:
        return self.queries.latest_inspection(self.home_service())


@dataclass
class PrivateContext(Context):
    """A context with the store: for handlers that read audit evidence or notes, or write.
    What they answer depends on more than the inspection data, or on who asks, so such a
    handler is never registered cacheable (:meth:`Registry.add` refuses it)."""

    @classmethod
    def of(cls, ctx: Context) -> PrivateContext:
        """``ctx`` with its store: for the dispatcher, before a private handler, and for work
        outside the dispatcher that is never kept (forms, charts, reminders, exports)."""
        if isinstance(ctx, PrivateContext):
            return ctx
        return cls(**{f.name: getattr(ctx, f.name) for f in fields(Context)})

    @property
    def db(self) -> Store:
        """The store itself, for audit evidence, notes and writes."""
        return store_behind(self.queries)


Handler = Callable[[Context, str], Reply]
PrivateHandler = Callable[[PrivateContext, str], Reply]
AnyHandler = TypeVar("AnyHandler", Handler, PrivateHandler)


class RegistryError(Exception):
    """A command is declared in a way that cannot be answered safely (raised at start)."""


def needing(requires: Permission | tuple[Permission, ...]) -> tuple[Permission, ...]:
    return requires if isinstance(requires, tuple) else (requires,)


@dataclass(frozen=True)
class Part:
    """What a part of a command needs: ``rec R3 close`` needs CLOSE while ``rec R3`` is
    anyone's. ``when`` tells the part from the words after the command's name; any one
    permission of ``requires`` will do (none: anyone may)."""

    name: str
    requires: tuple[Permission, ...]
    when: Callable[[list[str]], bool]
    note: str = ""  # what the handler checks besides, against the data ("its owner")


def part(
    name: str,
    when: Callable[[list[str]], bool],
    requires: Permission | tuple[Permission, ...] = (),
    *,
    note: str = "",
) -> Part:
    return Part(name, needing(requires), when, note)


def word_at(said: list[str], n: int = 1) -> str:
    """The ``n``-th word said (from 0) in lower case: "close" of ``R3 close``; "" if none."""
    return said[n].lower() if len(said) > n else ""


def takes_private(handler: Callable[..., Reply]) -> bool | None:
    """Whether ``handler`` declares that it takes a :class:`PrivateContext` (its first
    parameter's type, through any wrapper); None when it declares no context at all."""
    inner = inspect.unwrap(handler)
    params = list(inspect.signature(inner).parameters)
    declared = get_type_hints(inner).get(params[0]) if params else None
    if not (isinstance(declared, type) and issubclass(declared, Context)):
        return None
    return issubclass(declared, PrivateContext)


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    summary: str
    handler: Handler | PrivateHandler
    aliases: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    details: str | None = None
    writes: bool = False  # records something: never answered from a retry twice
    cacheable: bool = True  # a pure read: its reply may be reused until the store changes
    # What asking needs (any one of them), unless a part says otherwise; () is anyone.
    requires: tuple[Permission, ...] = ()
    parts: tuple[Part, ...] = ()
    # Its handler takes a PrivateContext (None: it does not say which context it takes).
    private: bool | None = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "private", takes_private(self.handler))
        if self.writes:
            object.__setattr__(self, "cacheable", False)

    def need(self, args: str) -> Part | None:
        """What ``args`` ask of the asker: the part they name, else the command's own
        requirement; None when anyone may."""
        said = split_args(args)
        found = next((p for p in self.parts if p.when(said)), None)
        if found is None and self.requires:
            found = Part(self.name, self.requires, lambda _said: True)
        return found if found is not None and found.requires else None

    def run(self, ctx: Context, args: str) -> Reply:
        """The handler's reply, given the context it declares: the store only if private."""
        if self.private:
            return self.handler(PrivateContext.of(ctx), args)
        # Not private: declared as taking a plain Context (the union's type is the wider
        # PrivateHandler, as every Handler is one).
        return cast(Handler, self.handler)(ctx, args)

    def needs(self) -> tuple[Part, ...]:
        """Every requirement declared: the command's own, then its parts'."""
        own = (Part(self.name, self.requires, lambda _said: True),) if self.requires else ()
        return own + tuple(p for p in self.parts if p.requires)


class Commands(list[Command]):
    """One module's commands, in the order help lists them; a registry takes them in."""

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
        requires: Permission | tuple[Permission, ...] = (),
        parts: tuple[Part, ...] = (),
    ) -> Callable[[AnyHandler], AnyHandler]:
        def declare(handler: AnyHandler) -> AnyHandler:
            self.append(
                Command(
                    name,
                    usage,
                    summary,
                    handler,
                    aliases,
                    examples,
                    details,
                    writes,
                    cacheable,
                    needing(requires),
                    parts,
                )
            )
            return handler

        return declare


@dataclass
class Registry:
    """The commands, in the order help lists them."""

    commands: dict[str, Command] = field(default_factory=dict)
    _names: dict[str, str] = field(default_factory=dict)

    def add(self, cmd: Command) -> None:
        if cmd.private is None:
            raise RegistryError(f"{cmd.name}: its handler must declare the context it takes")
        if cmd.cacheable and cmd.private:
            raise RegistryError(
                f"{cmd.name} reads the store (its handler takes a PrivateContext), so its "
                "answers must not be kept: register it cacheable=False"
            )
        taken = [w for w in (cmd.name, *cmd.aliases) if w in self._names]
        if taken:
            raise RegistryError(f"{cmd.name}: {', '.join(taken)} already name a command")
        self.commands[cmd.name] = cmd
        for word in (cmd.name, *cmd.aliases):
            self._names[word] = cmd.name

    def find(self, word: str) -> Command | None:
        name = self._names.get(word.lower())
        return self.commands[name] if name else None


T = TypeVar("T")


def paginate(items: Sequence[T], page: int, size: int) -> tuple[Sequence[T], int, int]:
    """The items on ``page`` (clamped to 1..pages), that page, and how many pages there are."""
    pages = max(1, -(-len(items) // size))
    page = min(max(page, 1), pages)
    return items[(page - 1) * size : page * size], page, pages


_STRAIGHT_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})


# What makes shlex read a word differently from splitting at its whitespace.
_QUOTING = re.compile(r"[\"'\\]")
_SHELL_WHITESPACE = re.compile(r"[ \t\r\n]+")


def split_args(args: str) -> list[str]:
    """Split like a shell, tolerating curly quotes and an unbalanced quote."""
    normal = args.translate(_STRAIGHT_QUOTES)
    if not _QUOTING.search(normal):
        # The same words as shlex gives, a tenth of the time: a note can run to 2,000
        # characters, which shlex reads one at a time.
        return [word for word in _SHELL_WHITESPACE.split(normal) if word]
    try:
        return shlex.split(normal)
    except ValueError:
        return normal.split()
