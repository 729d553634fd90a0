"""The outbox: what the bot must send, kept in the store until it has been sent.

A row is written in the same transaction as the record that caused it, under a unique
key, so a write and its announcement commit together or not at all, and the same
announcement can never be queued twice. Senders claim due rows with a lease: a worker
that dies holding rows loses them only until the lease runs out.

A thread that is about to send what it queues itself (a Teams request answering) queues
inside :func:`claiming`: the rows it adds are written already claimed by it, with the
lease a claim gives, in the transaction that queues them, so no other sender takes them
and no second transaction is needed to claim them.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from bot.store.db import Store, placeholders, write_transaction

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"


class OutboxKind(StrEnum):
    """What an outbox row sends (the value is what the row stores)."""

    MESSAGE = "message"  # a message for the conversation
    PRIVATE = "private"  # a message for one person in it
    CHART = "chart"  # the monitoring chart, drawn when sent


MESSAGE, PRIVATE, CHART = OutboxKind.MESSAGE, OutboxKind.PRIVATE, OutboxKind.CHART


@dataclass(frozen=True)
class Address:
    """Where a message goes: a conversation (and thread), or one person in it."""

    conversation: str | None = None
    thread: str | None = None
    user: str | None = None
    service_url: str | None = None  # platforms that route by region (Teams)

    def to_json(self) -> str:
        return json.dumps({k: v for k, v in asdict(self).items() if v is not None})

    @classmethod
    def from_json(cls, text: str | None) -> Address | None:
        return cls(**json.loads(text)) if text else None


@dataclass(frozen=True)
class Item:
    id: int
    key: str
    platform: str
    kind: str
    address: Address
    body: str
    notify: Address | None
    attempts: int  # counting this one: more than 1 means it was claimed before
    created_at: str | None = None  # when it was queued (UTC ISO 8601): never after a claim
    # When the last claim before this one ran out (Unix time): a message an earlier sender
    # posted before it stopped was posted by then.
    claimed_until: float | None = None
    # When this claim runs out (Unix time): after it, another sender may take the item.
    lease_until: float | None = None


def add(
    db: Store,
    *,
    key: str,
    platform: str,
    kind: str,
    address: Address,
    body: str,
    notify: Address | None = None,
    due_at: float | None = None,
) -> bool:
    """Queue one item inside the caller's transaction; False if ``key`` is already queued.
    Inside :func:`claiming`, an item for its platform that is due now is queued claimed."""
    claim: _Claim | None = getattr(_claiming, "claim", None)
    if claim is not None and (claim.platform != platform or (due_at or 0.0) > claim.now):
        claim = None
    created = _now()
    notified = notify.to_json() if notify else None
    cursor = db.execute(
        "INSERT OR IGNORE INTO outbox (key, platform, kind, address, body, notify, state, "
        "attempts, due_at, created_at, lease_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            key,
            platform,
            kind,
            address.to_json(),
            body,
            notified,
            PENDING if claim is None else SENDING,
            0 if claim is None else 1,
            time.time() if due_at is None else due_at,
            created,
            None if claim is None else claim.lease_until,
        ],
    )
    added = cursor.rowcount == 1
    if added and claim is not None and cursor.lastrowid is not None:
        claim.items.append(
            Item(
                cursor.lastrowid,
                key,
                platform,
                kind,
                address,
                body,
                notify,
                1,
                created,
                lease_until=claim.lease_until,
            )
        )
    return added


@dataclass
class _Claim:
    platform: str
    now: float
    lease_until: float
    items: list[Item] = field(default_factory=list)


_claiming = threading.local()


@contextmanager
def claiming(db: Store, platform: str, *, now: float, lease_seconds: float) -> Iterator[list[Item]]:
    """Within the block, what this thread queues for ``platform`` that is due by ``now``
    is queued claimed by it until ``now + lease_seconds``. The list it gives holds, once
    the block has ended, the items claimed so that are in the store (committed): the
    caller must send each and record how it went. If the block raises, whatever it had
    committed is put back for any sender to take, and the list is empty."""
    claim = _Claim(platform, now, now + lease_seconds)
    earlier = getattr(_claiming, "claim", None)
    _claiming.claim = claim
    try:
        yield claim.items
    except BaseException:
        _claiming.claim = earlier
        taken, claim.items[:] = list(claim.items), []
        if taken:
            release(db, taken, claim.lease_until)
        raise
    _claiming.claim = earlier
    if claim.items:
        # A queue rolled back (with a savepoint the block went on after) is not sent.
        kept = committed(db, claim.items, claim.lease_until)
        claim.items[:] = [item for item in claim.items if item.id in kept]


def committed(db: Store, items: list[Item], lease_until: float) -> set[int]:
    """Which of ``items`` are in the store, claimed until ``lease_until``."""
    ids = [item.id for item in items]
    rows = db.execute(
        f"SELECT id, key FROM outbox WHERE id IN ({placeholders(ids)}) "
        "AND state = ? AND lease_until = ?",
        [*ids, SENDING, lease_until],
    ).fetchall()
    keys = {item.id: item.key for item in items}
    return {row[0] for row in rows if keys.get(row[0]) == row[1]}


def release(db: Store, items: list[Item], lease_until: float) -> None:
    """Put claimed items back, untried, for any sender to take at once."""
    with write_transaction(db):
        for item in items:
            db.execute(
                "UPDATE outbox SET state = ?, lease_until = NULL, attempts = attempts - 1 "
                "WHERE id = ? AND key = ? AND state = ? AND lease_until = ?",
                [PENDING, item.id, item.key, SENDING, lease_until],
            )


_CLAIMED = (
    "id, key, platform, kind, address, body, notify, attempts, due_at, created_at, lease_until"
)


def claim_due(
    db: Store, platform: str, *, now: float, lease_seconds: float, limit: int = 10
) -> list[Item]:
    """Take up to ``limit`` due items for ``platform``: pending ones whose time has come,
    and ones whose sender's lease ran out (it died, or hung)."""
    # Two searches of the (platform, state, due_at) index, so the rows already sent,
    # however many, are never read.
    due = (
        "SELECT * FROM ("
        f"SELECT {_CLAIMED} FROM outbox WHERE platform = ? AND state = ? AND due_at <= ? "
        "UNION ALL "
        f"SELECT {_CLAIMED} FROM outbox WHERE platform = ? AND state = ? AND lease_until < ?"
        ") ORDER BY due_at, id LIMIT ?"
    )
    parameters = [platform, PENDING, now, platform, SENDING, now, limit]
    # An idle look only reads: the write lock, which every worker's writes queue for, is
    # taken only when there is something to claim (and the search repeated under it, as
    # another sender may have claimed it meanwhile).
    if db.execute(due, parameters).fetchone() is None:
        return []
    with write_transaction(db):
        rows = db.execute(due, parameters).fetchall()
        if not rows:
            return []
        ids = [row[0] for row in rows]
        db.execute(
            f"UPDATE outbox SET state = ?, lease_until = ?, attempts = attempts + 1 "
            f"WHERE id IN ({placeholders(ids)})",
            [SENDING, now + lease_seconds, *ids],
        )
    return [
        Item(
            id=row[0],
            key=row[1],
            platform=row[2],
            kind=row[3],
            address=Address.from_json(row[4]) or Address(),
            body=row[5],
            notify=Address.from_json(row[6]),
            attempts=row[7] + 1,
            created_at=row[9],
            claimed_until=row[10] if row[7] else None,
            lease_until=now + lease_seconds,
        )
        for row in rows
    ]


def mark_sent(db: Store, item_id: int) -> None:
    mark_all_sent(db, [item_id])


def mark_all_sent(db: Store, item_ids: list[int]) -> None:
    """Record items as sent, in one transaction."""
    with write_transaction(db):
        db.execute(
            f"UPDATE outbox SET state = ?, sent_at = ?, lease_until = NULL "
            f"WHERE id IN ({placeholders(item_ids)})",
            [SENT, _now(), *item_ids],
        )


def retry_at(db: Store, item_id: int, due_at: float, error: str) -> None:
    with write_transaction(db):
        db.execute(
            "UPDATE outbox SET state = ?, due_at = ?, lease_until = NULL, last_error = ? "
            "WHERE id = ?",
            [PENDING, due_at, error[:500], item_id],
        )


def give_up(db: Store, item_id: int, error: str) -> None:
    with write_transaction(db):
        db.execute(
            "UPDATE outbox SET state = ?, lease_until = NULL, last_error = ? WHERE id = ?",
            [FAILED, error[:500], item_id],
        )


def next_due(db: Store, platform: str) -> float | None:
    """When the next pending item for ``platform`` falls due, if any."""
    row = db.execute(
        "SELECT min(due_at) FROM outbox WHERE platform = ? AND state = ?", [platform, PENDING]
    ).fetchone()
    return row[0] if row else None


def counts(db: Store) -> dict[str, int]:
    return dict(db.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall())


def has(db: Store, key: str) -> bool:
    """Whether anything was ever queued under ``key``."""
    return db.execute("SELECT 1 FROM outbox WHERE key = ?", [key]).fetchone() is not None


# Messages sent (or given up on) whose text is still kept, queued before a cutoff.
_FINISHED = f"state IN ('{SENT}', '{FAILED}') AND body <> '' AND created_at < ?"


def count_finished_before(db: Store, cutoff: str) -> int:
    """How many sent or given-up messages queued before ``cutoff`` (UTC ISO 8601) still
    keep their text."""
    return int(db.execute(f"SELECT count(*) FROM outbox WHERE {_FINISHED}", [cutoff]).fetchone()[0])


def blank_finished_before(db: Store, cutoff: str) -> int:
    """Blank the text of sent or given-up messages queued before ``cutoff``, keeping their
    rows (so nothing is ever sent twice); how many were blanked."""
    return db.execute(f"UPDATE outbox SET body = '' WHERE {_FINISHED}", [cutoff]).rowcount


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
