"""How long personal data is kept, and erasing it on request.

Audit notes may be about children, so none is kept longer than it is needed:

* a note is erased when it is older than the retention period (YOS_NOTE_RETENTION_DAYS,
  730 days unless set), counted from when it was recorded, retracted or not; the update
  keeps its figures, dates and who recorded it, and records that its note was erased,
  when, by whom and why, never what it said;
* a note can be erased sooner, on request (``yos-bot erase-note N``);
* the text of messages the bot has sent (announcements, answers) is blanked in the outbox
  once they are KEEP_SENT old; the row stays, so nothing is ever sent twice;
* deliveries (the platforms' IDs of requests already handled) are forgotten after 30 days.

Erasure overwrites what it removes (SQLite's ``secure_delete``) and then empties the
write-ahead log, so the old text is not left in the store's free pages. Backups keep
their copy until they are rotated out (YOS_BACKUP_KEEP).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.domain.audits import Audit, AuditProblem, audit_by_id
from bot.store.db import Store, write_transaction
from bot.store.deliveries import KEEP_DELIVERIES, prune_deliveries

KEEP_SENT = timedelta(days=30)  # the text of sent (or given-up) outbox messages
RETENTION = "retention"  # who erased a note that reached the end of its retention period
ON_REQUEST = "erased on request"


@dataclass(frozen=True)
class Purge:
    """What a purge erased, or with ``dry_run`` would erase."""

    notes: tuple[int, ...]  # the updates whose notes went
    notes_before: datetime  # notes recorded before this went
    outbox: int  # sent messages whose text was blanked
    deliveries: int  # remembered deliveries forgotten
    dry_run: bool = False

    def describe(self) -> str:
        verb = "would erase" if self.dry_run else "erased"
        before = self.notes_before.date().isoformat()
        numbers = ", ".join(f"#{n}" for n in self.notes[:20])
        more = f" and {len(self.notes) - 20} more" if len(self.notes) > 20 else ""
        notes = (
            f"{verb} {len(self.notes)} note{'' if len(self.notes) == 1 else 's'} recorded "
            f"before {before}" + (f" ({numbers}{more})" if self.notes else "")
        )
        blank = "would blank" if self.dry_run else "blanked"
        forget = "would forget" if self.dry_run else "forgot"
        said = (
            f"{notes}; {blank} the text of {self.outbox} sent message"
            f"{'' if self.outbox == 1 else 's'} older than {KEEP_SENT.days} days; {forget} "
            f"{self.deliveries} deliver{'y' if self.deliveries == 1 else 'ies'} older than "
            f"{KEEP_DELIVERIES.days} days."
        )
        return said[0].upper() + said[1:]


def purge(
    db: Store,
    *,
    retention_days: int,
    now: datetime | None = None,
    dry_run: bool = False,
) -> Purge:
    """Erase what is past its time: notes older than ``retention_days``, the text of sent
    messages older than KEEP_SENT, deliveries older than KEEP_DELIVERIES."""
    now = now or datetime.now(UTC)
    notes_before = now - timedelta(days=retention_days)
    notes_cutoff = _stamp(notes_before)
    sent_cutoff = _stamp(now - KEEP_SENT)
    delivery_cutoff = _stamp(now - KEEP_DELIVERIES)
    with write_transaction(db):
        ids = tuple(
            row[0]
            for row in db.execute(
                "SELECT id FROM audit_updates WHERE note IS NOT NULL AND recorded_at < ? "
                "ORDER BY id",
                [notes_cutoff],
            ).fetchall()
        )
        finished = "state IN ('sent', 'failed') AND body <> '' AND created_at < ?"
        if dry_run:
            outbox = _count(db, f"SELECT count(*) FROM outbox WHERE {finished}", sent_cutoff)
            deliveries = _count(
                db, "SELECT count(*) FROM deliveries WHERE received_at < ?", delivery_cutoff
            )
            return Purge(ids, notes_before, outbox, deliveries, dry_run=True)
        db.execute("PRAGMA secure_delete = ON")
        for number in ids:
            _erase(db, number, by=RETENTION, reason=f"older than {retention_days} days", now=now)
        outbox = db.execute(f"UPDATE outbox SET body = '' WHERE {finished}", [sent_cutoff]).rowcount
        deliveries = prune_deliveries(db, now=now)
    if ids or outbox:
        _empty_log(db)
    return Purge(ids, notes_before, outbox, deliveries)


def erase_note(
    db: Store,
    number: int,
    *,
    by: str,
    reason: str | None = None,
    now: datetime | None = None,
) -> Audit:
    """Erase update ``number``'s note on request, recording when, by whom and why (not
    what it said). Raises AuditProblem when there is no such update or no note to erase."""
    with write_transaction(db):
        audit = audit_by_id(db, number)
        if audit is None:
            raise AuditProblem(f"There is no audit update #{number}.")
        if audit.note is None:
            if audit.note_erased_at:
                raise AuditProblem(
                    f"Audit update #{number}'s note was already erased, on "
                    f"{audit.note_erased_at[:10]}."
                )
            raise AuditProblem(f"Audit update #{number} has no note to erase.")
        db.execute("PRAGMA secure_delete = ON")
        _erase(db, number, by=by, reason=reason or ON_REQUEST, now=now or datetime.now(UTC))
    _empty_log(db)
    erased = audit_by_id(db, number)
    assert erased is not None
    return erased


def _erase(db: Store, number: int, *, by: str, reason: str, now: datetime) -> None:
    db.execute(
        "UPDATE audit_updates SET note = NULL, note_erased_at = ?, note_erased_by = ?, "
        "note_erased_reason = ? WHERE id = ? AND note IS NOT NULL",
        [_stamp(now), by[:200], reason[:1000], number],
    )


def _empty_log(db: Store) -> None:
    """Copy the write-ahead log into the store and empty it, so erased text is not left in
    it. Busy readers may keep it for now; the next checkpoint empties it then."""
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    except sqlite3.Error:  # busy: SQLite checkpoints it later by itself
        return


def _count(db: Store, sql: str, cutoff: str) -> int:
    return int(db.execute(sql, [cutoff]).fetchone()[0])


def _stamp(moment: datetime) -> str:
    """A moment as the store writes it (UTC, ISO 8601 to the second), so text comparison
    is time order."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")
