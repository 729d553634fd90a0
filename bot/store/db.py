"""Opening the store and writing to it safely from several processes."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from bot.store.files import private_file, tighten

# Long enough to ride out another worker's write; every write here is milliseconds.
BUSY_TIMEOUT_SECONDS = 30.0
WAL_SUFFIXES = ("-wal", "-shm")


def open_db(path: Path | str) -> sqlite_utils.Database:
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
    db = sqlite_utils.Database(conn, execute_plugins=False)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
    if db.journal_mode != "wal" and on_disk:
        db.enable_wal()
    if on_disk:
        # SQLite gives the -wal and -shm files the database file's mode, but files left by
        # an earlier version (or another tool) may be looser.
        for suffix in WAL_SUFFIXES:
            tighten(f"{path}{suffix}")
    # WAL with NORMAL sync is durable against process crashes, which is what a
    # killed worker needs; only a power cut can lose the last commit.
    db.execute("PRAGMA synchronous = NORMAL")
    return db


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One write transaction, taken with BEGIN IMMEDIATE.

    IMMEDIATE takes the write lock up front, so concurrent writers queue on the
    busy timeout instead of failing with "database is locked" when a read
    transaction tries to upgrade. Nested calls become savepoints.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    else:
        db.execute("COMMIT")


class StorePool:
    """One connection per thread, opened on first use.

    A server answers requests on several threads; a sqlite3 connection must not be
    used by two of them at once, and opening one per request would waste time.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._local = threading.local()

    @property
    def db(self) -> sqlite_utils.Database:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = open_db(self.path)
        return db
