"""The board report's chart and Word paper: what they show, from the same
:class:`~bot.domain.monitoring.report.BoardReport` as the chat reply.

Imported when a chart or a paper is first drawn, not with the commands: a serving process
that has only answered questions has not loaded it.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.commands.present import source_line
from bot.commands.registry import Context, PrivateContext
from bot.domain.monitoring.evidence import RecEvidence, evidence_tables, percent_text
from bot.domain.monitoring.report import (
    PAPER_TITLE,
    TABLE_COLUMNS,
    BoardReport,
    RecReport,
    board_report,
    facts,
)
from bot.domain.monitoring.spread import daily_spread
from bot.domain.monitoring.status import Status
from bot.domain.wording import long_date, percent
from bot.paper import (
    ChartBand,
    ChartEvidence,
    ChartLine,
    ChartPoint,
    ChartSeries,
    ChartSpec,
    PaperSection,
    PaperSpec,
    PaperTable,
)
from bot.reply import Chart, Field

# --- the chart -----------------------------------------------------------------------


def chart_spec(ctx: Context, chart: Chart) -> ChartSpec | None:
    """What the monitoring chart of ``chart`` shows, or None when there is nothing to draw."""
    return _chart_spec(PrivateContext.of(ctx), chart)


def _chart_spec(ctx: PrivateContext, chart: Chart) -> ChartSpec | None:
    inspection = ctx.queries.latest_inspection(chart.service_id)
    report = board_report(ctx.db, ctx.queries, inspection, ctx.today, chart.ref)
    if not report.recs:
        return None
    return spec_of(report, {item.rec.id: _band(ctx, item) for item in report.recs})


def _band(ctx: PrivateContext, item: RecReport) -> tuple[ChartBand, ...]:
    """Each day's spread of the window's audits, when the chart cannot mark every one (some
    period has more replaced audits than it shows); one row per day, however many."""
    window = item.status.window
    if window is None or not any(p.replaced_count > len(p.replaced) for p in item.status.periods):
        return ()
    return tuple(
        ChartBand(d.day, d.low, d.high, d.mean, d.count)
        for d in daily_spread(ctx.db, item.rec.id, window.start, window.end)
    )


def _series(item: RecReport, band: tuple[ChartBand, ...] = ()) -> ChartSeries:
    rec, status = item.rec, item.status
    lines = [ChartLine(f"Target {percent(status.target)}", status.target)]
    lines += [
        ChartLine(f"Baseline: {b.label} {percent(b.score)}", b.score, "baseline")
        for b in rec.baselines
    ]
    points: list[ChartPoint] = []
    late = status.late_flag
    for period in status.periods:
        if period.counted:
            audit = period.counted
            points.append(ChartPoint(audit.audit_date, audit.percent, late=bool(late(audit))))
        points += [
            ChartPoint(a.audit_date, a.percent, "replaced", late=bool(late(a)))
            for a in period.replaced
        ]
    points += [
        ChartPoint(a.audit_date, a.percent, "outside", late=bool(late(a)))
        for a in status.outside.shown
    ]
    window = status.window
    return ChartSeries(
        name=rec.ref,
        points=tuple(sorted(points, key=lambda p: p.day)),
        lines=tuple(lines),
        window=(window.start, window.end) if window else None,
        period_starts=tuple(s.start for s in window.spans) if window else (),
        period_names=tuple(s.name for s in window.spans) if window else (),
        window_label=f"{rec.ref} monitoring window, {window.dates}" if window else None,
        band=band,
        evidence=chart_evidence(item.evidence),
    )


def chart_evidence(evidence: RecEvidence) -> tuple[ChartEvidence, ...]:
    """Supervision, then each measure with figures, each its own line and legend entry; a
    measure's entry names its target and, when its latest figure is below it, says so."""
    drawn = []
    if evidence.supervision:
        drawn.append(
            ChartEvidence(
                "supervision",
                "supervision: share of supervisions that covered it",
                tuple((f.on_date, f.percent) for f in reversed(evidence.supervision)),
            )
        )
    for measure in evidence.measures:
        latest = measure.latest
        if latest is None:
            continue
        if measure.target is None:
            said = "no target set"
        elif latest.below:
            said = f"target {percent_text(measure.target)}; latest {latest.figures}, below target"
        else:
            said = f"target {percent_text(measure.target)}; latest {latest.figures}"
        drawn.append(
            ChartEvidence(
                "measure",
                f"measure “{measure.name}” ({said})",
                tuple((f.on_date, f.percent) for f in reversed(measure.figures)),
                measure.target,
            )
        )
    return tuple(drawn)


def spec_of(
    report: BoardReport, bands: Mapping[str, tuple[ChartBand, ...]] | None = None
) -> ChartSpec:
    """The chart: each recommendation's counted, replaced and outside-window audits against
    its target and baselines, with its window and monthly periods; the title names the
    recommendations, their status and the report date."""
    refs = ", ".join(item.rec.ref for item in report.recs)
    statuses = "; ".join(
        item.status.label if len(report.recs) == 1 else f"{item.rec.ref} {item.status.label}"
        for item in report.recs
    )
    ended = all(i.status.window_ended for i in report.recs)
    empty = (
        "No audits were recorded in the monitoring window"
        if ended
        else "No audits have been recorded in the monitoring window yet"
    )
    if all(i.status.window is None for i in report.recs):
        empty = (
            "No case-file audits have been recorded"
            if any(not i.evidence.empty for i in report.recs)
            else "No audits, supervision or measure figures have been recorded"
        )
    return ChartSpec(
        title=f"{report.inspection.service.name}: {refs} monitoring: {statuses}; "
        f"report of {long_date(report.today)}",
        series=tuple(_series(item, (bands or {}).get(item.rec.id, ())) for item in report.recs),
        empty_message=empty,
        subtitle="\n".join(_in_words(item, len(report.recs) > 1) for item in report.recs),
    )


def _in_words(item: RecReport, several: bool) -> str:
    """Met: 3 of 3 monthly periods at or above 80%; trend in the window ▲ from 85% to 95%."""
    status = item.status
    said = status.verdict_text if status.status is Status.DUE else status.label
    if status.status is Status.NO_EVIDENCE:
        text = f"{said}: {status.reason}"
    else:
        text = f"{said}: {status.tally}; trend in the window {status.trend_text}"
    late = sum(
        1
        for p in status.periods
        for a in (*([p.counted] if p.counted else []), *p.replaced)
        if status.late_flag(a)
    )
    if late:
        text += f"; {late} entered late (marked)"
    return f"{item.rec.ref} {text}" if several else text


# --- the Word paper ----


def evidence_paper_tables(evidence: RecEvidence) -> tuple[tuple[str, PaperTable], ...]:
    """A table for each kind of evidence recorded besides the audits: supervision, measures."""
    return tuple(
        (heading, PaperTable(columns, tuple(rows)))
        for heading, columns, rows in evidence_tables(evidence)
    )


def paper_of(report: BoardReport) -> PaperSpec:
    """The board paper: a title block, then per recommendation its text, facts, the
    month-by-month table, the audits outside the window, the chart and the conclusion."""
    sections = []
    for item in report.recs:
        single = BoardReport(report.inspection, report.today, (item,))
        sections.append(
            PaperSection(
                heading=f"{item.rec.ref}: {item.status.label}",
                quote=item.rec.text,
                facts=tuple(Field(label, value) for label, value in facts(item)),
                paragraphs=item.evidence.lines,
                table=PaperTable(TABLE_COLUMNS, tuple(item.rows())),
                tables=evidence_paper_tables(item.evidence),
                notes_heading="Outside the monitoring window (listed apart, never counted)"
                if item.outside_rows()
                else None,
                notes=tuple(item.outside_rows()),
                chart=spec_of(single),
                conclusion=item.conclusion,
            )
        )
    inspection = report.inspection
    return PaperSpec(
        title=PAPER_TITLE,
        subtitle=f"{report.title}: progress on the inspection's recommendations",
        facts=(
            Field("Service", inspection.service.name),
            Field("Inspection", report.inspection_text),
            Field("Prepared", long_date(report.today)),
            Field("For", report.report_to),
        ),
        sections=tuple(sections),
        source=source_line(inspection),
    )
