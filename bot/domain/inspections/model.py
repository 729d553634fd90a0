"""Plain records the queries return. Built from store rows; no behaviour beyond display."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.domain.wording import percent


@dataclass(frozen=True)
class Band:
    """One step of a rating scale: "Good, 80% and over, 4 stars"."""

    applies_to: str
    label: str
    lower: float | None
    upper: float | None
    value: int | None
    unit: str | None
    measure: str

    @property
    def stars(self) -> str:
        if self.unit != "stars" or not self.value:
            return ""
        return "★" * self.value

    @property
    def badge(self) -> str:
        """★★★★ Good, or Good (2 points) on a points scale."""
        if self.stars:
            return f"{self.stars} {self.label}"
        if self.applies_to == "standard" and self.value is not None:
            points = "point" if self.value == 1 else "points"
            return f"{self.label} ({self.value} {points})"
        return self.label

    def range_text(self, top: float | None) -> str:
        """How people write the band's range: "80% and over", "65-79%", "under 50%"."""
        suffix = "%" if self.measure == "percent" else " points"
        low, high = self.lower, self.upper
        if low is None:
            return ""
        if low == 0 and high is not None:
            if self.measure == "percent":
                return f"under {high + 1:g}%"
            return f"0-{high:g}{suffix}"
        if high is None or (top is not None and high >= top):
            if self.measure == "percent":
                return f"{low:g}% and over"
            return f"{low:g}-{top if top is not None else high:g}{suffix}"
        return f"{low:g}-{high:g}{suffix}"


@dataclass(frozen=True)
class Scale:
    """A framework's rating bands, with the rule that turns a number into a band."""

    framework_id: str
    name: str
    period: str | None
    measure: str
    unit: str | None
    max_points: int | None
    description: str | None
    bands: tuple[Band, ...]

    def of(self, applies_to: str) -> list[Band]:
        return [b for b in self.bands if b.applies_to == applies_to]

    def band_for(self, number: float | None, applies_to: str = "score") -> Band | None:
        """The band with the highest lower bound that ``number`` reaches."""
        if number is None:
            return None
        reached = [b for b in self.of(applies_to) if b.lower is not None and number >= b.lower]
        return max(reached, key=lambda b: b.lower or 0, default=None)

    def band_named(self, label: str | None, applies_to: str = "standard") -> Band | None:
        if not label:
            return None
        wanted = label.strip().lower()
        return next((b for b in self.of(applies_to) if b.label.lower() == wanted), None)

    @property
    def top(self) -> float | None:
        return 100 if self.measure == "percent" else self.max_points

    @property
    def good_threshold(self) -> float | None:
        """The lowest score rated Good: the default target for a recommendation."""
        good = self.band_named("Good", "score")
        return good.lower if good else None


@dataclass(frozen=True)
class Theme:
    slug: str
    name: str
    score: float | None
    rating: str | None
    band: Band | None
    position: int
    quote: str | None = None  # the inspectors' words on this theme, when a data file has them

    @property
    def score_text(self) -> str:
        return percent(self.score) if self.score is not None else (self.rating or "n/a")


@dataclass(frozen=True)
class Standard:
    """A standard of a framework: whether it counts towards the overall rating, and
    whether the published table's column for it stands for two standards at once."""

    key: str
    name: str
    counts: bool
    merged: bool


@dataclass(frozen=True)
class DomainRating:
    name: str
    rating: str | None


@dataclass(frozen=True)
class KeyQuestion:
    """A key question's share of cases, where an inspection file publishes it."""

    question: str
    standard: str | None
    percent: float | None


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    short_name: str | None
    local_authority: str | None
    reference: str | None = None

    @property
    def names(self) -> frozenset[str]:
        """Every way the service is known, lower-cased: id, name, short name, reference."""
        known = (self.id, self.name, self.short_name or "", self.reference or "")
        return frozenset(n.lower() for n in known if n)


@dataclass(frozen=True)
class Inspection:
    id: str
    service: Service
    scale: Scale
    inspectorate: str | None
    programme: str
    programme_short: str | None
    fieldwork_start: str | None
    fieldwork_end: str | None
    published: str
    overall_score: float | None
    score_min: float | None
    score_max: float | None
    overall_points: int | None
    overall_rating: str | None
    summary_quote: str | None
    scope: str | None
    method: str | None
    previous_inspection: str | None
    outcome: str | None
    comparison: str | None
    bands_note: str | None
    report_url: str | None
    source: str | None
    published_score: float | None = None
    quality_note: str | None = None
    # Whether a data file lists the recommendations and the key strengths, even as an empty
    # list: with none in the store, "made no recommendations" only then, else "not recorded".
    recommendations_listed: bool = False
    strengths_listed: bool = False

    @property
    def points(self) -> float | None:
        """Overall points for ranking: whole when they add up, else as published."""
        if self.overall_points is not None:
            return float(self.overall_points)
        if self.published_score is not None and self.scale.max_points:
            return self.published_score * self.scale.max_points / 100
        return None

    @property
    def overall_band(self) -> Band | None:
        if self.scale.measure == "points":
            return self.scale.band_for(self.overall_points, "overall")
        return self.scale.band_for(self.overall_score, "score")


@dataclass(frozen=True)
class Baseline:
    label: str
    score: float


@dataclass(frozen=True)
class Recommendation:
    id: str
    inspection_id: str
    ref: str
    text: str
    context: str | None
    response: str | None
    baseline_note: str | None
    baselines: tuple[Baseline, ...]
    monitored_by: str | None
    monitor_months: int | None
    monitor_start: date | None
    monitor_means: tuple[str, ...]
    report_to: str | None
    target: float | None
    window_end: date | None = None
    # How the target is judged over the monthly periods: "every period" (the default),
    # "latest period" or "average" (monitoring.status.Rule, where each rule's statuses are).
    target_rule: str | None = None

    @property
    def monitoring_text(self) -> str | None:
        """Monitored by YOS managers for 3 months through … and …; reported to …."""
        if not (self.monitor_months or self.monitor_means or self.report_to):
            return None
        parts = ["Monitored"]
        if self.monitored_by:
            parts.append(f"by {self.monitored_by}")
        if self.monitor_months:
            months = "month" if self.monitor_months == 1 else "months"
            parts.append(f"for {self.monitor_months} {months}")
        if self.monitor_means:
            means = list(self.monitor_means)
            joined = means[0] if len(means) == 1 else ", ".join(means[:-1]) + " and " + means[-1]
            parts.append(f"through {joined}")
        text = " ".join(parts)
        if self.report_to:
            text += f"; results reported to {self.report_to}"
        return text + "."


@dataclass(frozen=True)
class TimelineEntry:
    date: date
    title: str
    body: str | None = None
    detail: str | None = None
    kind: str = "event"


@dataclass(frozen=True)
class ServiceMatch:
    """The outcome of looking a service up by name."""

    service: Service | None
    candidates: tuple[Service, ...] = field(default_factory=tuple)
    suggestions: tuple[Service, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ThemeMatch:
    """The outcome of looking a theme up by what a person typed."""

    theme: Theme | None
    candidates: tuple[Theme, ...] = field(default_factory=tuple)
    suggestions: tuple[Theme, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Audit:
    """A case-file audit update recorded against a recommendation."""

    id: int
    recommendation_id: str
    ref: str
    audit_date: date
    audited: int | None
    compliant: int | None
    percent: float
    note: str | None
    user_id: str | None
    user_name: str | None
    channel_id: str | None
    message_ref: str | None
    via: str
    recorded_at: str
    platform: str | None = None
    retracted: bool = False
    note_erased_at: str | None = None  # when its note was erased (retention or on request)
    entered_on: date | None = None  # the day it was entered (None: not known)
    late_reason: str | None = None  # why it was entered after its period had closed

    @property
    def figures(self) -> str:
        """17/20 (85%), or 85% when only a percentage was given."""
        if self.audited is not None and self.compliant is not None:
            return f"{self.compliant}/{self.audited} ({percent(self.percent)})"
        return percent(self.percent)

    @property
    def who(self) -> str:
        return self.user_name or self.user_id or "someone"


@dataclass(frozen=True)
class Change:
    """A close or reopen of a recommendation, kept in its history."""

    id: int
    recommendation_id: str
    action: str  # "close" or "reopen"
    reason: str | None
    user_id: str | None
    user_name: str | None
    platform: str | None
    on_date: date
    at: str
    early_reason: str | None = None  # --early: why it was closed before its window ended

    @property
    def done(self) -> str:
        if self.action != "close":
            return "reopened"
        return "closed early" if self.early_reason else "closed"

    @property
    def who(self) -> str:
        return self.user_name or self.user_id or "someone"
