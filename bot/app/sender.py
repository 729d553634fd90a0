"""Delivering the outbox: claim due items, send them through the platform, record how
it went.

Each serving process runs one :class:`Sender` for its platform. It claims due items
with a lease, hands each to the platform's :class:`Transport`, and marks it sent. A
rate limit or a server error puts the item back with a delay (the platform's
Retry-After when it gives one, else exponential back-off); after ``max_attempts`` the
item is given up and the person whose action caused it is told privately. A worker
killed while holding items loses them only until the lease runs out, when another
sender (or this one after a restart) claims them again.

A worker can also die after the platform took a message and before the row was marked
sent. Each delivery therefore carries the row's unique key, which a transport that can
(Slack) attaches to the message, and, when the row was claimed before (``attempt`` > 1),
when it was queued: such a transport first looks for a message with that key in the
conversation since then, and reports it delivered without posting again if there is one.

A front end served by an event loop (Teams) sends what a request queues from the request
itself (:meth:`Sender.run_and_send`): the request's worker thread queues it already
claimed (:func:`bot.store.outbox.claiming`) and makes it ready to send, the loop sends it
as any SDK app would, and a thread of the sender's own records it sent, several at a
time when many are sent together. Only a failure goes back to a worker thread, to be
retried or given up as the background sender would.
"""

from __future__ import annotations

import asyncio
import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol, TypeVar

from bot.app.failures import log_failure, where
from bot.app.retry import RetryPolicy
from bot.reply import Chart, Reply, from_json, to_json
from bot.store import StorePool, WouldWait, outbox
from bot.store.db import write_transaction
from bot.store.outbox import CHART, PRIVATE, Address, Item

logger = logging.getLogger(__name__)


class TransientError(Exception):
    """Sending failed in a way that may pass (rate limit, server error, network)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(Exception):
    """Sending can never succeed as asked (the bot is not in the channel, say)."""


@dataclass(frozen=True)
class Delivery:
    """One outbox item, ready for the platform: a reply to post, or a picture."""

    kind: str  # outbox.MESSAGE, outbox.PRIVATE or outbox.CHART
    address: Address
    reply: Reply | None = None
    png: bytes | None = None
    filename: str | None = None
    title: str | None = None
    comment: str | None = None
    # The outbox row's unique key, which the platform may carry with the message; which
    # attempt this is (more than 1: claimed before, so perhaps already posted by a worker
    # that died before recording it); and when the row was queued (Unix time), which is
    # never after the first attempt.
    key: str | None = None
    attempt: int = 1
    queued_at: float | None = None
    # When the last earlier claim's lease ran out (Unix time), if there was one: anything an
    # earlier attempt posted was posted by then, so a look for it need not read past it.
    claimed_until: float | None = None


class Transport(Protocol):
    def deliver(self, delivery: Delivery) -> None:
        """Send it, or raise TransientError / PermanentError."""
        ...


Ready = TypeVar("Ready")
Result = TypeVar("Result")


class LoopTransport(Protocol[Ready]):
    """A transport whose sending belongs to an event loop, in two halves."""

    def prepare(self, delivery: Delivery) -> Ready | None:
        """Where and what to send (blocking; in a worker thread); None: nothing to send.
        Raises as ``deliver`` does."""
        ...

    async def send(self, ready: Ready) -> None:
        """Send it on the running loop, or raise TransientError / PermanentError."""
        ...


ChartDrawer = Callable[[Chart], tuple[bytes, str] | None]

# Between tries of work done on an event loop that found the store busy (another writer
# of this process, most often, committing in a few hundred microseconds): the loop serves
# other requests meanwhile. After the last, the work goes to a worker thread, which waits.
AT_ONCE_PAUSES = (0.0, 0.0005, 0.001, 0.002, 0.004)

# How long a serving process waits before its first look at the outbox (see Sender.start).
FIRST_OUTBOX_LOOK_SECONDS = 1.0


class Sender:
    """Delivers one platform's outbox, on a background thread or on demand (``drain``)."""

    def __init__(
        self,
        store: StorePool,
        platform: str,
        transport: Transport,
        draw_chart: ChartDrawer,
        *,
        retry: RetryPolicy | None = None,
        poll_seconds: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.platform = platform
        self.transport = transport
        self.draw_chart = draw_chart
        self.retry = retry or RetryPolicy()
        self.poll_seconds = poll_seconds
        self.clock = clock
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sent = _SentMarks(store, f"outbox-{platform}-sent")
        # Items a request queued already claimed for this sender (``claiming``), for its
        # thread to send: no transaction of the thread's own claims them.
        self._handed: queue.SimpleQueue[Item] = queue.SimpleQueue()

    # --- running ---------------------------------------------------------------------

    def start(self, first_look_after: float = 0.0) -> Sender:
        """Deliver in the background. A serving process starts with ``first_look_after``
        a second or so: what an earlier process left waits that much longer, while the
        first requests a new worker is sent are answered without sending alongside them
        (anything queued meanwhile wakes it at once)."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._loop,
                args=(first_look_after,),
                name=f"outbox-{self.platform}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._sent.stop()

    def wake(self) -> None:
        """Something was queued: look now rather than at the next poll."""
        self._wake.set()

    def claiming(self) -> AbstractContextManager[list[Item]]:
        """Within the block, what the calling thread queues for this platform, due now, is
        queued already claimed by this sender, in the transaction that queues it
        (``outbox.claiming``). Once the block has ended, give the list to
        :meth:`hand_over`: the sender's thread sends those items without a transaction of
        its own to claim them, and records a batch of them sent in one."""
        return outbox.claiming(
            self.store.db, self.platform, now=self.clock(), lease_seconds=self.retry.lease_seconds
        )

    def hand_over(self, items: list[Item]) -> None:
        """Send ``items`` (claimed by :meth:`claiming`) on the sender's thread, and look
        for anything else queued now."""
        for item in items:
            self._handed.put(item)
        self.wake()

    def _loop(self, first_look_after: float) -> None:
        if first_look_after > 0 and self._wake.wait(first_look_after):
            self._wake.clear()
        while not self._stop.is_set():
            # Cleared before looking, so a wake-up that comes while it looks is not lost.
            self._wake.clear()
            try:
                while self._send_handed() or self.run_once():
                    pass
            except Exception as error:
                log_failure(logger, "the outbox sender", error)
            self._wake.wait(self._pause())

    def _pause(self) -> float:
        """How long to sleep: until the next retry falls due, if that is sooner than the
        next poll (which finds what other processes queued)."""
        try:
            due = outbox.next_due(self.store.db, self.platform)
        except Exception:
            return self.poll_seconds
        if due is None:
            return self.poll_seconds
        return max(0.0, min(self.poll_seconds, due - self.clock()))

    def drain(self) -> int:
        """Send everything due now, in this thread; returns how many were handled."""
        handled = 0
        while count := self._send_handed() or self.run_once():
            handled += count
        return handled

    def send_now(self) -> int:
        """Send what is due from the calling thread: a request that has just queued its
        answer delivers it itself, so the answers to requests served side by side go out
        side by side, with no hand-off to the background thread (which still takes
        whatever is left, and retries). Never raises: a failure is logged."""
        try:
            return self.run_once()
        except Exception as error:
            log_failure(logger, "the outbox sender", error)
            self.wake()
            return 0

    async def run_and_send(
        self,
        work: Callable[[], Result],
        transport: LoopTransport[Ready],
        *,
        at_once: Callable[[], Result | None] | None = None,
    ) -> Result:
        """Run ``work`` (blocking, so in a worker thread) and send what it queued for this
        platform, due now, from the running loop; ``work``'s result. Whatever it raises
        is raised, and whatever it had queued is left to the background sender. A
        failure to send is never raised: it is retried or given up, and logged.

        ``at_once`` is the same work when it needs nothing worked out (a known answer),
        else None: it is tried first, on the loop itself, with a store that never waits
        (``Store.without_waiting``), and ``work`` runs in a thread only if it gives None or
        the store is busy. A hand-over to a thread and back costs a served request more
        than answering it does, so known answers are given without one."""
        done = await self._at_once(at_once, transport) if at_once is not None else None
        if done is not None:
            result, claimed = done
        else:
            result, claimed = await asyncio.to_thread(self._run_claiming, work, transport)
        for item, ready in claimed:
            if self._running_out(item):  # the work took that long: as in _deliver
                await asyncio.to_thread(self._let_go, item)
                continue
            failure: Exception | None = None
            if isinstance(ready, Exception):
                failure = ready
            elif ready is not None:
                try:
                    await transport.send(ready)
                except Exception as error:
                    failure = error
            if failure is None:
                self._sent.add(item.id)
                continue
            try:
                await asyncio.to_thread(self._failed, item, failure)
            except Exception as error:  # its lease runs out, and the background sender has it
                log_failure(logger, "the outbox sender", error)
        return result

    async def _at_once(
        self, work: Callable[[], Result | None], transport: LoopTransport[Ready]
    ) -> tuple[Result, list[tuple[Item, Ready | Exception | None]]] | None:
        """``work`` run on the loop without waiting on the store, and what it queued made
        ready; None if it gave None, or if the store stayed busy while the loop did other
        work for a moment between tries (nothing of it is then kept)."""
        for pause in AT_ONCE_PAUSES:
            if pause:
                await asyncio.sleep(pause)
            try:
                with self.store.db.without_waiting():
                    result, claimed = self._run_claiming(work, transport)
            except WouldWait:
                continue
            return None if result is None else (result, claimed)
        return None

    def _run_claiming(
        self, work: Callable[[], Result], transport: LoopTransport[Ready]
    ) -> tuple[Result, list[tuple[Item, Ready | Exception | None]]]:
        db = self.store.db
        try:
            with outbox.claiming(
                db, self.platform, now=self.clock(), lease_seconds=self.retry.lease_seconds
            ) as claimed:
                result = work()
        except WouldWait:
            raise  # nothing was committed: there is nothing for the background sender
        except BaseException:
            self.wake()  # what it committed before failing is the background sender's
            raise
        prepared: list[tuple[Item, Ready | Exception | None]] = []
        for item in claimed:
            try:
                delivery = self._prepare(item)
                prepared.append((item, None if delivery is None else transport.prepare(delivery)))
            except Exception as error:
                prepared.append((item, error))
        return result, prepared

    def run_once(self) -> int:
        items = outbox.claim_due(
            self.store.db,
            self.platform,
            now=self.clock(),
            lease_seconds=self.retry.lease_seconds,
        )
        for item in items:
            self._send(item)
        return len(items)

    def _send_handed(self) -> int:
        """Send the items handed over (up to a transaction's worth) and record those sent
        in one transaction; returns how many were handled. Until they are recorded, their
        claim's lease holds them, as for any item claimed."""
        items: list[Item] = []
        while len(items) < MARKS_PER_TRANSACTION:
            try:
                items.append(self._handed.get_nowait())
            except queue.Empty:
                break
        sent = [item.id for item in items if self._deliver(item)]
        if sent:
            outbox.mark_all_sent(self.store.db, sent)
        return len(items)

    # --- one item ----------------------------------------------------------------------

    def _send(self, item: Item) -> None:
        if self._deliver(item):
            outbox.mark_sent(self.store.db, item.id)

    def _deliver(self, item: Item) -> bool:
        """Deliver ``item`` (blocking); whether it went, else its failure is handled. An
        item whose claim is running out (one of many claimed together, say, behind slow
        sends) is not sent: past its lease another sender may take it, and two posting
        at once would each find nothing posted before. It is put back for the next claim."""
        if self._running_out(item):
            self._let_go(item)
            return False
        try:
            delivery = self._prepare(item)
            if delivery is not None:
                self.transport.deliver(delivery)
        except Exception as error:
            self._failed(item, error)
            return False
        return True

    def _let_go(self, item: Item) -> None:
        """Put ``item`` back, untried, for the next look at the outbox (blocking)."""
        logger.info("outbox item %s: its claim is running out; put back untried", item.id)
        if item.lease_until is not None:
            outbox.release(self.store.db, [item], item.lease_until)
        self.wake()

    def _running_out(self, item: Item) -> bool:
        """Whether less than half of ``item``'s lease is left: time enough to send it and
        for another sender to find it posted, were it to take over."""
        if item.lease_until is None:
            return False
        return self.clock() > item.lease_until - self.retry.lease_seconds / 2

    def _failed(self, item: Item, error: Exception) -> None:
        """Try ``item`` again later, or give it up (blocking)."""
        if isinstance(error, PermanentError):
            logger.warning("outbox item %s cannot be sent: %s", item.id, error)
            self._give_up(item, str(error), permanent=True)
            return
        retry_after = error.retry_after if isinstance(error, TransientError) else None
        if not isinstance(error, TransientError):
            log_failure(logger, f"sending outbox item {item.id}", error)
        if item.attempts >= self.retry.max_attempts:
            self._give_up(item, _safe(error))
            return
        delay = self.retry.delay(item.attempts, retry_after)
        logger.info("outbox item %s: %s; retrying in %.1fs", item.id, _safe(error), delay)
        outbox.retry_at(self.store.db, item.id, self.clock() + delay, _safe(error))
        # The background sender sleeps until its next poll unless told a retry may now be
        # due sooner: woken, it works out its pause again from what is queued.
        self.wake()

    def _prepare(self, item: Item) -> Delivery | None:
        delivery = self._content(item)
        if delivery is None:
            return None
        return replace(
            delivery,
            key=item.key,
            attempt=item.attempts,
            queued_at=_unix(item.created_at),
            claimed_until=item.claimed_until,
        )

    def _content(self, item: Item) -> Delivery | None:
        if item.kind == CHART:
            spec = json.loads(item.body)
            drawn = self.draw_chart(Chart(spec["service_id"], spec.get("ref")))
            if drawn is None:
                return None
            png, title = drawn
            name = f"{(spec.get('ref') or 'recommendations').lower()}-monitoring.png"
            return Delivery(
                CHART,
                item.address,
                png=png,
                filename=name,
                title=title,
                comment=spec.get("comment"),
            )
        return Delivery(item.kind, item.address, reply=from_json(item.body))

    def _give_up(self, item: Item, error: str, *, permanent: bool = False) -> None:
        """Stop trying, and tell the person whose action it was, once."""
        db = self.store.db
        with write_transaction(db):
            outbox.give_up(db, item.id, error)
            if item.kind != PRIVATE and item.notify is not None and item.notify.user:
                recorded = item.key.startswith("announce:")
                note = Reply(
                    title="Not posted",
                    headline=(
                        "Your update is recorded, but I couldn't announce it in the conversation"
                        if recorded
                        else "I couldn't post that in the conversation"
                    )
                    + f" ({error})."
                    + (
                        " If I'm not a member there, invite me and try again."
                        if permanent
                        else " The platform kept failing; please try again later."
                    ),
                )
                outbox.add(
                    db,
                    key=f"{item.key}:not-posted",
                    platform=item.platform,
                    kind=PRIVATE,
                    address=item.notify,
                    body=to_json(note),
                    due_at=self.clock(),
                )


# Sent items recorded in one transaction at most (a bound on the statement's size).
MARKS_PER_TRANSACTION = 200
# How long the first item sent waits for others to be recorded with it: one transaction
# and one wake-up for all an event loop sends meanwhile, and a moment beside the lease.
MARKS_GATHER_SECONDS = 0.02


class _SentMarks:
    """Items sent from an event loop, recorded sent by a thread of their own: the loop
    never waits for the store, and items sent within a few milliseconds of each other
    are recorded together. Until an item is recorded its claim's lease holds it, so no
    other sender takes it."""

    def __init__(self, store: StorePool, name: str) -> None:
        self.store = store
        self.name = name
        self._queue: queue.SimpleQueue[int | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def add(self, item_id: int) -> None:
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                    self._thread.start()
        self._queue.put(item_id)

    def stop(self, timeout: float = 10.0) -> None:
        """Record what is waiting, then stop (a worker that stops marks what it sent)."""
        thread = self._thread
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout)

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            ids = [] if first is None else [first]
            stopping = first is None
            if not stopping:
                time.sleep(MARKS_GATHER_SECONDS)
            while len(ids) < MARKS_PER_TRANSACTION:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stopping = True
                else:
                    ids.append(more)
            if ids:
                try:
                    outbox.mark_all_sent(self.store.db, ids)
                except Exception as error:  # their leases run out: sent again, as after a crash
                    log_failure(logger, "recording sent outbox items", error)


def _unix(stamp: str | None) -> float | None:
    """A moment as the store writes it (ISO 8601), as Unix time."""
    if not stamp:
        return None
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _safe(error: Exception) -> str:
    """What went wrong in words that cannot hold a user's text: a transport's own
    description of a platform error, else the exception's type and place."""
    if isinstance(error, (TransientError, PermanentError)):
        return str(error)
    return where(error)
