"""Remembering which deliveries were already handled, so a retry is never handled twice.

A delivery is keyed by the platform and the platform's own ID for it (an event ID, a
form submission ID, an activity ID), since two platforms may reuse each other's IDs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.store.db import Store, write_transaction


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def claim(db: Store, platform: str, key: str, kind: str) -> bool:
    """Record ``key`` as handled; False when it already was (by this or another process)."""
    with write_transaction(db):
        return claim_in_transaction(db, platform, key, kind)


def claim_in_transaction(db: Store, platform: str, key: str, kind: str) -> bool:
    """:func:`claim` inside the caller's transaction, so the claim and the write it
    guards commit or roll back together."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO deliveries (platform, key, kind, received_at) VALUES (?, ?, ?, ?)",
        [platform, key, kind, _now()],
    )
    return cursor.rowcount == 1


def seen(db: Store, platform: str, key: str) -> bool:
    row = db.execute(
        "SELECT 1 FROM deliveries WHERE platform = ? AND key = ?", [platform, key]
    ).fetchone()
    return row is not None


# Platforms retry within minutes; a month of remembered deliveries is ample.
KEEP_DELIVERIES = timedelta(days=30)


def count_received_before(db: Store, cutoff: str) -> int:
    """How many remembered deliveries were received before ``cutoff`` (UTC ISO 8601)."""
    row = db.execute("SELECT count(*) FROM deliveries WHERE received_at < ?", [cutoff]).fetchone()
    return int(row[0])


def prune_deliveries(db: Store, *, now: datetime | None = None) -> int:
    """Forget deliveries older than KEEP_DELIVERIES; returns how many went. The daily purge
    (``bot.domain.monitoring.retention``) does it in every serving process."""
    moment = (now or datetime.now(UTC)) - KEEP_DELIVERIES
    cutoff = moment.astimezone(UTC).isoformat(timespec="seconds")  # as received_at is written
    with write_transaction(db):
        return db.execute("DELETE FROM deliveries WHERE received_at < ?", [cutoff]).rowcount
