"""The conversations a platform told the bot about, kept so it can write to them
unprompted (reminders, reports). What a reference holds is the platform's business;
keeping it, in a transaction of its own, is the application's."""

from __future__ import annotations

from bot.store import StorePool, write_transaction
from bot.store import conversations as saved
from bot.store.conversations import ReferenceValues


class SavedConversations:
    """One platform's saved conversation references."""

    def __init__(self, store: StorePool, platform: str) -> None:
        self.store = store
        self.platform = platform

    def save(
        self,
        *,
        conversation_id: str,
        service_url: str,
        kind: str,
        team_id: str | None,
        tenant_id: str | None,
        name: str | None,
    ) -> None:
        with write_transaction(self.store.db) as db:
            saved.save(
                db,
                self.platform,
                conversation_id=conversation_id,
                service_url=service_url,
                kind=kind,
                team_id=team_id,
                tenant_id=tenant_id,
                name=name,
            )

    def forget(self, conversation_id: str) -> None:
        with write_transaction(self.store.db) as db:
            saved.forget(db, self.platform, conversation_id)

    def find(self, conversation_id: str) -> ReferenceValues | None:
        return saved.find(self.store.db, self.platform, conversation_id)

    def latest_named(self, kind: str, name: str) -> ReferenceValues | None:
        return saved.latest_named(self.store.db, self.platform, kind, name)

    def service_urls(self, limit: int) -> list[str]:
        return saved.service_urls(self.store.db, self.platform, limit)
