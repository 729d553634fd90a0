"""The management board report and the dashboard."""

from __future__ import annotations

from bot.commands.present import overall_text, source_line, status_of
from bot.commands.registry import Context, Permission, command
from bot.domain.audits import all_audits
from bot.domain.report import BoardReport, RecReport, board_report
from bot.domain.wording import bar, long_date, percent
from bot.reply import (
    Action,
    ActionKind,
    Chart,
    ChartLine,
    ChartPoint,
    ChartSeries,
    ChartSpec,
    Field,
    Reply,
    Section,
    problem,
    share_action,
)


def _rec_sections(item: RecReport) -> list[Section]:
    rec, status = item.rec, item.status
    facts = [
        Field("Status", status.label),
        Field("Baseline", item.baseline),
        Field("Target", f"{percent(status.target)} or more"),
    ]
    if rec.monitor_start and rec.window_end:
        facts.append(
            Field("Window", f"{long_date(rec.monitor_start)} to {long_date(rec.window_end)}")
        )
    if status.trend:
        facts.append(Field("Trend", status.trend))
    audits = tuple(
        f"{long_date(a.audit_date)}: {a.figures} {bar(a.percent, status.target)} "
        + ("at or above target" if a.percent >= status.target else "below target")
        for a in item.in_window
    )
    return [
        Section(heading=f"{rec.ref}: {rec.text}"),
        Section(fields=tuple(facts)),
        Section(heading="Audits in the window", items=audits or ("No audits recorded yet.",)),
        Section(heading="Conclusion", text=item.conclusion),
    ]


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
    report = board_report(ctx.queries, inspection, ctx.today, ref)
    if not report.recs:
        known = ", ".join(r.ref for r in ctx.queries.recommendations(inspection)) or "none"
        return problem(
            "No report to make",
            f"There is no recommendation {ref}: this inspection's are {known}."
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


def chart_spec(ctx: Context, chart: Chart) -> ChartSpec | None:
    """What the monitoring chart of ``chart`` shows, or None when there is nothing to draw."""
    inspection = ctx.queries.latest_inspection(chart.service_id)
    report = board_report(ctx.queries, inspection, ctx.today, chart.ref)
    if not report.recs:
        return None
    return spec_of(report)


def spec_of(report: BoardReport) -> ChartSpec:
    series = []
    for item in report.recs:
        rec, status = item.rec, item.status
        lines = [ChartLine(f"{rec.ref} target {percent(status.target)}", status.target)]
        lines += [
            ChartLine(f"{rec.ref} baseline: {b.label} {percent(b.score)}", b.score, "baseline")
            for b in rec.baselines
        ]
        window = (
            (rec.monitor_start, rec.window_end) if rec.monitor_start and rec.window_end else None
        )
        series.append(
            ChartSeries(
                name=rec.ref,
                points=tuple(ChartPoint(a.audit_date, a.percent) for a in item.in_window),
                lines=tuple(lines),
                window=window,
            )
        )
    refs = ", ".join(item.rec.ref for item in report.recs)
    statuses = "; ".join(f"{i.rec.ref} {i.status.label}" for i in report.recs)
    return ChartSpec(
        title=f"{report.inspection.service.name}: {refs} monitoring ({statuses}), "
        f"{long_date(report.today)}",
        series=tuple(series),
    )


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
    """The App Home: the latest inspection at a glance, open recommendations, recent audits."""
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
    rec_ids = {r.id for r in recs}
    latest = [
        a
        for a in reversed(all_audits(ctx.db))
        if not a.retracted and a.recommendation_id in rec_ids
    ][:5]
    audit_lines = tuple(
        f"#{a.id} {a.ref} {long_date(a.audit_date)}: {a.figures} by {a.who}"
        + (f": {a.note}" if a.note else "")
        for a in latest
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
