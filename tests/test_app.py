"""The application layer, platform-neutral, over real SQLite files.

Requests go in as an adapter would send them; what the bot must post comes out of the
outbox through a :class:`Sender`. The happy path is delivered by the console's own
transport; failures come from tiny transports defined here, since ``Transport`` is the
project's own interface.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import date
from io import StringIO

import pytest

from bot.app import (
    Application,
    Delivery,
    PermanentError,
    Platform,
    Policy,
    Request,
    RetryPolicy,
    Sender,
    TransientError,
)
from bot.app.refusals import refusal_for
from bot.commands import Permission
from bot.commands.audits import NOTE_RECORDED
from bot.config import settings_from
from bot.console import ConsoleTransport, console_request
from bot.console import answer as console_answer
from bot.forms import FieldKind, FormKind
from bot.mentions import checked, defuse, mention, mentioned
from bot.render.text import render_text
from bot.reply import ActionKind, Chart, Person, Reply, from_json
from bot.runtime import application
from bot.store import StorePool
from bot.store.loader import load_files
from bot.store.outbox import CHART, MESSAGE, PRIVATE, Address
from tests.conftest import IN_WINDOW, prepare_from_bundled, wait_until
from tests.form_words import ASKS_FOR_THE_FORM, DOES_NOT
from tests.test_national import row, write_table

# A chat platform as the core sees one: commands typed with a prefix, no charts.
CHAT = Platform("chat", invocation="/yos ", admin_hint="Ask the chat admin", charts=False)
PICTURES = Platform("pictures", charts=True)
TEAMS = Platform("teams", admin_hint="Ask your Teams admin")

AUDITOR = Person("U0AUDIT", "Alex Auditor")
VISITOR = Person("U0VISIT", "Val Visitor")
ROOM = "C0ROOM"
EXPECTED_NEWS = (
    "R1 audit: 17/20 (85%), at or above the 80% target. Audit of 20 February 2014: it counts "
    "as February's result (14 February to 13 March 2014)."
)


def entry(*given: str) -> dict[str, str]:
    """What the audit form holds, by field name, in the form's order."""
    names = ("recommendation", "audit_date", "audited", "compliant", "note")
    return dict(zip(names, given, strict=False))


# --- fixtures and helpers ----------------------------------------------------------------


@pytest.fixture
def store(settings, bundled_store) -> StorePool:
    prepare_from_bundled(settings, bundled_store).close()
    return StorePool(settings.db_path)


def app_for(store: StorePool, *auditors: str, policy: Policy | None = None) -> Application:
    return Application(store, policy or Policy(auditors), today=IN_WINDOW)


def with_auditors(store: StorePool, settings, auditors: str) -> Application:
    """The application as the servers build it, with YOS_AUDITORS set."""
    configured = settings_from(
        {
            "YOS_DB": str(settings.db_path),
            "YOS_TODAY": IN_WINDOW.isoformat(),
            "YOS_AUDITORS": auditors,
        }
    )
    return application(configured, store)


@pytest.fixture
def app(store) -> Application:
    """Everyone is an auditor (YOS_AUDITORS empty)."""
    return app_for(store)


def ask(
    text: str,
    *,
    delivery: str | None = "ev1",
    user: Person = AUDITOR,
    conversation: str | None = ROOM,
    platform: Platform = CHAT,
    **options,
) -> Request:
    return Request(
        platform,
        text=text,
        user=user,
        conversation=conversation,
        delivery_id=delivery,
        **options,
    )


def outbox_rows(store: StorePool) -> list[dict]:
    return list(store.db.query("SELECT * FROM outbox ORDER BY id"))


def counts(store: StorePool) -> dict[str, int]:
    tables = (
        "audit_updates",
        "audit_retractions",
        "recommendation_history",
        "channel_settings",
        "outbox",
    )
    return {t: store.db.table(t).count for t in tables}


class Clock:
    """An injectable clock: the test moves time on, nothing sleeps."""

    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    """Set a little ahead of the wall clock, which stamps items as they are queued."""
    import time

    return Clock(time.time() + 600)


def console_sender(app: Application, out: StringIO, clock: Clock, platform: str = "chat"):
    return Sender(app.store, platform, ConsoleTransport(out), app.draw_chart, clock=clock)


@dataclass
class Failing:
    """A transport that fails the first ``times`` deliveries of some kinds, then records."""

    error: Exception
    times: int = 1_000
    kinds: tuple[str, ...] = (MESSAGE, CHART)
    delivered: list[Delivery] = field(default_factory=list)
    attempts: int = 0

    def deliver(self, delivery: Delivery) -> None:
        if delivery.kind in self.kinds and self.attempts < self.times:
            self.attempts += 1
            raise self.error
        self.delivered.append(delivery)


class Killed(BaseException):
    """The worker process dies mid-send: nothing after this runs."""


class DiesWhileSending:
    def deliver(self, delivery: Delivery) -> None:
        raise Killed


# --- (1) a write and its announcement commit together ------------------------------------


def test_a_recorded_update_and_its_announcement_are_stored_together(app, store):
    outcome = app.handle(ask("audit R1 17/20 February case-file audit"))
    assert outcome.reply.ok and not outcome.public  # the confirmation is the asker's alone
    assert outcome.queued == 1
    assert outcome.reply.headline == (
        f"Recorded audit update #1: {EXPECTED_NEWS} It will be announced in this conversation."
    )
    [audit] = store.db.query("SELECT * FROM audit_updates")
    assert (audit["platform"], audit["channel_id"], audit["user_id"], audit["user_name"]) == (
        "chat",
        ROOM,
        "U0AUDIT",
        "Alex Auditor",
    )
    [queued] = outbox_rows(store)
    assert (queued["kind"], queued["state"], queued["platform"]) == (MESSAGE, "pending", "chat")
    assert Address.from_json(queued["address"]) == Address(ROOM)
    assert Address.from_json(queued["notify"]) == Address(ROOM, user="U0AUDIT")
    news = from_json(queued["body"])
    assert news == outcome.reply.announcement
    assert news.headline == EXPECTED_NEWS
    assert news.recorded_by == Person("U0AUDIT", "Alex Auditor", "chat")
    assert not news.private and news.source == "Recorded via command; see /yos audits R1"


def test_when_queuing_the_announcement_fails_nothing_is_recorded(app, store, monkeypatch):
    from bot.store import outbox

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(outbox, "add", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        app.handle(ask("audit R1 17/20"))
    assert counts(store)["audit_updates"] == 0
    assert store.db.table("deliveries").count == 0  # the claim rolled back too
    monkeypatch.undo()
    retried = app.handle(ask("audit R1 17/20"))  # the platform's retry is not "already done"
    assert retried.reply.ok and not retried.duplicate
    assert counts(store)["audit_updates"] == counts(store)["outbox"] == 1


def test_after_a_rolled_back_write_answers_show_nothing_of_it(app, store, monkeypatch):
    from bot.store import outbox

    before = app.handle(ask("rec R1", delivery="before")).reply.title
    assert before == "R1: Off track: cannot be met"  # January closed with no audit

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(outbox, "add", broken)
    with pytest.raises(RuntimeError):
        app.handle(ask("audit R1 17/20"))
    monkeypatch.undo()
    assert counts(store)["audit_updates"] == 0
    recs = app.handle(ask("recs", delivery="after")).reply
    assert "latest audit" not in recs.sections[0].fields[0].value  # nothing of the rollback


@pytest.mark.parametrize(
    "text",
    ["audit R1 21/20", "audit R7 17/20", 'rec R1 reopen "not closed"', "rec R1 close", "audit"],
)
def test_a_problem_queues_nothing_and_records_nothing(app, store, text):
    before = counts(store)
    outcome = app.handle(ask(text))
    assert not outcome.reply.ok and not outcome.public
    assert outcome.queued == 0
    assert outcome.reply.announcement is None
    assert "announced" not in outcome.reply.headline
    assert counts(store) == before


def test_closing_a_recommendation_is_announced_with_who_did_it(app, store):
    outcome = app.handle(ask('rec R1 close "Reported to the board" --early "asked early"'))
    assert outcome.reply.ok and outcome.queued == 1
    [queued] = outbox_rows(store)
    news = from_json(queued["body"])
    assert news.title == "R1 closed"
    assert news.recorded_by == Person("U0AUDIT", "Alex Auditor", "chat")
    [change] = store.db.query("SELECT * FROM recommendation_history")
    assert (change["action"], change["platform"], change["user_name"]) == (
        "close",
        "chat",
        "Alex Auditor",
    )


def test_without_a_conversation_nothing_is_announced(app, store):
    outcome = app.handle(ask("audit R1 17/20", conversation=None))
    assert outcome.reply.ok and outcome.queued == 0
    assert "announced" not in outcome.reply.headline
    assert counts(store)["audit_updates"] == 1 and outcome.reply.announcement is not None


def test_a_mentioned_write_answers_the_asker_privately_and_announces_once(app, store):
    outcome = app.handle(ask("audit R1 17/20", answer_in_conversation=True, thread="t1"))
    assert outcome.queued == 2
    announce, answer = outbox_rows(store)
    assert announce["kind"] == MESSAGE
    assert Address.from_json(announce["address"]) == Address(ROOM, "t1")
    assert answer["kind"] == PRIVATE
    assert Address.from_json(answer["address"]) == Address(ROOM, "t1", user="U0AUDIT")
    assert from_json(answer["body"]).headline.startswith("Recorded audit update #1")


# --- (2) the same delivery twice ---------------------------------------------------------


def test_the_same_delivery_twice_records_once_and_queues_once(app, store):
    first = app.handle(ask("audit R1 17/20", delivery="event:Ev1"))
    again = app.handle(ask("audit R1 17/20", delivery="event:Ev1"))
    assert not first.duplicate and first.queued == 1
    assert again.duplicate and again.reply.duplicate and again.queued == 0
    assert not again.public
    assert counts(store)["audit_updates"] == counts(store)["outbox"] == 1


def test_a_retry_reaching_another_worker_is_recognised(store, settings):
    first = app_for(store).handle(ask("audit R1 17/20", delivery="event:Ev1"))
    other_worker = app_for(StorePool(settings.db_path))
    again = other_worker.handle(ask("audit R1 17/20", delivery="event:Ev1"))
    assert first.queued == 1 and again.duplicate
    assert counts(store)["audit_updates"] == counts(store)["outbox"] == 1


def test_a_close_delivered_twice_is_done_once(app, store):
    app.handle(ask('rec R1 close "Reported" --early "asked early"', delivery="event:Ev2"))
    again = app.handle(ask('rec R1 close "Reported" --early "asked early"', delivery="event:Ev2"))
    assert again.duplicate
    assert counts(store)["recommendation_history"] == counts(store)["outbox"] == 1


def test_two_platforms_may_use_the_same_delivery_id(app, store):
    """Deliveries are keyed by platform: one platform's ID never swallows another's update."""
    on_chat = app.handle(ask("audit R1 17/20", delivery="1234"))
    on_teams = app.handle(ask("audit R1 18/20", delivery="1234", platform=TEAMS))
    assert not on_chat.duplicate and not on_teams.duplicate
    assert on_teams.reply.headline.startswith("Recorded audit update #2: R1 audit: 18/20")
    platforms = [r["platform"] for r in store.db.query("SELECT platform FROM audit_updates")]
    assert platforms == ["chat", "teams"]
    assert counts(store)["outbox"] == 2


def test_console_requests_without_an_id_are_each_handled(app, store):
    for _ in range(2):
        assert not app.handle(ask("audit R1 17/20", delivery=None)).duplicate
    assert counts(store)["audit_updates"] == 2


# --- (3) a read answered in the conversation ------------------------------------------------


def test_a_read_answered_in_the_conversation_is_queued_once_per_delivery(app, store):
    question = ask("score protecting-public", answer_in_conversation=True, thread="t9")
    first = app.handle(question)
    again = app.handle(question)
    assert first.public and first.queued == 1
    assert again.reply.headline == first.reply.headline and again.queued == 0
    [queued] = outbox_rows(store)
    assert queued["kind"] == MESSAGE and queued["key"] == "answer:chat:ev1"
    assert Address.from_json(queued["address"]) == Address(ROOM, "t9")
    assert from_json(queued["body"]).headline == "Protecting the public: 91%, Good (★★★★)."
    app.handle(ask("score protecting-public", answer_in_conversation=True, delivery="ev2"))
    assert len(outbox_rows(store)) == 2


def test_a_mistaken_question_is_answered_to_the_asker_alone(app, store):
    outcome = app.handle(ask("score nonsense", answer_in_conversation=True))
    assert not outcome.public
    [queued] = outbox_rows(store)
    assert queued["kind"] == PRIVATE
    assert Address.from_json(queued["address"]) == Address(ROOM, user="U0AUDIT")


def test_a_read_without_answer_in_conversation_queues_nothing(app, store):
    outcome = app.handle(ask("summary"))
    assert outcome.public and outcome.queued == 0
    assert outbox_rows(store) == []


# --- (4) who may do what ------------------------------------------------------------------


@pytest.fixture
def reading(store, tmp_path):
    load_files(store.db, [write_table(tmp_path, [row("Reading", 5, "Inadequate")])])


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("audit R1 17/20", "Recording audit updates is for auditors."),
        ("audit undo", "Only auditors can retract audit updates."),
        ("audit undo 1", "Only auditors can retract audit updates."),
        ('rec R1 close "x"', "Only auditors can close a recommendation."),
        ('rec R1 reopen "x"', "Only auditors can reopen a recommendation."),
        ("use Reading", "Only auditors can change which service this channel is about."),
    ],
)
def test_a_non_auditor_is_refused_privately_and_nothing_changes(
    store, settings, reading, text, says
):
    app = with_auditors(store, settings, "U0AUDIT")
    app.handle(ask("audit R1 17/20 by the auditor", delivery="setup"))
    app.handle(ask('rec R1 close "Reported" --early "x"', delivery="setup2"))  # to reopen
    before = counts(store)
    outcome = app.handle(ask(text, user=VISITOR, delivery="attempt"))
    assert not outcome.reply.ok and not outcome.public
    assert outcome.reply.title == "Only auditors can do that"
    assert says in outcome.reply.headline
    assert "Ask the chat admin to add you to YOS_AUDITORS" in outcome.reply.sections[0].text
    assert counts(store) == before
    assert app.handle(ask("summary", user=VISITOR, delivery="q")).reply.ok  # anyone may ask


def test_a_non_auditor_cannot_post_the_report_but_may_share(store, settings):
    app = with_auditors(store, settings, "U0AUDIT")
    refused = app.post_report(ask("", user=VISITOR), "R1")
    assert not refused.reply.ok and refused.reply.title == "Only auditors can do that"
    shared = app.share(ask("", user=VISITOR), "score", "protecting-public")
    assert shared.reply.ok
    assert [r["key"] for r in outbox_rows(store)] == ["share:chat:ev1"]
    assert ActionKind.POST_REPORT not in [
        a.kind for a in app.handle(ask("report", user=VISITOR, delivery="r")).reply.actions
    ]


@dataclass
class Groups:
    """The platform's user groups as a Directory sees them (None: not known yet)."""

    known: dict[str, frozenset[str]]

    def members(self, group_id: str) -> frozenset[str] | None:
        return self.known.get(group_id)


def test_members_of_an_auditor_group_may_record(store):
    directory = Groups({"S0AUDITORS": frozenset({"U0GROUPIE"})})
    app = app_for(store, policy=Policy(("S0AUDITORS",), directory))
    member = app.handle(ask("audit R1 17/20", user=Person("U0GROUPIE"), delivery="a"))
    outsider = app.handle(ask("audit R1 17/20", user=Person("U0OUTSIDE"), delivery="b"))
    assert member.reply.ok and not outsider.reply.ok
    directory.known.clear()  # membership not fetched yet: nobody is let in on a guess
    unknown = app.handle(ask("audit R1 17/20", user=Person("U0GROUPIE"), delivery="c"))
    assert unknown.reply.title == "Only auditors can do that"
    assert counts(store)["audit_updates"] == 1


def test_teams_users_are_auditors_by_their_guid(store, settings):
    guid = "0F8FAD5B-D9CB-469F-A165-70867728950E"
    app = with_auditors(store, settings, f"U0AUDIT,{guid}")
    teams_auditor = Person(guid.lower(), "Tess", "teams")
    shouting = Person(guid, "Tess", "teams")
    stranger = Person("9b2d6c1e-0000-4000-8000-000000000000", "Sam", "teams")
    assert app.handle(ask("audit R1 17/20", user=teams_auditor, platform=TEAMS)).reply.ok
    assert app.handle(ask("audit R1 18/20", user=shouting, platform=TEAMS, delivery="2")).reply.ok
    refused = app.handle(ask("audit R1 19/20", user=stranger, platform=TEAMS, delivery="3"))
    assert not refused.reply.ok
    assert "Ask your Teams admin" in refused.reply.sections[0].text
    assert counts(store)["audit_updates"] == 2


# --- (5) the sender ----------------------------------------------------------------------------


def test_the_sender_delivers_through_the_console_and_marks_it_sent(app, store, clock):
    app.handle(ask("audit R1 17/20 February case-file audit"))
    out = StringIO()
    sender = console_sender(app, out, clock)
    assert sender.drain() == 1
    printed = out.getvalue()
    assert printed.startswith("[posted in the conversation]\nAudit update #1 for R1\n")
    assert EXPECTED_NEWS in " ".join(printed.split())  # as printed, however it wraps
    [sent] = outbox_rows(store)
    assert (sent["state"], sent["attempts"], sent["lease_until"]) == ("sent", 1, None)
    assert sent["sent_at"]
    assert sender.drain() == 0
    assert out.getvalue() == printed  # never twice


def test_a_claimed_item_is_leased(app, store, clock):
    app.handle(ask("audit R1 17/20"))
    seen = []

    class Peeking:
        def deliver(self, delivery: Delivery) -> None:
            seen.append(store.db.execute("SELECT state, lease_until FROM outbox").fetchone())

    retry = RetryPolicy(lease_seconds=45)
    Sender(store, "chat", Peeking(), app.draw_chart, retry=retry, clock=clock).run_once()
    assert seen == [("sending", clock.now + 45)]


def test_a_request_can_send_its_own_answer_at_once(app, store, clock, caplog):
    """send_now delivers from the calling thread (a Teams request, after queueing its
    answer), with no background sender running; a failure there is logged, never raised,
    and the item stays queued for the background sender's retry."""
    app.handle(ask("audit R1 17/20"))
    out = StringIO()
    assert console_sender(app, out, clock).send_now() == 1
    assert "R1 audit: 17/20 (85%)" in out.getvalue()

    class Broken:
        def deliver(self, delivery: Delivery) -> None:
            raise RuntimeError("the connector went away")

    app.handle(ask("audit R1 18/20 19/02/2014", delivery="ev2"))
    broken = Sender(store, "chat", Broken(), app.draw_chart, clock=clock)
    with caplog.at_level("ERROR"):
        assert broken.send_now() == 1  # taken, failed, put back for a retry: never raised
    assert "the connector went away" not in caplog.text  # logged by type, not message
    assert console_sender(app, out, clock.__class__(clock.now + 120)).drain() == 1


def test_only_the_platforms_own_items_are_taken(app, store, clock):
    app.handle(ask("audit R1 17/20", platform=TEAMS))
    out = StringIO()
    assert console_sender(app, out, clock, platform="chat").drain() == 0
    assert out.getvalue() == ""
    assert console_sender(app, out, clock, platform="teams").drain() == 1


def test_a_rate_limited_item_waits_as_long_as_the_platform_asks(app, store, clock):
    app.handle(ask("audit R1 17/20"))
    transport = Failing(TransientError("rate limited", retry_after=30), times=1)
    sender = Sender(store, "chat", transport, app.draw_chart, clock=clock)
    assert sender.run_once() == 1
    [waiting] = outbox_rows(store)
    assert (waiting["state"], waiting["attempts"]) == ("pending", 1)
    assert waiting["due_at"] == pytest.approx(clock.now + 30)
    assert waiting["last_error"] == "rate limited"
    clock.advance(29)
    assert sender.run_once() == 0 and transport.delivered == []
    clock.advance(1)
    assert sender.run_once() == 1
    [delivered] = transport.delivered
    assert delivered.reply.headline == EXPECTED_NEWS
    assert outbox_rows(store)[0]["state"] == "sent"


@dataclass
class Slow:
    """A transport whose every send takes ``seconds`` of the injected clock."""

    clock: Clock
    seconds: float
    delivered: list[Delivery] = field(default_factory=list)

    def deliver(self, delivery: Delivery) -> None:
        self.clock.advance(self.seconds)
        self.delivered.append(delivery)


def test_items_claimed_together_are_put_back_when_their_claim_is_running_out(app, store, clock):
    """Past its lease another sender may take an item and, finding it not yet posted,
    post it too: so one whose claim is running out, behind slow sends, is put back."""
    for n in range(3):
        app.handle(ask(f"audit R1 1{n}/20", delivery=f"ev{n}"))
    transport = Slow(clock, 20)
    retry = RetryPolicy(lease_seconds=60)
    sender = Sender(store, "chat", transport, app.draw_chart, retry=retry, clock=clock)
    assert sender.run_once() == 3  # claimed together, with one lease
    # Sent at 0 s and 20 s; at 40 s the third has 20 of its 60 s left, under half.
    assert [d.key for d in transport.delivered] == [
        "announce:chat:ev0",
        "announce:chat:ev1",
    ]
    rows = {r["key"]: (r["state"], r["attempts"], r["lease_until"]) for r in outbox_rows(store)}
    assert rows["announce:chat:ev2"] == ("pending", 0, None)  # untried, for anyone at once
    assert sender.run_once() == 1
    assert [d.key for d in transport.delivered][2:] == ["announce:chat:ev2"]
    assert transport.delivered[2].attempt == 1  # a first try: nothing to look for
    assert {r["state"] for r in outbox_rows(store)} == {"sent"}


def test_without_retry_after_the_back_off_doubles(app, store, clock):
    app.handle(ask("audit R1 17/20"))
    transport = Failing(TransientError("server error"), times=3)
    retry = RetryPolicy(base_seconds=2, max_attempts=6)
    sender = Sender(store, "chat", transport, app.draw_chart, retry=retry, clock=clock)
    waits = []
    for _ in range(3):
        started = clock.now
        assert sender.run_once() == 1
        waits.append(outbox_rows(store)[0]["due_at"] - started)
        clock.now = outbox_rows(store)[0]["due_at"]
    assert waits == pytest.approx([2, 4, 8])
    assert sender.run_once() == 1 and len(transport.delivered) == 1


def test_after_max_attempts_the_sender_gives_up_and_tells_the_author_once(app, store, clock):
    app.handle(ask("audit R1 17/20"))
    transport = Failing(TransientError("server error"), kinds=(MESSAGE,))
    retry = RetryPolicy(base_seconds=1, max_attempts=3)
    sender = Sender(store, "chat", transport, app.draw_chart, retry=retry, clock=clock)
    for _ in range(10):
        sender.drain()
        clock.advance(60)
    assert transport.attempts == 3
    announce, note = outbox_rows(store)
    assert (announce["state"], announce["attempts"]) == ("failed", 3)
    assert announce["last_error"] == "server error"
    assert note["key"] == "announce:chat:ev1:not-posted"
    assert (note["kind"], note["state"]) == (PRIVATE, "sent")
    assert Address.from_json(note["address"]) == Address(ROOM, user="U0AUDIT")
    [told] = transport.delivered
    assert told.kind == PRIVATE and told.address.user == "U0AUDIT"
    assert told.reply.title == "Not posted"
    assert "recorded" in told.reply.headline  # the record itself is safe


def test_a_permanent_failure_is_given_up_at_once_with_one_note(app, store, clock):
    app.handle(ask("audit R1 17/20"))
    transport = Failing(PermanentError("not_in_channel"), kinds=(MESSAGE,))
    sender = Sender(store, "chat", transport, app.draw_chart, clock=clock)
    sender.drain()
    clock.advance(3600)
    sender.drain()
    assert transport.attempts == 1
    states = [(r["kind"], r["state"]) for r in outbox_rows(store)]
    assert states == [(MESSAGE, "failed"), (PRIVATE, "sent")]
    assert "not_in_channel" in transport.delivered[0].reply.headline


def test_a_failed_private_note_is_not_followed_by_another(app, store, clock):
    app.handle(ask("score nonsense", answer_in_conversation=True))  # queued privately
    transport = Failing(PermanentError("user gone"), kinds=(PRIVATE,))
    Sender(store, "chat", transport, app.draw_chart, clock=clock).drain()
    assert [(r["kind"], r["state"]) for r in outbox_rows(store)] == [(PRIVATE, "failed")]


def test_a_killed_workers_item_is_sent_once_by_another_after_the_lease(app, store, settings, clock):
    app.handle(ask("audit R1 17/20 February case-file audit"))
    retry = RetryPolicy(lease_seconds=60)
    dying = Sender(store, "chat", DiesWhileSending(), app.draw_chart, retry=retry, clock=clock)
    with pytest.raises(Killed):
        dying.run_once()
    assert outbox_rows(store)[0]["state"] == "sending"

    out = StringIO()
    survivor_app = app_for(StorePool(settings.db_path))  # another process's connection
    survivor = Sender(
        survivor_app.store,
        "chat",
        ConsoleTransport(out),
        survivor_app.draw_chart,
        retry=retry,
        clock=clock,
    )
    clock.advance(59)
    assert survivor.drain() == 0  # the lease still holds
    clock.advance(2)
    assert survivor.drain() == 1
    restarted = Sender(store, "chat", ConsoleTransport(out), app.draw_chart, clock=clock)
    clock.advance(3600)
    assert restarted.drain() == 0 and survivor.drain() == 0
    assert " ".join(out.getvalue().split()).count(EXPECTED_NEWS) == 1
    [sent] = outbox_rows(store)
    assert (sent["state"], sent["attempts"]) == ("sent", 2)


def test_a_serving_sender_looks_after_its_delay_or_at_once_when_woken(app, store):
    """A new worker leaves what an earlier one queued for a moment (its first requests come
    first), but what it queues itself goes at once."""
    import time

    app.handle(ask("audit R1 17/20", delivery="left-by-an-earlier-worker"))
    transport = Failing(TransientError("unused"), times=0)
    started = time.monotonic()
    sender = Sender(store, "chat", transport, app.draw_chart).start(first_look_after=0.5)
    try:
        wait_until(lambda: transport.delivered, seconds=5)
        assert time.monotonic() - started >= 0.5
    finally:
        sender.stop()
    woken = Sender(store, "chat", transport, app.draw_chart).start(first_look_after=60)
    try:
        app.handle(ask("audit R1 18/20", delivery="queued-now"))
        woken.wake()
        wait_until(lambda: len(transport.delivered) == 2, seconds=5)  # not the 60 s look
    finally:
        woken.stop()


def test_two_senders_draining_at_once_deliver_each_item_once(app, store, settings, clock):
    for n in range(12):
        app.handle(ask(f"audit R1 {n}/20", delivery=f"ev{n}"))
    outputs = [StringIO(), StringIO()]
    barrier = threading.Barrier(2)

    def drain(out: StringIO) -> None:
        worker = app_for(StorePool(settings.db_path))
        barrier.wait()
        console_sender(worker, out, clock).drain()

    threads = [threading.Thread(target=drain, args=(out,)) for out in outputs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    printed = outputs[0].getvalue() + outputs[1].getvalue()
    assert printed.count("[posted in the conversation]") == 12
    for n in range(12):
        assert f"R1 audit: {n}/20 " in printed


def test_a_chart_is_drawn_when_it_is_sent(store, clock):
    app = app_for(store)
    outcome = app.post_report(ask("", platform=PICTURES, thread="t1"), "R1")
    assert outcome.reply.ok and outcome.public and outcome.queued == 2
    assert outcome.reply.shared_by == Person("U0AUDIT", "Alex Auditor", "pictures")
    assert outcome.reply.actions == ()
    drawn = []

    def draw(chart: Chart):
        drawn.append(chart)
        return b"\x89PNG fake", "R1 monitoring"

    transport = Failing(TransientError("unused"), times=0)
    Sender(store, "pictures", transport, draw, clock=clock).drain()
    report, chart = transport.delivered
    assert report.kind == MESSAGE and report.reply.title.startswith("Monitoring report")
    assert report.reply.shared_by == outcome.reply.shared_by
    assert (chart.kind, chart.png, chart.title) == (CHART, b"\x89PNG fake", "R1 monitoring")
    assert chart.filename == "r1-monitoring.png"
    assert chart.address == Address(ROOM, "t1")
    assert drawn == [Chart("stockton-on-tees", "R1")]


def test_the_real_chart_is_a_png(app):
    png, title = app.draw_chart(Chart("stockton-on-tees", "R1"))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert title.startswith("Stockton-on-Tees Youth Offending Service: R1 monitoring")


# --- (6) sharing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "args"),
    [("audit", "R1 17/20"), ("audit", "undo"), ("rec", 'R1 close "x"'), ("use", "Stockton")],
)
def test_sharing_never_runs_a_write(app, store, command, args):
    app.handle(ask("audit R1 17/20", delivery="setup"))
    before = counts(store)
    outcome = app.share(ask("", delivery="share1"), command, args)
    assert not outcome.reply.ok and not outcome.public
    assert outcome.reply.headline == "Only answers to questions can be shared."
    assert counts(store) == before


def test_sharing_posts_the_answer_attributed_to_the_sharer_once(app, store):
    first = app.share(ask("", user=VISITOR, thread="t2"), "score", "protecting-public")
    again = app.share(ask("", user=VISITOR, thread="t2"), "score", "protecting-public")
    assert first.public and first.queued == 1 and again.queued == 0
    [queued] = outbox_rows(store)
    assert queued["kind"] == MESSAGE
    assert Address.from_json(queued["address"]) == Address(ROOM, "t2")
    posted = from_json(queued["body"])
    assert posted.headline == "Protecting the public: 91%, Good (★★★★)."
    assert posted.shared_by == Person("U0VISIT", "Val Visitor", "chat")
    assert posted.actions == ()  # nobody else gets a "share" button on it


def test_every_answer_offering_share_can_be_shared(app, store):
    """Whatever a reply offers to share must share: the button never leads to a refusal."""
    questions = ["summary", "scores", "score public", "recs", "rec R1", "audits R1", "report"]
    questions += ["strengths", "timeline", "bands", "compare", "services"]
    for n, question in enumerate(questions):
        offered = app.handle(ask(question, delivery=f"q{n}")).reply.shareable()
        assert offered is not None, question
        shared = app.share(
            ask("", delivery=f"s{n}"), offered.get("command") or "", offered.get("args") or ""
        )
        assert shared.reply.ok and shared.queued == 1, (question, shared.reply.headline)
        assert shared.reply.shared_by is not None
    assert counts(store)["audit_updates"] == counts(store)["recommendation_history"] == 0


def test_a_shared_question_that_is_wrong_goes_back_to_the_sharer(app, store):
    outcome = app.share(ask(""), "score", "nonsense")
    assert not outcome.reply.ok and not outcome.public
    assert outbox_rows(store) == []


# --- (7) retracting: one's own, or anyone's with RETRACT_ANY ----------------------------------


class RecordersRetractOnlyTheirOwn(Policy):
    def allows(self, person: Person, permission: Permission) -> bool:
        return permission is not Permission.RETRACT_ANY


ALICE = Person("U0ALICE", "Alice")
BOB = Person("U0BOB", "Bob")


def test_a_recorder_retracts_their_own_but_not_someone_elses(store):
    app = app_for(store, policy=RecordersRetractOnlyTheirOwn(()))
    app.handle(ask('audit R1 17/20 2014-01-20 --late "from paper"', user=ALICE, delivery="a1"))
    app.handle(ask("audit R1 18/20 2014-02-20", user=BOB, delivery="b1"))
    refused = app.handle(ask("audit undo 1", user=BOB, delivery="b2"))
    assert not refused.reply.ok and not refused.public
    assert refused.reply.headline == (
        "Audit update #1 was recorded by someone else; only an auditor can retract it."
    )
    assert counts(store)["audit_retractions"] == 0
    own = app.handle(ask("audit undo 2", user=BOB, delivery="b3"))
    assert own.reply.ok
    assert own.reply.headline.startswith("Retracted audit update #2 for R1 (18/20 (90%)")
    latest_own = app.handle(ask("audit undo", user=ALICE, delivery="a2"))
    assert latest_own.reply.headline.startswith("Retracted audit update #1")
    retracted = {
        r["audit_id"]: r["user_id"] for r in store.db.query("SELECT * FROM audit_retractions")
    }
    assert retracted == {1: "U0ALICE", 2: "U0BOB"}


def test_an_auditor_retracts_anyones_by_number(store):
    app = app_for(store)
    app.handle(ask("audit R1 17/20", user=ALICE, delivery="a1"))
    assert app.handle(ask("audit undo 1", user=BOB, delivery="b1")).reply.ok
    [retraction] = store.db.query("SELECT * FROM audit_retractions")
    assert retraction["user_id"] == "U0BOB"


# --- the audit form through the application ---------------------------------------------------


def test_a_form_with_mistakes_claims_nothing_so_it_can_be_corrected(app, store):
    wrong = entry("R1", "2014-02-20", "20", "21")
    request = ask("", delivery="view:V1", via="form")
    outcome = app.submit_form(request, FormKind.AUDIT, wrong)
    assert (outcome.errors, outcome.outcome) == (
        {"compliant": "21 compliant out of 20 audited is not possible."},
        None,
    )
    assert counts(store)["audit_updates"] == 0
    assert store.db.table("deliveries").count == 0
    fixed = app.submit_form(
        request, FormKind.AUDIT, entry("R1", "2014-02-20", "20", "17", "From the form")
    )
    assert fixed.errors == {} and fixed.outcome is not None
    assert fixed.outcome.queued == 1
    assert fixed.outcome.reply.announcement.headline == EXPECTED_NEWS
    again = app.submit_form(
        request, FormKind.AUDIT, entry("R1", "2014-02-20", "20", "17", "From the form")
    )
    assert again.outcome is not None and again.outcome.duplicate
    [audit] = store.db.query("SELECT * FROM audit_updates")
    assert (audit["via"], audit["note"]) == ("form", "From the form")


def test_a_non_auditors_form_is_refused_in_the_form(store, settings):
    app = with_auditors(store, settings, "U0AUDIT")
    outcome = app.submit_form(
        ask("", user=VISITOR), FormKind.AUDIT, entry("R1", "2014-02-20", "20", "17")
    )
    assert outcome.outcome is None
    assert "Recording audit updates is for auditors" in outcome.errors["recommendation"]
    assert counts(store)["audit_updates"] == 0


def test_the_form_offers_the_services_recommendations(app):
    form = app.open_form(ask(""), FormKind.AUDIT)
    assert not isinstance(form, Reply)
    picker = form.fields[0]
    assert picker.kind is FieldKind.CHOICE and picker.initial == "R1"  # the only one
    [(ref, title)] = picker.choices
    assert ref == "R1" and title.startswith("R1: In all cases, reviews of assessments")


def test_the_application_pins_today(store):
    assert app_for(store).today() == IN_WINDOW
    assert Application(store, Policy(()), today=date(2015, 1, 1)).today() == date(2015, 1, 1)


def test_outbox_bodies_are_json_replies(app, store):
    app.handle(ask("audit R1 17/20 <!channel> note"))
    body = json.loads(outbox_rows(store)[0]["body"])
    assert body["headline"] == EXPECTED_NEWS
    # Only auditors may read notes, so the announcement says only that there is one.
    assert body["sections"][-1]["text"] == f"Note: {NOTE_RECORDED}."
    assert "<!channel>" not in outbox_rows(store)[0]["body"]


# --- forms asked for in words ------------------------------------------------------------------


@pytest.mark.parametrize("words", ASKS_FOR_THE_FORM)
def test_the_console_recognises_the_words_that_open_the_form(app, words):
    """Where there are no forms, the form's words answer as its command typed alone does."""
    assert app.form_asked_for(words) is FormKind.AUDIT
    said = console_answer(app, console_request(words)).reply
    assert said.title == console_answer(app, console_request("audit")).reply.title
    assert "Write it like: audit R1 17/20" in render_text(said)


@pytest.mark.parametrize("words", DOES_NOT)
def test_the_console_takes_other_words_as_commands(app, words):
    assert app.form_asked_for(words) is None
    said = console_answer(app, console_request(words)).reply
    assert said.title == app.handle(console_request(words)).reply.title
    assert "Write it like: audit R1 17/20" not in render_text(said) or words.startswith("audit")


# --- refusals and mentions, worded and read once -------------------------------------------------


def test_a_refusal_is_worded_once_for_every_way_of_asking():
    refused = refusal_for(Permission.EDIT_PLAN, "action add", "Ask your Slack admin")
    assert not refused.ok and refused.title == "Only auditors can do that"
    assert refused.headline == "Changing the improvement plan is for auditors (action add)."
    assert "Ask your Slack admin to add you to YOS_AUDITORS" in refused.sections[0].text
    record = refusal_for(Permission.RECORD, "audit", "Set YOS_AUDITORS")
    assert record.headline == "Recording audit updates is for auditors."


def test_only_a_mention_the_platform_vouched_for_names_someone(app):
    jo = Person("U0JO", "Jo {Smith} | x", "slack")
    assert mention(jo) == "@{U0JO|Jo Smith x}"
    typed = f"owner {mention(jo)} and @{{U0BOSS|Boss}}"
    kept = checked(typed, (jo,))
    assert mention(jo) in kept and "@{U0BOSS" not in kept
    assert mentioned(mention(jo)) == ("U0JO", "Jo Smith x")
    assert mentioned(defuse("@{U0JO|Jo}")) is None


def test_a_mention_kept_in_a_note_is_read_as_the_name_on_every_platform():
    from bot.render.text import render_text
    from bot.slack.blocks import message
    from bot.teams.cards import message_activity

    jo = Person("U0JO", "Jo Smith", "slack")
    said = f"Agreed with {mention(jo)}; {defuse('@{U0BOSS|Boss}')} was typed, not meant."
    reply = Reply(title="Progress", headline=said)
    for shown in (
        render_text(reply),
        json.dumps(message(reply), ensure_ascii=False),
        json.dumps(message_activity(reply), ensure_ascii=False),
    ):
        assert "@Jo Smith" in shown
        assert "U0JO" not in shown and "@{U0JO" not in shown
        assert "U0BOSS|Boss" in shown  # a look-alike stays as it was typed, inert
