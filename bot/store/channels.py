"""The service a conversation chose with `use`: one row per conversation
(``channel_settings``), read with plain SQL and written with sqlite-utils."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.store.db import Store, write_transaction


def service_of(db: Store, channel_id: str) -> str | None:
    """The service ``channel_id`` chose, if any."""
    row = next(
        iter(
            db.query("SELECT service_id FROM channel_settings WHERE channel_id = ?", [channel_id])
        ),
        None,
    )
    return row["service_id"] if row else None


def set_service(db: Store, channel_id: str, service_id: str, set_by: str | None) -> None:
    """Make ``service_id`` the conversation's service, noting who chose it and when."""
    with write_transaction(db):
        db.table("channel_settings").upsert(
            {
                "channel_id": channel_id,
                "service_id": service_id,
                "set_by": set_by,
                "set_at": datetime.now(UTC).isoformat(timespec="seconds"),
            },
            pk="channel_id",
        )
