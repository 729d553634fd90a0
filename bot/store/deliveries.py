"""Remembering which deliveries were already handled, so a retry is never handled twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlite_utils

from bot.store.db import write_transaction


def claim(db: sqlite_utils.Database, key: str, kind: str) -> bool:
    """Record ``key`` as handled; False when it already was (by this or another process)."""
    with write_transaction(db):
        return claim_in_transaction(db, key, kind)


def claim_in_transaction(db: sqlite_utils.Database, key: str, kind: str) -> bool:
    """:func:`claim` inside the caller's transaction, so the claim and the write it
    guards commit or roll back together."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO slack_deliveries (key, kind, received_at) VALUES (?, ?, ?)",
        [key, kind, datetime.now(UTC).isoformat(timespec="seconds")],
    )
    return cursor.rowcount == 1


def release(db: sqlite_utils.Database, key: str) -> None:
    """Forget ``key`` so a retry may try again (used when handling failed before any effect)."""
    with write_transaction(db):
        db.execute("DELETE FROM slack_deliveries WHERE key = ?", [key])


# Slack retries within minutes; a month of remembered deliveries is ample.
KEEP_DELIVERIES = timedelta(days=30)


def prune_deliveries(db: sqlite_utils.Database) -> int:
    """Forget deliveries older than KEEP_DELIVERIES; returns how many went."""
    cutoff = (datetime.now(UTC) - KEEP_DELIVERIES).isoformat(timespec="seconds")
    with write_transaction(db):
        return db.execute("DELETE FROM slack_deliveries WHERE received_at < ?", [cutoff]).rowcount
