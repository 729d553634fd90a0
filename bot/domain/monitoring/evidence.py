"""A recommendation's supervision and measure evidence, as the board paper, its CSV and the
chart show it: each kind apart, each figure against its target when it has one.

Case-file audits are the monitoring's (:mod:`bot.domain.monitoring.status`); these are the other two
kinds of evidence of the improvement plan. A figure is never flattered: a measure whose
latest figure is below its target says "below target", with the figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain.wording import long_date
from bot.store import plan as plan_store
from bot.store.db import Store
from bot.store.plan_model import Evidence

SUPERVISION = "supervision"
MEASURE = "measure"
SHOWN = 12  # figures of each kind (of each measure) in a paper; the rest are counted
_FETCHED = 200  # measure figures read for a paper, latest first, shared by its measures


def percent_text(value: float) -> str:
    """80%, 77.4%: one decimal place unless whole."""
    return f"{value:.1f}%".replace(".0%", "%")


@dataclass(frozen=True)
class Figure:
    """One supervision or measure figure: ``numerator`` of ``denominator`` on ``on_date``."""

    kind: str  # SUPERVISION or MEASURE
    name: str  # the measure's name; "" for supervision
    on_date: date
    numerator: int
    denominator: int
    who: str
    target: float | None = None

    @property
    def percent(self) -> float:
        return 100.0 * self.numerator / self.denominator if self.denominator else 0.0

    @property
    def figures(self) -> str:
        """41/53 (77.4%)."""
        return f"{self.numerator}/{self.denominator} ({percent_text(self.percent)})"

    @property
    def below(self) -> bool:
        return self.target is not None and self.percent < self.target

    @property
    def against_target(self) -> str:
        """ "below the 90% target", "at or above the 90% target", or "no target set"."""
        if self.target is None:
            return "no target set"
        side = "below" if self.below else "at or above"
        return f"{side} the {percent_text(self.target)} target"


@dataclass(frozen=True)
class MeasureEvidence:
    name: str
    target: float | None
    figures: tuple[Figure, ...]  # latest first, at most SHOWN
    more: int = 0  # figures recorded beyond those shown

    @property
    def latest(self) -> Figure | None:
        return self.figures[0] if self.figures else None

    @property
    def label(self) -> str:
        return f"Measure “{self.name}”"

    @property
    def said(self) -> str:
        """41/53 (77.4%) on 14 January 2027, below the 90% target."""
        latest = self.latest
        target = f", target {percent_text(self.target)}" if self.target is not None else ""
        if latest is None:
            return f"no figure recorded yet{target}"
        if latest.target is None:
            return f"{latest.figures} on {long_date(latest.on_date)}; no target set"
        return f"{latest.figures} on {long_date(latest.on_date)}, {latest.against_target}"

    @property
    def line(self) -> str:
        """Measure “plans reviewed on time”: 41/53 (77.4%) on 14 January 2027, below the
        90% target."""
        return f"{self.label}: {self.said}"


@dataclass(frozen=True)
class RecEvidence:
    """The supervision and measure evidence of one recommendation."""

    supervision: tuple[Figure, ...] = ()  # latest first, at most SHOWN
    supervision_more: int = 0
    measures: tuple[MeasureEvidence, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.supervision and not self.measures

    @property
    def facts(self) -> tuple[tuple[str, str], ...]:
        """(label, what it says) for each kind: supervision, then each measure."""
        found = []
        if self.supervision:
            latest = self.supervision[0]
            found.append(
                (
                    "Supervision",
                    f"{latest.figures} on {long_date(latest.on_date)} (of {latest.denominator} "
                    f"supervisions, {latest.numerator} covered it)",
                )
            )
        return (*found, *((m.label, m.said) for m in self.measures))

    @property
    def lines(self) -> tuple[str, ...]:
        """Each kind on its own line: "Supervision: 8/10 (80%) on 14 January 2027 (of 10
        supervisions, 8 covered it)", then each measure."""
        return tuple(f"{label}: {said}" for label, said in self.facts)

    @property
    def figures(self) -> tuple[Figure, ...]:
        """Every figure shown, supervision first, then each measure's, latest first."""
        return (*self.supervision, *(f for m in self.measures for f in m.figures))


def _figure(found: Evidence, target: float | None = None) -> Figure:
    return Figure(
        kind=found.kind,
        name=found.measure or "",
        on_date=found.on_date,
        numerator=found.numerator,
        denominator=found.denominator,
        who=found.who,
        target=target,
    )


def rec_evidence(db: Store, rec_id: str, today: date | None = None) -> RecEvidence:
    """The recommendation's supervision and measure evidence (never dated after ``today``)."""

    def known(found: Evidence) -> bool:
        return today is None or found.on_date <= today

    supervision = [
        _figure(e) for e in plan_store.evidence(db, rec_id, SUPERVISION, SHOWN + 1) if known(e)
    ]
    measures = plan_store.latest_measures(db, rec_id)
    figures: list[Evidence] = []
    if measures:
        figures = [e for e in plan_store.evidence(db, rec_id, MEASURE, _FETCHED) if known(e)]
    named = []
    for measure, _latest in measures:
        own = [_figure(e, measure.target) for e in figures if e.measure == measure.name]
        named.append(
            MeasureEvidence(measure.name, measure.target, tuple(own[:SHOWN]), len(own[SHOWN:]))
        )
    return RecEvidence(
        supervision=tuple(supervision[:SHOWN]),
        supervision_more=len(supervision[SHOWN:]),
        measures=tuple(named),
    )


# --- the paper's tables (Word, Markdown) and its CSV rows ----------------------------------

SUPERVISION_HEADING = "Supervision evidence"
MEASURE_HEADING = "Measures"
SUPERVISION_COLUMNS: tuple[str, ...] = (
    "Date",
    "Supervisions covering it",
    "Percentage",
    "Recorded by",
)
MEASURE_COLUMNS: tuple[str, ...] = (
    "Measure",
    "Date",
    "Figures",
    "Percentage",
    "Target",
    "Against target",
    "Recorded by",
)


def supervision_rows(evidence: RecEvidence) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [
        (
            long_date(f.on_date),
            f"{f.numerator} of {f.denominator}",
            percent_text(f.percent),
            f.who,
        )
        for f in evidence.supervision
    ]
    if evidence.supervision_more:
        rows.append(("earlier figures", "not shown here", "", ""))
    return rows


def measure_rows(evidence: RecEvidence) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for measure in evidence.measures:
        target = percent_text(measure.target) if measure.target is not None else "none set"
        if not measure.figures:
            rows.append((measure.name, "", "no figure recorded yet", "", target, "", ""))
        rows += [
            (
                measure.name,
                long_date(f.on_date),
                f"{f.numerator}/{f.denominator}",
                percent_text(f.percent),
                target,
                f.against_target,
                f.who,
            )
            for f in measure.figures
        ]
        if measure.more:
            rows.append((measure.name, "earlier figures", f"{measure.more} not shown here"))
            rows[-1] += ("",) * (len(MEASURE_COLUMNS) - 3)
    return rows


def evidence_tables(
    evidence: RecEvidence,
) -> list[tuple[str, tuple[str, ...], list[tuple[str, ...]]]]:
    """(heading, columns, rows) for each kind recorded: supervision, then measures."""
    tables: list[tuple[str, tuple[str, ...], list[tuple[str, ...]]]] = []
    if evidence.supervision:
        tables.append((SUPERVISION_HEADING, SUPERVISION_COLUMNS, supervision_rows(evidence)))
    if evidence.measures:
        tables.append((MEASURE_HEADING, MEASURE_COLUMNS, measure_rows(evidence)))
    return tables
