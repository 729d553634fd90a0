"""Keeping monitoring on schedule: which reminders are due, each sent once per period.

While a monitoring window is open, a month's audit is due by the end of that month of
the window; from REMIND_BEFORE days before then, if none is recorded for the month, a
reminder is due. When the window has ended, one last reminder says the board report is
ready. Each is claimed in the store before it is sent, so restarts and several workers
never repeat one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlite_utils

from bot.domain.dates import add_months
from bot.domain.model import Inspection, Recommendation
from bot.domain.queries import InspectionQueries
from bot.domain.status import monitoring
from bot.domain.wording import long_date
from bot.store.db import write_transaction

REMIND_BEFORE = timedelta(days=7)
MONTHLY = "monthly-audit"
WINDOW_ENDED = "window-ended"


@dataclass(frozen=True)
class Reminder:
    key: str
    kind: str
    rec: Recommendation
    text: str


def due_reminders(
    queries: InspectionQueries, inspection: Inspection, today: date, invocation: str = ""
) -> list[Reminder]:
    """Reminders due today; ``invocation`` is how commands are typed where they will go."""
    due: list[Reminder] = []
    for rec in queries.recommendations(inspection):
        if not (rec.monitor_start and rec.window_end and rec.monitor_months):
            continue
        status = monitoring(queries.db, rec, today)
        if today > rec.window_end:
            due.append(
                Reminder(
                    key=f"{rec.id}:{WINDOW_ENDED}",
                    kind=WINDOW_ENDED,
                    rec=rec,
                    text=f"{rec.ref}'s monitoring window has ended: the board report is ready. "
                    f"{status.verdict}: {status.verdict_reason}.",
                )
            )
            continue
        for month, result in enumerate(status.monthly, start=1):
            ends = add_months(rec.monitor_start, month)
            if result is None and ends - REMIND_BEFORE <= today <= ends:
                due.append(
                    Reminder(
                        key=f"{rec.id}:{MONTHLY}:{month}",
                        kind=MONTHLY,
                        rec=rec,
                        text=f"{rec.ref}: the month {month} case-file audit is due by "
                        f"{long_date(ends)} and none has been recorded yet. Record it with "
                        f"{invocation}audit {rec.ref} <compliant>/<audited> <note>.",
                    )
                )
    return due


def claim_reminder(
    db: sqlite_utils.Database, reminder: Reminder, channel: str, today: date
) -> bool:
    """Mark ``reminder`` as sent; False when it already was, by any process."""
    with write_transaction(db):
        cursor = db.execute(
            "INSERT OR IGNORE INTO reminders (key, kind, channel_id, sent_on, sent_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                reminder.key,
                reminder.kind,
                channel,
                today.isoformat(),
                datetime.now(UTC).isoformat(timespec="seconds"),
            ],
        )
        return cursor.rowcount == 1


def unclaim_reminder(db: sqlite_utils.Database, reminder: Reminder) -> None:
    """Let a reminder that could not be delivered be tried again on the next run."""
    with write_transaction(db):
        db.execute("DELETE FROM reminders WHERE key = ?", [reminder.key])
