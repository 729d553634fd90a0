"""The Slack app manifest declares what the app handles, and asks for no more than it needs."""

from __future__ import annotations

import re

from bot.config import PROJECT_ROOT
from bot.slack.listeners.forms import SHORTCUT

MANIFEST = (PROJECT_ROOT / "manifest.yml").read_text()


def test_declares_the_command_shortcut_and_events():
    assert re.search(r"- command: /yos\n", MANIFEST)
    assert f"callback_id: {SHORTCUT}" in MANIFEST
    events = re.search(r"bot_events:\n((?:\s+- .*\n)+)", MANIFEST).group(1).split()
    assert [e for e in events if e != "-"] == ["app_home_opened", "app_mention", "message.im"]
    assert "home_tab_enabled: true" in MANIFEST
    assert "socket_mode_enabled: true" in MANIFEST
    assert "interactivity:\n    is_enabled: true" in MANIFEST


def test_bot_scopes_are_the_ones_the_code_uses():
    block = re.search(r"bot:\n((?:\s+- .*\n)+)", MANIFEST).group(1)
    scopes = re.findall(r"- ([a-z_:.]+)", block)
    assert scopes == [
        "commands",
        "chat:write",
        "app_mentions:read",
        "im:history",
        "channels:history",  # the outbox finds its own posts by metadata (issue 23)
        "groups:history",
        "mpim:history",
        "users:read",
        "usergroups:read",
        "files:write",
    ]


def test_old_deliveries_are_forgotten(db):
    from bot.store.deliveries import claim, prune_deliveries, seen

    db.table("deliveries").insert(
        {
            "platform": "slack",
            "key": "event:old",
            "kind": "event",
            "received_at": "2020-01-01T00:00:00+00:00",
        }
    )
    assert claim(db, "slack", "event:new", "event")
    assert prune_deliveries(db) == 1
    assert [(r["platform"], r["key"]) for r in db.table("deliveries").rows] == [
        ("slack", "event:new")
    ]
    assert not seen(db, "slack", "event:old")
    assert not claim(db, "slack", "event:new", "event")
    assert "slack_deliveries" not in db.table_names()


def test_deliveries_are_remembered_per_platform(db):
    from bot.store.deliveries import claim, seen

    assert claim(db, "slack", "1234", "event")
    assert not seen(db, "teams", "1234")
    assert claim(db, "teams", "1234", "message")  # another platform's ID space
    assert not claim(db, "teams", "1234", "message")
    assert db.table("deliveries").count == 2
