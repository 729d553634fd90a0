"""Keeping monitoring on schedule: which reminders are due, each sent once per period.

While a monitoring window is open, each monthly period's audit is due by the period's
last day; in the period's last REMIND_DAYS days, if no audit counts for it yet, a reminder
is due. When the window has ended, one last reminder says so: the board report is ready
when there is evidence, and there is no result to report when there is none. Periods
and evidence come from the one monitoring model. Each reminder is claimed in the store
(``bot.store.reminders``) as it is queued, so restarts and several workers never repeat
one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.inspections.model import Inspection, Recommendation
from bot.domain.inspections.queries import InspectionQueries
from bot.domain.monitoring.status import Monitoring, Status, monitoring
from bot.domain.wording import long_date
from bot.store.db import Store

REMIND_DAYS = 7  # the last week of a period
MONTHLY = "monthly-audit"
WINDOW_ENDED = "window-ended"


@dataclass(frozen=True)
class Reminder:
    key: str
    kind: str
    rec: Recommendation
    text: str


def ended_text(status: Monitoring) -> str:
    ref = status.rec.ref
    if status.status is Status.NO_EVIDENCE:
        return (
            f"{ref}'s monitoring window has ended with no evidence recorded: {status.reason}. "
            "There is no result to report to the board as met."
        )
    return (
        f"{ref}'s monitoring window has ended: the board report is ready. "
        f"{status.verdict_text}: {status.reason}."
    )


def due_reminders(
    db: Store, queries: InspectionQueries, inspection: Inspection, today: date, invocation: str = ""
) -> list[Reminder]:
    """Reminders due today; ``invocation`` is how commands are typed where they will go."""
    due: list[Reminder] = []
    for rec in queries.recommendations(inspection):
        status = monitoring(db, rec, today)
        if status.window is None or status.closed is not None:
            continue
        if status.window_ended:
            key = f"{rec.id}:{WINDOW_ENDED}"
            due.append(Reminder(key, WINDOW_ENDED, rec, ended_text(status)))
            continue
        for period in status.periods:
            last = period.span.end
            if period.counted is None and last - timedelta(days=REMIND_DAYS - 1) <= today <= last:
                due.append(
                    Reminder(
                        key=f"{rec.id}:{MONTHLY}:{period.span.number}",
                        kind=MONTHLY,
                        rec=rec,
                        text=f"{rec.ref}: the {period.name} case-file audit "
                        f"({period.span.dates}) is due by {long_date(last)} and none has been "
                        f"recorded yet. Record it with {invocation}audit {rec.ref} "
                        "<compliant>/<audited> <date> <note>.",
                    )
                )
    return due
