"""Whether the bot can answer: what the servers' health checks ask."""

from __future__ import annotations

from bot.store import StorePool
from bot.store.migrations import migrated


def store_ready(store: StorePool) -> bool:
    """Whether the store has its schema: one indexed read. Raises ``sqlite3.Error`` when
    the store cannot be read at all."""
    return migrated(store.db)
