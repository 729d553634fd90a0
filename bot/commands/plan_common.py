"""What the plan's commands share: who may do what (declared once, below), reading an
action's reference, an owner and a date as people type them, and each recommendation's
plan judged by the RAG rule."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.commands.absent import rec_not_recorded, recs_not_recorded
from bot.commands.present import status_of
from bot.commands.registry import Context, Permission, PrivateContext
from bot.domain.inspections.model import Inspection
from bot.domain.monitoring.audit_input import AuditInputProblem, find_date
from bot.domain.plan.monitoring import measured_status
from bot.domain.plan.view import RecView, view
from bot.mentions import mentioned
from bot.reply import Reply, Section, problem
from bot.store import plan as store
from bot.store.plan import Actor
from bot.store.plan_model import Action, Owner, PlanRec


class Need(StrEnum):
    """What a plan command needs of the person asking."""

    ANYONE = "anyone"
    EDITOR = "auditors (the plan's editors)"
    OWNER_OR_EDITOR = "the action's owner, or an auditor"


# Who may do what with the plan, in words for `help action` and the README: each entry that
# needs more than asking is declared on its command (``requires=``, parts), enforced by the
# dispatcher; a test checks the two agree. The policy (bot/app/policy.py) decides who holds
# each permission.
NEEDS: dict[str, Need] = {
    "plan": Need.ANYONE,
    "rec R3": Need.ANYONE,
    "action R3.1": Need.ANYONE,
    "actions": Need.ANYONE,
    "history": Need.ANYONE,
    "board": Need.ANYONE,
    "action add": Need.EDITOR,
    "action R3.1 progress": Need.OWNER_OR_EDITOR,
    "action R3.1 done": Need.OWNER_OR_EDITOR,
    "action R3.1 due": Need.EDITOR,
    "action R3.1 owner": Need.EDITOR,
    "action R3.1 agency": Need.EDITOR,
    "action R3.1 drop": Need.EDITOR,
    "supervision": Need.EDITOR,
    "measure": Need.EDITOR,
    "rec R3 rag": Need.EDITOR,
    "board add": Need.EDITOR,
}


def needs_summary() -> str:
    """Who may do what, in one sentence per need, for help."""
    parts = []
    for need in Need:
        what = [w for w, n in NEEDS.items() if n is need]
        parts.append(f"{need.value.capitalize()}: {', '.join(what)}.")
    return " ".join(parts)


def allowed(ctx: Context, what: str, action: Action | None = None) -> bool:
    """Whether the asker may do ``what`` (a key of NEEDS), to ``action`` when it is one: for
    forms, which offer only what the asker may do (commands are checked as they are
    dispatched)."""
    need = NEEDS[what]
    if need is Need.ANYONE or ctx.may(Permission.EDIT_PLAN):
        return True
    if need is Need.OWNER_OR_EDITOR and action is not None:
        return ctx.may(Permission.OWN_ACTION) and owns(ctx, action)
    return False


def owner_or_editor(ctx: Context, action: Action) -> bool:
    """What a part declared as needing OWN_ACTION (or EDIT_PLAN) checks against the data
    once it runs: an owner may only change their own action."""
    return ctx.may(Permission.EDIT_PLAN) or owns(ctx, action)


def owns(ctx: Context, action: Action) -> bool:
    owner = action.owner
    return bool(owner.id and ctx.user.id and owner.id == ctx.user.id)


def not_the_owner(ctx: Context, action: Action) -> Reply:
    """The refusal to someone who may own actions but does not own this one (a check on the
    data, so the handler's, after the dispatcher's check of the permission)."""
    return problem(
        "Only its owner or an auditor can do that",
        f"{action.ref} is owned by {action.owner.label}: its owner or an auditor can record "
        "progress on it or complete it.",
        Section(
            text=f"{ctx.admin_hint} to add you to YOS_AUDITORS, or ask an auditor to make "
            f"you its owner ({ctx.cmd(f'action {action.ref} owner @you')})."
        ),
    )


def actor(ctx: Context) -> Actor:
    return Actor(ctx.user.id, ctx.user.name, ctx.platform, ctx.via)


# --- reading what people type -------------------------------------------------------------

_ACTION_REF = re.compile(r"^[Rr]?(\d{1,3})\.(\d{1,3})$")
_REC_REF = re.compile(r"^[Rr](\d{1,3})$")


def action_ref(word: str) -> tuple[str, int] | None:
    """R3.1 -> ("R3", 1)."""
    found = _ACTION_REF.match(word.strip())
    return (f"R{int(found.group(1))}", int(found.group(2))) if found else None


def rec_ref_of(word: str) -> str | None:
    found = _REC_REF.match(word.strip())
    return f"R{int(found.group(1))}" if found else None


def parse_owner(ctx: Context, typed: str) -> Owner | None:
    """An owner as typed: a mention (as the platform's adapter wrote it: see
    bot/mentions.py), "me", or a named person or role ("@alice", "YJS manager") for
    someone the bot cannot identify on the platform."""
    text = " ".join(typed.split())
    if not text:
        return None
    if text.lower() in ("me", "@me", "myself"):
        return Owner(ctx.user.name, ctx.user.id, ctx.platform)
    person = mentioned(text)
    if person is not None:
        return Owner(person[1], person[0], ctx.platform)
    return Owner(text[:120])


class DateProblem(ValueError):
    pass


def parse_day(typed: str) -> date:
    """A date typed day/month/year (31/03/2027, 31 March 2027, 2027-03-31)."""
    try:
        found, rest = find_date(typed.split())
    except AuditInputProblem as wrong:
        raise DateProblem(_date_message(typed)) from wrong
    if found is None or rest:
        raise DateProblem(_date_message(typed))
    return found


def _date_message(typed: str) -> str:
    shown = " ".join(typed.split())[:40]
    return (
        f"“{shown}” is not a date I can read. Write dates day/month/year, "
        "like 31/03/2027 or 31 March 2027."
    )


# --- the plan judged ------------------------------------------------------------------------


@dataclass(frozen=True)
class Judged:
    inspection: Inspection
    views: tuple[RecView, ...]


def judge(
    ctx: PrivateContext, inspection: Inspection, rec: PlanRec, facts: store.PlanFacts | None = None
) -> RecView:
    """One recommendation's plan by the rule, as of today (``facts``: read for the whole
    plan at once, else for this recommendation)."""
    facts = facts or store.plan_facts(ctx.db, [rec.id])
    measured = None
    if rec.measured:
        found = ctx.queries.recommendation(inspection, rec.ref)
        if found is not None:
            measured = measured_status(status_of(found, ctx))
    closed = rec.id in facts.closed
    below = tuple(
        f"{m.name} {figure.figures} on {figure.on_date.day} {figure.on_date:%B %Y}, "
        f"target {m.target:g}%"
        for m, figure in facts.measures.get(rec.id, [])
        if m.target is not None and figure is not None and figure.percent < m.target
    )
    return view(
        rec,
        ctx.today,
        ctx.plan_rule,
        measured=measured,
        closed_with_evidence=closed and store.has_evidence(ctx.db, rec.id),
        override=facts.overrides.get(rec.id),
        measures_below=below,
    )


def judge_all(ctx: PrivateContext, inspection: Inspection) -> Judged:
    recs = store.plan_recs(ctx.db, inspection.id)
    facts = store.plan_facts(ctx.db, [rec.id for rec in recs])
    return Judged(inspection, tuple(judge(ctx, inspection, rec, facts) for rec in recs))


def find_rec(ctx: PrivateContext, inspection: Inspection, typed: str) -> PlanRec | Reply:
    ref = rec_ref_of(typed) if len(typed) <= 8 else None
    rec = store.plan_rec(ctx.db, inspection.id, ref) if ref else None
    if rec is None:
        known = [r.ref for r in store.plan_recs(ctx.db, inspection.id)]
        if recs_not_recorded(inspection, known):
            # Not "none": the inspection's recommendations were never recorded here.
            return rec_not_recorded(inspection, ref or typed[:20])
        return problem(
            "Which recommendation?",
            f"“{typed[:20]}” is not a recommendation of the {inspection.programme.lower()} "
            f"of {inspection.service.name}; it has {', '.join(known) or 'none recorded'}.",
            Section(text=f"See the plan with {ctx.cmd('plan')}."),
        )
    return rec


def find_action(ctx: PrivateContext, inspection: Inspection, typed: str) -> Action | Reply:
    ref = action_ref(typed) if len(typed) <= 10 else None
    found = store.action(ctx.db, inspection.id, ref[0], ref[1]) if ref else None
    if found is None:
        if recs_not_recorded(inspection, store.plan_recs(ctx.db, inspection.id)):
            return rec_not_recorded(inspection, typed[:20], "Which action?")
        return problem(
            "Which action?",
            f"“{typed[:20]}” is not an action of this plan. Actions are numbered by their "
            "recommendation: R3.1 is the first action of R3.",
            Section(text=f"See them with {ctx.cmd('actions R3')} or {ctx.cmd('plan')}."),
        )
    return found


def long_day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"
