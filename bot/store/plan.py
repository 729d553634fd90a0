"""Every query of the improvement plan: recommendations' plan fields, actions, progress
notes, supervision and measure evidence, RAG overrides, board dates and the history.

Each read finds its rows through an index (actions by recommendation, notes by action and
date, evidence by recommendation, kind and date), so a plan with years of weekly notes is
read in the same few statements as a new one. Every change is written with its history
row in the caller's transaction (or one of its own).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from bot.store.db import Store, placeholders, write_transaction
from bot.store.plan_model import (
    Action,
    BoardDate,
    Evidence,
    HistoryEntry,
    Measure,
    Override,
    Owner,
    PlanRec,
    Progress,
    Rag,
    State,
)


@dataclass(frozen=True)
class Actor:
    """Who makes a change, and how: kept with every row they write."""

    user_id: str | None = None
    user_name: str | None = None
    platform: str | None = None
    via: str = "console"

    @property
    def label(self) -> str:
        return self.user_name or self.user_id or self.via


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _who(row: dict[str, Any]) -> str:
    return str(row.get("user_name") or row.get("user_id") or row.get("via") or "someone")


# --- recommendations --------------------------------------------------------------------

_REC_COLUMNS = (
    "r.id, r.ref, r.text, r.addressee, r.standards, r.reported_rag, r.position, "
    "(r.monitor_start IS NOT NULL AND r.monitor_months IS NOT NULL) AS measured"
)

_ACTION_SELECT = (
    "SELECT a.id, a.recommendation_id, r.ref AS rec_ref, a.number, a.text, a.owner_id, "
    "a.owner_name, a.owner_platform, a.agency, a.due_date, a.state, a.state_reason, "
    "a.evidence, a.done_on, a.due_moves, a.reported_rag, a.created_on, "
    # The latest note's date: the first entry of the (action_id, on_date) index, not a scan
    # of every note (max() in a correlated subquery reads them all).
    "(SELECT p.on_date FROM plan_progress p WHERE p.action_id = a.id "
    "ORDER BY p.on_date DESC LIMIT 1) AS last_progress "
    "FROM plan_actions a JOIN recommendations r ON r.id = a.recommendation_id "
)


def _rec(row: dict[str, Any], actions: Sequence[Action] = ()) -> PlanRec:
    standards = tuple(json.loads(row["standards"])) if row["standards"] else ()
    return PlanRec(
        id=row["id"],
        ref=row["ref"],
        text=row["text"],
        addressee=row["addressee"],
        standards=standards,
        reported_rag=row["reported_rag"],
        measured=bool(row["measured"]),
        position=row["position"] or 0,
        actions=tuple(actions),
    )


def _action(row: dict[str, Any]) -> Action:
    return Action(
        id=row["id"],
        recommendation_id=row["recommendation_id"],
        rec_ref=row["rec_ref"],
        number=row["number"],
        text=row["text"],
        owner=Owner(row["owner_name"], row["owner_id"], row["owner_platform"]),
        agency=row["agency"],
        due=_day(row["due_date"]),
        state=State(row["state"]),
        state_reason=row["state_reason"],
        evidence=row["evidence"],
        done_on=_day(row["done_on"]),
        due_moves=row["due_moves"],
        reported_rag=row["reported_rag"],
        created_on=date.fromisoformat(row["created_on"]),
        last_progress=_day(row["last_progress"]),
    )


_STATES = {state.value: state for state in State}
_ISO = date.fromisoformat


def _action_of(v: Sequence[Any]) -> Action:
    """An action from a row of _ACTION_SELECT, by position."""
    return Action(
        id=v[0],
        recommendation_id=v[1],
        rec_ref=v[2],
        number=v[3],
        text=v[4],
        owner=Owner(v[6], v[5], v[7]),
        agency=v[8],
        due=_ISO(v[9]) if v[9] else None,
        state=_STATES[v[10]],
        state_reason=v[11],
        evidence=v[12],
        done_on=_ISO(v[13]) if v[13] else None,
        due_moves=v[14],
        reported_rag=v[15],
        created_on=_ISO(v[16]),
        last_progress=_ISO(v[17]) if v[17] else None,
    )


def plan_recs(db: Store, inspection_id: str) -> list[PlanRec]:
    """Every recommendation of the inspection, in order, with its actions."""
    rows = list(
        db.query(
            f"SELECT {_REC_COLUMNS} FROM recommendations r WHERE r.inspection_id = ? "
            "ORDER BY r.position, r.ref",
            [inspection_id],
        )
    )
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    by_rec: dict[str, list[Action]] = {rec_id: [] for rec_id in ids}
    # Rows as tuples, not dictionaries: a plan of 80 actions is read on every `plan`.
    for values in db.execute(
        _ACTION_SELECT + f"WHERE a.recommendation_id IN ({placeholders(ids)}) "
        "ORDER BY a.recommendation_id, a.number",
        ids,
    ):
        by_rec[values[1]].append(_action_of(values))
    return [_rec(row, by_rec[row["id"]]) for row in rows]


def plan_rec(db: Store, inspection_id: str, ref: str) -> PlanRec | None:
    row = next(
        db.query(
            f"SELECT {_REC_COLUMNS} FROM recommendations r WHERE r.inspection_id = ? AND r.ref = ?",
            [inspection_id, ref],
        ),
        None,
    )
    if row is None:
        return None
    actions = [
        _action(a)
        for a in db.query(
            _ACTION_SELECT + "WHERE a.recommendation_id = ? ORDER BY a.number", [row["id"]]
        )
    ]
    return _rec(row, actions)


def action(db: Store, inspection_id: str, rec_ref: str, number: int) -> Action | None:
    row = next(
        db.query(
            _ACTION_SELECT + "WHERE r.inspection_id = ? AND r.ref = ? AND a.number = ?",
            [inspection_id, rec_ref, number],
        ),
        None,
    )
    return _action(row) if row else None


def actions_owned(db: Store, inspection_id: str, owner_id: str) -> list[Action]:
    return [
        _action(row)
        for row in db.query(
            _ACTION_SELECT + "WHERE a.owner_id = ? AND r.inspection_id = ? "
            "ORDER BY a.due_date IS NULL, a.due_date, r.position, a.number",
            [owner_id, inspection_id],
        )
    ]


# --- changing actions ---------------------------------------------------------------------


def _history(
    db: Store,
    actor: Actor,
    today: date,
    *,
    rec_id: str,
    subject: str,
    what: str,
    before: str | None = None,
    after: str | None = None,
    reason: str | None = None,
    action_id: int | None = None,
) -> None:
    db.execute(
        "INSERT INTO plan_history (recommendation_id, action_id, subject, what, before, "
        "after, reason, user_id, user_name, platform, via, on_date, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            rec_id,
            action_id,
            subject,
            what,
            before,
            after,
            reason,
            actor.user_id,
            actor.user_name,
            actor.platform,
            actor.via,
            today.isoformat(),
            _now(),
        ],
    )


def add_action(
    db: Store,
    rec: PlanRec,
    *,
    text: str,
    owner: Owner,
    agency: str | None,
    due: date | None,
    actor: Actor,
    today: date,
    number: int | None = None,
    state: State = State.NOT_STARTED,
    reported_rag: str | None = None,
) -> int:
    """Add an action (numbered after the last unless ``number`` is given); its number."""
    with write_transaction(db):
        if number is None:
            row = db.execute(
                "SELECT coalesce(max(number), 0) + 1 FROM plan_actions WHERE recommendation_id = ?",
                [rec.id],
            ).fetchone()
            number = int(row[0])
        cursor = db.execute(
            "INSERT INTO plan_actions (recommendation_id, number, text, owner_id, owner_name, "
            "owner_platform, agency, due_date, state, reported_rag, created_on, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                rec.id,
                number,
                text,
                owner.id,
                owner.name,
                owner.platform,
                agency,
                due.isoformat() if due else None,
                state.value,
                reported_rag,
                today.isoformat(),
                _now(),
            ],
        )
        _history(
            db,
            actor,
            today,
            rec_id=rec.id,
            action_id=cursor.lastrowid,
            subject=f"{rec.ref}.{number}",
            what="added",
            after=text,
        )
    return number


# The columns a change may set, and how the history names them.
_FIELDS = {
    "text": "text",
    "owner": "owner",
    "agency": "agency",
    "due_date": "due date",
    "state": "state",
    "evidence": "evidence",
    "reported_rag": "RAG reported to the board",
}


def change_action(
    db: Store,
    action: Action,
    *,
    actor: Actor,
    today: date,
    reason: str | None = None,
    **changes: Any,
) -> list[str]:
    """Change fields of an action, each with its history row; the names of those changed.
    ``owner`` takes an :class:`Owner`; ``due_date`` a date, counted as a move when the
    action had one already; ``state`` a :class:`State`."""
    changed: list[str] = []
    with write_transaction(db):
        for name, value in changes.items():
            before, after, sets = _change(action, name, value, today)
            if before == after:
                continue
            assignments = ", ".join(f"{column} = ?" for column in sets)
            db.execute(
                f"UPDATE plan_actions SET {assignments} WHERE id = ?", [*sets.values(), action.id]
            )
            _history(
                db,
                actor,
                today,
                rec_id=action.recommendation_id,
                action_id=action.id,
                subject=action.ref,
                what=_FIELDS[name],
                before=before,
                after=after,
                reason=reason,
            )
            changed.append(name)
    return changed


def _change(
    action: Action, name: str, value: Any, today: date
) -> tuple[str | None, str | None, dict[str, Any]]:
    """(before, after as shown in the history, the columns to set)."""
    if name == "owner":
        owner: Owner = value
        return (
            _owner_text(action.owner),
            _owner_text(owner),
            {"owner_id": owner.id, "owner_name": owner.name, "owner_platform": owner.platform},
        )
    if name == "due_date":
        due: date | None = value
        moves = action.due_moves + (1 if action.due is not None and due != action.due else 0)
        return (
            action.due.isoformat() if action.due else None,
            due.isoformat() if due else None,
            {"due_date": due.isoformat() if due else None, "due_moves": moves},
        )
    if name == "state":
        state: State = value
        sets: dict[str, Any] = {"state": state.value}
        if state is State.DONE:
            sets["done_on"] = today.isoformat()
        elif action.state is State.DONE:
            sets["done_on"] = None
        return action.state.value, state.value, sets
    if name == "state_reason":
        raise ValueError("state_reason is set with the state")
    current = {
        "text": action.text,
        "agency": action.agency,
        "evidence": action.evidence,
        "reported_rag": action.reported_rag,
    }[name]
    return current, value, {name: value}


def set_state_reason(db: Store, action_id: int, reason: str | None) -> None:
    db.execute("UPDATE plan_actions SET state_reason = ? WHERE id = ?", [reason, action_id])


def _owner_text(owner: Owner) -> str | None:
    if owner.id:
        return f"{owner.name or owner.id} ({owner.platform or 'platform'} {owner.id})"
    return owner.name


def add_progress(
    db: Store,
    action: Action,
    *,
    text: str | None,
    on_date: date,
    actor: Actor,
    today: date,
    reason: str | None = None,
) -> int:
    """Record a progress note (and move a not-started action to in progress)."""
    with write_transaction(db):
        cursor = db.execute(
            "INSERT INTO plan_progress (action_id, on_date, text, user_id, user_name, platform, "
            "via, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                action.id,
                on_date.isoformat(),
                text,
                actor.user_id,
                actor.user_name,
                actor.platform,
                actor.via,
                _now(),
            ],
        )
        note_id = int(cursor.lastrowid or 0)
        _history(
            db,
            actor,
            today,
            rec_id=action.recommendation_id,
            action_id=action.id,
            subject=action.ref,
            what="progress",
            after=f"note #{note_id} of {on_date.isoformat()}",
            reason=reason,
        )
        if action.state is State.NOT_STARTED:
            change_action(db, action, actor=actor, today=today, state=State.IN_PROGRESS)
    return note_id


def progress_notes(db: Store, action_id: int, limit: int) -> list[Progress]:
    """The latest ``limit`` notes of an action, latest first."""
    return [
        Progress(
            id=row["id"],
            action_id=row["action_id"],
            on_date=date.fromisoformat(row["on_date"]),
            text=row["text"],
            who=_who(row),
            via=row["via"],
            erased=row["text_erased_at"] is not None,
        )
        for row in db.query(
            "SELECT * FROM plan_progress WHERE action_id = ? "
            "ORDER BY on_date DESC, id DESC LIMIT ?",
            [action_id, limit],
        )
    ]


def progress_count(db: Store, action_id: int) -> int:
    row = db.execute("SELECT count(*) FROM plan_progress WHERE action_id = ?", [action_id])
    return int(row.fetchone()[0])


# --- evidence ---------------------------------------------------------------------------


def add_evidence(
    db: Store,
    rec: PlanRec,
    *,
    kind: str,
    measure: str | None,
    numerator: int,
    denominator: int,
    on_date: date,
    note: str | None,
    actor: Actor,
    today: date,
) -> int:
    with write_transaction(db):
        cursor = db.execute(
            "INSERT INTO plan_evidence (recommendation_id, kind, measure, numerator, "
            "denominator, on_date, note, user_id, user_name, platform, via, recorded_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                rec.id,
                kind,
                measure,
                numerator,
                denominator,
                on_date.isoformat(),
                note,
                actor.user_id,
                actor.user_name,
                actor.platform,
                actor.via,
                _now(),
            ],
        )
        evidence_id = int(cursor.lastrowid or 0)
        if measure is not None:
            db.execute(
                "INSERT OR IGNORE INTO plan_measures (recommendation_id, name) VALUES (?, ?)",
                [rec.id, measure],
            )
        what = f"{kind} evidence" + (f" ({measure})" if measure else "")
        _history(
            db,
            actor,
            today,
            rec_id=rec.id,
            subject=rec.ref,
            what=what,
            after=f"#{evidence_id}: {numerator}/{denominator} on {on_date.isoformat()}",
        )
    return evidence_id


def evidence(db: Store, rec_id: str, kind: str, limit: int) -> list[Evidence]:
    """The latest ``limit`` figures of one kind, latest first."""
    return [
        Evidence(
            id=row["id"],
            kind=row["kind"],
            measure=row["measure"],
            numerator=row["numerator"],
            denominator=row["denominator"],
            on_date=date.fromisoformat(row["on_date"]),
            note=row["note"],
            who=_who(row),
        )
        for row in db.query(
            "SELECT * FROM plan_evidence WHERE recommendation_id = ? AND kind = ? "
            "ORDER BY on_date DESC, id DESC LIMIT ?",
            [rec_id, kind, limit],
        )
    ]


def latest_measures(db: Store, rec_id: str) -> list[tuple[Measure, Evidence | None]]:
    """Each named measure of a recommendation with its latest figure."""
    found = []
    for row in db.query(
        "SELECT name, target, period FROM plan_measures WHERE recommendation_id = ? ORDER BY name",
        [rec_id],
    ):
        latest = next(
            db.query(
                "SELECT * FROM plan_evidence WHERE recommendation_id = ? AND kind = 'measure' "
                "AND measure = ? ORDER BY on_date DESC, id DESC LIMIT 1",
                [rec_id, row["name"]],
            ),
            None,
        )
        figure = (
            Evidence(
                id=latest["id"],
                kind="measure",
                measure=latest["measure"],
                numerator=latest["numerator"],
                denominator=latest["denominator"],
                on_date=date.fromisoformat(latest["on_date"]),
                note=latest["note"],
                who=_who(latest),
            )
            if latest
            else None
        )
        found.append((Measure(row["name"], row["target"], row["period"]), figure))
    return found


def set_measure_target(
    db: Store, rec: PlanRec, name: str, target: float, actor: Actor, today: date
) -> None:
    with write_transaction(db):
        before = db.execute(
            "SELECT target FROM plan_measures WHERE recommendation_id = ? AND name = ?",
            [rec.id, name],
        ).fetchone()
        db.execute(
            "INSERT INTO plan_measures (recommendation_id, name, target) VALUES (?, ?, ?) "
            "ON CONFLICT (recommendation_id, name) DO UPDATE SET target = excluded.target",
            [rec.id, name, target],
        )
        _history(
            db,
            actor,
            today,
            rec_id=rec.id,
            subject=rec.ref,
            what=f"target of {name}",
            before=f"{before[0]:g}%" if before and before[0] is not None else None,
            after=f"{target:g}%",
        )


def has_evidence(db: Store, rec_id: str) -> bool:
    """Whether anything evidences the recommendation: an audit in effect, a supervision or
    measure figure, or a done action's evidence."""
    for sql in (
        "SELECT 1 FROM audit_updates a LEFT JOIN audit_retractions r ON r.audit_id = a.id "
        "WHERE a.recommendation_id = ? AND r.audit_id IS NULL LIMIT 1",
        "SELECT 1 FROM plan_evidence WHERE recommendation_id = ? LIMIT 1",
        "SELECT 1 FROM plan_actions WHERE recommendation_id = ? AND evidence IS NOT NULL "
        "AND state = 'done' LIMIT 1",
    ):
        if db.execute(sql, [rec_id]).fetchone():
            return True
    return False


def closed_on(db: Store, rec_id: str) -> date | None:
    """When the recommendation was closed, if its latest close or reopen is a close."""
    row = db.execute(
        "SELECT action, on_date FROM recommendation_history WHERE recommendation_id = ? "
        "ORDER BY id DESC LIMIT 1",
        [rec_id],
    ).fetchone()
    if row is None or row[0] != "close":
        return None
    return date.fromisoformat(row[1])


# --- RAG overrides ------------------------------------------------------------------------


def override(db: Store, rec_id: str) -> Override | None:
    row = next(
        db.query(
            "SELECT * FROM plan_rag_overrides WHERE recommendation_id = ? ORDER BY id DESC LIMIT 1",
            [rec_id],
        ),
        None,
    )
    if row is None or row["rag"] is None:
        return None
    return Override(
        Rag(row["rag"]), row["reason"] or "", _who(row), date.fromisoformat(row["on_date"])
    )


def set_override(
    db: Store, rec: PlanRec, rag: Rag | None, reason: str | None, actor: Actor, today: date
) -> None:
    """Set (or with None clear) the recommendation's RAG override."""
    with write_transaction(db):
        before = override(db, rec.id)
        db.execute(
            "INSERT INTO plan_rag_overrides (recommendation_id, rag, reason, user_id, user_name, "
            "platform, via, on_date, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                rec.id,
                rag.value if rag else None,
                reason,
                actor.user_id,
                actor.user_name,
                actor.platform,
                actor.via,
                today.isoformat(),
                _now(),
            ],
        )
        _history(
            db,
            actor,
            today,
            rec_id=rec.id,
            subject=rec.ref,
            what="RAG override",
            before=before.rag.value if before else None,
            after=rag.value if rag else "by the rule",
            reason=reason,
        )


# --- board dates ------------------------------------------------------------------------


def board_dates(db: Store, service_id: str) -> list[BoardDate]:
    return [
        BoardDate(date.fromisoformat(row["on_date"]), row["title"])
        for row in db.query(
            "SELECT on_date, title FROM board_dates WHERE service_id = ? ORDER BY on_date",
            [service_id],
        )
    ]


def add_board_date(
    db: Store, service_id: str, on_date: date, title: str | None, actor: Actor
) -> bool:
    """Record a board date; False when that date is recorded already."""
    with write_transaction(db):
        cursor = db.execute(
            "INSERT OR IGNORE INTO board_dates (service_id, on_date, title, user_id, user_name, "
            "platform, via, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                service_id,
                on_date.isoformat(),
                title,
                actor.user_id,
                actor.user_name,
                actor.platform,
                actor.via,
                _now(),
            ],
        )
    return cursor.rowcount > 0


# --- history ------------------------------------------------------------------------------


def _entries(rows: Iterator[dict[str, Any]]) -> list[HistoryEntry]:
    return [
        HistoryEntry(
            id=row["id"],
            subject=row["subject"],
            what=row["what"],
            before=row["before"],
            after=row["after"],
            reason=row["reason"],
            who=_who(row),
            via=row["via"],
            on_date=date.fromisoformat(row["on_date"]),
            at=row["at"],
        )
        for row in rows
    ]


def action_history(db: Store, action_id: int, limit: int) -> list[HistoryEntry]:
    return _entries(
        db.query(
            "SELECT * FROM plan_history WHERE action_id = ? ORDER BY id DESC LIMIT ?",
            [action_id, limit],
        )
    )


def rec_history(db: Store, rec_id: str, limit: int) -> list[HistoryEntry]:
    return _entries(
        db.query(
            "SELECT * FROM plan_history WHERE recommendation_id = ? ORDER BY id DESC LIMIT ?",
            [rec_id, limit],
        )
    )


# --- recommendations from a plan ------------------------------------------------------------


def rec_rows(db: Store, inspection_id: str) -> dict[str, dict[str, Any]]:
    """The inspection's recommendations by ref, as stored (for an import to compare)."""
    return {
        row["ref"]: row
        for row in db.query(
            "SELECT id, ref, text, addressee, reported_rag, origin, position "
            "FROM recommendations WHERE inspection_id = ?",
            [inspection_id],
        )
    }


def upsert_recommendation(
    db: Store,
    inspection_id: str,
    ref: str,
    *,
    text: str | None,
    reported_rag: str | None,
    actor: Actor,
    today: date,
) -> tuple[str, bool]:
    """Create a recommendation from a plan, or update the plan's fields of one; its id and
    whether anything changed. A recommendation from a data file keeps the file's text."""
    rec_id = f"{inspection_id}:{ref}"
    row = next(
        db.query("SELECT text, reported_rag, origin FROM recommendations WHERE id = ?", [rec_id]),
        None,
    )
    if row is None:
        position = db.execute(
            "SELECT coalesce(max(position), 0) + 1 FROM recommendations WHERE inspection_id = ?",
            [inspection_id],
        ).fetchone()[0]
        db.execute(
            "INSERT INTO recommendations (id, inspection_id, ref, position, text, "
            "monitor_means, origin, reported_rag) VALUES (?, ?, ?, ?, ?, '[]', 'import', ?)",
            [rec_id, inspection_id, ref, position, text or ref, reported_rag],
        )
        _history(db, actor, today, rec_id=rec_id, subject=ref, what="added", after=text)
        return rec_id, True
    changed = False
    if row["origin"] == "import" and text and text != row["text"]:
        db.execute("UPDATE recommendations SET text = ? WHERE id = ?", [text, rec_id])
        _history(
            db,
            actor,
            today,
            rec_id=rec_id,
            subject=ref,
            what="text",
            before=row["text"],
            after=text,
        )
        changed = True
    if reported_rag != row["reported_rag"] and reported_rag is not None:
        db.execute(
            "UPDATE recommendations SET reported_rag = ? WHERE id = ?", [reported_rag, rec_id]
        )
        _history(
            db,
            actor,
            today,
            rec_id=rec_id,
            subject=ref,
            what="RAG reported to the board",
            before=row["reported_rag"],
            after=reported_rag,
        )
        changed = True
    return rec_id, changed


def action_numbers(db: Store, rec_ids: Iterable[str]) -> dict[tuple[str, int], Action]:
    ids = list(rec_ids)
    if not ids:
        return {}
    return {
        (row["recommendation_id"], row["number"]): _action(row)
        for row in db.query(
            _ACTION_SELECT + f"WHERE a.recommendation_id IN ({placeholders(ids)})", ids
        )
    }


def latest_progress_text(db: Store, action_id: int) -> str | None:
    row = db.execute(
        "SELECT text FROM plan_progress WHERE action_id = ? ORDER BY on_date DESC, id DESC LIMIT 1",
        [action_id],
    ).fetchone()
    return row[0] if row else None


def audit_total(db: Store, rec_id: str) -> int:
    """Case-file audits in effect for a recommendation (sums of audit_counts' days)."""
    row = db.execute(
        "SELECT coalesce(sum(recorded - retracted), 0) FROM audit_counts "
        "WHERE recommendation_id = ?",
        [rec_id],
    ).fetchone()
    return int(row[0])


# --- a whole plan at once (the `plan` reply: a few statements however many recommendations) --


@dataclass(frozen=True)
class PlanFacts:
    """What judging every recommendation of a plan needs besides its actions."""

    closed: frozenset[str]
    overrides: dict[str, Override]
    measures: dict[str, list[tuple[Measure, Evidence | None]]]


def plan_facts(db: Store, rec_ids: Sequence[str]) -> PlanFacts:
    ids = list(rec_ids)
    if not ids:
        return PlanFacts(frozenset(), {}, {})
    marks = placeholders(ids)
    closed = frozenset(
        row[0]
        for row in db.execute(
            "SELECT h.recommendation_id, h.action FROM recommendation_history h "
            f"WHERE h.recommendation_id IN ({marks}) AND h.id = (SELECT max(id) FROM "
            "recommendation_history WHERE recommendation_id = h.recommendation_id)",
            ids,
        )
        if row[1] == "close"
    )
    overrides: dict[str, Override] = {}
    for row in db.query(
        f"SELECT * FROM plan_rag_overrides o WHERE o.recommendation_id IN ({marks}) AND o.id = "
        "(SELECT max(id) FROM plan_rag_overrides WHERE recommendation_id = o.recommendation_id)",
        ids,
    ):
        if row["rag"] is not None:
            overrides[row["recommendation_id"]] = Override(
                Rag(row["rag"]), row["reason"] or "", _who(row), date.fromisoformat(row["on_date"])
            )
    with_measures = [
        row[0]
        for row in db.execute(
            f"SELECT DISTINCT recommendation_id FROM plan_measures WHERE recommendation_id IN "
            f"({marks})",
            ids,
        )
    ]
    measures = {rec_id: latest_measures(db, rec_id) for rec_id in with_measures}
    return PlanFacts(closed, overrides, measures)
