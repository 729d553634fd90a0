"""The SQLite store: connection, schema migrations and the data-file loader."""

from bot.store.db import StorePool, open_db, write_transaction
from bot.store.migrations import SCHEMA_VERSION, migrate
from bot.store.writers import WouldWait

__all__ = [
    "SCHEMA_VERSION",
    "StorePool",
    "WouldWait",
    "migrate",
    "open_db",
    "write_transaction",
]
