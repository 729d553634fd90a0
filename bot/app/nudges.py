"""Queuing the improvement plan's reminders (``bot.commands.nudges``): each claimed in the
store's ``reminders`` table and queued in the outbox in one transaction, so two workers, or
a run after a restart, send it once. An owner on the platform is written to directly (a
Slack direct message, a Teams personal chat); everything else goes to the channel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.app.requests import Platform, Request, Via
from bot.commands.nudges import PlanReminder, due_plan_reminders
from bot.reply import to_json
from bot.store import outbox, reminders, write_transaction
from bot.store.outbox import MESSAGE, PRIVATE, Address

if TYPE_CHECKING:
    from bot.app.core import Application


def _key(reminder: PlanReminder, platform: Platform, conversation: str) -> str:
    if reminder.per_channel:
        return f"{reminder.key}:{platform.name}:{conversation}"
    return reminder.key


def _due(app: Application, platform: Platform, conversation: str) -> list[PlanReminder]:
    ctx = app.context(Request(platform, conversation=conversation, via=Via.REMINDER))
    return due_plan_reminders(ctx, ctx.home_inspection())


def _sent(app: Application, key: str) -> bool:
    return reminders.sent(app.store.db, key)


def queue_plan_reminders(
    app: Application, platform: Platform, conversation: str, *, service_url: str | None = None
) -> list[str]:
    """Queue the plan's reminders due today, each once; the keys of those queued."""
    queued: list[str] = []
    for reminder in _due(app, platform, conversation):
        key = _key(reminder, platform, conversation)
        with write_transaction(app.store.db) as db:
            if not reminders.claim(
                db, key, kind=reminder.kind, channel=conversation, on=app.today()
            ):
                continue
            if reminder.user:
                kind, address = PRIVATE, Address(user=reminder.user, service_url=service_url)
            else:
                kind, address = MESSAGE, Address(conversation, service_url=service_url)
            outbox.add(
                db,
                key=f"reminder:{key}",
                platform=platform.name,
                kind=kind,
                address=address,
                body=to_json(reminder.reply),
            )
        queued.append(key)
    return queued


def plan_reminder_texts(app: Application, platform: Platform, conversation: str) -> list[str]:
    """What ``queue_plan_reminders`` would send now, to whom, word for word."""
    texts = []
    for reminder in _due(app, platform, conversation):
        if _sent(app, _key(reminder, platform, conversation)):
            continue
        to = (
            f"To {reminder.user_name or reminder.user} (direct message)"
            if reminder.user
            else f"To {conversation}"
        )
        reply = reminder.reply
        lines = [f"{to}: {reply.title}: {reply.headline}"]
        for section in reply.sections:
            if section.heading:
                lines.append(f"  {section.heading}:")
            lines += [f"    {item}" for item in section.items]
            if section.text:
                lines.append(f"  {section.text}")
        texts.append("\n".join(lines))
    return texts
