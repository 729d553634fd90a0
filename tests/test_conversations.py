"""Saved conversation references (bot.app.conversations): what a platform told the bot
about where its conversations are, on a real SQLite file in a temporary folder."""

from __future__ import annotations

import pytest

from bot.app.conversations import (
    PERSONAL,
    Reference,
    SavedConversations,
    known_conversations,
)
from bot.store import StorePool, migrate, open_db
from bot.store.conversations import listed

URL = "https://smba.example/emea/"


@pytest.fixture
def store(tmp_path) -> StorePool:
    path = tmp_path / "yos.db"
    db = open_db(path)
    migrate(db)
    db.close()
    return StorePool(path)


def own(conversation_id: str) -> str:
    return conversation_id.split(";", 1)[0]


def test_a_reference_is_written_once_and_found_again_by_another_process(store):
    saved = SavedConversations(store, "teams", own_id=own)
    channel = Reference("19:c;messageid=7", URL, "channel", "team-1", "tenant", "Team / General")
    assert saved.save(channel) is True
    assert saved.known(channel) and saved.save(channel) is False  # no write the second time
    again = SavedConversations(store, "teams", own_id=own)  # a new process: from the store
    assert again.find("19:c;messageid=9") == Reference(
        "19:c", URL, "channel", "team-1", "tenant", "Team / General"
    )
    assert SavedConversations(store, "slack").find("19:c") is None  # each platform its own


def test_a_reference_saved_again_without_names_keeps_the_earlier_ones(store):
    saved = SavedConversations(store, "teams")
    saved.save(Reference("19:c", URL, "channel", "team-1", None, "Team / General"))
    assert saved.save(Reference("19:c", URL, "channel")) is False  # nothing new in it
    moved = "https://smba.example/amer/"
    assert saved.save(Reference("19:c", moved, "channel")) is True
    found = SavedConversations(store, "teams").find("19:c")
    assert found == Reference("19:c", moved, "channel", "team-1", None, "Team / General")


def test_a_personal_chat_is_found_by_the_person_it_is_with(store):
    saved = SavedConversations(store, "teams")
    saved.save(Reference("a:chat", URL, PERSONAL, None, "tenant", "aad-1"))
    chat = saved.personal_chat("AAD-1")
    assert chat is not None and chat.personal and chat.conversation_id == "a:chat"
    assert saved.personal_chat("aad-2") is None


def test_where_to_send_falls_back_on_the_one_service_url_every_reference_shares(store):
    saved = SavedConversations(store, "teams")
    assert saved.service_url("19:new") is None
    saved.save(Reference("19:c", URL, "channel"))
    assert saved.service_url("19:new") == URL  # a channel no one has written in yet
    saved.save(Reference("a:chat", "https://smba.example/amer/", PERSONAL, name="aad-1"))
    assert saved.service_url("19:new") is None  # two regions: no guess
    assert saved.service_url("19:c") == URL


def test_a_forgotten_conversation_is_gone_from_memory_and_the_store(store):
    saved = SavedConversations(store, "teams", own_id=own)
    saved.save(Reference("19:c", URL, "channel"))
    saved.forget("19:c;messageid=3")
    assert saved.find("19:c") is None
    assert SavedConversations(store, "teams").find("19:c") is None


def test_the_list_names_shared_conversations_and_only_counts_personal_chats(store):
    saved = SavedConversations(store, "teams")
    saved.save(Reference("19:c", URL, "channel", name="Team / General"))
    saved.save(Reference("19:g", URL, "groupChat"))
    saved.save(Reference("a:chat", URL, PERSONAL, name="aad-1"))
    shared, personal = known_conversations(listed(store.db, "teams"))
    assert sorted((k.conversation_id, k.kind, k.name) for k in shared) == [
        ("19:c", "channel", "Team / General"),
        ("19:g", "groupChat", None),
    ]
    assert personal == 1
    assert "aad-1" not in repr(shared)
