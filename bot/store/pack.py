"""What the board pack reads besides the plan itself: the plan's history and the case-file
audits between two dates (what changed since the last board), and the plan's reminders
claimed once across workers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.store import plan as store
from bot.store.db import Store, placeholders
from bot.store.plan_model import HistoryEntry


def history_between(
    db: Store, rec_ids: Sequence[str], after: date | None, upto: date
) -> list[HistoryEntry]:
    """The plan's history of these recommendations recorded after ``after`` (from the
    start when None) and on or before ``upto``, oldest first."""
    ids = list(rec_ids)
    if not ids:
        return []
    since = after.isoformat() if after else "0000-01-01"
    return store._entries(
        db.query(
            f"SELECT * FROM plan_history WHERE recommendation_id IN ({placeholders(ids)}) "
            "AND on_date > ? AND on_date <= ? ORDER BY on_date, id",
            [*ids, since, upto.isoformat()],
        )
    )


def audits_between(
    db: Store, rec_ids: Sequence[str], after: date | None, upto: date
) -> dict[str, tuple[int, int, int]]:
    """Per recommendation, the case-file audits dated in the span and still in effect:
    (how many audit updates, cases compliant, cases audited)."""
    ids = list(rec_ids)
    if not ids:
        return {}
    since = after.isoformat() if after else "0000-01-01"
    return {
        row["recommendation_id"]: (row["n"], row["compliant"], row["audited"])
        for row in db.query(
            "SELECT a.recommendation_id, count(*) AS n, sum(a.compliant) AS compliant, "
            "sum(a.audited) AS audited FROM audit_updates a "
            "LEFT JOIN audit_retractions r ON r.audit_id = a.id "
            f"WHERE a.recommendation_id IN ({placeholders(ids)}) AND r.audit_id IS NULL "
            "AND a.audit_date > ? AND a.audit_date <= ? GROUP BY a.recommendation_id",
            [*ids, since, upto.isoformat()],
        )
    }


def progress_as_of(db: Store, action_ids: Sequence[int], day: date) -> dict[int, date]:
    """Each action's latest progress note dated on or before ``day``."""
    ids = list(action_ids)
    if not ids:
        return {}
    return {
        row[0]: date.fromisoformat(row[1])
        for row in db.execute(
            f"SELECT action_id, max(on_date) FROM plan_progress WHERE action_id IN "
            f"({placeholders(ids)}) AND on_date <= ? GROUP BY action_id",
            [*ids, day.isoformat()],
        )
    }
