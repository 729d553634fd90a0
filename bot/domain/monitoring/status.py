"""What the evidence says: a recommendation's status, verdict and trend, with the reason.

:class:`Monitoring` is the one model every reply, paper, chart and reminder reads. It is
built from the window's monthly periods (:mod:`bot.domain.monitoring.window`, where the rule for
which audit counts is stated) and never computes anything from audits outside them.

The statuses, and when each applies under each way a target can be set (:class:`Rule`),
are stated once, in :data:`LATTICE` and :data:`AFTER_THE_WINDOW` below; the README shows
the same table (``tests/test_status_lattice.py`` checks that it does). Their words are
:class:`Status`; everything else shows them through this module.

* **Trend**: from the first counted monthly result in the window to the latest one
  ("▲ from 85% to 95%"); none with fewer than two. Audits outside the window never enter it.
* **Evidence dated after "today" never counts**, nor a close made on a later day.
* **The verdict at close.** Once the window has ended (or the recommendation was closed
  before it ended), the verdict is the rule applied to the evidence as it stood at the end
  of that day. It is kept: an update entered later (a late entry) or a retraction made later
  that would change it is shown as "verdict at close: Not met; changed to Met by late entry
  #12 of 20 April 2014 (reason)", never a silent flip.

For an improvement plan's RAG rating, :class:`Track` (``Monitoring.track``, or
:func:`track_of`) says whether a recommendation with a measured target is on track, below
target in its latest period, or cannot be met (off track), or what its verdict was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum, StrEnum

from bot.domain.inspections.model import Recommendation
from bot.domain.monitoring.audits import Audit, Change, closing
from bot.domain.monitoring.window import (
    AT_OR_ABOVE,
    BELOW,
    NO_AUDIT,
    Outside,
    Period,
    Span,
    Window,
    entered_late,
    read_outside,
    read_periods,
    read_periods_as_at,
    window_of,
)
from bot.domain.wording import STATUS_WORDS, long_date, percent
from bot.store.db import Store

DEFAULT_TARGET = 80.0
NOT_YET_DUE = "not yet due"


class Rule(StrEnum):
    """How a recommendation's target is judged over its monthly periods (``target_rule`` in
    its data file; the first when none is named)."""

    EVERY_PERIOD = "every period"
    LATEST_PERIOD = "latest period"
    AVERAGE = "average"

    @classmethod
    def of(cls, rec: Recommendation) -> Rule:
        return cls(rec.target_rule) if rec.target_rule in set(cls) else cls.EVERY_PERIOD

    @property
    def words(self) -> str:
        """in every monthly period; in the latest monthly period; on average ..."""
        return {
            Rule.EVERY_PERIOD: "in every monthly period",
            Rule.LATEST_PERIOD: "in the latest monthly period",
            Rule.AVERAGE: "on average over the monthly periods",
        }[self]


def target_text(target: float, rule: Rule = Rule.EVERY_PERIOD) -> str:
    """80% or more in every monthly period: how every reply and paper states a target."""
    return f"{percent(target)} or more {rule.words}"


class Status(StrEnum):
    """A recommendation's status, and the verdict once reached (Met, Not met, No evidence
    recorded). Code compares the members; what replies show is :attr:`words`."""

    NOT_MONITORED = "not_monitored"
    NO_EVIDENCE_YET = "no_evidence_yet"
    ON_TRACK = "on_track"
    BELOW_TARGET = "below_target"
    OFF_TRACK = "off_track"
    NO_EVIDENCE = "no_evidence"
    DUE = "due"
    MET = "met"
    NOT_MET = "not_met"

    @property
    def words(self) -> str:
        """How every reply, paper and table says it ("Off track: cannot be met")."""
        return STATUS_WORDS[self]


class Track(Enum):
    """Where a recommendation with a measured target stands, for an improvement plan's
    RAG rating: while its window is open, on track, below target in its latest period, or
    off track (the target cannot be met any more); then its verdict (the verdict at close,
    which a late entry never silently changes)."""

    NOT_MONITORED = "not monitored"  # no monitoring window
    NO_EVIDENCE = "no evidence"  # nothing counts yet, or nothing counted in an ended window
    ON_TRACK = "on track"
    BELOW_TARGET = "below target"  # the latest period is below the target; it can still be met
    OFF_TRACK = "off track"  # cannot be met
    MET = "met"  # the verdict, once the window has ended or it was closed
    NOT_MET = "not met"


@dataclass(frozen=True)
class When:
    """One status of the lattice and when it applies."""

    status: Status
    when: str


# While the window is open (and the recommendation is not closed), by rule. A period is
# "closed" once its last day is over; the period holding today is "open" and, without an
# audit, "not yet due".
LATTICE: dict[Rule, tuple[When, ...]] = {
    Rule.EVERY_PERIOD: (
        When(
            Status.NO_EVIDENCE_YET,
            "no monthly period has closed and no audit counts yet (also before the window opens)",
        ),
        When(
            Status.ON_TRACK,
            "every closed period has a counted audit at or above the target, and the open "
            "period's, if it has one, is at or above it (without one it is not yet due)",
        ),
        When(
            Status.BELOW_TARGET,
            "every closed period met the target, but the open period's counted audit is below "
            "it: a later audit in that period can still replace it",
        ),
        When(
            Status.OFF_TRACK,
            "a closed period has no counted audit at or above the target (one below it, or "
            "none): named with its result, for the rest of the window; never On track again",
        ),
    ),
    Rule.LATEST_PERIOD: (
        When(Status.NO_EVIDENCE_YET, "no audit counts yet"),
        When(Status.ON_TRACK, "the latest counted monthly result is at or above the target"),
        When(
            Status.BELOW_TARGET,
            "the latest counted monthly result is below the target: the last period can "
            "still meet it",
        ),
        When(Status.OFF_TRACK, "never while the window is open: its last period decides"),
    ),
    Rule.AVERAGE: (
        When(Status.NO_EVIDENCE_YET, "no monthly period has closed and no audit counts yet"),
        When(
            Status.ON_TRACK,
            "every closed period has a result and the monthly results so far average at or "
            "above the target",
        ),
        When(
            Status.BELOW_TARGET,
            "they average below the target, but 100% in the periods still open could bring "
            "the average up to it",
        ),
        When(
            Status.OFF_TRACK,
            "a closed period has no audit, or even 100% in every period still open could not "
            "bring the average up to the target: named, for the rest of the window",
        ),
    ),
}

# The verdict, once the window has ended, by the same rule.
VERDICT_RULE: dict[Rule, str] = {
    Rule.EVERY_PERIOD: "Met when every monthly period has a counted audit at or above the "
    "target; otherwise Not met",
    Rule.LATEST_PERIOD: "Met when the window's last monthly period has a counted audit at or "
    "above the target; otherwise Not met",
    Rule.AVERAGE: "Met when every monthly period has a counted audit and their results "
    "average at or above the target; otherwise Not met",
}

# Whatever the rule.
AFTER_THE_WINDOW: tuple[When, ...] = (
    When(Status.NOT_MONITORED, "no monitoring window is set"),
    When(
        Status.NO_EVIDENCE,
        "the window has ended and no audit counted in it: nothing to report as met",
    ),
    When(
        Status.DUE,
        'the window has ended with evidence: shown with its verdict at close ("Due for the '
        'board, verdict Not met")',
    ),
    When(
        Status.MET,
        "closed by an auditor (after reporting to the board; before the window ended only "
        "with --early and why) and the verdict at close is Met",
    ),
    When(Status.NOT_MET, "closed, and the verdict at close is Not met"),
)


def lattice_markdown() -> str:
    """The lattice as the README states it: a table per rule, then the verdicts and the
    statuses after the window."""
    lines = []
    for rule, steps in LATTICE.items():
        lines += [
            f"**{target_text(80, rule).replace('80%', 'N%').capitalize()}** "
            f'(`target_rule = "{rule.value}"`), while the window is open:',
            "",
            "| Status | When |",
            "| --- | --- |",
            *(f"| {step.status.words} | {step.when} |" for step in steps),
            "",
            f"Verdict: {VERDICT_RULE[rule]}.",
            "",
        ]
    lines += [
        "Whatever the rule:",
        "",
        "| Status | When |",
        "| --- | --- |",
        *(f"| {step.status.words} | {step.when} |" for step in AFTER_THE_WINDOW),
    ]
    return "\n".join(lines) + "\n"


def change_text(before: float, after: float) -> str:
    """▲ from 85% to 95%, ▼ from 90% to 75%, or ▶ steady at 85%: the one way a change
    between two results is written, in the trend and in announcements alike."""
    if percent(before) == percent(after):
        return f"▶ steady at {percent(after)}"
    arrow = "▲" if after > before else "▼"
    return f"{arrow} from {percent(before)} to {percent(after)}"


def entered_text(audit: Audit) -> str:
    """entered 20 April 2014; entered the same day; or that the day is not known."""
    if audit.entered_on is None:
        return "entry date not recorded"
    if audit.entered_on == audit.audit_date:
        return "entered the same day"
    return f"entered {long_date(audit.entered_on)}"


def late_flag(window: Window | None, audit: Audit) -> str | None:
    """entered late on 20 April 2014: found in the post; None when it was on time."""
    if not entered_late(window, audit) or audit.entered_on is None:
        return None
    why = audit.late_reason or "no reason was recorded"
    return f"entered late on {long_date(audit.entered_on)}: {why}"


def _names(periods: list[Period]) -> str:
    names = [p.name for p in periods]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _mean(periods: tuple[Period, ...] | list[Period]) -> float | None:
    values = [p.value for p in periods if p.value is not None]
    return sum(values) / len(values) if values else None


def verdict_of(rule: Rule, periods: tuple[Period, ...], target: float) -> Status:
    """The rule applied to the periods' counted audits: MET, NOT_MET, or NO_EVIDENCE when
    none counts."""
    if not any(p.counted is not None for p in periods):
        return Status.NO_EVIDENCE
    if rule is Rule.LATEST_PERIOD:
        met = periods[-1].result == AT_OR_ABOVE
    elif rule is Rule.AVERAGE:
        mean = _mean(periods)
        met = all(p.counted is not None for p in periods) and mean is not None and mean >= target
    else:
        met = all(p.result == AT_OR_ABOVE for p in periods)
    return Status.MET if met else Status.NOT_MET


@dataclass(frozen=True)
class Monitoring:
    rec: Recommendation
    today: date
    window: Window | None
    periods: tuple[Period, ...]
    outside: Outside
    closed: Change | None = None
    # The periods as the evidence stood at the close (the window's end, or an earlier
    # close): None before there is a close.
    at_close: tuple[Period, ...] | None = None

    # --- the evidence ------------------------------------------------------------------

    @property
    def target(self) -> float:
        return self.rec.target if self.rec.target is not None else DEFAULT_TARGET

    @property
    def rule(self) -> Rule:
        return Rule.of(self.rec)

    @property
    def target_text(self) -> str:
        """80% or more in every monthly period."""
        return target_text(self.target, self.rule)

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

    def result_of(self, period: Period) -> str:
        """at or above, below, no audit (a closed period), or not yet due (one still open
        or to come, without an audit)."""
        if period.counted is None and not period.span.closed_by(self.today):
            return NOT_YET_DUE
        return period.result

    def late_flag(self, audit: Audit) -> str | None:
        """entered late on 20 April 2014: reason; None when it was entered on time."""
        return late_flag(self.window, audit)

    def entered(self, audit: Audit) -> str:
        """When it was entered, and its late flag if it was late."""
        return self.late_flag(audit) or entered_text(audit)

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
        return sum(1 for p in self.periods if p.result == AT_OR_ABOVE)

    @property
    def tally(self) -> str:
        """2 of 3 monthly periods at or above 80% (on average: what they average)."""
        noun = "monthly period" if len(self.periods) == 1 else "monthly periods"
        if self.rule is Rule.AVERAGE:
            mean = _mean(self.periods)
            have = "has" if len(self.counted) == 1 else "have"
            said = f"{len(self.counted)} of {len(self.periods)} {noun} {have} a result"
            return said + (f", averaging {percent(mean)}" if mean is not None else "")
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

    @property
    def close_point(self) -> date | None:
        """The day the verdict was reached: the window's end, or an earlier close."""
        if self.window is None:
            return None
        if self.closed is not None and self.closed.on_date <= self.window.end:
            return self.closed.on_date
        if self.window_ended:
            return self.window.end
        return None

    @property
    def closed_early(self) -> bool:
        return (
            self.closed is not None
            and self.window is not None
            and self.closed.on_date <= self.window.end
        )

    # --- verdict and status ------------------------------------------------------------

    @property
    def verdict_now(self) -> Status:
        """The rule applied to the evidence as it stands today."""
        return verdict_of(self.rule, self.periods, self.target)

    @property
    def verdict_at_close(self) -> Status:
        """The rule applied to the evidence as it stood at the close: the verdict kept."""
        periods = self.at_close if self.at_close is not None else self.periods
        found = verdict_of(self.rule, periods, self.target)
        if self.closed is not None and found is Status.NO_EVIDENCE:
            return Status.NOT_MET  # closed with nothing counted: not met
        return found

    @property
    def met(self) -> bool:
        return self.verdict_at_close is Status.MET

    @property
    def verdict_change(self) -> str | None:
        """changed to Met by late entry #12 of 20 April 2014 (reason): what changed the
        verdict since the close, or None when nothing did."""
        if self.at_close is None or self.close_point is None:
            return None
        now = self.verdict_now
        if self.closed is not None and now is Status.NO_EVIDENCE:
            now = Status.NOT_MET
        if now is self.verdict_at_close:
            return None
        causes: list[str] = []
        for before, after in zip(self.at_close, self.periods, strict=True):
            was = before.counted.id if before.counted else None
            now_id = after.counted.id if after.counted else None
            if was == now_id:
                continue
            audit = after.counted
            if audit is not None and audit.entered_on and audit.entered_on > self.close_point:
                entry = "late entry" if entered_late(self.window, audit) else "entry"
                why = f" ({audit.late_reason})" if audit.late_reason else ""
                causes.append(f"{entry} #{audit.id} of {long_date(audit.entered_on)}{why}")
            elif was is not None:
                causes.append(f"the retraction of #{was}")
        return f"changed to {now.words} by {_and(causes) if causes else 'later changes'}"

    @property
    def as_at_close(self) -> Monitoring | None:
        """The monitoring as the evidence stood at the close (its reason says why the verdict
        at close is what it is); None before there is a close."""
        point = self.close_point
        if point is None or self.at_close is None or self.window is None:
            return None
        return Monitoring(
            rec=self.rec,
            today=point + timedelta(days=1),
            window=self.window,
            periods=self.at_close,
            outside=self.outside,
        )

    @property
    def verdict_text(self) -> str:
        """The verdict once reached (and anything that changed it since); before that, when
        it will be known."""
        if self.window is None:
            return "none: no monitoring window"
        if self.close_point is None:
            return f"at the end of the window, {long_date(self.window.end)}"
        change = self.verdict_change
        kept = self.verdict_at_close.words
        return f"verdict at close: {kept}; {change}" if change else kept

    def _judged(self) -> tuple[Status, Period | None]:
        """The status while the window is open, by the rule, and the period it turns on."""
        today, periods = self.today, self.periods
        closed = [p for p in periods if p.span.closed_by(today)]
        current = self.period_of(today)
        rule = self.rule
        if rule is Rule.LATEST_PERIOD:
            latest = self.latest_period
            if latest is None:
                return Status.NO_EVIDENCE_YET, None
            return (Status.ON_TRACK if latest.result == AT_OR_ABOVE else Status.BELOW_TARGET), None
        if rule is Rule.AVERAGE:
            missing = next((p for p in closed if p.counted is None), None)
            if missing is not None:
                return Status.OFF_TRACK, missing
            if self._best_average() < self.target:
                return Status.OFF_TRACK, None
            mean = _mean(periods)
            if mean is None:
                return Status.NO_EVIDENCE_YET, None
            return (Status.ON_TRACK if mean >= self.target else Status.BELOW_TARGET), None
        missed = next((p for p in closed if p.result != AT_OR_ABOVE), None)
        if missed is not None:
            return Status.OFF_TRACK, missed
        if current is not None and current.result == BELOW:
            return Status.BELOW_TARGET, current
        if not self.counted:
            return Status.NO_EVIDENCE_YET, None
        return Status.ON_TRACK, None

    def _best_average(self) -> float:
        """The highest average the window could still end with: every period not yet
        closed at 100%."""
        if not self.periods:
            return 0.0
        values = [(p.value or 0.0) if p.span.closed_by(self.today) else 100.0 for p in self.periods]
        return sum(values) / len(values)

    @property
    def status(self) -> Status:
        if self.closed is not None:
            return self.verdict_at_close
        if self.window is None:
            return Status.NOT_MONITORED
        if self.window_ended:
            return Status.DUE if self.counted else Status.NO_EVIDENCE
        return self._judged()[0]

    @property
    def track(self) -> Track:
        """Where it stands, for a RAG rating (see :class:`Track`)."""
        status = self.status
        if status is Status.NOT_MONITORED:
            return Track.NOT_MONITORED
        if status in (Status.NO_EVIDENCE_YET, Status.NO_EVIDENCE):
            return Track.NO_EVIDENCE
        if status in (Status.DUE, Status.MET, Status.NOT_MET):
            return Track.MET if self.met else Track.NOT_MET
        return {
            Status.ON_TRACK: Track.ON_TRACK,
            Status.BELOW_TARGET: Track.BELOW_TARGET,
            Status.OFF_TRACK: Track.OFF_TRACK,
        }[status]

    @property
    def label(self) -> str:
        """The status in words, with the verdict once there is one: "On track", "Off
        track: cannot be met", "Due for the board, verdict Not met", "Met"."""
        status = self.status
        change = self.verdict_change
        if status is Status.DUE:
            if change:
                return (
                    f"Due for the board, verdict at close {self.verdict_at_close.words}, {change}"
                )
            return f"Due for the board, verdict {self.verdict_at_close.words}"
        if status in (Status.MET, Status.NOT_MET) and change:
            return f"{status.words} at close, {change}"
        return status.words

    @property
    def closed_reason(self) -> str | None:
        if self.closed is None:
            return None
        return self.closed.reason or "no reason given"

    @property
    def closed_text(self) -> str | None:
        """closed on 6 May 2014: reason; closed early, before the window ended, with why."""
        closed = self.closed
        if closed is None or self.window is None:
            return None
        said = f"closed on {long_date(closed.on_date)}: {self.closed_reason}"
        if not closed.early_reason:
            return said
        if closed.early_reason == closed.reason:
            return (
                f"closed early on {long_date(closed.on_date)}, before the window ended on "
                f"{long_date(self.window.end)}: {closed.early_reason}"
            )
        return (
            f"{said}; closed early, before the window ended on {long_date(self.window.end)}: "
            f"{closed.early_reason}"
        )

    def _gaps(self, skip: Period | None = None) -> list[str]:
        """What keeps periods from counting at or above the target, in words."""
        today = self.today
        shown = [p for p in self.periods if p is not skip]
        said = [
            f"{p.name} below at {p.counted.figures}"
            + ("" if p.span.closed_by(today) else " so far")
            for p in shown
            if p.result == BELOW and p.counted is not None
        ]
        missing = [p for p in shown if p.result == NO_AUDIT]
        over = [p for p in missing if p.span.closed_by(today)]
        running = [p for p in missing if p.span.holds(today)]
        coming = [p for p in missing if today < p.span.start]
        if over:
            said.append(f"{_names(over)} {'has' if len(over) == 1 else 'have'} no audit")
        if running:
            said.append(f"{_names(running)} {NOT_YET_DUE}")
        if coming:
            said.append(f"{_names(coming)} still to come")
        return said

    @property
    def gaps(self) -> list[str]:
        return self._gaps()

    def _off_track_cause(self, period: Period | None) -> str:
        """January (14 January to 13 February 2014) closed at 14/20 (70%), below the 80%
        target, so 80% or more in every monthly period cannot be met."""
        cannot = f"so {self.target_text} cannot be met"
        if period is None:
            mean = _mean([p for p in self.periods if p.span.closed_by(self.today)])
            return (
                f"the closed periods average {percent(mean)}; even 100% in the rest would "
                f"average {percent(self._best_average())}, {cannot}"
            )
        head = f"{period.name} ({period.span.dates}) closed"
        if period.counted is None:
            return f"{head} with no audit, {cannot}"
        return (
            f"{head} at {period.counted.figures}, below the {percent(self.target)} target, {cannot}"
        )

    @property
    def reason(self) -> str:
        """Why the status is what it is, in one sentence (without a full stop)."""
        status = self.status
        if self.window is None:
            return f"no monitoring window is set for {self.rec.ref}"
        if status is Status.NO_EVIDENCE_YET:
            return f"no audit counted yet; the monitoring window runs {self.window.dates}"
        if status is Status.NO_EVIDENCE:
            reason = f"no audit was recorded in the monitoring window ({self.window.dates})"
            if self.outside.count:
                noun = "audit" if self.outside.count == 1 else "audits"
                verb = "does" if self.outside.count == 1 else "do"
                reason += f"; {self.outside.count} {noun} dated outside it {verb} not count"
            return reason
        cause: Period | None = None
        parts: list[str] = []
        if status is Status.OFF_TRACK:
            cause = self._judged()[1]
            parts.append(self._off_track_cause(cause))
        if status in (Status.ON_TRACK, Status.BELOW_TARGET, Status.OFF_TRACK) and self.latest:
            parts.append(f"latest audit {self.latest_text}")
        parts += [self.tally, *self._gaps(skip=cause)]
        if self.closed_text:
            parts.append(self.closed_text)
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
    """The recommendation's monitoring as of ``today``: a few indexed queries per period
    (and as many again once there is a close, for the evidence as it stood then)."""
    window = window_of(rec)
    target = rec.target if rec.target is not None else DEFAULT_TARGET
    closed = closing(db, rec.id, today)
    if window is None:
        return Monitoring(rec, today, None, (), Outside((), 0), closed)
    found = Monitoring(
        rec=rec,
        today=today,
        window=window,
        periods=read_periods(db, rec, window, target, today),
        outside=read_outside(db, rec.id, window),
        closed=closed,
    )
    point = found.close_point
    if point is None:
        return found
    return Monitoring(
        rec=found.rec,
        today=today,
        window=window,
        periods=found.periods,
        outside=found.outside,
        closed=closed,
        at_close=read_periods_as_at(db, rec, window, target, point),
    )


def track_of(db: Store, rec: Recommendation, today: date) -> Track:
    """Whether ``rec`` is on track, below target in its latest period or off track (or its
    verdict, once reached), as of ``today``."""
    return monitoring(db, rec, today).track
