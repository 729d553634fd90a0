"""Erasing audit notes from everywhere the store wrote them, and the ledger of erasures.

A note is written in more than one place: the audit update's row, and the outbox rows of
whatever the write caused to be sent (the private confirmation to whoever recorded it, an
announcement that showed it, an answer that listed it), whatever their state. Erasing a
note (:func:`erase_in`) empties all of them in one transaction:

* the update's ``note`` is set to NULL, with when, by whom and why;
* an outbox row whose text holds the note is blanked if it was sent or given up, and has
  the note replaced with :data:`ERASED` if it is still to be sent, so the message still
  goes, without it;
* the store's data generation is renewed, so no process answers from a cache made
  before (``bot.domain.inspections.cache``).

Deliveries (the platforms' request IDs) and the other tables hold no note. SQLite's
``secure_delete`` (on for every connection, ``bot.store.db``) overwrites the old text where
it stood, and the caller empties the write-ahead log afterwards.

**The ledger.** Every erasure is also appended to ``<store>.erasures`` beside the store
(JSON lines, 0600): the updates' numbers, when, by whom and why; never the note. It is not
inside the store, so restoring a backup (which replaces the store file) leaves the live
ledger as it is, and :func:`reapply` erases again, in the restored copy, every note the
ledger names. An entry applies only to an update recorded before the erasure, so an update
number used again after a restore is never touched.

**Backups.** :mod:`bot.store.backup` notes each folder it writes backups into in
``<store>.backup-folders``; :func:`scrub_backups` applies erasures to every backup there,
so no backup the bot wrote keeps a note erased since.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bot.store.db import Store, placeholders
from bot.store.files import FILE_MODE, private_file

LEDGER_SUFFIX = ".erasures"
FOLDERS_SUFFIX = ".backup-folders"
ERASED = "(note erased)"
_FINISHED = ("sent", "failed")
_CHUNK = 500  # update numbers per statement


@dataclass(frozen=True)
class Erasure:
    """One entry of the ledger: which updates' notes were erased, when, by whom and why."""

    ids: tuple[int, ...]
    at: str  # when, as the store writes moments (UTC ISO 8601, to the second)
    by: str
    reason: str

    def to_json(self) -> str:
        return json.dumps(
            {"at": self.at, "by": self.by, "reason": self.reason, "ids": list(self.ids)},
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, line: str) -> Erasure:
        data = json.loads(line)
        return cls(
            tuple(int(n) for n in data["ids"]),
            str(data["at"]),
            str(data.get("by") or ""),
            str(data.get("reason") or ""),
        )


@dataclass
class Erased:
    """What erasing changed in one store."""

    notes: list[int] = field(default_factory=list)  # updates whose note went
    outbox: int = 0  # outbox rows that held one of them

    def __bool__(self) -> bool:
        return bool(self.notes or self.outbox)


# --- erasing in one store -----------------------------------------------------------------


def erase_in(db: Store, erasure: Erasure) -> Erased:
    """Erase the notes of ``erasure.ids`` (recorded before ``erasure.at``) from the audit
    rows and the outbox, inside the caller's transaction; renew the data generation."""
    done = Erased()
    db.execute("PRAGMA secure_delete = ON")
    notes: list[str] = []
    for chunk in _chunks(erasure.ids):
        found = db.execute(
            f"SELECT id, note FROM audit_updates WHERE id IN ({placeholders(chunk)}) "
            "AND note IS NOT NULL AND recorded_at <= ?",
            [*chunk, erasure.at],
        ).fetchall()
        for number, note in found:
            db.execute(
                "UPDATE audit_updates SET note = NULL, note_erased_at = ?, note_erased_by = ?, "
                "note_erased_reason = ? WHERE id = ?",
                [erasure.at, erasure.by[:200], erasure.reason[:1000], number],
            )
            done.notes.append(int(number))
            notes.append(str(note))
    if notes:
        done.outbox = _scrub_outbox(db, notes)
        renew_generation(db)
    return done


def _scrub_outbox(db: Store, notes: list[str]) -> int:
    """Empty every outbox row whose text holds one of ``notes``; returns how many did.

    One pass over the rows that still have text (a sent row's is blanked after a month,
    ``bot.domain.monitoring.retention``), however many notes go at once."""
    # Bodies are JSON (bot.reply.to_json: ensure_ascii=False), escaped character by
    # character, so a note's own escaped form is found inside any string that holds it.
    wanted = {json.dumps(note, ensure_ascii=False)[1:-1]: note for note in notes}
    wanted = {escaped: note for escaped, note in wanted.items() if escaped.strip()}
    if not wanted:
        return 0
    changed = 0
    rows = db.execute("SELECT id, state, body FROM outbox WHERE body <> ''").fetchall()
    for row_id, state, body in rows:
        held = [note for escaped, note in wanted.items() if escaped in body]
        if not held:
            continue
        changed += 1
        if state in _FINISHED:
            db.execute("UPDATE outbox SET body = '' WHERE id = ?", [row_id])
        else:
            db.execute("UPDATE outbox SET body = ? WHERE id = ?", [_without(body, held), row_id])
    return changed


def _without(body: str, notes: list[str]) -> str:
    """A message still to be sent, with each note replaced wherever it appears in its text
    (longest first, so a note inside another goes with it)."""
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    ordered = sorted(notes, key=len, reverse=True)
    return json.dumps(_replaced(data, ordered), ensure_ascii=False, separators=(",", ":"))


def _replaced(value: Any, notes: list[str]) -> Any:
    if isinstance(value, str):
        for note in notes:
            value = value.replace(note, ERASED)
        return value
    if isinstance(value, list):
        return [_replaced(item, notes) for item in value]
    if isinstance(value, dict):
        return {key: _replaced(item, notes) for key, item in value.items()}
    return value


def renew_generation(db: Store) -> None:
    """Give the store a new data generation, so every process's kept answers are
    unreachable from now on (``bot.domain.inspections.cache``)."""
    with contextlib.suppress(sqlite3.OperationalError):  # a store from before migration 8
        db.execute("UPDATE store_generation SET token = random() WHERE id = 1")


def empty_log(db: Store) -> None:
    """Copy the write-ahead log into the store and truncate it, so erased text is not left
    in it. Busy readers are waited for (the busy timeout); if they are still busy, SQLite
    checkpoints it later by itself."""
    with contextlib.suppress(sqlite3.Error):
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()


# --- the ledger ---------------------------------------------------------------------------


def store_path(db: Store) -> Path | None:
    """The file of ``db``'s main database (None for a store in memory)."""
    for _, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return Path(file) if file else None
    return None


def ledger_path(db_path: Path | str) -> Path:
    return Path(f"{db_path}{LEDGER_SUFFIX}")


def record(db_path: Path | str, erasure: Erasure) -> None:
    """Append ``erasure`` to the ledger beside the store, flushed to disk."""
    if not erasure.ids:
        return
    _append(ledger_path(db_path), erasure.to_json())


def ledger(db_path: Path | str) -> list[Erasure]:
    """Every erasure in the ledger beside the store, oldest first (a torn last line, from a
    crash while writing it, is skipped)."""
    path = ledger_path(db_path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    found = []
    for line in lines:
        if not line.strip():
            continue
        with contextlib.suppress(ValueError, KeyError, TypeError):
            found.append(Erasure.from_json(line))
    return found


def reapply(db: Store, erasures: Iterable[Erasure]) -> Erased:
    """Erase again, in ``db`` (a restored copy, a backup), every note the ledger names, in
    one transaction; returns what was still there."""
    done = Erased()
    db.execute("BEGIN IMMEDIATE")
    try:
        for erasure in erasures:
            found = erase_in(db, erasure)
            done.notes += found.notes
            done.outbox += found.outbox
    except BaseException:
        db.rollback()
        raise
    db.execute("COMMIT")
    return done


# --- backups ------------------------------------------------------------------------------


def note_backup_folder(db_path: Path | str, folder: Path | str) -> None:
    """Remember that backups of the store are written into ``folder``."""
    path = Path(f"{db_path}{FOLDERS_SUFFIX}")
    absolute = str(Path(folder).resolve())
    if absolute in backup_folders(db_path, existing_only=False):
        return
    _append(path, json.dumps(absolute, ensure_ascii=False))


def backup_folders(db_path: Path | str, *, existing_only: bool = True) -> list[str]:
    """The folders backups of the store were written into."""
    try:
        lines = Path(f"{db_path}{FOLDERS_SUFFIX}").read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    folders: list[str] = []
    for line in lines:
        with contextlib.suppress(ValueError):
            folder = json.loads(line)
            wanted = isinstance(folder, str) and folder not in folders
            if wanted and (not existing_only or Path(folder).is_dir()):
                folders.append(folder)
    return folders


def erase_in_file(path: Path, erasures: Sequence[Erasure]) -> Erased:
    """Apply ``erasures`` to the store file at ``path`` (a backup: not open elsewhere), and
    rebuild it with VACUUM when anything changed, so no free page keeps the old text."""
    conn = sqlite3.connect(f"file:{quote(str(path.absolute()))}?mode=rw", uri=True, timeout=30.0)
    try:
        db = Store(conn)
        if not _has_notes(db):
            return Erased()
        done = reapply(db, erasures)
        if done:
            db.execute("VACUUM")
        return done
    finally:
        conn.close()


def _has_notes(db: Store) -> bool:
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return {"audit_updates", "outbox"} <= tables


# --- inside -------------------------------------------------------------------------------


def _append(path: Path, line: str) -> None:
    private_file(path)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
    try:
        os.write(descriptor, (line + "\n").encode("utf-8"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]
