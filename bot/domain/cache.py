"""Remembering what was read from the store until the store changes.

Inspection data changes only when a data file is loaded, yet every question reads
it. Each connection keeps what it read, keyed by SQLite's data_version (bumped by
other connections' commits) and the connection's own change count, so any write
anywhere empties the cache and a reply is never stale.

The cache belongs to the connection, so it is shared by every reader on it: a key
must carry everything the answer depends on beyond the store (a reader's settings,
say), or two readers with different settings would get each other's answers.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Hashable
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar, cast

import sqlite_utils

T = TypeVar("T")
P = ParamSpec("P")
MAX_CACHED = 1024

_CACHES: weakref.WeakKeyDictionary[
    sqlite_utils.Database, tuple[tuple[int, int], dict[Hashable, Any]]
] = weakref.WeakKeyDictionary()


class StoreCache:
    """One reader's view of its connection's cache."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self._checked: dict[Hashable, Any] | None = None
        self._checked_changes = -1

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Remember ``compute()`` under ``key`` until the store changes.

        Nothing read inside a write transaction is kept: the transaction may yet be
        rolled back, and what it saw would outlive it.
        """
        if self.db.conn.in_transaction:
            return compute()
        entries = self._entries()
        if key not in entries:
            if len(entries) >= MAX_CACHED:
                entries.clear()  # a crude bound: many distinct questions between two writes
            entries[key] = compute()
        return cast(T, entries[key])

    def _entries(self) -> dict[Hashable, Any]:
        """This connection's cache, checked for freshness once per reader and again after
        this connection writes."""
        conn = self.db.conn
        if self._checked is None or self._checked_changes != conn.total_changes:
            version = (conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes)
            held = _CACHES.get(self.db)
            if held is None or held[0] != version:
                held = (version, {})
                _CACHES[self.db] = held
            self._checked, self._checked_changes = held[1], conn.total_changes
        return self._checked


class Memo(Protocol):
    def memo(self, key: Hashable, compute: Callable[[], T]) -> T: ...


M = TypeVar("M", bound=Memo)


def cached(method: Callable[Concatenate[M, P], T]) -> Callable[Concatenate[M, P], T]:
    """Remember a reader's method by its name and arguments (a record by its ``id``).

    Only for methods whose answer depends on nothing but the store and the arguments.
    """

    @functools.wraps(method)
    def wrapper(self: M, /, *args: P.args, **kwargs: P.kwargs) -> T:
        key = (
            method.__name__,
            *(_key_of(a) for a in args),
            *((name, _key_of(value)) for name, value in sorted(kwargs.items())),
        )
        return self.memo(key, lambda: method(self, *args, **kwargs))

    return wrapper


def _key_of(value: object) -> Any:
    return getattr(value, "id", value)
