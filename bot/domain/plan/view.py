"""A recommendation's plan as a reply shows it: each action judged by the RAG rule, the
recommendation's RAG by the rule and any override, and the counts a board reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from bot.domain.plan.rag import Judged, Measured, RagRule, action_rag, rec_rag
from bot.store.plan_model import Action, Override, PlanRec, Rag, State


@dataclass(frozen=True)
class ActionView:
    action: Action
    judged: Judged


@dataclass(frozen=True)
class RecView:
    rec: PlanRec
    actions: tuple[ActionView, ...]
    rule: Judged  # what the rule says
    override: Override | None
    today: date
    due_soon_days: int

    @property
    def rag(self) -> Rag:
        """The RAG shown first: the override when there is one, else the rule's."""
        return self.override.rag if self.override else self.rule.rag

    @property
    def rag_text(self) -> str:
        """Amber, set by Alice on 3 March 2027: reason; by the rule: Red."""
        if self.override is None:
            return f"{self.rule.rag.value}: {self.rule.why}"
        o = self.override
        return (
            f"{o.rag.value}, set by {o.who} on {o.on_date.day} {o.on_date:%B %Y}: {o.reason}; "
            f"by the rule: {self.rule.rag.value} ({self.rule.why})"
        )

    @cached_property
    def live(self) -> tuple[ActionView, ...]:
        return tuple(v for v in self.actions if v.judged.rag is not Rag.DROPPED)

    @cached_property
    def done(self) -> int:
        return sum(1 for v in self.live if v.action.state is State.DONE)

    @cached_property
    def overdue(self) -> tuple[ActionView, ...]:
        return tuple(v for v in self.live if v.judged.rag is Rag.RED)

    @cached_property
    def due_soon(self) -> tuple[ActionView, ...]:
        return tuple(
            v
            for v in self.live
            if v.action.state is not State.DONE
            and v.action.due is not None
            and 0 <= (v.action.due - self.today).days <= self.due_soon_days
        )

    @property
    def counts(self) -> str:
        """3/5 actions done, 1 overdue, 2 due within 14 days."""
        total = len(self.live)
        text = f"{self.done}/{total} action{'' if total == 1 else 's'} done"
        if self.overdue:
            text += f", {len(self.overdue)} overdue"
        if self.due_soon:
            text += f", {len(self.due_soon)} due within {self.due_soon_days} days"
        return text


def view(
    rec: PlanRec,
    today: date,
    rule: RagRule,
    *,
    measured: tuple[Measured, str] | None,
    closed_with_evidence: bool,
    override: Override | None,
    measures_below: tuple[str, ...] = (),
) -> RecView:
    judged = tuple(ActionView(a, action_rag(a, today, rule)) for a in rec.actions)
    verdict = rec_rag(
        ((v.action, v.judged) for v in judged),
        measured=measured,
        closed_with_evidence=closed_with_evidence,
        measures_below=measures_below,
    )
    return RecView(rec, judged, verdict, override, today, rule.due_soon_days)
