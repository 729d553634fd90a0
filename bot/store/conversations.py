"""Saved conversation references: where a platform that routes by region (Teams) can
reach a conversation unprompted, one row per platform and conversation.

Plain parameterised SQL. A reference's values, in the order every read returns them, are
its conversation ID, service URL, kind, team ID, tenant ID and name.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.store.db import Store

ReferenceValues = tuple[str, str, str, str | None, str | None, str | None]

_REFERENCE = "conversation_id, service_url, kind, team_id, tenant_id, name"


def save(
    db: Store,
    platform: str,
    *,
    conversation_id: str,
    service_url: str,
    kind: str,
    team_id: str | None,
    tenant_id: str | None,
    name: str | None,
) -> None:
    """Save a conversation's reference, replacing the one saved before, stamped now."""
    db.execute(
        "INSERT INTO conversations (platform, conversation_id, service_url, kind, "
        "team_id, tenant_id, name, saved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (platform, conversation_id) DO UPDATE SET "
        "service_url = excluded.service_url, kind = excluded.kind, "
        "team_id = excluded.team_id, tenant_id = excluded.tenant_id, "
        "name = excluded.name, saved_at = excluded.saved_at",
        [
            platform,
            conversation_id,
            service_url,
            kind,
            team_id,
            tenant_id,
            name,
            datetime.now(UTC).isoformat(timespec="seconds"),
        ],
    )


def forget(db: Store, platform: str, conversation_id: str) -> None:
    db.execute(
        "DELETE FROM conversations WHERE platform = ? AND conversation_id = ?",
        [platform, conversation_id],
    )


def find(db: Store, platform: str, conversation_id: str) -> ReferenceValues | None:
    row: ReferenceValues | None = db.execute(
        f"SELECT {_REFERENCE} FROM conversations WHERE platform = ? AND conversation_id = ?",
        [platform, conversation_id],
    ).fetchone()
    return row


def latest_named(db: Store, platform: str, kind: str, name: str) -> ReferenceValues | None:
    """The latest saved reference of this kind and name (a personal chat by its person)."""
    row: ReferenceValues | None = db.execute(
        f"SELECT {_REFERENCE} FROM conversations WHERE platform = ? AND kind = ? AND name = ? "
        "ORDER BY saved_at DESC LIMIT 1",
        [platform, kind, name],
    ).fetchone()
    return row


def service_urls(db: Store, platform: str, limit: int) -> list[str]:
    """Up to ``limit`` of the distinct service URLs saved for the platform."""
    return [
        str(row[0])
        for row in db.execute(
            "SELECT DISTINCT service_url FROM conversations WHERE platform = ? LIMIT ?",
            [platform, limit],
        ).fetchall()
    ]


def listed(db: Store, platform: str) -> list[tuple[str, str, str | None, str]]:
    """Every saved conversation's ID, kind, name and when it was saved, newest first."""
    return db.execute(
        "SELECT conversation_id, kind, name, saved_at FROM conversations "
        "WHERE platform = ? ORDER BY saved_at DESC, conversation_id",
        [platform],
    ).fetchall()
