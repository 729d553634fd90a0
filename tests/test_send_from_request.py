"""A request that sends what it queues itself (the Teams front end), and the token check
that remembers a verified token: each still does what the slower way did."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import jwt
import pytest

from bot.app import Application, Delivery, Platform, Policy, Request, Sender, TransientError
from bot.app.sender import RetryPolicy
from bot.reply import Person
from bot.store import StorePool, outbox, write_transaction
from tests.conftest import IN_WINDOW, prepare_from_bundled
from tests.teams_keys import new_signing_key

if TYPE_CHECKING:  # imported by the tests that need it: it brings in the Teams SDK
    from bot.teams.ingress import TokenCheck

CHAT = Platform("chat", invocation="/yos ", admin_hint="Ask the chat admin", charts=False)
AUDITOR = Person("U0AUDIT", "Alex Auditor")


@pytest.fixture
def store(settings, bundled_store) -> StorePool:
    prepare_from_bundled(settings, bundled_store).close()
    return StorePool(settings.db_path)


@pytest.fixture
def app(store) -> Application:
    return Application(store, Policy(()), today=IN_WINDOW)


def ask(text: str, delivery: str = "ev1") -> Request:
    return Request(
        CHAT,
        text=text,
        user=AUDITOR,
        conversation="C0ROOM",
        delivery_id=delivery,
        via="direct message",
        answer_in_conversation=True,
    )


def rows(store: StorePool) -> list[dict[str, Any]]:
    return list(store.db.query("SELECT * FROM outbox ORDER BY id"))


class Unused:
    """The background sender's transport, which these requests never need."""

    def deliver(self, delivery: Delivery) -> None:
        raise AssertionError("sent in the background")


@dataclass
class OnTheLoop:
    """A transport in two halves that records where each ran and what the store held."""

    store: StorePool
    fail: Exception | None = None
    prepared: list[tuple[str, list[tuple[str, int]]]] = field(default_factory=list)
    sent: list[tuple[str, bool]] = field(default_factory=list)

    def prepare(self, delivery: Delivery) -> str | None:
        states = self.store.db.execute("SELECT state, attempts FROM outbox").fetchall()
        self.prepared.append((threading.current_thread().name, [tuple(r) for r in states]))
        return delivery.key

    async def send(self, ready: str) -> None:
        asyncio.get_running_loop()  # raises unless on the loop
        self.sent.append((ready, threading.current_thread() is threading.main_thread()))
        if self.fail is not None:
            raise self.fail


def test_what_a_request_queues_is_queued_claimed_sent_from_the_loop_and_recorded(app, store):
    sender = Sender(store, "chat", Unused(), draw_chart=app.draw_chart)
    transport = OnTheLoop(store)
    outcome = asyncio.run(sender.run_and_send(lambda: app.handle(ask("audit R1 17/20")), transport))
    assert outcome.queued == 2  # the announcement and the answer
    [(thread, states)] = transport.prepared[:1]
    assert thread != threading.main_thread().name
    assert states == [("sending", 1), ("sending", 1)]  # claimed as they were queued
    assert [key for key, _ in transport.sent] == [r["key"] for r in rows(store)]
    assert all(on_main for _, on_main in transport.sent)
    sender.stop()  # records what was sent before it stops
    assert [(r["state"], r["attempts"], r["lease_until"]) for r in rows(store)] == [
        ("sent", 1, None),
        ("sent", 1, None),
    ]


def test_a_row_claimed_as_it_is_queued_is_no_other_senders(app, store, settings):
    with outbox.claiming(store.db, "chat", now=time.time(), lease_seconds=60) as claimed:
        app.handle(ask("what is R1"))
    assert [item.attempts for item in claimed] == [1]
    other = StorePool(settings.db_path).db
    assert outbox.claim_due(other, "chat", now=time.time() + 59, lease_seconds=60) == []
    [again] = outbox.claim_due(other, "chat", now=time.time() + 61, lease_seconds=60)
    assert (again.key, again.attempts) == (claimed[0].key, 2)  # as after a worker died


def test_work_that_fails_leaves_what_it_committed_to_any_sender(store):
    def queue_then_fail() -> None:
        with write_transaction(store.db) as db:
            outbox.add(
                db,
                key="k1",
                platform="chat",
                kind=outbox.MESSAGE,
                address=outbox.Address("C1"),
                body="{}",
            )
        raise RuntimeError("after the commit")

    sender = Sender(store, "chat", Unused(), draw_chart=lambda chart: None)
    with pytest.raises(RuntimeError):
        asyncio.run(sender.run_and_send(queue_then_fail, OnTheLoop(store)))
    [row] = rows(store)
    assert (row["state"], row["attempts"], row["lease_until"]) == ("pending", 0, None)


def test_a_queue_undone_with_its_savepoint_is_not_sent(store):
    def queue_and_undo() -> None:
        with write_transaction(store.db) as db:
            try:
                with write_transaction(db):  # nested: a savepoint
                    outbox.add(
                        db,
                        key="undone",
                        platform="chat",
                        kind=outbox.MESSAGE,
                        address=outbox.Address("C1"),
                        body="{}",
                    )
                    raise ValueError("undo it")
            except ValueError:
                pass

    with outbox.claiming(store.db, "chat", now=time.time(), lease_seconds=60) as claimed:
        queue_and_undo()
    assert claimed == [] and rows(store) == []


def test_only_what_is_due_for_the_senders_platform_is_claimed(store):
    now = time.time()
    with (
        outbox.claiming(store.db, "chat", now=now, lease_seconds=60) as claimed,
        write_transaction(store.db) as db,
    ):
        for key, platform, due in (
            ("mine", "chat", None),
            ("later", "chat", now + 5),
            ("theirs", "slack", None),
        ):
            outbox.add(
                db,
                key=key,
                platform=platform,
                kind=outbox.MESSAGE,
                address=outbox.Address("C1"),
                body="{}",
                due_at=due,
            )
    assert [item.key for item in claimed] == ["mine"]
    assert {r["key"]: r["state"] for r in rows(store)} == {
        "mine": "sending",
        "later": "pending",
        "theirs": "pending",
    }


def test_a_send_that_fails_from_the_loop_is_tried_again_later(app, store):
    retry = RetryPolicy(base_seconds=30)
    sender = Sender(store, "chat", Unused(), draw_chart=app.draw_chart, retry=retry)
    transport = OnTheLoop(store, fail=TransientError("rate limit", retry_after=40))
    before = time.time()
    asyncio.run(sender.run_and_send(lambda: app.handle(ask("what is R1")), transport))
    sender.stop()
    [row] = rows(store)
    assert (row["state"], row["attempts"], row["lease_until"]) == ("pending", 1, None)
    assert row["due_at"] >= before + 40 and row["last_error"] == "rate limit"


# --- a known answer, given on the loop -------------------------------------------------


def test_an_answer_not_yet_known_is_left_to_be_worked_out_and_nothing_is_written(app, store):
    assert app.known_answer(ask("score protecting-public", "ev1")) is None
    assert rows(store) == []


def test_a_known_answer_is_the_one_handle_gives_and_is_queued_once(app, store):
    first = app.handle(ask("score protecting-public", "ev1"))
    again = app.known_answer(ask("score protecting-public", "ev2"))
    assert again is not None
    assert (again.reply, again.public, again.queued) == (first.reply, first.public, 1)
    assert [r["key"] for r in rows(store)] == ["answer:chat:ev1", "answer:chat:ev2"]
    assert rows(store)[0]["body"] == rows(store)[1]["body"]
    # A delivery seen before is not queued twice.
    assert app.known_answer(ask("score protecting-public", "ev2")).queued == 0
    assert len(rows(store)) == 2


@pytest.mark.parametrize(
    "text",
    [
        "audit R1 17/20",  # records: never an answer kept
        "monitoring R1",  # reads audit evidence: never kept
    ],
)
def test_what_writes_or_reads_evidence_is_never_a_known_answer(app, store, text):
    app.handle(ask(text, "ev1"))
    before = rows(store)
    assert app.known_answer(ask(text, "ev2")) is None
    assert rows(store) == before


def test_a_known_answer_is_queued_and_sent_on_the_loop_without_a_worker_thread(app, store):
    app.handle(ask("score protecting-public", "ev1"))  # now known
    sender = Sender(store, "chat", Unused(), draw_chart=app.draw_chart)
    transport = OnTheLoop(store)
    ran_in: list[str] = []

    def work(name: str, answer):
        def run():
            ran_in.append(name)
            return answer()

        return run

    request = ask("score protecting-public", "ev2")
    outcome = asyncio.run(
        sender.run_and_send(
            work("worker", lambda: app.handle(request)),
            transport,
            at_once=work("loop", lambda: app.known_answer(request)),
        )
    )
    sender.stop()
    assert ran_in == ["loop"]
    assert outcome.reply.headline.startswith("Protecting the public: 91%")
    [(thread, _)] = transport.prepared
    assert thread == threading.main_thread().name
    assert [key for key, _ in transport.sent] == ["answer:chat:ev2"]
    assert {r["key"]: r["state"] for r in rows(store)}["answer:chat:ev2"] == "sent"


def test_with_the_store_busy_a_known_answer_goes_to_a_worker_thread_and_is_sent_once(
    app, store, settings
):
    app.handle(ask("score protecting-public", "ev1"))
    sender = Sender(store, "chat", Unused(), draw_chart=app.draw_chart)
    transport = OnTheLoop(store)
    request = ask("score protecting-public", "ev2")
    other = StorePool(settings.db_path).db  # another worker, writing for longer than it waits

    async def scenario() -> Any:
        with contextlib.ExitStack() as writing:
            writing.enter_context(other.writers.turn(1.0))
            running = asyncio.ensure_future(
                sender.run_and_send(
                    lambda: app.handle(request),
                    transport,
                    at_once=lambda: app.known_answer(request),
                )
            )
            await asyncio.sleep(0.1)  # the loop is free meanwhile: nothing on it waits
            assert not running.done()
        return await running  # the other writer is done: the thread's turn comes

    outcome = asyncio.run(scenario())
    sender.stop()
    assert outcome.queued == 1
    [(thread, _)] = transport.prepared
    assert thread != threading.main_thread().name  # worked out in a thread, which waited
    assert [key for key, _ in transport.sent] == ["answer:chat:ev2"]
    assert [r["key"] for r in rows(store)] == ["answer:chat:ev1", "answer:chat:ev2"]


# --- the token check --------------------------------------------------------------------

APP = "00000000-0000-0000-0000-00000000b07a"
SERVICE = "https://smba.example/teams/"


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def check(tokens: TokenCheck, token: str, service_url: str = SERVICE) -> str:
    return asyncio.run(tokens.check(f"Bearer {token}", {"serviceUrl": service_url}))


def test_a_token_seen_before_is_still_checked_for_expiry_service_url_and_endorsement():
    from bot.teams.ingress import Refused, SigningKeys, TokenCheck

    key = new_signing_key()
    document = {"keys": [key.jwk()]}
    fetched: list[str] = []

    def fetch(url: str) -> object:
        fetched.append(url)
        return document

    clock = Clock()
    keys = SigningKeys("https://keys.example/keys", fetch=fetch, clock=time.monotonic)
    tokens = TokenCheck(APP, keys, clock=clock)
    claims = {
        "iss": "https://api.botframework.com",
        "aud": APP,
        "serviceurl": SERVICE,
        "exp": int(clock.now) + 600,
    }
    token = jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})
    assert check(tokens, token) == token
    assert check(tokens, token) == token  # remembered
    with pytest.raises(Refused, match="another service URL"):
        check(tokens, token, "https://elsewhere.example/")
    forged = token[: token.rindex(".") + 1] + "AAAA" + token[token.rindex(".") + 5 :]
    with pytest.raises(Refused, match=r"signature|not valid"):
        check(tokens, forged)
    clock.now += 600 + 301  # past its expiry and the skew allowed
    with pytest.raises(Refused, match="expired"):
        check(tokens, token)


def test_a_remembered_token_is_refused_once_its_key_is_not_endorsed_for_teams():
    from bot.teams.ingress import Refused, SigningKeys, TokenCheck

    key = new_signing_key()
    documents = [{"keys": [key.jwk()]}, {"keys": [{**key.jwk(), "endorsements": ["webchat"]}]}]
    now = [0.0]
    keys = SigningKeys(
        "https://keys.example/keys", fetch=lambda url: documents.pop(0), clock=lambda: now[0]
    )
    tokens = TokenCheck(APP, keys)
    claims = {
        "iss": "https://api.botframework.com",
        "aud": APP,
        "serviceurl": SERVICE,
        "exp": int(time.time()) + 3600,
    }
    token = jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})
    assert check(tokens, token) == token
    now[0] += 25 * 3600  # the key set is a day old: fetched again, the key now for webchat
    with pytest.raises(Refused, match="not endorsed for msteams"):
        check(tokens, token)
