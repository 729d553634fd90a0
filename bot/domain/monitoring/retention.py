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

A note is erased from everywhere the store wrote it: the update's row and every outbox row
that holds it (the private confirmation, an announcement or answer that showed it),
whatever its state (``bot.store.erasures``); answers kept in memory are dropped and the
store's data generation renewed, so no process answers from before. Erasure overwrites what
it removes (SQLite's ``secure_delete``) and then empties the write-ahead log, so the old
text is not left in the store's free pages. Each erasure is written to the ledger beside
the store (``<store>.erasures``: numbers, when, by whom, why; never the text), applied to
every backup the bot wrote, and applied again to a backup when it is restored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.domain.inspections import cache
from bot.domain.monitoring.audits import Audit, AuditProblem, audit_by_id
from bot.store import audits as audit_store
from bot.store import erasures
from bot.store import outbox as outbox_store
from bot.store.backup import scrub_backups
from bot.store.db import Store, write_transaction
from bot.store.deliveries import KEEP_DELIVERIES, count_received_before, prune_deliveries
from bot.store.erasures import Erasure

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
    where = erasures.store_path(db)
    with write_transaction(db):
        ids = audit_store.notes_recorded_before(db, notes_cutoff)
        if dry_run:
            outbox = outbox_store.count_finished_before(db, sent_cutoff)
            deliveries = count_received_before(db, delivery_cutoff)
            return Purge(ids, notes_before, outbox, deliveries, dry_run=True)
        erasure = Erasure(ids, _stamp(now), RETENTION, f"older than {retention_days} days")
        if ids and where is not None:
            # Before the erasure commits: a crash between the two leaves the ledger asking
            # for an erasure that was due anyway, never an erasure it does not know of.
            erasures.record(where, erasure)
        erasures.erase_in(db, erasure)  # also turns on secure_delete for what follows
        outbox = outbox_store.blank_finished_before(db, sent_cutoff)
        deliveries = prune_deliveries(db, now=now)
    if ids or outbox:
        _forget(db, erasure if ids else None, where)
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
        erasure = Erasure(
            (number,), _stamp(now or datetime.now(UTC)), by[:200], (reason or ON_REQUEST)[:1000]
        )
        where = erasures.store_path(db)
        if where is not None:
            erasures.record(where, erasure)  # before the erasure commits, as in purge
        erasures.erase_in(db, erasure)
    _forget(db, erasure, where)
    erased = audit_by_id(db, number)
    assert erased is not None
    return erased


def _forget(db: Store, erasure: Erasure | None, where: Path | None) -> None:
    """After an erasure commits: drop this process's kept answers (other processes see the
    new data generation), empty the write-ahead log, and apply it to the backups."""
    if erasure is not None:
        cache.clear()
    erasures.empty_log(db)
    if erasure is not None and where is not None:
        scrub_backups(where, [erasure])


def _stamp(moment: datetime) -> str:
    """A moment as the store writes it (UTC, ISO 8601 to the second), so text comparison
    is time order."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")
