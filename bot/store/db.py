"""Opening the store and writing to it safely from several processes."""

from __future__ import annotations

import sqlite3
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence, Sized
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.store.files import private_file, tighten
from bot.store.writers import WouldWait, WritersLock

if TYPE_CHECKING:
    import sqlite_utils
    from sqlite_utils.db import Table

# Long enough to ride out another worker's write; every write here is milliseconds.
BUSY_TIMEOUT_SECONDS = 30.0
WAL_SUFFIXES = ("-wal", "-shm")

Parameters = Sequence[Any] | Mapping[str, Any]

# Statements that open or end a transaction themselves: never committed behind their back.
_TRANSACTION_CONTROL = frozenset({"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"})


class Store:
    """One connection to the store.

    Questions are answered with plain SQL (:meth:`execute`, :meth:`query`); sqlite-utils
    builds the schema and does the table-level writes (:meth:`table`). It is imported the
    first time a table is asked for, so a serving process that has only answered
    questions has not loaded it: with what it brings (dateutil, pluggy) it is some 23 ms
    of every start, before the first reply.
    """

    def __init__(self, conn: sqlite3.Connection, writers: WritersLock | None = None) -> None:
        self.conn = conn
        # Write transactions take turns through it with other connections' (see
        # bot.store.writers); None for a store with no file (in memory) or opened elsewhere.
        self.writers = writers
        self.waits = True  # see without_waiting
        self._sqlite_utils: sqlite_utils.Database | None = None

    def execute(self, sql: str, parameters: Parameters = ()) -> sqlite3.Cursor:
        """Run one statement. A write outside a transaction is committed at once (as
        sqlite-utils does), so no implicit transaction is ever left open to capture the
        writes after it; one that fails is rolled back."""
        was_in_transaction = self.conn.in_transaction
        try:
            cursor = self.conn.execute(sql, parameters)
        except Exception:
            if not was_in_transaction and self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        if (
            not was_in_transaction
            and self.conn.in_transaction
            and cursor.description is None
            and _first_keyword(sql) not in _TRANSACTION_CONTROL
        ):
            self.conn.execute("COMMIT")
        return cursor

    def query(self, sql: str, parameters: Parameters = ()) -> Iterator[dict[str, Any]]:
        """The rows of a SELECT as dictionaries, fetched as they are iterated."""
        cursor = self.conn.execute(sql, parameters)
        if cursor.description is None:
            raise ValueError("query() is for statements that return rows: use execute()")
        keys = [column[0] for column in cursor.description]
        return (dict(zip(keys, row, strict=True)) for row in cursor)

    def table(self, name: str) -> Table:
        """sqlite-utils' table ``name``: for creating tables and for inserts and upserts
        of whole records."""
        return self.sqlite_utils.table(name)

    def table_names(self) -> list[str]:
        return [
            row[0]
            for row in self.conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]

    @property
    def sqlite_utils(self) -> sqlite_utils.Database:
        """sqlite-utils' view of the same connection (imported on first use)."""
        if self._sqlite_utils is None:
            database = _import_sqlite_utils().Database
            # recursive_triggers is set by open_db for every connection alike.
            self._sqlite_utils = database(
                self.conn, execute_plugins=False, recursive_triggers=False
            )
        return self._sqlite_utils

    @contextmanager
    def without_waiting(self) -> Iterator[Store]:
        """For a caller that must never wait on the store (a server's event loop): within
        the block, a write whose turn has not come, or a statement SQLite would otherwise
        wait on, raises :class:`WouldWait` at once, and the write is undone. The caller
        does the work where it may wait instead."""
        self.conn.execute("PRAGMA busy_timeout = 0")
        self.waits = False
        try:
            yield self
        except sqlite3.OperationalError as error:
            if is_busy(error):
                raise WouldWait(str(error)) from None
            raise
        finally:
            self.waits = True
            self.conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")

    @contextmanager
    def savepoint(self, name: str = "nested") -> Iterator[Store]:
        """A nested part of the transaction already open: undone alone if it fails."""
        self.conn.execute(f'SAVEPOINT "{name}"')
        try:
            yield self
        except BaseException:
            # An error can end the whole transaction (a RAISE(ROLLBACK) trigger, say),
            # and the savepoint with it: then there is nothing left to undo here.
            if self.conn.in_transaction:
                self.conn.execute(f'ROLLBACK TO "{name}"')
                self.conn.execute(f'RELEASE "{name}"')
            raise
        else:
            self.conn.execute(f'RELEASE "{name}"')

    def rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def close(self) -> None:
        self.conn.close()
        if self.writers is not None:
            self.writers.close()


def placeholders(values: Sized) -> str:
    """One ``?`` per value, for ``IN (...)``."""
    return ",".join("?" * len(values))


def _first_keyword(sql: str) -> str:
    return sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""


def _import_sqlite_utils() -> Any:
    """Import sqlite-utils without numpy or pandas.

    sqlite-utils imports both when they are installed, only to store their values; the bot
    never stores any, and numpy (installed for matplotlib) would add some 40 ms to the
    first write of every process. They are hidden while sqlite-utils loads and put back at
    once, so a chart still imports numpy when it is drawn.
    """
    if "sqlite_utils" in sys.modules:
        return sys.modules["sqlite_utils"]
    hidden = [name for name in ("numpy", "pandas") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # import raises ImportError
    try:
        import sqlite_utils
    finally:
        for name in hidden:
            sys.modules.pop(name, None)
    return sqlite_utils


def open_db(path: Path | str) -> Store:
    """Open (creating if needed) the store with WAL, foreign keys and a busy timeout.

    The store holds notes about children's cases, so only the bot's user may read it: a new
    store is created with mode 0600 (in 0700 directories) before SQLite opens it, and an
    existing store and its -wal and -shm files are tightened to 0600.
    """
    path = Path(path)
    on_disk = str(path) != ":memory:"
    if on_disk:
        private_file(path)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False)
    db = Store(conn, WritersLock(path) if on_disk else None)
    # Triggers fire from within triggers too, as sqlite-utils has always set it.
    db.execute("PRAGMA recursive_triggers = ON")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
    # What is deleted or overwritten is zeroed where it stood, so text that was erased (a
    # note: bot.store.erasures) or replaced is never left in a free page or free space.
    db.execute("PRAGMA secure_delete = ON")
    if on_disk:
        _use_wal(db)
        # SQLite gives the -wal and -shm files the database file's mode, but files left by
        # an earlier version (or another tool) may be looser.
        for suffix in WAL_SUFFIXES:
            tighten(f"{path}{suffix}")
    # WAL with NORMAL sync is durable against process crashes, which is what a
    # killed worker needs; only a power cut can lose the last commit.
    db.execute("PRAGMA synchronous = NORMAL")
    return db


def _use_wal(db: Store) -> None:
    """Switch a store on disk to WAL, once, however many processes open it at once.

    The switch needs the file to itself. Two connections switching together would each
    hold a read lock and wait on the other, which SQLite answers at once with "database is
    locked" (it does not wait on its busy timeout when waiting could never end), so the
    switch is made in the writers' turn, and retried for a while if a program that takes
    no turns is reading the file. A store already in WAL (every one opened before) is
    opened without waiting for the turn.
    """
    assert db.writers is not None
    if db.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
        return
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    with db.writers.turn(BUSY_TIMEOUT_SECONDS):
        while True:
            try:
                if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    db.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as error:
                if not is_busy(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)


def is_busy(error: sqlite3.OperationalError) -> bool:
    """Whether SQLite refused because another connection has the file (its extended
    codes, such as SQLITE_BUSY_SNAPSHOT, counted with their primary code)."""
    return error.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


@contextmanager
def write_transaction(db: Store) -> Iterator[Store]:
    """One write transaction, taken with BEGIN IMMEDIATE.

    IMMEDIATE takes the write lock up front, so concurrent writers queue on the
    busy timeout instead of failing with "database is locked" when a read
    transaction tries to upgrade; before it, writers to a store on disk take turns
    (``bot.store.writers``), so the next one begins as soon as the last has committed.
    Nested calls become savepoints.
    """
    if db.conn.in_transaction:
        with db.savepoint():
            yield db
        return
    if db.writers is None:
        turn: AbstractContextManager[None] = nullcontext()
    elif db.waits:
        turn = db.writers.turn(BUSY_TIMEOUT_SECONDS)
    else:
        turn = db.writers.turn_now()
    with turn:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            db.rollback()  # a COMMIT that failed leaves the transaction open, too
            raise


class StorePool:
    """One connection per thread, opened on first use.

    A server answers requests on several threads; a sqlite3 connection must not be
    used by two of them at once, and opening one per request would waste time.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._local = threading.local()

    @property
    def db(self) -> Store:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = open_db(self.path)
        return db


def change_version(db: Store) -> tuple[int, int]:
    """A value that changes whenever the store does: another connection's commit changes
    SQLite's ``data_version``, this connection's own writes its ``total_changes``."""
    conn = db.conn
    return conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes


def generation_token(db: Store) -> int | None:
    """The store's data generation (a random token that triggers renew on every change to
    the inspection data), or None for a store without one (not yet migrated)."""
    try:
        row = db.conn.execute("SELECT token FROM store_generation WHERE id = 1").fetchone()
    except sqlite3.OperationalError:
        return None
    return int(row[0]) if row else None
