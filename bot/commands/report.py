"""The management board report and the dashboard (its chart and paper are drawn from
``bot.commands.papers``).

All of them read :class:`~bot.domain.report.BoardReport`, built from the one monitoring
model, so the chat reply, the chart, the Word paper and the Home tab say the same thing.
"""

from __future__ import annotations

from bot.commands.absent import not_recorded
from bot.commands.audits import monthly_sections, note_text
from bot.commands.present import caveat_sections, overall_text, source_line, status_of
from bot.commands.registry import Context, Permission, command
from bot.domain.audits import not_a_recommendation, recent_audits
from bot.domain.report import RecReport, board_report, facts
from bot.domain.status import Monitoring
from bot.domain.wording import bar, long_date
from bot.reply import Action, ActionKind, Chart, Field, Reply, Section, problem, share_action

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
    "the management board report: the plan's board pack, or one recommendation's monitoring",
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
    if ref is None:
        from bot.commands.board_pack import board_pack, has_plan, pack_reply

        if has_plan(ctx, inspection):
            return pack_reply(ctx, board_pack(ctx, inspection))
    report = board_report(ctx.queries, inspection, ctx.today, ref, _status_of_all(ctx))
    if not report.recs:
        recs = ctx.queries.recommendations(inspection)
        if not ref and not recs and not inspection.recommendations_listed:
            return not_recorded(inspection, "recommendations", "No report to make", ok=False)
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
    ]
    from bot.commands.my_actions import plan_dashboard

    plan_sections, plan_buttons = plan_dashboard(ctx, inspection)
    sections += [
        *plan_sections,
        Section(heading="Latest audit updates", items=audit_lines or ("None recorded yet.",)),
    ]
    actions = list(plan_buttons)
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
