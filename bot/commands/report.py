"""The management board report, its chart and paper, and the dashboard.

All of them read :class:`~bot.domain.report.BoardReport`, built from the one monitoring
model, so the chat reply, the chart, the Word paper and the Home tab say the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.commands.audits import monthly_sections, note_text
from bot.commands.present import caveat_sections, overall_text, source_line, status_of
from bot.commands.registry import Context, Permission, command
from bot.domain.audits import not_a_recommendation, recent_audits
from bot.domain.report import (
    PAPER_TITLE,
    TABLE_COLUMNS,
    BoardReport,
    RecReport,
    board_report,
    facts,
)
from bot.domain.spread import daily_spread
from bot.domain.status import DUE, NO_EVIDENCE, Monitoring
from bot.domain.wording import bar, long_date, percent
from bot.reply import (
    Action,
    ActionKind,
    Chart,
    ChartBand,
    ChartLine,
    ChartPoint,
    ChartSeries,
    ChartSpec,
    Field,
    PaperSection,
    PaperSpec,
    PaperTable,
    Reply,
    Section,
    problem,
    share_action,
)

RECENT_AUDITS = 5


def _rec_sections(item: RecReport) -> list[Section]:
    return [
        Section(heading=f"{item.rec.ref}: {item.rec.text}"),
        Section(fields=tuple(Field(label, value) for label, value in facts(item))),
        *monthly_sections(item.status),
        Section(heading="Conclusion", text=item.conclusion),
    ]


def _status_of_all(ctx: Context) -> dict[str, Monitoring]:
    """The models every other reply reads (remembered until the store changes), so the
    report can never differ from ``rec`` or ``recs``."""
    inspection = ctx.home_inspection()
    return {r.id: status_of(r, ctx) for r in ctx.queries.recommendations(inspection)}


@command(
    "report",
    "report [rec]",
    "the management board monitoring report, with a chart in the channel",
    examples=("report", "report R1"),
    cacheable=False,  # its buttons depend on who is looking
)
def report_command(ctx: Context, args: str) -> Reply:
    inspection = ctx.home_inspection()
    ref = args.split()[0] if args.split() else None
    if ref is not None and len(ref) > 20:  # no reference is long: refused before it is read
        return problem(
            "No report to make",
            not_a_recommendation(ref, ctx.queries.recommendations(inspection)),
        )
    report = board_report(ctx.queries, inspection, ctx.today, ref, _status_of_all(ctx))
    if not report.recs:
        recs = ctx.queries.recommendations(inspection)
        return problem(
            "No report to make",
            not_a_recommendation(ref, recs)
            if ref
            else f"The {inspection.programme} made no recommendations to monitor.",
        )
    sections = [s for item in report.recs for s in _rec_sections(item)]
    headline = " ".join(item.conclusion for item in report.recs)
    return Reply(
        title=report.title,
        headline=headline,
        sections=tuple(sections),
        source=f"For {report.report_to} · {source_line(inspection)}",
        actions=_report_actions(ctx, ref),
        attachments=(Chart(inspection.service.id, report.recs[0].rec.ref if ref else None),),
    )


def _report_actions(ctx: Context, ref: str | None) -> tuple[Action, ...]:
    actions = [share_action("report", ref or "")]
    if ctx.may(Permission.POST_REPORT):
        actions.append(
            Action(ActionKind.POST_REPORT, "Post to the channel with chart", (("ref", ref or ""),))
        )
    return tuple(actions)


# --- the chart -----------------------------------------------------------------------


def chart_spec(ctx: Context, chart: Chart) -> ChartSpec | None:
    """What the monitoring chart of ``chart`` shows, or None when there is nothing to draw."""
    inspection = ctx.queries.latest_inspection(chart.service_id)
    report = board_report(ctx.queries, inspection, ctx.today, chart.ref)
    if not report.recs:
        return None
    return spec_of(report, {item.rec.id: _band(ctx, item) for item in report.recs})


def _band(ctx: Context, item: RecReport) -> tuple[ChartBand, ...]:
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
    for period in status.periods:
        if period.counted:
            points.append(ChartPoint(period.counted.audit_date, period.counted.percent))
        points += [ChartPoint(a.audit_date, a.percent, "replaced") for a in period.replaced]
    points += [ChartPoint(a.audit_date, a.percent, "outside") for a in status.outside.shown]
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
    )


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
    said = status.verdict if status.label == DUE else status.label
    if status.label == NO_EVIDENCE:
        text = f"{said}: {status.reason}"
    else:
        text = f"{said}: {status.tally}; trend in the window {status.trend_text}"
    return f"{item.rec.ref} {text}" if several else text


# --- the Word paper --------------------------------------------------------------------


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
                table=PaperTable(TABLE_COLUMNS, tuple(item.rows())),
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


# --- the dashboard ---------------------------------------------------------------------


@command(
    "home",
    "home",
    "the dashboard: latest inspection, recommendations and recent audit updates",
    aliases=("dashboard",),
    cacheable=False,  # its buttons depend on who is looking
)
def home_command(ctx: Context, args: str) -> Reply:
    return dashboard(ctx)


def dashboard(ctx: Context) -> Reply:
    """The App Home: the latest inspection at a glance, its recommendations with their
    status, and the latest audit updates for this conversation's service."""
    inspection = ctx.home_inspection()
    themes = ctx.queries.themes(inspection)
    theme_lines = tuple(
        f"{t.name}: {bar(t.score)} {t.score_text} {t.band.badge if t.band else ''}".rstrip()
        if t.score is not None
        else f"{t.name}: {t.band.badge if t.band else t.rating}"
        for t in themes
    )
    recs = ctx.queries.recommendations(inspection)
    rec_lines = tuple(f"{r.ref}: {status_of(r, ctx).line}" for r in recs)
    notes = ctx.may(Permission.READ_NOTES)
    audit_lines = tuple(
        f"#{a.id} {a.ref} {long_date(a.audit_date)}: {a.figures} by {a.who}"
        + note_text(a, show_note=notes)
        for a in recent_audits(ctx.db, recs, RECENT_AUDITS)
    )
    sections = [
        Section(
            fields=(
                Field("Overall", overall_text(inspection)),
                Field("Published", long_date(inspection.published)),
            )
        ),
        Section(
            heading="Themes" if inspection.scale.measure == "percent" else "Standards",
            items=theme_lines,
        ),
        *caveat_sections(inspection),
        Section(heading="Recommendations", items=rec_lines or ("None to monitor.",)),
        Section(heading="Latest audit updates", items=audit_lines or ("None recorded yet.",)),
    ]
    actions = []
    if recs and ctx.may(Permission.RECORD):
        actions.append(Action(ActionKind.AUDIT_FORM, "Record audit update", primary=True))
    if recs and ctx.may(Permission.POST_REPORT):
        actions.append(Action(ActionKind.POST_REPORT, "Post board report", (("ref", ""),)))
    return Reply(
        title=f"{inspection.service.name}",
        headline=f"{inspection.programme}: overall {overall_text(inspection)}.",
        sections=tuple(sections),
        source=source_line(inspection),
        actions=tuple(actions),
    )
