"""The command registry and the context every handler receives."""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

import sqlite_utils

from bot.domain.model import Inspection
from bot.domain.queries import InspectionQueries
from bot.reply import Reply


@dataclass
class Context:
    """Who is asking, where, and when: everything a handler may need besides the text.

    ``permission`` says whether this person may record audit evidence (the adapter
    decides); ``delivery_key`` is the platform's ID for this delivery, so a write
    arriving twice is recorded once.
    """

    queries: InspectionQueries
    today: date
    user_id: str | None = None
    user_name: str | None = None
    channel_id: str | None = None
    message_ts: str | None = None
    via: str = "console"
    delivery_key: str | None = None
    # Asked only when a command records something: finding out may cost a Slack call.
    permission: Callable[[], bool] | None = None
    name_lookup: Callable[[], str | None] | None = None

    @property
    def display_name(self) -> str | None:
        """The asker's name, looked up only when a record needs it."""
        if self.user_name is None and self.name_lookup is not None:
            self.user_name = self.name_lookup()
        return self.user_name

    def home_service(self) -> str:
        """The service replies are about: the channel's choice, else the default."""
        return self.queries.channel_service(self.channel_id) or self.queries.default_service_id()

    def home_inspection(self) -> Inspection:
        return self.queries.latest_inspection(self.home_service())

    @property
    def may_record(self) -> bool:
        return self.permission() if self.permission else True

    @property
    def db(self) -> sqlite_utils.Database:
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
