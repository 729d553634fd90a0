"""Reminders already sent: each claimed once under its key, so restarts and several
workers never send one twice.

A claim is written in the caller's transaction, with the outbox row that sends it, so the
two commit together or not at all. Keys are the sender's: reminders queued through the
outbox are keyed by platform (and, for some, conversation); those sent before the outbox
existed were remembered under the reminder's bare key, with the conversation they went to.
"""

from __future__ import annotations

from datetime import date

from bot.store.db import Store


def claim(db: Store, key: str, *, kind: str, channel: str, on: date) -> bool:
    """Remember reminder ``key`` as sent to ``channel`` on ``on``; False when it already
    was, by this or another process."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO reminders (key, kind, channel_id, sent_on, sent_at) "
        "VALUES (?, ?, ?, ?, datetime('now'))",
        [key, kind, channel, on.isoformat()],
    )
    return cursor.rowcount == 1


def sent(db: Store, key: str) -> bool:
    """Whether reminder ``key`` was sent (to any conversation)."""
    return db.execute("SELECT 1 FROM reminders WHERE key = ?", [key]).fetchone() is not None


def sent_to(db: Store, key: str, channel: str) -> bool:
    """Whether reminder ``key`` was sent to ``channel``."""
    row = db.execute(
        "SELECT 1 FROM reminders WHERE key = ? AND channel_id = ?", [key, channel]
    ).fetchone()
    return row is not None
