"""Backups of the store, and restoring one.

**Backup** (:func:`backup`) copies the store with SQLite's online backup API, which is safe
while the bot is serving: the copy is taken in one step inside a read transaction, so it is
the store exactly as it was at one moment (every write committed before the backup began,
none half-done), and in WAL mode readers never block writers, so serving carries on. The
copy is written to a temporary file in the backup folder, checked with ``PRAGMA
integrity_check``, switched out of WAL mode so it is one self-contained file, and renamed to
``yos-YYYYMMDD-HHMMSS.db`` (0600, in a 0700 folder). Then only the newest ``keep`` backups in
the folder are kept.

**Erasures** reach the backups too. Each folder backups are written into is noted beside
the store (``bot.store.erasures``); erasing a note applies the erasure to every backup in
those folders (:func:`scrub_backups`, under the folder's lock, so a backup being taken at
that moment is scrubbed once it is in place). Restoring re-applies, to the restored copy
before it replaces the store, every erasure in the live ledger beside the store, and
rebuilds it with VACUUM, so a backup kept elsewhere cannot bring an erased note back.

**Restore** (:func:`restore`) is for a stopped server. The backup is checked first (it opens
read-only as SQLite, passes ``integrity_check``, has the bot's ``schema_migrations`` table
and a schema version this bot knows); anything wrong is refused with one line and nothing
changes. It is then copied (again with the backup API, so a backup in WAL mode is read
whole) to a temporary file beside the store, checked, flushed to disk, and moved over the
store with ``os.replace``, which is atomic: the store is the old one or the restored one,
never a mixture. The store's -wal and -shm files belong to the old store and would corrupt
the restored one, so they are removed first, but only after checking that no process holds
the store: the old store is opened and closed, and SQLite removes them on the last close;
if they are still there, another process has it open and the restore is refused.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from bot.store import erasures, migrations
from bot.store.db import WAL_SUFFIXES, Store
from bot.store.erasures import Erasure
from bot.store.files import FILE_MODE, fsync_dir, private_dir

logger = logging.getLogger(__name__)

DEFAULT_KEEP = 14
NAME_FORMAT = "yos-%Y%m%d-%H%M%S"
# yos-20140220-101500.db, or yos-20140220-101500-2.db for a second backup in that second.
_BACKUP_NAME = re.compile(r"yos-(\d{8}-\d{6})(?:-(\d{1,4}))?\.db")


class BackupError(Exception):
    """A backup could not be taken, or a file cannot be restored; the message is one line
    saying why."""


@dataclass(frozen=True)
class StoreInfo:
    """What a checked store file holds, for a confirmation prompt."""

    path: Path
    schema_version: int
    audit_updates: int
    last_recorded: str | None  # when the newest audit update was recorded
    notes_erased_again: int = 0  # on restore: notes the ledger erased again in the copy

    def describe(self) -> str:
        updates = f"{self.audit_updates} audit update{'' if self.audit_updates == 1 else 's'}"
        last = f", the last recorded {self.last_recorded}" if self.last_recorded else ""
        again = self.notes_erased_again
        erased = (
            f"; {again} note{'' if again == 1 else 's'} erased since the backup erased again"
            if again
            else ""
        )
        return f"{self.path}: schema version {self.schema_version}, {updates}{last}{erased}"


# --- backup ------------------------------------------------------------------------------------


def backup(
    db_path: Path | str,
    out_dir: Path | str,
    keep: int | None = DEFAULT_KEEP,
    *,
    now: datetime | None = None,
) -> Path:
    """Copy the store into ``out_dir`` as ``yos-YYYYMMDD-HHMMSS.db``, verified, and keep only
    the newest ``keep`` backups there (``None``: remove none). Returns the new backup."""
    db_path, out_dir = Path(db_path), private_dir(out_dir)
    if keep is not None and keep < 1:
        raise BackupError(f"keep must be at least 1, got {keep}")
    if not db_path.is_file():
        raise BackupError(f"there is no store at {db_path} to back up")
    # Noted before the copy is taken, so an erasure committed after the copy began finds
    # the folder (and waits for the lock below to scrub the new backup).
    erasures.note_backup_folder(db_path, out_dir)
    with _folder_lock(out_dir, wait=True):
        return _backup(db_path, out_dir, keep, now=now)


def _backup(db_path: Path, out_dir: Path, keep: int | None, *, now: datetime | None) -> Path:
    """:func:`backup`, with the folder's lock held."""
    target = _free_name(out_dir, (now or datetime.now()).strftime(NAME_FORMAT))
    with _temporary_beside(target) as temporary:
        try:
            with _connect(db_path, "rw") as source, _connect(temporary, "rwc") as copy:
                source.backup(copy)  # one step: a consistent snapshot, writers carry on
                copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
                problem = _integrity_problem(copy)
        except sqlite3.Error as error:
            raise BackupError(f"could not back up {db_path}: {_sqlite_reason(error)}") from None
        if problem:
            raise BackupError(f"the copy of {db_path} failed SQLite's integrity check: {problem}")
        _fsync(temporary)
        os.replace(temporary, target)
    fsync_dir(out_dir)
    if keep is not None:
        rotate(out_dir, keep)
    return target


def backups_in(out_dir: Path | str) -> list[Path]:
    """The backups in ``out_dir``, oldest first (by the time in their names)."""
    folder = Path(out_dir)
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = _BACKUP_NAME.fullmatch(path.name)
        if match and path.is_file():
            found.append((match.group(1), int(match.group(2) or 1), path))
    return [path for *_, path in sorted(found)]


def rotate(out_dir: Path | str, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` backups in ``out_dir``; returns those removed."""
    old = backups_in(out_dir)[:-keep] if keep > 0 else backups_in(out_dir)
    for path in old:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    return old


def backup_if_due(
    db_path: Path | str,
    out_dir: Path | str,
    keep: int = DEFAULT_KEEP,
    *,
    every: timedelta = timedelta(days=1),
    now: datetime | None = None,
) -> Path | None:
    """Take a backup unless the newest one in ``out_dir`` is younger than ``every``.

    Safe to call from every worker of every serving process: a lock file in the folder lets
    one of them in at a time, and the age check inside it means one backup per period,
    across restarts too. Returns the new backup, or None when none was due."""
    now = now or datetime.now()
    folder = private_dir(out_dir)
    if not Path(db_path).is_file():
        raise BackupError(f"there is no store at {db_path} to back up")
    erasures.note_backup_folder(db_path, folder)
    with _folder_lock(folder) as locked:
        if not locked:
            return None  # another process is taking it
        existing = backups_in(folder)
        if existing:
            taken = _taken_at(existing[-1])
            if taken is not None and now - taken < every:
                return None
        return _backup(Path(db_path), folder, keep, now=now)


def scrub_backups(db_path: Path | str, applied: Sequence[Erasure]) -> int:
    """Apply erasures to every backup in the folders the store's backups were written into
    (each under its folder's lock); returns how many backups changed. A backup that cannot
    be opened is left as it is, and said so in the log."""
    changed = 0
    for folder in erasures.backup_folders(db_path):
        with _folder_lock(Path(folder), wait=True):
            for path in backups_in(folder):
                try:
                    changed += bool(erasures.erase_in_file(path, applied))
                except sqlite3.Error as error:
                    logger.warning(
                        "could not apply an erasure to the backup %s (%s)",
                        path.name,
                        type(error).__name__,
                    )
    return changed


# --- restore -----------------------------------------------------------------------------------


def check_backup(backup_file: Path | str) -> StoreInfo:
    """Check that ``backup_file`` can be restored; raises :class:`BackupError` saying why
    not. Opens the file read-only and changes nothing."""
    path = Path(backup_file)
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        with _connect(path, "ro", immutable=_sealed(path)) as conn:
            problem = _integrity_problem(conn)
            if problem:
                raise BackupError(f"{path} failed SQLite's integrity check: {problem}")
            return _info(path, conn)
    except sqlite3.DatabaseError as error:
        raise BackupError(
            f"{path} is not a readable SQLite database: {_sqlite_reason(error)}"
        ) from None


def restore(backup_file: Path | str, db_path: Path | str) -> StoreInfo:
    """Replace the store at ``db_path`` with ``backup_file``, atomically. For a stopped
    server: refused, changing nothing, if the file is not a good backup or another process
    has the store open. Returns what the restored store holds."""
    source, db_path = Path(backup_file), Path(db_path)
    info = check_backup(source)
    if db_path.exists() and source.resolve() == db_path.resolve():
        raise BackupError(f"{source} is the store itself; restore a backup of it instead")
    private_dir(db_path.parent)
    with _temporary_beside(db_path) as temporary:
        try:
            with (
                _connect(source, "ro", immutable=_sealed(source)) as backup_conn,
                _connect(temporary, "rwc") as copy,
            ):
                backup_conn.backup(copy)
                copy.execute("PRAGMA journal_mode = DELETE")
                # Erasures made since the backup was taken, from the live ledger beside
                # the store (the backup's own knows nothing of them), then a rebuild, so
                # no free page of the copy keeps an erased note.
                ledger = erasures.ledger(db_path)
                if ledger:
                    migrations.migrate(Store(copy))  # an older backup: the columns to say so
                again = erasures.reapply(Store(copy), ledger)
                copy.execute("VACUUM")
                problem = _integrity_problem(copy)
        except sqlite3.Error as error:
            raise BackupError(f"could not copy {source}: {_sqlite_reason(error)}") from None
        if problem:
            raise BackupError(f"the copy of {source} failed SQLite's integrity check: {problem}")
        _fsync(temporary)
        _release_store(db_path)
        os.replace(temporary, db_path)
    fsync_dir(db_path.parent)
    return StoreInfo(
        db_path, info.schema_version, info.audit_updates, info.last_recorded, len(again.notes)
    )


def _release_store(db_path: Path) -> None:
    """Make sure no process has the store open, and remove its -wal and -shm.

    Opening and closing the store checkpoints its WAL into it, and the last connection to
    close removes the -wal and -shm files; if they are still there afterwards, another
    connection has the store open."""
    sidecars = [Path(f"{db_path}{suffix}") for suffix in WAL_SUFFIXES]
    if not db_path.exists():
        for sidecar in sidecars:  # left by a store that has since been deleted
            with contextlib.suppress(FileNotFoundError):
                sidecar.unlink()
        return
    if any(sidecar.exists() for sidecar in sidecars):
        readable = True
        try:
            with _connect(db_path, "rw") as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except sqlite3.DatabaseError:
            readable = False  # a broken store: nothing to keep from its WAL
        if readable and any(sidecar.exists() for sidecar in sidecars):
            raise BackupError(f"{db_path} is open in another process: stop the bot, then restore")
    for sidecar in sidecars:
        with contextlib.suppress(FileNotFoundError):
            sidecar.unlink()


# --- inside ------------------------------------------------------------------------------------


@contextlib.contextmanager
def _connect(path: Path, mode: str, *, immutable: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection that never creates a file by accident (``mode`` ro, rw or rwc), closed
    at the end of the block (sqlite3's own context manager only commits)."""
    uri = f"file:{quote(str(path.absolute()))}?mode={mode}"
    if immutable:
        # A file that nothing writes: no locks and no -shm, so a backup in a read-only
        # folder can be checked, and checking one never leaves files beside it.
        uri += "&immutable=1"
    conn = sqlite3.connect(uri, uri=True, timeout=30.0)
    try:
        yield conn
    finally:
        conn.close()


def _sealed(path: Path) -> bool:
    """Whether ``path`` is a whole database on its own: no -wal file beside it holding
    writes not yet in it (a backup never has one; a copy of a live store might)."""
    return not Path(f"{path}-wal").exists()


def _integrity_problem(conn: sqlite3.Connection) -> str | None:
    rows = conn.execute("PRAGMA integrity_check(1)").fetchall()
    first = str(rows[0][0]) if rows else "no answer"
    if first == "ok":
        return None
    # The first problem, without the "*** in database main ***" heading SQLite puts first.
    lines = [line for line in first.splitlines() if line.strip() and not line.startswith("***")]
    return (lines[0] if lines else first.splitlines()[0])[:200]


def _info(path: Path, conn: sqlite3.Connection) -> StoreInfo:
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "schema_migrations" not in tables:
        raise BackupError(f"{path} is not a yos-bot store: it has no schema_migrations table")
    row = conn.execute("SELECT max(version) FROM schema_migrations").fetchone()
    version = int(row[0] or 0) if row else 0
    if version > migrations.SCHEMA_VERSION:
        raise BackupError(
            f"{path} has schema version {version}, newer than this yos-bot's "
            f"{migrations.SCHEMA_VERSION}: restore it with the newer yos-bot that wrote it"
        )
    updates, last = 0, None
    if "audit_updates" in tables:
        updates, last = conn.execute(
            "SELECT count(*), max(recorded_at) FROM audit_updates"
        ).fetchone()
    return StoreInfo(path, version, int(updates), last)


def _sqlite_reason(error: sqlite3.Error) -> str:
    return str(error).splitlines()[0][:200] if str(error) else type(error).__name__


def _free_name(out_dir: Path, stem: str) -> Path:
    """``stem.db``, or ``stem-2.db`` (and so on) when a backup was taken in the same second."""
    target = out_dir / f"{stem}.db"
    number = 1
    while target.exists():
        number += 1
        target = out_dir / f"{stem}-{number}.db"
    return target


def _taken_at(path: Path) -> datetime | None:
    match = _BACKUP_NAME.fullmatch(path.name)
    if not match:
        return None
    try:
        return datetime.strptime(match.group(1), "%Y%m%d-%H%M%S")
    except ValueError:
        return None


@contextlib.contextmanager
def _temporary_beside(target: Path) -> Iterator[Path]:
    """A new 0600 temporary file in ``target``'s folder, removed unless it was renamed."""
    descriptor, name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".partial", dir=target.parent
    )
    os.close(descriptor)
    temporary = Path(name)
    os.chmod(temporary, FILE_MODE)
    try:
        yield temporary
    finally:
        for leftover in (
            temporary,
            *(Path(f"{temporary}{s}") for s in ("-journal", *WAL_SUFFIXES)),
        ):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


@contextlib.contextmanager
def _folder_lock(folder: Path, *, wait: bool = False) -> Iterator[bool]:
    """An exclusive lock on ``folder/.lock``, without waiting unless ``wait``; yields
    whether it was got."""
    descriptor = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
