"""Writers to one store take turns through a lock file beside it, across processes.

SQLite lets one writer at a time hold a store, and one that finds it held sleeps on the busy
timeout in steps that grow to 100 ms, whether or not the store was let go meanwhile: with
several serving processes writing at once, the store stands free while writers sleep. A
writer here first takes an advisory lock on ``<store>-writers`` (``flock``, released by the
kernel if its process dies), trying again every fraction of a millisecond, so the next
writer starts within that of the last one's commit. Past the busy timeout it goes on
without the lock, and SQLite's own locking decides, as it always does: the lock file only
orders writers, it never guards the data.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.store.files import private_file

SUFFIX = "-writers"
FIRST_PAUSE_SECONDS = 0.0001
LONGEST_PAUSE_SECONDS = 0.001


class WouldWait(Exception):
    """The store is busy with another writer, and the caller asked not to wait."""


class WritersLock:
    """One connection's turn at writing: its own descriptor of the lock file (a lock is
    held per descriptor, so two connections of one process take turns too)."""

    def __init__(self, store_path: Path) -> None:
        self.path = Path(f"{store_path}{SUFFIX}")
        self._fd: int | None = None

    @contextmanager
    def turn(self, timeout: float) -> Iterator[None]:
        """Hold the lock for the block; after ``timeout`` seconds of waiting (or if the file
        cannot be opened), go on without it."""
        fd = self._descriptor()
        held = fd is not None and _take(fd, timeout)
        try:
            yield
        finally:
            if held and fd is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)

    @contextmanager
    def turn_now(self) -> Iterator[None]:
        """Hold the lock for the block if it is free now; :class:`WouldWait` if another
        writer holds it (a lock file that cannot be opened is gone on without, as in
        :meth:`turn`)."""
        fd = self._descriptor()
        held = False
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                held = True
            except BlockingIOError:
                raise WouldWait("another writer has the store") from None
            except OSError:
                pass
        try:
            yield
        finally:
            if held and fd is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _descriptor(self) -> int | None:
        if self._fd is None:
            try:
                private_file(self.path)
                self._fd = os.open(self.path, os.O_RDWR)
            except OSError:
                return None
        return self._fd


def _take(fd: int, timeout: float) -> bool:
    pause = FIRST_PAUSE_SECONDS
    deadline: float | None = None
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            pass
        except OSError:
            return False
        now = time.monotonic()
        if deadline is None:
            deadline = now + timeout
        elif now >= deadline:
            return False
        time.sleep(pause)
        pause = min(pause * 2, LONGEST_PAUSE_SECONDS)
