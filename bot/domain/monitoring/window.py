"""A recommendation's monitoring window, its monthly periods, and which audit counts in each.

This is the one place the evidence is sorted into periods; status, verdict, trend, the
announcements, the board papers, the chart and the reminders all read what it finds.

The rule (also in the README):

* The **monitoring window** runs from the recommendation's start (when the board
  considered it) for its number of months; both its first and last days are in it.
* It is divided into **monthly periods**. Period *n* starts *n - 1* months after the start
  and ends the day before the next one starts; the last period ends on the window's last
  day. A period is named after the month it starts in ("February": 14 February to
  13 March 2014).
* In each period **the audit that counts is the one with the latest audit date; of several
  on that date, the one entered last**. It replaces the others in the period, which are
  kept and shown as replaced.
* Audits dated before the window opens or after it closes are kept and listed apart, and
  never count. Retracted audits are never considered, nor audits dated after "today".
* Every update has two dates: the audit's and the day it was **entered**. An update dated
  in the window but entered after its monthly period had closed (so, for the last period,
  after the window had closed) is a **late entry**: recorded only with a reason
  (``--late``) and flagged wherever it appears (:func:`entry_deadline`).
* The evidence **as it stood** at the end of a day (what had been entered by then, less
  what had been retracted by then) gives the verdict at the close of the window
  (:func:`read_periods_as_at`), which a later entry never silently changes.

Every figure comes from queries (``bot.store.audits``) whose cost does not grow with the
history: per period, the counted audit is the first row of ``ORDER BY audit_date DESC, id
DESC`` on the index ``audit_updates(recommendation_id, audit_date)`` (SQLite keeps each index
entry's rowid, the audit's ``id``, as its last key, so the tie-break needs no sort), and the
numbers of audits are sums over ``audit_counts`` (audits per recommendation and audit date,
kept by triggers), at most one row per day of the period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.dates import add_months
from bot.domain.inspections.model import Audit, Recommendation
from bot.domain.inspections.rows import audit_of
from bot.domain.wording import long_date
from bot.store import audits as stored
from bot.store.db import Store

REPLACED_SHOWN = 3  # replaced audits listed per period (all are counted)
OUTSIDE_SHOWN = 10  # outside-window audits listed (all are counted; `audits` lists every one)

AT_OR_ABOVE = "at or above"
BELOW = "below"
NO_AUDIT = "no audit"


def day_range(start: date, end: date) -> str:
    """14 January to 13 February 2014; 14 December 2013 to 13 January 2014."""
    if start.year == end.year:
        return f"{start.day} {start:%B} to {long_date(end)}"
    return f"{long_date(start)} to {long_date(end)}"


@dataclass(frozen=True)
class Span:
    """One monthly period's dates: its number (from 1), first and last day, and name."""

    number: int
    start: date
    end: date
    name: str

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.end

    def closed_by(self, today: date) -> bool:
        """Whether the period has closed (its last day is over) by ``today``."""
        return today > self.end

    @property
    def dates(self) -> str:
        return day_range(self.start, self.end)

    @property
    def described(self) -> str:
        """February (14 February to 13 March 2014)."""
        return f"{self.name} ({self.dates})"


@dataclass(frozen=True)
class Window:
    start: date
    end: date
    spans: tuple[Span, ...]

    @property
    def dates(self) -> str:
        return day_range(self.start, self.end)

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.end

    def span_of(self, day: date) -> Span | None:
        return next((s for s in self.spans if s.holds(day)), None)


def entry_deadline(window: Window, day: date) -> date | None:
    """The last day an update for an audit of ``day`` is entered on time: the end of its
    monthly period (for the last period, the window's end). None for one dated outside the
    window: it never counts, so it is never late."""
    span = window.span_of(day)
    return span.end if span is not None else None


def entered_late(window: Window | None, audit: Audit) -> bool:
    """Whether ``audit`` was entered after its period (or the window) had closed."""
    if window is None or audit.entered_on is None:
        return False
    deadline = entry_deadline(window, audit.audit_date)
    return deadline is not None and audit.entered_on > deadline


def window_of(rec: Recommendation) -> Window | None:
    """The recommendation's window and its monthly periods; None when it has none."""
    if rec.monitor_start is None or not rec.monitor_months or rec.window_end is None:
        return None
    start, months = rec.monitor_start, rec.monitor_months
    starts = [add_months(start, n) for n in range(months)]
    ends = [add_months(start, n + 1) - timedelta(days=1) for n in range(months - 1)]
    ends.append(rec.window_end)
    with_year = months > 12  # month names alone would repeat
    spans = tuple(
        Span(n + 1, first, last, f"{first:%B %Y}" if with_year else f"{first:%B}")
        for n, (first, last) in enumerate(zip(starts, ends, strict=True))
    )
    return Window(start, rec.window_end, spans)


@dataclass(frozen=True)
class Period:
    """One monthly period and its evidence."""

    span: Span
    target: float
    counted: Audit | None  # the audit that counts (the rule above), or None
    replaced: tuple[Audit, ...]  # others in the period, newest first, at most REPLACED_SHOWN
    recorded: int  # audits in effect dated in the period, the counted one included

    @property
    def name(self) -> str:
        return self.span.name

    @property
    def replaced_count(self) -> int:
        return max(self.recorded - 1, 0)

    @property
    def result(self) -> str:
        """at or above, below, or no audit."""
        if self.counted is None:
            return NO_AUDIT
        return AT_OR_ABOVE if self.counted.percent >= self.target else BELOW

    @property
    def value(self) -> float | None:
        return self.counted.percent if self.counted else None


def read_period(db: Store, rec_id: str, span: Span, target: float, today: date) -> Period:
    """The period's counted audit, the latest it replaced, and how many there are, of the
    audits dated by ``today`` (evidence dated later never counts)."""
    last = min(span.end, today)
    if last < span.start:
        return Period(span=span, target=target, counted=None, replaced=(), recorded=0)
    rows = [
        audit_of(r) for r in stored.period_audits(db, rec_id, span.start, last, 1 + REPLACED_SHOWN)
    ]
    recorded = len(rows)
    if recorded > REPLACED_SHOWN:
        recorded = stored.period_count(db, rec_id, span.start, last)
    return Period(
        span=span,
        target=target,
        counted=rows[0] if rows else None,
        replaced=tuple(rows[1:]),
        recorded=recorded,
    )


@dataclass(frozen=True)
class Outside:
    """Audits dated outside the window: listed apart, never counted."""

    shown: tuple[Audit, ...]  # oldest first, at most OUTSIDE_SHOWN
    count: int


def read_outside(db: Store, rec_id: str, window: Window) -> Outside:
    start, end = window.start, window.end
    before = [audit_of(r) for r in stored.before_window(db, rec_id, start, OUTSIDE_SHOWN)]
    # Only as many after the window as there is room left to show.
    room = OUTSIDE_SHOWN - len(before)
    after = [audit_of(r) for r in stored.after_window(db, rec_id, end, room)] if room else []
    shown = list(reversed(before)) + after
    count = len(shown)
    if len(before) == OUTSIDE_SHOWN or len(after) == room:
        count = stored.outside_count(db, rec_id, start, end)
    return Outside(tuple(shown), count)


def read_periods(
    db: Store, rec: Recommendation, window: Window, target: float, today: date
) -> tuple[Period, ...]:
    return tuple(read_period(db, rec.id, span, target, today) for span in window.spans)


def read_periods_as_at(
    db: Store, rec: Recommendation, window: Window, target: float, day: date
) -> tuple[Period, ...]:
    """Each period's counted audit as the evidence stood at the end of ``day``: one indexed
    query per period (the replaced audits and counts are not needed for a verdict)."""
    periods = []
    for span in window.spans:
        last = min(span.end, day)
        found = None
        if last >= span.start:  # a period not begun by then has nothing to read
            found = stored.counted_as_at(db, rec.id, span.start, last, day)
        counted = audit_of(found) if found else None
        periods.append(Period(span, target, counted, (), 1 if counted else 0))
    return tuple(periods)
