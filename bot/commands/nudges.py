"""Reminders about the improvement plan: what is due today, as plain records (the
application queues them in the outbox, each once).

- An action's owner, ``SOON_DAYS`` (7) days before it is due (sent on the first check in
  the week before its due date), and the day after it becomes overdue (on the first check
  in the ``LATE_DAYS`` days after); each once per action, stage and due date, so a date
  moved brings a fresh reminder. An owner on the platform is written to directly; a named
  owner (a role, or someone not on it) is named in the service's channel.
- A weekly digest of the plan to the channel (once per ISO week).
- Auditors, ``BOARD_DAYS`` (10) days before a recorded board date, that its pack is due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.commands.plan_common import judge_all, long_day
from bot.commands.registry import Context, PrivateContext
from bot.domain.inspections.model import Inspection
from bot.reply import Reply, Section
from bot.store import plan as store
from bot.store.plan_model import Action, Rag, State

SOON_DAYS = 7
LATE_DAYS = 7
BOARD_DAYS = 10
DUE_SOON, OVERDUE, DIGEST, BOARD_PACK = "plan-due-soon", "plan-overdue", "plan-digest", "plan-board"


@dataclass(frozen=True)
class PlanReminder:
    """One reminder: ``key`` is the same whoever works it out (once across workers);
    ``user`` the person written to directly (on ``platform``), else the channel."""

    key: str
    kind: str
    reply: Reply
    user: str | None = None
    user_name: str | None = None
    per_channel: bool = False  # the key is the channel's: each platform's channel gets one

    @property
    def text(self) -> str:
        return self.reply.headline


def _quoted(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return "“" + (text if len(text) <= limit else text[: limit - 1].rstrip() + "…") + "”"


def _how(ctx: Context, action: Action) -> str:
    return (
        f'Record progress with {ctx.cmd(f"action {action.ref} progress")} "what was done", '
        f'or complete it with {ctx.cmd(f"action {action.ref} done")} "the evidence".'
    )


def _action_reminder(ctx: Context, action: Action, kind: str) -> PlanReminder | None:
    owner = action.owner
    assert action.due is not None
    direct = bool(owner.id) and owner.platform in (None, ctx.platform)
    if owner.id and not direct:
        return None  # an owner on another platform: that platform's reminders tell them
    due = long_day(action.due)
    if kind == DUE_SOON:
        days = (action.due - ctx.today).days
        when = "today" if days == 0 else f"in {days} day{'' if days == 1 else 's'}"
        said = f"{action.ref} {_quoted(action.text)} is due on {due} ({when})."
        title = "Action due soon"
    else:
        said = (
            f"{action.ref} {_quoted(action.text)} was due on {due} and is not done: it is "
            "overdue (Red by the plan's rule)."
        )
        title = "Action overdue"
    if not direct:
        said = f"For {owner.label}" + (f" ({action.agency})" if action.agency else "") + f": {said}"
    how = _how(ctx, action)
    if kind == OVERDUE:
        how += " If the date must move, ask an auditor to agree a new one."
    return PlanReminder(
        key=f"plan:{action.id}:{kind}:{action.due.isoformat()}",
        kind=kind,
        reply=Reply(title=title, headline=said, sections=(Section(text=how),)),
        user=owner.id if direct else None,
        user_name=owner.label,
    )


def due_plan_reminders(ctx: Context, inspection: Inspection) -> list[PlanReminder]:
    """Every plan reminder due on ``ctx.today`` for the inspection's plan."""
    return _due_plan_reminders(PrivateContext.of(ctx), inspection)


def _due_plan_reminders(ctx: PrivateContext, inspection: Inspection) -> list[PlanReminder]:
    today = ctx.today
    recs = store.plan_recs(ctx.db, inspection.id)
    found: list[PlanReminder] = []
    for rec in recs:
        for action in rec.actions:
            if action.due is None or action.state in (State.DONE, State.DROPPED):
                continue
            days = (action.due - today).days
            kind = None
            if 0 <= days <= SOON_DAYS:
                kind = DUE_SOON
            elif -LATE_DAYS <= days <= -1:
                kind = OVERDUE
            if kind is not None:
                reminder = _action_reminder(ctx, action, kind)
                if reminder is not None:
                    found.append(reminder)
    if any(rec.actions for rec in recs):
        found.append(_digest(ctx, inspection))
    for board in store.board_dates(ctx.db, inspection.service.id):
        days = (board.on_date - today).days
        if 1 <= days <= BOARD_DAYS:
            title = board.title or "the YOS Management Board"
            found.append(
                PlanReminder(
                    key=f"plan:board-pack:{inspection.service.id}:{board.on_date.isoformat()}",
                    kind=BOARD_PACK,
                    reply=Reply(
                        title="Board pack due",
                        headline=f"For the auditors: {title} meets on {long_day(board.on_date)}, "
                        f"in {days} day{'' if days == 1 else 's'}: the board pack is due. "
                        "Bring the plan up to date (progress, evidence, RAG), then write the "
                        "pack with `yos-bot report --format all`.",
                    ),
                    per_channel=True,
                )
            )
    return found


def _digest(ctx: PrivateContext, inspection: Inspection) -> PlanReminder:
    judged = judge_all(ctx, inspection)
    views = judged.views
    live = [a for v in views for a in v.live]
    done = sum(1 for a in live if a.action.state is State.DONE)
    overdue = [a for v in views for a in v.overdue]
    soon = [a for v in views for a in v.due_soon]
    year, week, _ = ctx.today.isocalendar()
    monday = ctx.today - timedelta(days=ctx.today.weekday())
    boards = [b for b in store.board_dates(ctx.db, inspection.service.id) if b.on_date >= ctx.today]
    next_board = long_day(boards[0].on_date) if boards else "none recorded"
    counts = {rag: sum(1 for v in views if v.rag is rag) for rag in Rag}
    rags = ", ".join(f"{n} {rag.value}" for rag, n in counts.items() if n)
    return PlanReminder(
        key=f"plan:digest:{inspection.id}:{year}-W{week:02d}",
        kind=DIGEST,
        reply=Reply(
            title=f"The improvement plan: week of {long_day(monday)}",
            headline=f"{inspection.service.name}: {done}/{len(live)} actions done, "
            f"{len(overdue)} overdue, {len(soon)} due within {ctx.plan_rule.due_soon_days} "
            f"days; recommendations {rags or 'none'}; next board {next_board}.",
            sections=(
                Section(
                    heading="Overdue",
                    items=tuple(_line(a.action) for a in overdue) or ("None.",),
                ),
                Section(
                    heading=f"Due within {ctx.plan_rule.due_soon_days} days",
                    items=tuple(_line(a.action) for a in soon) or ("None.",),
                ),
                Section(text=f"The whole plan: {ctx.cmd('plan')}."),
            ),
        ),
        per_channel=True,
    )


def _line(action: Action) -> str:
    due = long_day(action.due) if action.due else "no due date"
    return f"{action.ref} {_quoted(action.text, 60)}: {action.owner.label}, due {due}"
