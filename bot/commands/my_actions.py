"""The improvement plan on the dashboard (the Slack App Home, the Teams personal chat's
dashboard): the asker's own actions, overdue and due soon first, and each
recommendation's RAG at a glance, with buttons to record progress and to add an action."""

from __future__ import annotations

from datetime import date

from bot.commands.plan_common import allowed, judge_all, long_day, owns
from bot.commands.registry import Context, PrivateContext
from bot.domain.inspections.model import Inspection
from bot.domain.plan.view import ActionView
from bot.reply import Action, ActionKind, Section
from bot.store import plan as store
from bot.store.plan_model import Rag, State

PROGRESS_BUTTONS = 5


def _order(item: ActionView) -> tuple[bool, bool, date]:
    return (item.judged.rag is not Rag.RED, item.action.due is None, item.action.due or date.max)


def _line(item: ActionView) -> str:
    a, judged = item.action, item.judged
    due = f"due {long_day(a.due)}" if a.due else "no due date"
    return f"{judged.rag.dot} {a.ref} {a.text}: {due} ({judged.rag.value}: {judged.why})"


def plan_dashboard(
    ctx: PrivateContext, inspection: Inspection
) -> tuple[tuple[Section, ...], tuple[Action, ...]]:
    """The dashboard's plan sections and buttons; none when the inspection has no plan."""
    if not any(rec.actions for rec in store.plan_recs(ctx.db, inspection.id)):
        return (), ()
    views = judge_all(ctx, inspection).views
    mine = sorted(
        (
            item
            for view in views
            for item in view.live
            if item.action.state is not State.DONE and owns(ctx, item.action)
        ),
        key=_order,
    )
    sections = (
        Section(
            heading="My actions",
            items=tuple(_line(item) for item in mine)
            or ("None: no open action of the plan is yours.",),
        ),
        Section(
            heading="The plan at a glance",
            items=tuple(f"{v.rag.dot} {v.rec.ref} {v.rag.value}: {v.counts}" for v in views),
        ),
    )
    buttons = [
        Action(
            ActionKind.PROGRESS_FORM,
            f"Record progress on {item.action.ref}",
            (("ref", item.action.ref),),
        )
        for item in mine[:PROGRESS_BUTTONS]
    ]
    if allowed(ctx, "action add"):
        buttons.append(Action(ActionKind.ACTION_FORM, "Add an action"))
    return sections, tuple(buttons)


def progress_choices(ctx: Context, inspection: Inspection) -> list[tuple[str, str]]:
    """(ref, text) of the open actions the asker may record progress on: their own, or
    every open one for an auditor."""
    return _progress_choices(PrivateContext.of(ctx), inspection)


def _progress_choices(ctx: PrivateContext, inspection: Inspection) -> list[tuple[str, str]]:
    return [
        (action.ref, action.text)
        for rec in store.plan_recs(ctx.db, inspection.id)
        for action in rec.actions
        if action.state not in (State.DONE, State.DROPPED)
        and allowed(ctx, "action R3.1 progress", action)
    ]


def rec_choices(ctx: Context, inspection: Inspection) -> list[tuple[str, str]]:
    """(ref, text) of the plan's recommendations, for the add-action form."""
    return _rec_choices(PrivateContext.of(ctx), inspection)


def _rec_choices(ctx: PrivateContext, inspection: Inspection) -> list[tuple[str, str]]:
    return [(rec.ref, rec.text) for rec in store.plan_recs(ctx.db, inspection.id)]
