"""Remembering answers read from the inspection data, once per process.

Inspection data (frameworks, services, inspections, themes, recommendations, a
conversation's chosen service) changes only when a data file is loaded or a conversation
picks its service; audit evidence changes all the time and never touches it. Every change
to those tables gives the store a new random token (``store_generation``, kept by triggers
of migration 8), so an answer is remembered under the token it was read with: after a load
in any process the old answers are never found again, and an audit write leaves every one
of them where it is.

What is kept:

* one cache per process, shared by every thread and connection in it (a lock guards it);
* bounded in bytes (``MAX_BYTES``, sizes estimated when an answer is kept), least
  recently used first out;
* only answers that depend on nothing but inspection data: a reader that reads anything
  else while computing (audit evidence, through :meth:`StoreCache.read_elsewhere`) gets
  its answer, but the answer is not kept. Audit-dependent answers are computed each time,
  with queries whose cost does not grow with the history.

Inside a write transaction an answer is kept only if the connection wrote nothing while it
was worked out: the token read then names the data it read, either the committed one or a
new random one that this transaction's own changes gave it (never seen again if it is
rolled back). So an answer a write needs (the inspection an audit is recorded against,
say) is worked out once, not on every write.

A key must carry everything the answer depends on beyond the store (a reader's settings,
say), or two readers with different settings would get each other's answers.
"""

from __future__ import annotations

import dataclasses
import functools
import sys
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar, cast

from bot.store.db import Store, generation_token

T = TypeVar("T")
P = ParamSpec("P")
MAX_BYTES = 16 * 1024 * 1024
MEASURED_FIRST = 4  # answers of a kind measured before sizes are sampled
MEASURE_EVERY = 16
_MISSING = object()
_ATOMS = (str, bytes, int, float, bool, type(None), date, datetime)


class AnswerCache:
    """Answers by (store token, key), least recently used evicted past ``max_bytes``."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._sizes: dict[Hashable, tuple[int, int]] = {}  # kind -> (answers, mean size)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> Any:
        """The answer kept under ``key``, or ``_MISSING``."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return _MISSING
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key: Hashable, value: Any, kind: Hashable = None) -> None:
        """Keep ``value``. Answers of one ``kind`` (the same question about different
        things: each service's latest inspection, say) are alike in size, so after the first
        few only one in ``MEASURE_EVERY`` is measured and the rest are taken at the mean."""
        size = self._size(key, value, kind)
        if size > self.max_bytes // 4:
            return  # one answer must not push out everything else
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self._entries[key] = (value, size)
            self.bytes += size
            while self.bytes > self.max_bytes and self._entries:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.bytes -= dropped

    def _size(self, key: Hashable, value: Any, kind: Hashable) -> int:
        if kind is None:
            return approximate_size(value) + approximate_size(key)
        seen, mean = self._sizes.get(kind, (0, 0))
        if seen < MEASURED_FIRST or seen % MEASURE_EVERY == 0:
            size = approximate_size(value) + approximate_size(key)
            mean = (mean * min(seen, 64) + size) // (min(seen, 64) + 1)
        else:
            size = mean
        self._sizes[kind] = (seen + 1, mean)
        return size

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._sizes.clear()
            self.bytes = 0


ANSWERS = AnswerCache()


def clear() -> None:
    """Forget every answer in this process (benchmarks measure cold answers with it)."""
    ANSWERS.clear()


def approximate_size(value: Any, seen: set[int] | None = None) -> int:
    """Bytes ``value`` holds, following containers, dataclasses and objects' attributes; an
    object shared by several parts is counted once. A large container is estimated from its
    first ``SAMPLED`` items, so sizing an answer costs little however large it is."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return 0
    seen.add(id(value))
    size = sys.getsizeof(value)
    if isinstance(value, _ATOMS):
        return size
    if isinstance(value, dict):
        return size + _sampled(value.items(), len(value), seen)
    if isinstance(value, list | tuple | set | frozenset):
        return size + _sampled(((item,) for item in value), len(value), seen)
    attributes = getattr(value, "__dict__", None)
    if isinstance(attributes, dict):
        return size + sum(approximate_size(v, seen) for v in attributes.values())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):  # with __slots__
        return size + sum(
            approximate_size(getattr(value, f.name), seen) for f in dataclasses.fields(value)
        )
    return size


SAMPLED = 12


def _sampled(items: Iterable[tuple[Any, ...]], count: int, seen: set[int]) -> int:
    """The size of ``count`` items (each a key and value, or one value) from the first few."""
    measured = 0
    for taken, item in enumerate(items, start=1):
        measured += sum(approximate_size(part, seen) for part in item)
        if taken == SAMPLED:
            return measured * count // SAMPLED
    return measured


def store_token(db: Store) -> int | None:
    """The store's data generation, or None for a store without one (not yet migrated)."""
    return generation_token(db)


# How long a connection trusts the store token it read last, when it has written nothing
# since: a data file loaded by another process is seen at most this long after it commits.
# Reading the token is a query, and every query lets another thread of the worker take
# the interpreter; a cached answer then costs no query at all.
TOKEN_SECONDS = 0.25


@dataclass
class _Seen:
    token: int | None
    changes: int  # the connection's total_changes when the token was read
    at: float


_SEEN: weakref.WeakKeyDictionary[Store, _Seen] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Mark:
    """What the store's data was, and how much else had been read, when an answer was
    begun (see :meth:`StoreCache.mark`)."""

    token: int | None
    elsewhere: int
    changes: int = 0  # the connection's total_changes: what it had written by then


class StoreCache:
    """One reader's view of the process's answers.

    The store's token is read afresh on every use inside a transaction; otherwise once
    per connection and ``TOKEN_SECONDS``, and again as soon as the connection has
    written (a load in this process is seen at once)."""

    def __init__(self, db: Store, answers: AnswerCache = ANSWERS) -> None:
        self.db = db
        self.answers = answers
        self.elsewhere = 0  # reads beyond inspection data, by this reader
        self._seen: _Seen | None = None  # what this reader last found for its connection

    def read_elsewhere(self) -> None:
        """Say that this reader read something besides inspection data (audit evidence): no
        answer being computed now may be kept."""
        self.elsewhere += 1

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, remembered under ``key`` while the inspection data stays as it is."""
        token = self.token()
        if token is None:
            return compute()
        found = self.answers.get((token, key))
        if found is not _MISSING:
            return cast(T, found)
        since = Mark(token, self.elsewhere, self.db.conn.total_changes)
        value = compute()
        self.keep(key, value, since)
        return value

    def mark(self) -> Mark:
        """Where reading stands now: an answer worked out after this may be kept (``keep``)
        if nothing but inspection data was read meanwhile and the data has not changed."""
        return Mark(self.token(), self.elsewhere, self.db.conn.total_changes)

    def keep(self, key: Hashable, value: object, since: Mark) -> None:
        """Keep ``value`` under ``key``: an answer worked out from inspection data alone
        since ``since`` (else it is not kept, and nothing is said)."""
        if since.token is None or self.elsewhere != since.elsewhere:
            return
        conn = self.db.conn
        if conn.in_transaction and conn.total_changes != since.changes:
            return  # written meanwhile: what it read may be rolled back under the same token
        if self.token() != since.token:
            return
        self.answers.put((since.token, key), value, _kind(key))

    def kept(self, key: Hashable) -> Any:
        """The answer kept under ``key``, if any (else ``None``), without working it out."""
        token = self.token()
        if token is None:
            return None
        found = self.answers.get((token, key))
        return None if found is _MISSING else found

    def token(self) -> int | None:
        conn = self.db.conn
        if conn.in_transaction:
            _SEEN.pop(self.db, None)
            self._seen = None
            return store_token(self.db)
        now = time.monotonic()
        seen = self._seen or _SEEN.get(self.db)
        if seen is None or seen.changes != conn.total_changes or now - seen.at > TOKEN_SECONDS:
            seen = _Seen(store_token(self.db), conn.total_changes, now)
            _SEEN[self.db] = seen
        self._seen = seen
        return seen.token


def _kind(key: Hashable) -> Hashable:
    """What sort of answer ``key`` names: the method (or, for a reply, the command)."""
    if not isinstance(key, tuple) or not key:
        return None
    return key[:2] if key[0] == "reply" else key[0]


class Memo(Protocol):
    def memo(self, key: Hashable, compute: Callable[[], T]) -> T: ...


M = TypeVar("M", bound=Memo)


def cached(method: Callable[Concatenate[M, P], T]) -> Callable[Concatenate[M, P], T]:
    """Remember a reader's method by its name and arguments (a record by its ``id``).

    Only for methods whose answer depends on nothing but inspection data and the arguments.
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
