"""The plan's part of `rec R3`: its RAG, actions, evidence of each kind and history, and
`rec R3 rag amber "reason"`. The `rec` command calls these hooks; a recommendation with no
measured target (no monitoring window) is shown by the plan alone."""

from __future__ import annotations

from bot.commands.actions import action_line, history_line
from bot.commands.plan_common import actor, judge, long_day
from bot.commands.present import announced, source_line
from bot.commands.registry import Permission, PrivateContext
from bot.domain.inspections.model import Recommendation
from bot.domain.plan.view import RecView
from bot.reply import Field, Reply, Section, problem, share_action
from bot.store import plan as store
from bot.store.plan_model import RAG_WORDS, PlanRec

EVIDENCE_SHOWN = 5
HISTORY_SHOWN = 5


def is_measured(rec: Recommendation) -> bool:
    """Whether the recommendation has a measured target: a monitoring window (its target
    is the file's, else the monitoring's default)."""
    return rec.monitor_start is not None and rec.monitor_months is not None


def _plan_rec(ctx: PrivateContext, rec: Recommendation) -> PlanRec | None:
    return store.plan_rec(ctx.db, rec.inspection_id, rec.ref)


def plan_sections(ctx: PrivateContext, rec: Recommendation) -> list[Section]:
    """The plan's sections of a measured recommendation's reply (after its monitoring)."""
    found = _plan_rec(ctx, rec)
    if found is None:
        return []
    view = judge(ctx, ctx.home_inspection(), found)
    return [Section(heading="Improvement plan", fields=_facts(view)), *_body(ctx, view)]


def _facts(view: RecView) -> tuple[Field, ...]:
    facts = [Field("RAG", view.rag_text), Field("Actions", view.counts)]
    if view.rec.addressee:
        facts.append(Field("For", view.rec.addressee))
    if view.rec.standards:
        facts.append(Field("Standards", ", ".join(view.rec.standards)))
    if view.rec.reported_rag:
        facts.append(Field("RAG reported to the board", view.rec.reported_rag))
    return tuple(facts)


def _body(ctx: PrivateContext, view: RecView) -> list[Section]:
    sections: list[Section] = []
    if view.actions:
        sections.append(
            Section(heading="Actions", items=tuple(action_line(a) for a in view.actions))
        )
    sections += evidence_sections(ctx, view.rec)
    changes = store.rec_history(ctx.db, view.rec.id, HISTORY_SHOWN)
    if changes:
        sections.append(
            Section(
                heading="Plan history (latest first)",
                items=tuple(history_line(c) for c in changes),
            )
        )
    return sections


def evidence_sections(ctx: PrivateContext, rec: PlanRec) -> list[Section]:
    """Supervision and each measure, each on its own line (case-file audits are the
    monitoring's)."""
    lines = []
    notes = ctx.may(Permission.READ_NOTES)
    supervision = store.evidence(ctx.db, rec.id, "supervision", EVIDENCE_SHOWN)
    if supervision:
        latest = supervision[0]
        earlier = ", ".join(f"{e.figures} on {long_day(e.on_date)}" for e in supervision[1:])
        line = (
            f"Supervision: {latest.numerator} of {latest.denominator} supervisions covered it "
            f"({latest.percent:.0f}%) on {long_day(latest.on_date)}"
        )
        if latest.note:
            line += f": {latest.note}" if notes else "; a note was recorded"
        if earlier:
            line += f"; earlier {earlier}"
        lines.append(line)
    for measure, figure in store.latest_measures(ctx.db, rec.id):
        target = f", target {measure.target:g}%" if measure.target is not None else ""
        if figure is None:
            lines.append(f"Measure {measure.name}: no figure yet{target}")
            continue
        below = measure.target is not None and figure.percent < measure.target
        lines.append(
            f"Measure {measure.name}: {figure.figures} on {long_day(figure.on_date)}{target}"
            + ("; below target" if below else "")  # never flattered
        )
    audits = store.audit_total(ctx.db, rec.id)
    if audits and not rec.measured:
        lines.insert(0, f"Case-file audits: {audits} recorded (audits {rec.ref})")
    return [Section(heading="Evidence", items=tuple(lines))] if lines else []


def rec_detail(ctx: PrivateContext, rec: Recommendation) -> Reply:
    """A recommendation with no measured target: the plan shows it all."""
    found = _plan_rec(ctx, rec)
    inspection = ctx.home_inspection()
    if found is None:
        return problem("Which recommendation?", f"{rec.ref} is not recorded.")
    view = judge(ctx, inspection, found)
    sections = [Section(text=found.text), Section(fields=_facts(view)), *_body(ctx, view)]
    if not view.actions:
        sections.append(
            Section(text=f"No actions agreed yet: add one with {ctx.cmd(_add_example(rec.ref))}.")
        )
    return Reply(
        title=f"{rec.ref}: {view.rag.value}",
        headline=f"{rec.ref}: {view.rag_text}; {view.counts}.",
        sections=tuple(sections),
        source=source_line(inspection),
        actions=(share_action("rec", rec.ref),),
    )


def _add_example(ref: str) -> str:
    return f'action add {ref} "text" owner @person due 31/03/2027'


def rag_override(ctx: PrivateContext, rec: Recommendation, words: list[str]) -> Reply:
    """rec R3 rag amber "reason" (or rag rule, to go back to the rule's): declared on ``rec``
    as needing EDIT_PLAN, checked before it is called."""
    found = _plan_rec(ctx, rec)
    if found is None:
        return problem("Which recommendation?", f"{rec.ref} is not recorded.")
    if not words:
        return problem(
            "Which RAG?",
            f'Write {ctx.cmd(f"rec {rec.ref} rag amber")} "reason", or '
            f"{ctx.cmd(f'rec {rec.ref} rag rule')} to go back to the rule's.",
        )
    colour = words[0].lower()
    if colour in ("rule", "clear", "auto", "none"):
        store.set_override(ctx.db, found, None, None, actor(ctx), ctx.today)
        view = judge(ctx, ctx.home_inspection(), found)
        return Reply(
            title=f"{rec.ref}: {view.rag.value}",
            headline=f"{rec.ref}'s RAG is by the rule again: {view.rag_text}.",
            private=True,
        )
    rag = RAG_WORDS.get(colour)
    reason = " ".join(words[1:]).strip()
    if rag is None:
        return problem(
            "Which RAG?", f"“{words[0][:20]}” is not a RAG: write red, amber, green or complete."
        )
    if not reason:
        return problem(
            "Give a reason",
            f"Say why {rec.ref}'s RAG is not the rule's; it is shown beside it and kept in "
            "its history.",
            Section(text=f'Write {ctx.cmd(f"rec {rec.ref} rag {colour}")} "reason".'),
        )
    store.set_override(ctx.db, found, rag, reason[:1000], actor(ctx), ctx.today)
    view = judge(ctx, ctx.home_inspection(), found)
    return announced(
        ctx,
        title=f"{rec.ref} RAG",
        headline=f"{rec.ref}: {view.rag_text}.",
    )
