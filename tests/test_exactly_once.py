"""Announcements exactly once through crashes, on Slack (issue 23): every post carries its
outbox key in message metadata, and a sender taking over a row claimed before looks for
that key in the conversation before posting again."""

from __future__ import annotations

import sys
import time
from dataclasses import replace

import pytest
from slack_sdk import WebClient

from bot.app import Delivery, Request
from bot.app.requests import Platform
from bot.config import settings_from
from bot.reply import Person, Reply
from bot.runtime import application, prepare_store
from bot.slack.transport import EVENT_TYPE, SlackTransport
from bot.store import StorePool
from bot.store.outbox import MESSAGE, Address
from tests import crashing_senders
from tests.conftest import IN_WINDOW

SLACK = Platform("slack", invocation="/yos ", admin_hint="Ask your Slack admin", charts=False)
AUDITOR = Person("U0AUDIT", "Alex Auditor", "slack")
AUDITS = 48
KILLS = 8


def _transport(slack) -> SlackTransport:
    client = WebClient(token="xoxb-test", base_url=slack.api_url, retry_handlers=[])
    return SlackTransport(client)


def _delivery(key: str, attempt: int, *, thread: str | None = None) -> Delivery:
    return Delivery(
        MESSAGE,
        Address("C0ROOM", thread),
        reply=Reply(title="Audit update", headline="R1: 17/20"),
        key=key,
        attempt=attempt,
        queued_at=time.time() - 5,
    )


def test_every_post_carries_its_outbox_key(slack):
    _transport(slack).deliver(_delivery("announce:slack:command:1", 1))
    [post] = slack.of("chat.postMessage")
    assert post.params["metadata"] == {
        "event_type": EVENT_TYPE,
        "event_payload": {"key": "announce:slack:command:1"},
    }
    assert slack.of("conversations.history") == []  # a first attempt reads nothing


def test_a_row_claimed_before_is_not_posted_again_if_slack_has_it(slack):
    transport = _transport(slack)
    transport.deliver(_delivery("announce:slack:command:2", 1))
    transport.deliver(_delivery("announce:slack:command:2", 2))
    assert len(slack.of("chat.postMessage")) == 1
    [looked] = slack.of("conversations.history")
    assert looked.params["channel"] == "C0ROOM"
    assert looked.params["include_all_metadata"] in ("1", "true", True)
    assert float(looked.params["oldest"]) <= time.time() - 5
    # One Slack never took is posted.
    transport.deliver(_delivery("announce:slack:command:3", 2))
    assert len(slack.of("chat.postMessage")) == 2


def test_in_a_thread_the_replies_are_read(slack):
    transport = _transport(slack)
    transport.deliver(_delivery("answer:slack:event:E1", 1, thread="1700000000.000100"))
    transport.deliver(_delivery("answer:slack:event:E1", 3, thread="1700000000.000100"))
    assert len(slack.of("chat.postMessage")) == 1
    assert slack.of("conversations.replies")[0].params["ts"] == "1700000000.000100"


def test_history_past_the_first_page_is_read(slack):
    transport = _transport(slack)
    transport.deliver(_delivery("announce:slack:command:early", 1))
    for n in range(450):
        slack._keep({"channel": "C0ROOM", "text": f"chatter {n}"})
    transport.deliver(_delivery("announce:slack:command:early", 2))
    assert len(slack.of("chat.postMessage")) == 1
    assert len(slack.of("conversations.history")) == 3  # 200 + 200 + the page with it


def test_the_look_stops_where_the_earlier_claim_ran_out(slack):
    """A busy channel: 2,500 messages came after the earlier sender's lease ran out. The
    look reads back from that moment, not from now, so it finds the message at once."""
    transport = _transport(slack)
    transport.deliver(_delivery("announce:slack:command:busy", 1))
    claimed_until = time.time() + 1
    for n in range(2500):
        slack._keep({"channel": "C0ROOM", "text": f"chatter {n}"})
    with slack.lock:  # as if posted a minute later
        for message in slack.messages["C0ROOM"][1:]:
            message["ts"] = f"{float(message['ts']) + 60:.6f}"
    retry = replace(_delivery("announce:slack:command:busy", 2), claimed_until=claimed_until)
    transport.deliver(retry)
    assert len(slack.of("chat.postMessage")) == 1
    [looked] = slack.of("conversations.history")
    assert float(looked.params["latest"]) < claimed_until + 60


@pytest.mark.parametrize("error", ["missing_scope", "not_in_channel"])
def test_without_the_history_scope_it_posts_as_before(slack, error):
    transport = _transport(slack)
    transport.deliver(_delivery("announce:slack:command:4", 1))
    slack.script("conversations.history", 200, {"ok": False, "error": error})
    transport.deliver(_delivery("announce:slack:command:4", 2))
    assert len(slack.of("chat.postMessage")) == 2  # at least once, never lost


def test_a_rate_limited_look_is_tried_again_later(slack):
    from bot.app import TransientError

    transport = _transport(slack)
    slack.script(
        "conversations.history", 429, {"ok": False, "error": "ratelimited"}, Retry_After="3"
    )
    with pytest.raises(TransientError) as raised:
        transport.deliver(_delivery("announce:slack:command:5", 2))
    assert raised.value.retry_after == 3.0
    assert slack.of("chat.postMessage") == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="finds the poster in /proc")
def test_senders_killed_between_posting_and_marking_sent_post_each_announcement_once(
    slack, tmp_path
):
    """48 audits announced by sender processes, 8 of them killed with SIGKILL after Slack
    kept a message and before they heard back: 0 duplicates and 0 missing."""
    crashing_senders.preload()
    settings = settings_from(
        {"YOS_DB": str(tmp_path / "yos.db"), "YOS_TODAY": IN_WINDOW.isoformat()}
    )
    prepare_store(settings)[0].close()
    app = application(settings, StorePool(settings.db_path))
    for n in range(AUDITS):
        request = Request(
            SLACK,
            text=f"audit R1 {n % 20 + 1}/20 round {n}",
            user=AUDITOR,
            conversation="C0ROOM",
            delivery_id=f"command:{n}",
            via="command",
        )
        assert app.handle(request).reply.ok
    keys = [f"announce:slack:command:{n}" for n in range(AUDITS)]
    killer = crashing_senders.Killer(every=5, most=KILLS)
    slack.on_post = killer
    started = time.monotonic()
    senders = crashing_senders.run_senders(
        settings.db_path, slack, killer, lease_seconds=0.3, deadline=started + 60
    )
    elapsed = time.monotonic() - started
    counted = crashing_senders.count(slack, keys)
    print(
        f"\n{AUDITS} audits, {killer.kills} kills, {senders} senders, {counted.posted} posts, "
        f"{counted.duplicates} duplicates, {counted.missing} missing, {elapsed:.1f} s"
    )
    assert killer.kills == KILLS
    assert (counted.duplicates, counted.missing, counted.unkeyed) == (0, 0, 0)
    assert counted.posted == AUDITS
    states = app.store.db.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall()
    assert states == [("sent", AUDITS)]
    retried = app.store.db.execute("SELECT count(*) FROM outbox WHERE attempts > 1").fetchone()
    assert retried[0] >= KILLS  # each killed sender held at least the row it had posted
