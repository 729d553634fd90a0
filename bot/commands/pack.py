"""The improvement plan as councils file it: the live plan as a table (one row per
recommendation, then one per action), for `yos-bot plan export`.

The table is neutral: typed cells (text, dates, whole numbers) under named columns, which
``bot.sheets`` writes as .xlsx, .csv or a Word table. Its headings are ones the plan import
(``bot.store.plan_import``) reads back, so an export imported again changes nothing: Ref,
Recommendation, Addressee, Action, Lead officer, Agency, Due date, Progress and "RAG status
(reported to the board)" are read; the rule's RAG, the override and the state are the
bot's own and are not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.commands.plan_common import judge_all, long_day
from bot.commands.registry import Context, PrivateContext
from bot.domain.inspections.model import Inspection
from bot.domain.plan.view import RecView
from bot.store import plan as store
from bot.store.plan_model import State

Cell = str | int | date | None

EXPORT_COLUMNS: tuple[str, ...] = (
    "Ref",
    "Recommendation",
    "Addressee",
    "Action",
    "Lead officer",
    "Agency",
    "Due date",
    "State",
    "Progress",
    "Last progress on",
    "RAG by the rule",
    "Why",
    "RAG override",
    "RAG status (reported to the board)",
)
DATE_COLUMNS = frozenset({"Due date", "Last progress on"})


@dataclass(frozen=True)
class PlanTable:
    """The live plan as rows of typed cells, one per recommendation and one per action."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    today: date
    service: str


def _override_text(view: RecView) -> str | None:
    o = view.override
    if o is None:
        return None
    return f"{o.rag.value}, set by {o.who} on {long_day(o.on_date)}: {o.reason}"


def _state_text(state: State, reason: str | None) -> str:
    if state is State.DROPPED and reason:
        return f"{state.value}: {reason}"
    return state.value


def plan_table(ctx: Context, inspection: Inspection) -> PlanTable:
    """Every recommendation of the inspection's plan and each of its actions, judged by
    the rule as of ``ctx.today``."""
    return _plan_table(PrivateContext.of(ctx), inspection)


def _plan_table(ctx: PrivateContext, inspection: Inspection) -> PlanTable:
    judged = judge_all(ctx, inspection)
    rows: list[tuple[Cell, ...]] = []
    for view in judged.views:
        rec = view.rec
        rows.append(
            (
                rec.ref,
                rec.text,
                rec.addressee,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                view.rule.rag.value,
                view.rule.why,
                _override_text(view),
                rec.reported_rag,
            )
        )
        for item in view.actions:
            action = item.action
            rows.append(
                (
                    action.ref,
                    rec.text,
                    None,
                    action.text,
                    action.owner.label if (action.owner.name or action.owner.id) else None,
                    action.agency,
                    action.due,
                    _state_text(action.state, action.state_reason),
                    store.latest_progress_text(ctx.db, action.id),
                    action.last_progress,
                    item.judged.rag.value,
                    item.judged.why,
                    None,
                    action.reported_rag,
                )
            )
    service = inspection.service.name
    return PlanTable(
        title=f"{service}: improvement plan for the {inspection.programme}, "
        f"as at {long_day(ctx.today)}",
        columns=EXPORT_COLUMNS,
        rows=tuple(rows),
        today=ctx.today,
        service=service,
    )
