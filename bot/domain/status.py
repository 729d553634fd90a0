"""What the evidence says: a recommendation's trend, verdict and status, with the reason.

:class:`Monitoring` is the one model every reply, paper, chart and reminder reads. It is
built from the window's monthly periods (:mod:`bot.domain.monitoring`, where the rule for
which audit counts is stated) and never computes anything from audits outside them.

The rule (also in the README):

* **Trend**: from the first counted monthly result in the window to the latest one
  ("▲ from 85% to 95%"); none with fewer than two. Audits outside the window never enter it.
* **Verdict**: *Met* when every monthly period of the window has a counted audit at or above
  the target; otherwise *Not met*.
* **Status**:
  - while the window is open: *No evidence yet* with no counted audit; otherwise *On track*
    or *Below target*, by the latest counted result against the target;
  - once the window has ended: *No evidence recorded* when no audit counted in it (never
    ready to report), otherwise *Due for the board*;
  - once an auditor closes it after reporting to the board: *Met* or *Not met*, by the
    verdict. Reopening returns it to the derived status.

Each status comes with a one-sentence reason ("2 of 3 monthly periods at or above 80%;
March has no audit yet").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain.audits import Audit, Change, closing
from bot.domain.model import Recommendation
from bot.domain.monitoring import (
    BELOW,
    NO_AUDIT,
    Outside,
    Period,
    Span,
    Window,
    read_outside,
    read_periods,
    window_of,
)
from bot.domain.wording import long_date, percent
from bot.store.db import Store

NO_EVIDENCE_YET = "No evidence yet"
ON_TRACK = "On track"
BELOW_TARGET = "Below target"
NO_EVIDENCE = "No evidence recorded"
DUE = "Due for the board"
MET = "Met"
NOT_MET = "Not met"
NOT_MONITORED = "Not monitored"

DEFAULT_TARGET = 80.0


def change_text(before: float, after: float) -> str:
    """▲ from 85% to 95%, ▼ from 90% to 75%, or ▶ steady at 85%: the one way a change
    between two results is written, in the trend and in announcements alike."""
    if percent(before) == percent(after):
        return f"▶ steady at {percent(after)}"
    arrow = "▲" if after > before else "▼"
    return f"{arrow} from {percent(before)} to {percent(after)}"


def _names(periods: list[Period]) -> str:
    names = [p.name for p in periods]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@dataclass(frozen=True)
class Monitoring:
    rec: Recommendation
    today: date
    window: Window | None
    periods: tuple[Period, ...]
    outside: Outside
    closed: Change | None = None

    # --- the evidence ------------------------------------------------------------------

    @property
    def target(self) -> float:
        return self.rec.target if self.rec.target is not None else DEFAULT_TARGET

    @property
    def counted(self) -> tuple[Period, ...]:
        """The periods with an audit that counts, in order."""
        return tuple(p for p in self.periods if p.counted is not None)

    @property
    def latest_period(self) -> Period | None:
        return self.counted[-1] if self.counted else None

    @property
    def latest(self) -> Audit | None:
        """The latest counted audit in the window."""
        period = self.latest_period
        return period.counted if period else None

    @property
    def latest_text(self) -> str:
        """19/20 (95%) on 27 March 2014, for March; "none" without one."""
        period = self.latest_period
        if period is None or period.counted is None:
            return "none in the window"
        audit = period.counted
        return f"{audit.figures} on {long_date(audit.audit_date)}, for {period.name}"

    def period_of(self, day: date) -> Period | None:
        return next((p for p in self.periods if p.span.holds(day)), None)

    def previous_result(self, period: Period) -> Period | None:
        """The nearest earlier period with a counted audit."""
        earlier = [p for p in self.counted if p.span.number < period.span.number]
        return earlier[-1] if earlier else None

    @property
    def trend(self) -> str:
        """From the first counted result in the window to the latest; '' with fewer than two."""
        counted = self.counted
        if len(counted) < 2 or counted[0].value is None or counted[-1].value is None:
            return ""
        return change_text(counted[0].value, counted[-1].value)

    @property
    def trend_text(self) -> str:
        """The trend, or why there is none: how every reply and paper shows it."""
        return self.trend or "none: fewer than two monthly results in the window"

    @property
    def at_target(self) -> int:
        return sum(1 for p in self.periods if p.result not in (BELOW, NO_AUDIT))

    @property
    def tally(self) -> str:
        """2 of 3 monthly periods at or above 80%."""
        noun = "monthly period" if len(self.periods) == 1 else "monthly periods"
        return f"{self.at_target} of {len(self.periods)} {noun} at or above {percent(self.target)}"

    # --- the clock ---------------------------------------------------------------------

    @property
    def window_ended(self) -> bool:
        return self.window is not None and self.today > self.window.end

    @property
    def days_left(self) -> int | None:
        if self.window is None or self.window_ended:
            return None
        return (self.window.end - self.today).days

    @property
    def current(self) -> Span | None:
        return self.window.span_of(self.today) if self.window else None

    # --- verdict and status ------------------------------------------------------------

    @property
    def met(self) -> bool:
        return bool(self.periods) and self.at_target == len(self.periods)

    @property
    def verdict(self) -> str:
        return MET if self.met else NOT_MET

    @property
    def verdict_text(self) -> str:
        """The verdict once the window has ended; before that, when it will be known."""
        if self.window is None:
            return "none: no monitoring window"
        if self.closed is None and self.window_ended and not self.counted:
            return NO_EVIDENCE
        if self.window_ended or self.closed is not None:
            return self.verdict
        return f"at the end of the window, {long_date(self.window.end)}"

    @property
    def label(self) -> str:
        if self.closed is not None:
            return self.verdict
        if self.window is None:
            return NOT_MONITORED
        if self.window_ended:
            return DUE if self.counted else NO_EVIDENCE
        latest = self.latest
        if latest is None:
            return NO_EVIDENCE_YET
        return ON_TRACK if latest.percent >= self.target else BELOW_TARGET

    @property
    def closed_reason(self) -> str | None:
        if self.closed is None:
            return None
        return self.closed.reason or "no reason given"

    @property
    def gaps(self) -> list[str]:
        """What keeps periods from counting at or above the target, in words."""
        below = [p for p in self.periods if p.result == BELOW]
        missing = [p for p in self.periods if p.result == NO_AUDIT]
        over = [p for p in missing if self.today > p.span.end]
        running = [p for p in missing if p.span.holds(self.today)]
        coming = [p for p in missing if self.today < p.span.start]
        said = [f"{p.name} below at {p.counted.figures}" for p in below if p.counted is not None]
        if over:
            said.append(f"{_names(over)} {'has' if len(over) == 1 else 'have'} no audit")
        if running:
            said.append(f"{_names(running)} has no audit yet")
        if coming:
            said.append(f"{_names(coming)} still to come")
        return said

    @property
    def reason(self) -> str:
        """Why the status is what it is, in one sentence (without a full stop)."""
        label = self.label
        if self.window is None:
            return f"no monitoring window is set for {self.rec.ref}"
        if label == NO_EVIDENCE_YET:
            return f"no audit counted yet; the monitoring window runs {self.window.dates}"
        if label == NO_EVIDENCE:
            reason = f"no audit was recorded in the monitoring window ({self.window.dates})"
            if self.outside.count:
                noun = "audit" if self.outside.count == 1 else "audits"
                verb = "does" if self.outside.count == 1 else "do"
                reason += f"; {self.outside.count} {noun} dated outside it {verb} not count"
            return reason
        parts = [self.tally, *self.gaps]
        if label in (ON_TRACK, BELOW_TARGET):
            parts.insert(0, f"latest audit {self.latest_text}")
        if self.closed is not None:
            parts.append(f"closed on {long_date(self.closed.on_date)}: {self.closed_reason}")
        return "; ".join(parts)

    @property
    def line(self) -> str:
        """The status with its reason: "On track: latest audit ...; 1 of 3 ..."."""
        return f"{self.label}: {self.reason}"

    @property
    def progress(self) -> str | None:
        """1 of 3 monthly periods have a counted audit; window ends 14 April 2014."""
        if self.window is None:
            return None
        have = "has" if len(self.counted) == 1 else "have"
        verb = "ended" if self.window_ended else "ends"
        return (
            f"{len(self.counted)} of {len(self.periods)} monthly periods {have} a counted "
            f"audit; window {verb} {long_date(self.window.end)}"
        )


def monitoring(db: Store, rec: Recommendation, today: date) -> Monitoring:
    """The recommendation's monitoring as of ``today``: a few indexed queries per period."""
    window = window_of(rec)
    target = rec.target if rec.target is not None else DEFAULT_TARGET
    if window is None:
        return Monitoring(rec, today, None, (), Outside((), 0), closing(db, rec.id))
    return Monitoring(
        rec=rec,
        today=today,
        window=window,
        periods=read_periods(db, rec, window, target),
        outside=read_outside(db, rec.id, window),
        closed=closing(db, rec.id),
    )
