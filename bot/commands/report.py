"""The management board report and the dashboard (its chart and paper are drawn from
``bot.commands.papers``).

All of them read :class:`~bot.domain.monitoring.report.BoardReport`, built from the one monitoring
model, so the chat reply, the chart, the Word paper and the Home tab say the same thing.
"""

from __future__ import annotations

from bot.commands.absent import rec_not_recorded, recs_not_recorded
from bot.commands.audits import monthly_sections, note_text
from bot.commands.present import caveat_sections, overall_text, source_line, status_of
from bot.commands.registry import Commands, Context, Permission, PrivateContext
from bot.commands.resolve import about_inspection, rec_ref
from bot.domain.inspections.model import Inspection
from bot.domain.monitoring.audits import normal_ref, not_a_recommendation, recent_audits
from bot.domain.monitoring.report import RecReport, board_report, facts
from bot.domain.monitoring.status import Monitoring
from bot.domain.wording import bar, long_date
from bot.reply import Action, ActionKind, Chart, Field, Reply, Section, problem, share_action
from bot.text import words

COMMANDS = Commands()  # this module's, in the order help lists them
command = COMMANDS.command

RECENT_AUDITS = 5


def _rec_sections(item: RecReport) -> list[Section]:
    return [
        Section(heading=f"{item.rec.ref}: {item.rec.text}"),
        Section(fields=tuple(Field(label, value) for label, value in facts(item))),
        *monthly_sections(item.status),
        Section(heading="Conclusion", text=item.conclusion),
    ]


def _status_of_all(ctx: PrivateContext) -> dict[str, Monitoring]:
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
def report_command(ctx: PrivateContext, args: str) -> Reply:
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
    report = board_report(ctx.db, ctx.queries, inspection, ctx.today, ref, _status_of_all(ctx))
    if not report.recs:
        recs = ctx.queries.recommendations(inspection)
        if recs_not_recorded(inspection, recs):
            return rec_not_recorded(inspection, normal_ref(ref) if ref else "", "No report to make")
        return problem(
            "No report to make",
            not_a_recommendation(ref, recs, made_none=True)
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
def home_command(ctx: PrivateContext, args: str) -> Reply:
    return dashboard(ctx)


def dashboard(ctx: PrivateContext) -> Reply:
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
    statuses = {r.id: status_of(r, ctx) for r in recs}
    rec_lines = tuple(f"{r.ref}: {statuses[r.id].line}" for r in recs)
    notes = ctx.may(Permission.READ_NOTES)
    audit_lines = tuple(
        f"#{a.id} {a.ref} {long_date(a.audit_date)}: {a.figures} by {a.who}"
        + (f" ({flag})" if (flag := statuses[a.recommendation_id].late_flag(a)) else "")
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


# --- the verdict ------------------------------------------------------------------------


@command(
    "verdict",
    "verdict [rec] [service]",
    "the monitoring verdict on each recommendation: met or not, once its window has ended",
    examples=("verdict", "verdict R1", "what is the verdict on R1"),
    details="The verdict is the recommendation's target rule applied to the evidence as it "
    "stood when its monitoring window ended (or when it was closed early). It is kept: an "
    "update entered late that would change it is shown as a change, never silently. Before "
    "the window has ended there is no verdict yet, only the status. For what the inspectors "
    "said, ask `quote`.",
    cacheable=False,  # its statuses read audit evidence
)
@about_inspection(trailing=True)
def verdict_command(ctx: PrivateContext, inspection: Inspection, args: str) -> Reply:
    recs = ctx.queries.recommendations(inspection)
    asked = rec_ref(words(args))
    shown = [r for r in recs if r.ref == asked] if asked else recs
    if recs_not_recorded(inspection, recs):
        return rec_not_recorded(inspection, asked or "", "Verdict")
    if asked and not shown:
        return problem("Which recommendation?", not_a_recommendation(asked, recs, made_none=True))
    if not shown:
        return Reply(
            title="Verdict",
            headline=f"The {inspection.programme} of {inspection.service.name} has no "
            "recommendations in the store, so there is no verdict to give.",
            source=source_line(inspection),
        )
    statuses = [status_of(rec, ctx) for rec in shown]
    return Reply(
        title="Verdict" if len(shown) == 1 else "Verdicts",
        headline=" ".join(verdict_sentence(status) for status in statuses),
        sections=tuple(
            Section(
                heading=status.rec.ref,
                fields=(
                    Field("Verdict", status.verdict_text),
                    Field("Target", status.target_text),
                    *([Field("Monitoring window", status.window.dates)] if status.window else []),
                    Field("Status", status.label),
                    Field("Why", status.reason),
                ),
            )
            for status in statuses
        ),
        source=source_line(inspection),
        actions=(share_action("verdict", " ".join(r.ref for r in shown)),),
    )


def verdict_sentence(status: Monitoring) -> str:
    """R1's verdict: Not met, as the evidence stood when its window closed on 14 April
    2014 (2 of 3 ...); or that there is none yet, and the status meanwhile."""
    ref = status.rec.ref
    window = status.window
    point = status.close_point
    if window is None:
        return f"{ref} has no verdict: {status.reason}."
    if point is None:
        return (
            f"{ref} has no verdict yet: its monitoring window ends on {long_date(window.end)}. "
            f"Meanwhile: {status.line}."
        )
    when = (
        f"when it was closed early on {long_date(point)}"
        if status.closed_early
        else f"when its monitoring window closed on {long_date(point)}"
    )
    then = status.as_at_close
    why = f" ({then.reason})" if then is not None and then.counted else ""
    change = status.verdict_change
    later = f"; since then it has {change}" if change else ""
    verdict = status.verdict_at_close.words
    return f"{ref}'s verdict: {verdict}, as the evidence stood {when}{why}{later}."
