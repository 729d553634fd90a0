"""A recommendation's status, derived from the evidence recorded against it.

The rule (also in the README):

* The monitoring window runs from the recommendation's start (the board's
  consideration) for its number of months; each month of the window is one
  monthly audit period, and a month's result is the latest update audited in it.
* Verdict: **Met** when every month of the window has a result at or above the
  target; otherwise **Not met**.
* Status: **Open** while there is no evidence; **On track** or **Below target**
  while the window is open, by the latest result against the target; **Due for the
  board** once the window has ended; **Met** or **Not met**, by the verdict, once an
  auditor closes it (after reporting to the board). Reopening returns it to the
  derived status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlite_utils

from bot.domain.audits import Audit, audits_for, closing
from bot.domain.dates import add_months
from bot.domain.model import Recommendation
from bot.domain.wording import long_date, percent

OPEN = "Open"
ON_TRACK = "On track"
BELOW_TARGET = "Below target"
DUE = "Due for the board"
MET = "Met"
NOT_MET = "Not met"


@dataclass(frozen=True)
class Monitoring:
    rec: Recommendation
    today: date
    audits: tuple[Audit, ...]  # in effect (not retracted), oldest first
    monthly: tuple[Audit | None, ...]  # one per month of the window
    closed_reason: str | None = None

    # --- evidence ------------------------------------------------------------

    @property
    def latest(self) -> Audit | None:
        return self.audits[-1] if self.audits else None

    @property
    def previous(self) -> Audit | None:
        return self.audits[-2] if len(self.audits) > 1 else None

    @property
    def target(self) -> float:
        return self.rec.target if self.rec.target is not None else 80.0

    @property
    def trend(self) -> str:
        """▲ 5 points, ▼ 2 points, ▶ no change, or '' with fewer than two updates."""
        if not (self.latest and self.previous):
            return ""
        change = self.latest.percent - self.previous.percent
        if abs(change) < 0.05:
            return "▶ no change"
        points = abs(change)
        shown = f"{points:.0f}" if points.is_integer() else f"{points:.1f}"
        return f"{'▲' if change > 0 else '▼'} {shown} point{'' if shown == '1' else 's'}"

    @property
    def months_with_results(self) -> int:
        return sum(1 for m in self.monthly if m is not None)

    @property
    def window_ended(self) -> bool:
        return self.rec.window_end is not None and self.today > self.rec.window_end

    @property
    def days_left(self) -> int | None:
        if self.rec.window_end is None or self.window_ended:
            return None
        return (self.rec.window_end - self.today).days

    # --- verdict and status ----------------------------------------------------

    @property
    def met(self) -> bool:
        return bool(self.monthly) and all(
            m is not None and m.percent >= self.target for m in self.monthly
        )

    @property
    def verdict(self) -> str:
        return MET if self.met else NOT_MET

    @property
    def verdict_reason(self) -> str:
        months = len(self.monthly)
        at_target = sum(1 for m in self.monthly if m is not None and m.percent >= self.target)
        noun = "monthly audit" if months == 1 else "monthly audits"
        return f"{at_target} of {months} {noun} at or above the {percent(self.target)} target"

    @property
    def label(self) -> str:
        if self.closed_reason is not None:
            return self.verdict
        if self.window_ended:
            return DUE
        if not self.latest:
            return OPEN
        return ON_TRACK if self.latest.percent >= self.target else BELOW_TARGET

    @property
    def progress(self) -> str | None:
        """2 of 3 monthly audits, window ends 14 April 2014."""
        if not self.monthly or self.rec.window_end is None:
            return None
        noun = "monthly audit" if len(self.monthly) == 1 else "monthly audits"
        verb = "ended" if self.window_ended else "ends"
        return (
            f"{self.months_with_results} of {len(self.monthly)} {noun}, "
            f"window {verb} {long_date(self.rec.window_end)}"
        )

    @property
    def line(self) -> str:
        label = self.label
        if label == OPEN:
            detail = "no audit evidence recorded yet"
            if self.days_left is not None and self.rec.window_end:
                detail += f"; monitoring until {long_date(self.rec.window_end)}"
            return f"{label}: {detail}"
        parts = []
        if self.latest:
            latest = f"latest audit {self.latest.figures} on {long_date(self.latest.audit_date)}"
            if self.trend:
                latest += f", {self.trend}"
            parts.append(latest)
        parts.append(f"target {percent(self.target)}")
        if label in (DUE, MET, NOT_MET):
            parts.append(self.verdict_reason)
        elif self.progress:
            parts.append(self.progress)
        if self.days_left is not None:
            parts.append(f"{self.days_left} days left")
        if self.closed_reason:
            parts.append(f"closed: {self.closed_reason}")
        return f"{label}: " + "; ".join(parts)


def monthly_results(rec: Recommendation, audits: list[Audit]) -> tuple[Audit | None, ...]:
    """The latest update in each month of the window (None for a month without one)."""
    if rec.monitor_start is None or not rec.monitor_months:
        return ()
    months: list[Audit | None] = []
    for index in range(rec.monitor_months):
        start = add_months(rec.monitor_start, index)
        end = add_months(rec.monitor_start, index + 1)
        last_month = index == rec.monitor_months - 1
        inside = [
            a for a in audits if start <= a.audit_date < end or (last_month and a.audit_date == end)
        ]
        months.append(max(inside, key=lambda a: (a.audit_date, a.id)) if inside else None)
    return tuple(months)


def monitoring(db: sqlite_utils.Database, rec: Recommendation, today: date) -> Monitoring:
    audits = audits_for(db, rec.id)
    closed = closing(db, rec.id)
    return Monitoring(
        rec=rec,
        today=today,
        audits=tuple(audits),
        monthly=monthly_results(rec, audits),
        closed_reason=(closed.reason or "no reason given") if closed else None,
    )
