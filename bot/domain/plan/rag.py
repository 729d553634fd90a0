"""The RAG rule, stated once (also in ``help rag`` and the README).

Per action, the first that applies:

1. **Complete**: done.
2. **Dropped**: dropped with a reason (left out of its recommendation's RAG).
3. **Red**: past its due date and not done.
4. **Amber**: due within ``due_soon_days`` (14) with no progress recorded in the last
   ``no_progress_days`` (30), or its due date moved more than ``due_moves_allowed`` (1)
   times; also an action with no due date agreed.
5. **Not started**: no progress recorded and due more than ``due_soon_days`` away.
6. **Green**: on track.

Per recommendation, the first that applies:

1. **Complete**: closed with evidence (an audit, supervision or measure figure, or a done
   action's evidence).
2. **Red**: any action Red, or its measured target cannot be met.
3. **Amber**: any action Amber, no actions agreed yet, or the latest measured period
   below target.
4. **Green**: otherwise.

An auditor may override a recommendation's RAG with a reason; both are shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.store.plan_model import Action, Rag, State


@dataclass(frozen=True)
class RagRule:
    """The thresholds of the rule (settings: YOS_RAG_DUE_SOON_DAYS,
    YOS_RAG_NO_PROGRESS_DAYS, YOS_RAG_DUE_MOVES)."""

    due_soon_days: int = 14
    no_progress_days: int = 30
    due_moves_allowed: int = 1

    def lines(self) -> tuple[str, ...]:
        """The rule in words, with these thresholds, for help and the README."""
        soon, quiet, moves = self.due_soon_days, self.no_progress_days, self.due_moves_allowed
        moved = "once" if moves == 1 else f"{moves} times"
        return (
            "Each action, the first that applies:",
            "Complete: done.",
            "Dropped: dropped with a reason (left out of its recommendation's RAG).",
            "Red: past its due date and not done.",
            f"Amber: due within {soon} days with no progress recorded in the last {quiet} "
            f"days, or its due date moved more than {moved}, or no due date agreed.",
            f"Not started: no progress recorded and due more than {soon} days away.",
            "Green: on track.",
            "Each recommendation, the first that applies:",
            "Complete: closed with evidence.",
            "Red: any action Red, or its measured target cannot be met.",
            "Amber: any action Amber, no actions agreed yet, or the latest measured period "
            "below target.",
            "Green: otherwise.",
            "An auditor may override a recommendation's RAG with a reason; the rule's RAG is "
            "shown beside it.",
        )


@dataclass(frozen=True)
class Judged:
    rag: Rag
    why: str


def action_rag(action: Action, today: date, rule: RagRule) -> Judged:
    """The action's RAG on ``today``, with the reason, by the rule above."""
    if action.state is State.DONE:
        when = f" on {_day(action.done_on)}" if action.done_on else ""
        return Judged(Rag.COMPLETE, f"done{when}")
    if action.state is State.DROPPED:
        return Judged(Rag.DROPPED, f"dropped: {action.state_reason or 'no reason given'}")
    due = action.due
    if due is None:
        return Judged(Rag.AMBER, "no due date agreed")
    if due < today:
        days = (today - due).days
        return Judged(Rag.RED, f"{days} day{'' if days == 1 else 's'} past its due date")
    progressed = action.last_progress
    quiet_since = today - timedelta(days=rule.no_progress_days)
    soon = (due - today).days <= rule.due_soon_days
    if soon and (progressed is None or progressed < quiet_since):
        return Judged(
            Rag.AMBER,
            f"due in {(due - today).days} days with no progress in the last "
            f"{rule.no_progress_days} days",
        )
    if action.due_moves > rule.due_moves_allowed:
        return Judged(Rag.AMBER, f"due date moved {action.due_moves} times")
    if progressed is None and action.state is State.NOT_STARTED:
        return Judged(Rag.NOT_STARTED, "no progress recorded yet")
    return Judged(Rag.GREEN, "on track")


class Measured(StrEnum):
    """What a measured target's monitoring says, as far as the RAG rule needs."""

    CANNOT_BE_MET = "cannot be met"
    BELOW = "latest period below target"
    ON_TRACK = "on track"


def rec_rag(
    actions: Iterable[tuple[Action, Judged]],
    *,
    measured: tuple[Measured, str] | None,
    closed_with_evidence: bool,
    measures_below: Iterable[str] = (),
) -> Judged:
    """A recommendation's RAG from its actions' (already judged) and its measured target's
    status (``measured``: what it says and why), by the rule above."""
    if closed_with_evidence:
        return Judged(Rag.COMPLETE, "closed with evidence")
    judged = [(a, j) for a, j in actions if j.rag is not Rag.DROPPED]
    red = [a.ref for a, j in judged if j.rag is Rag.RED]
    if red:
        return Judged(Rag.RED, f"{_refs(red)} {'is' if len(red) == 1 else 'are'} overdue")
    if measured is not None and measured[0] is Measured.CANNOT_BE_MET:
        return Judged(Rag.RED, f"its measured target cannot be met: {measured[1]}")
    amber = [a.ref for a, j in judged if j.rag is Rag.AMBER]
    if amber:
        return Judged(
            Rag.AMBER, f"{_refs(amber)} {'needs' if len(amber) == 1 else 'need'} attention"
        )
    if not judged:
        return Judged(Rag.AMBER, "no actions agreed yet")
    if measured is not None and measured[0] is Measured.BELOW:
        return Judged(Rag.AMBER, f"the latest measured period is below target: {measured[1]}")
    below = list(measures_below)
    if below:
        return Judged(Rag.AMBER, f"the latest figure is below target: {below[0]}")
    if judged and all(j.rag is Rag.COMPLETE for _, j in judged):
        return Judged(Rag.GREEN, "every action done; close it with evidence to complete it")
    return Judged(Rag.GREEN, "on track")


def _refs(refs: list[str]) -> str:
    return refs[0] if len(refs) == 1 else ", ".join(refs[:-1]) + " and " + refs[-1]


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"
