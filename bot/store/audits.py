"""Audit evidence: the updates recorded against recommendations, their retractions, the
closes and reopens kept in each recommendation's history, and the daily sums of
``audit_counts`` (kept by triggers in the writing transaction).

Plain parameterised SQL for reads and writes alike. Every read finds its rows through an
index: a period's audit that counts is the first row of ``ORDER BY audit_date DESC, id
DESC`` on ``audit_updates(recommendation_id, audit_date)``, and numbers of audits are sums
over ``audit_counts`` (one row per recommendation and audit date), never over the audits.
Rows are returned as the store holds them; the domain makes records of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from bot.store.db import Store

Row = dict[str, Any]

# Each update with its recommendation's ref and whether it was retracted (``r``).
AUDIT_SELECT = (
    "SELECT a.*, rec.ref AS ref, r.audit_id IS NOT NULL AS retracted "
    "FROM audit_updates a JOIN recommendations rec ON rec.id = a.recommendation_id "
    "LEFT JOIN audit_retractions r ON r.audit_id = a.id "
)
_NOT_RETRACTED = "r.audit_id IS NULL"

# --- a monitoring window's evidence ----------------------------------------------------

PERIOD_AUDITS = (
    AUDIT_SELECT + "WHERE a.recommendation_id = ? AND a.audit_date BETWEEN ? AND ? AND "
    f"{_NOT_RETRACTED} ORDER BY a.audit_date DESC, a.id DESC LIMIT ?"
)
# Counts come from audit_counts (per recommendation and audit date, kept by triggers):
# a sum over the days of a period, not over its audits.
PERIOD_COUNT = (
    "SELECT coalesce(sum(recorded - retracted), 0) FROM audit_counts "
    "WHERE recommendation_id = ? AND audit_date BETWEEN ? AND ?"
)
BEFORE_WINDOW = (
    AUDIT_SELECT + "WHERE a.recommendation_id = ? AND a.audit_date < ? AND "
    f"{_NOT_RETRACTED} ORDER BY a.audit_date DESC, a.id DESC LIMIT ?"
)
# The evidence as it stood at the end of a day: entered by then, not retracted by then (an
# update or retraction whose day is not known counts as entered, or retracted, before).
AS_AT_PERIOD = (
    AUDIT_SELECT + "WHERE a.recommendation_id = ? AND a.audit_date BETWEEN ? AND ? AND "
    "(a.entered_on IS NULL OR a.entered_on <= ?) AND (r.audit_id IS NULL OR r.retracted_on > ?) "
    "ORDER BY a.audit_date DESC, a.id DESC LIMIT 1"
)
AFTER_WINDOW = (
    AUDIT_SELECT + "WHERE a.recommendation_id = ? AND a.audit_date > ? AND "
    f"{_NOT_RETRACTED} ORDER BY a.audit_date, a.id LIMIT ?"
)
OUTSIDE_COUNT = (
    "SELECT coalesce(sum(recorded - retracted), 0) FROM audit_counts "
    "WHERE recommendation_id = ? AND (audit_date < ? OR audit_date > ?)"
)
DAILY = (
    "SELECT audit_date, recorded - retracted, percent_sum, percent_squares FROM audit_counts "
    "WHERE recommendation_id = ? AND audit_date BETWEEN ? AND ? AND recorded > retracted "
    "ORDER BY audit_date"
)


def period_audits(db: Store, rec_id: str, start: date, last: date, limit: int) -> list[Row]:
    """Up to ``limit`` updates in effect dated ``start`` to ``last``, the one that counts
    (latest audit date, then latest entry) first."""
    return list(db.query(PERIOD_AUDITS, [rec_id, start.isoformat(), last.isoformat(), limit]))


def period_count(db: Store, rec_id: str, start: date, last: date) -> int:
    """How many updates in effect are dated ``start`` to ``last``."""
    return int(
        db.execute(PERIOD_COUNT, [rec_id, start.isoformat(), last.isoformat()]).fetchone()[0]
    )


def counted_as_at(db: Store, rec_id: str, start: date, last: date, day: date) -> Row | None:
    """The update that counted for ``start`` to ``last`` as the evidence stood at the end
    of ``day``."""
    return _first(
        db.query(
            AS_AT_PERIOD,
            [rec_id, start.isoformat(), last.isoformat(), day.isoformat(), day.isoformat()],
        )
    )


def before_window(db: Store, rec_id: str, start: date, limit: int) -> list[Row]:
    """Up to ``limit`` updates in effect dated before ``start``, the latest first."""
    return list(db.query(BEFORE_WINDOW, [rec_id, start.isoformat(), limit]))


def after_window(db: Store, rec_id: str, end: date, limit: int) -> list[Row]:
    """Up to ``limit`` updates in effect dated after ``end``, the earliest first."""
    return list(db.query(AFTER_WINDOW, [rec_id, end.isoformat(), limit]))


def outside_count(db: Store, rec_id: str, start: date, end: date) -> int:
    """How many updates in effect are dated before ``start`` or after ``end``."""
    return int(
        db.execute(OUTSIDE_COUNT, [rec_id, start.isoformat(), end.isoformat()]).fetchone()[0]
    )


def daily_sums(
    db: Store, rec_id: str, start: date, end: date
) -> list[tuple[str, int, float, float]]:
    """Each day from ``start`` to ``end`` with updates in effect: the day, how many, and
    the sum of their percentages and of their squares."""
    return db.execute(DAILY, [rec_id, start.isoformat(), end.isoformat()]).fetchall()


# --- updates ---------------------------------------------------------------------------


def audit_by_id(db: Store, audit_id: int) -> Row | None:
    return _first(db.query(AUDIT_SELECT + "WHERE a.id = ?", [audit_id]))


def audit_by_delivery(db: Store, key: str) -> Row | None:
    return _first(db.query(AUDIT_SELECT + "WHERE a.delivery_key = ?", [key]))


def all_audits(db: Store) -> list[Row]:
    return list(db.query(AUDIT_SELECT + "ORDER BY a.id"))


def audit_page(db: Store, rec_id: str, limit: int, offset: int) -> list[Row]:
    """One page of a recommendation's updates, retracted ones too, newest audit date first."""
    return list(
        db.query(
            AUDIT_SELECT + "WHERE a.recommendation_id = ? "
            "ORDER BY a.audit_date DESC, a.id DESC LIMIT ? OFFSET ?",
            [rec_id, limit, offset],
        )
    )


def audit_count(db: Store, rec_id: str) -> tuple[int, int]:
    """How many updates a recommendation has: all of them, and those retracted."""
    # A sum over the days it has audits on (audit_counts, kept by triggers), not its audits.
    row = db.execute(
        "SELECT coalesce(sum(recorded), 0), coalesce(sum(retracted), 0) FROM audit_counts "
        "WHERE recommendation_id = ?",
        [rec_id],
    ).fetchone()
    return int(row[0]), int(row[1])


def latest_in_effect(db: Store, rec_id: str, limit: int) -> list[Row]:
    """A recommendation's latest ``limit`` updates in effect, by audit date then entry."""
    return list(
        db.query(
            AUDIT_SELECT + "WHERE a.recommendation_id = ? AND r.audit_id IS NULL "
            "ORDER BY a.audit_date DESC, a.id DESC LIMIT ?",
            [rec_id, limit],
        )
    )


def linked_audit(db: Store, channel_id: str, message_ref: str) -> int | None:
    """The update in effect recorded from this message, if any."""
    row = db.execute(
        "SELECT a.id FROM audit_updates a LEFT JOIN audit_retractions r "
        "ON r.audit_id = a.id WHERE a.channel_id = ? AND a.message_ref = ? "
        "AND r.audit_id IS NULL",
        [channel_id, message_ref],
    ).fetchone()
    return int(row[0]) if row else None


def latest_of(db: Store, user_id: str | None) -> int | None:
    """The latest update in effect that ``user_id`` recorded, if any."""
    row = db.execute(
        "SELECT a.id FROM audit_updates a LEFT JOIN audit_retractions r "
        "ON r.audit_id = a.id WHERE r.audit_id IS NULL AND a.user_id IS ? "
        "ORDER BY a.id DESC LIMIT 1",
        [user_id],
    ).fetchone()
    return int(row[0]) if row else None


def add_audit(
    db: Store,
    *,
    recommendation_id: str,
    audit_date: date,
    audited: int | None,
    compliant: int | None,
    percent: float,
    note: str | None,
    user_id: str | None,
    user_name: str | None,
    channel_id: str | None,
    message_ref: str | None,
    via: str,
    delivery_key: str | None,
    platform: str | None,
    entered_on: date,
    late_reason: str | None,
) -> int:
    """Record one update, stamped now; its id. Raises ``sqlite3.IntegrityError`` when its
    delivery key was recorded already."""
    cursor = db.execute(
        "INSERT INTO audit_updates (recommendation_id, audit_date, audited, compliant, "
        "percent, note, user_id, user_name, channel_id, message_ref, via, delivery_key, "
        "recorded_at, platform, entered_on, late_reason) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            recommendation_id,
            audit_date.isoformat(),
            audited,
            compliant,
            percent,
            note,
            user_id,
            user_name,
            channel_id,
            message_ref,
            via,
            delivery_key,
            _now(),
            platform,
            entered_on.isoformat(),
            late_reason,
        ],
    )
    return int(cursor.lastrowid or 0)


def add_retraction(
    db: Store, audit_id: int, *, user_id: str | None, reason: str | None, on: date
) -> None:
    """Retract update ``audit_id``, stamped now and dated ``on``."""
    db.execute(
        "INSERT INTO audit_retractions (audit_id, user_id, reason, retracted_at, "
        "retracted_on) VALUES (?, ?, ?, ?, ?)",
        [audit_id, user_id, reason, _now(), on.isoformat()],
    )


def notes_recorded_before(db: Store, cutoff: str) -> tuple[int, ...]:
    """The updates with a note recorded before ``cutoff`` (a UTC ISO 8601 time)."""
    return tuple(
        row[0]
        for row in db.execute(
            "SELECT id FROM audit_updates WHERE note IS NOT NULL AND recorded_at < ? ORDER BY id",
            [cutoff],
        ).fetchall()
    )


# In entry order (the rowid), so no sort: a retraction is a flag on the update it retracts.
_EXPORTED_IN_ORDER = (
    "SELECT a.id, a.recommendation_id, a.audit_date, a.compliant, a.audited, a.percent, "
    "a.note, a.user_id, a.user_name, a.channel_id, a.message_ref, a.platform, a.via, "
    "a.recorded_at, r.audit_id IS NOT NULL FROM audit_updates a "
    "LEFT JOIN audit_retractions r ON r.audit_id = a.id ORDER BY a.id"
)


def exported(db: Store) -> Iterator[tuple[Any, ...]]:
    """Every update, oldest entry first, one row at a time: id, recommendation, audit
    date, compliant, audited, percent, note, user id and name, channel, message, platform,
    via, recorded at, and whether it was retracted."""
    return iter(db.conn.execute(_EXPORTED_IN_ORDER))


# --- closes and reopens ----------------------------------------------------------------


def add_change(
    db: Store,
    *,
    recommendation_id: str,
    action: str,
    reason: str,
    user_id: str | None,
    user_name: str | None,
    platform: str | None,
    on: date,
    delivery_key: str | None,
    early_reason: str | None,
) -> None:
    """Keep a close or reopen (``action``) in the recommendation's history, stamped now."""
    db.execute(
        "INSERT INTO recommendation_history (recommendation_id, action, reason, user_id, "
        "user_name, platform, at, on_date, delivery_key, early_reason) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            recommendation_id,
            action,
            reason,
            user_id,
            user_name,
            platform,
            _now(),
            on.isoformat(),
            delivery_key,
            early_reason,
        ],
    )


def latest_change(db: Store, rec_id: str, on_or_before: date) -> Row | None:
    """The latest close or reopen made on or before the day, if any."""
    return _first(
        db.query(
            "SELECT * FROM recommendation_history WHERE recommendation_id = ? AND on_date <= ? "
            "ORDER BY id DESC LIMIT 1",
            [rec_id, on_or_before.isoformat()],
        )
    )


def change_by_delivery(db: Store, key: str) -> Row | None:
    return _first(db.query("SELECT * FROM recommendation_history WHERE delivery_key = ?", [key]))


def changes(db: Store, rec_id: str) -> list[Row]:
    """A recommendation's closes and reopens, in the order they were made."""
    return list(
        db.query(
            "SELECT * FROM recommendation_history WHERE recommendation_id = ? ORDER BY id",
            [rec_id],
        )
    )


def _first(rows: Iterator[Row]) -> Row | None:
    """The first row, the statement read to its end (so it holds nothing open)."""
    found = list(rows)
    return found[0] if found else None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
