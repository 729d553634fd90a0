"""Case-file audit evidence recorded against recommendations.

One function, :func:`record_audit`, records an update however it arrived (slash
command, mention, modal, message shortcut, console). It validates first and writes
nothing when anything is wrong; the platform's delivery ID is stored in the same
transaction as the update, so a retried or double-submitted delivery is found and
never counted twice.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.domain.inspections import rows
from bot.domain.inspections.model import Audit, Change, Inspection, Recommendation
from bot.domain.inspections.queries import InspectionQueries
from bot.domain.monitoring.audit_input import EXAMPLE, AuditInputProblem, parse_audit_input
from bot.domain.monitoring.window import day_range, entry_deadline, window_of
from bot.domain.wording import long_date, percent
from bot.store import audits as stored
from bot.store.db import Store, write_transaction

if TYPE_CHECKING:
    from bot.domain.monitoring.privacy import Finding

# The example every "write it like" shows, from the parser; the records, from the model.
__all__ = ["EXAMPLE", "Audit", "Change"]

MAX_NOTE = 1000
MAX_REASON = 1000  # a close's or reopen's reason
REF = re.compile(r"^[Rr]?0*(?P<number>\d{1,3})$")


class AuditProblem(ValueError):
    """What is wrong with an update, in words for the person who sent it.

    ``field`` names the modal input it belongs to, so the modal can show it in place.
    ``findings`` are the likely personal identifiers in a note refused for them (the
    command explains them, as it knows how the person can send the note again).
    """

    def __init__(
        self,
        message: str,
        field: str | None = None,
        *,
        outside: bool = False,
        late: bool = False,
        closed: bool = False,
        findings: tuple[Finding, ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.outside = outside  # dated outside the window: recordable with --outside
        self.late = late  # its period (or the window) has closed: recordable with --late
        self.closed = closed  # the recommendation is closed: nothing until it is reopened
        self.findings = findings  # a likely identifier in the note: recordable with --checked


@dataclass(frozen=True)
class AuditDraft:
    """An update as typed or entered, before it is checked."""

    ref: str
    audit_date: date
    audited: int | None = None
    compliant: int | None = None
    percent: float | None = None
    note: str | None = None
    outside_confirmed: bool = False  # --outside: record it even outside the window
    note_checked: bool = False  # --checked: the auditor checked the note
    late_reason: str | None = None  # --late "reason": entered after its period closed
    typed: str | None = None  # the recommendation, figures and date as typed, if typed

    @property
    def figures(self) -> str:
        """17/20 or 85%, as it would be typed."""
        if self.percent is not None:
            return percent(self.percent)
        return f"{self.compliant}/{self.audited}"


@dataclass(frozen=True)
class Origin:
    """Who sent an update, from where, and under which delivery ID."""

    via: str
    platform: str | None = None
    user_id: str | None = None
    user_name: str | None = None
    channel_id: str | None = None
    message_ref: str | None = None  # the message the update was recorded from, if any
    delivery_key: str | None = None


@dataclass(frozen=True)
class Recorded:
    audit: Audit
    duplicate: bool  # the same delivery arrived before: nothing new was written


def identifiers_in(text: str) -> tuple[Finding, ...]:
    """What in ``text`` looks like it could identify a child (``monitoring.privacy``, whose
    word lists load with the first text screened: answering questions never needs them)."""
    from bot.domain.monitoring.privacy import screen_note

    return tuple(screen_note(text))


# --- reading what was typed ------------------------------------------------------


def parse_audit(args: str, today: date) -> AuditDraft:
    """``R1 17/20 [date] [note] [--outside]``, read by :func:`parse_audit_input`; the
    audit is dated ``today`` when no date is written. Raises AuditProblem."""
    try:
        read = parse_audit_input(args)
    except AuditInputProblem as wrong:
        raise AuditProblem(wrong.message, wrong.field) from None
    return AuditDraft(
        ref=read.ref,
        audit_date=read.audit_date or today,
        audited=read.audited,
        compliant=read.compliant,
        percent=read.percent,
        note=read.note,
        outside_confirmed=read.outside_confirmed,
        note_checked=read.note_checked,
        late_reason=read.late_reason,
        typed=read.typed,
    )


def known_refs(recs: list[Recommendation]) -> str:
    """R1; R1 and R2; R1, R2 and R3."""
    refs = [r.ref for r in recs]
    if len(refs) < 2:
        return "".join(refs)
    return ", ".join(refs[:-1]) + " and " + refs[-1]


def normal_ref(text: str) -> str:
    """R1 for "R1", "r1", "1" or "R01"; anything else as typed."""
    found = REF.match(text.strip())
    return f"R{int(found['number'])}" if found else text.strip()


def not_a_recommendation(ref: str, recs: list[Recommendation], *, made_none: bool = False) -> str:
    """R9 is not a recommendation of this inspection; it has R1. With none in the store,
    "made none" only when a data file says so (``made_none``), else "not recorded"."""
    named = normal_ref(ref)
    if not REF.match(ref.strip()):
        named = f"“{named[:20]}”"
    if not recs and made_none:
        return f"{named} is not a recommendation: this inspection made none."
    if not recs:
        return (
            f"{named} is not in the store: this inspection's recommendations are not "
            "recorded in it."
        )
    return f"{named} is not a recommendation of this inspection; it has {known_refs(recs)}."


def check(
    db: Store, queries: InspectionQueries, inspection: Inspection, draft: AuditDraft, today: date
) -> tuple[Recommendation, float]:
    """The recommendation the draft is for, and its percentage; raises AuditProblem."""
    rec = queries.recommendation(inspection, draft.ref)
    if rec is None:
        raise AuditProblem(
            not_a_recommendation(
                draft.ref,
                queries.recommendations(inspection),
                made_none=inspection.recommendations_listed,
            ),
            "recommendation",
        )
    refuse_if_closed(db, rec, today)
    if draft.percent is not None:
        if not 0 <= draft.percent <= 100:
            raise AuditProblem(
                f"{percent(draft.percent)} is not possible: a percentage is from 0 to 100.",
                "compliant",
            )
        value = draft.percent
    else:
        if draft.audited is None or draft.audited <= 0:
            raise AuditProblem(
                f"{draft.audited or 0} cases audited: an audit needs at least one case.",
                "audited",
            )
        if draft.compliant is None or draft.compliant < 0:
            raise AuditProblem("Give the number of compliant cases (0 or more).", "compliant")
        if draft.compliant > draft.audited:
            raise AuditProblem(
                f"{draft.compliant} compliant out of {draft.audited} audited is not possible.",
                "compliant",
            )
        value = draft.compliant / draft.audited * 100
    if draft.audit_date > today:
        raise AuditProblem(
            f"The audit date {long_date(draft.audit_date)} is in the future "
            f"(today is {long_date(today)}).",
            "audit_date",
        )
    began = date.fromisoformat(inspection.fieldwork_start or inspection.published)
    if draft.audit_date < began:
        raise AuditProblem(
            f"The audit date {long_date(draft.audit_date)} is before the inspection "
            f"(it began on {long_date(began)}).",
            "audit_date",
        )
    if draft.note and len(draft.note) > MAX_NOTE:
        raise AuditProblem(
            f"The note is {len(draft.note):,} characters; keep it to {MAX_NOTE:,} or fewer.",
            "note",
        )
    if draft.note and not draft.note_checked:
        findings = identifiers_in(draft.note)
        if findings:
            raise AuditProblem(
                "The note looks like it could identify a child, so nothing was recorded.",
                "note",
                findings=findings,
            )
    if draft.late_reason is not None:
        _check_late_reason(draft.late_reason, checked=draft.note_checked)
    if not draft.outside_confirmed:
        _check_window(rec, draft.audit_date)
    if draft.late_reason is None:
        _check_on_time(rec, draft.audit_date, today)
    return rec, value


def refuse_if_closed(db: Store, rec: Recommendation, today: date) -> None:
    """Nothing is recorded against a closed recommendation: it is reopened first."""
    closed = closing(db, rec.id, today)
    if closed is not None:
        raise AuditProblem(
            f"{rec.ref} was closed on {long_date(closed.on_date)} by {closed.who}; reopen it "
            "first. Nothing was recorded.",
            "recommendation",
            closed=True,
        )


def _check_late_reason(reason: str, *, checked: bool) -> None:
    """A late entry's reason is shown wherever the entry is, to everyone: it is kept to
    MAX_REASON characters and screened as a note is."""
    if not reason:
        raise AuditProblem(
            'Say why it was entered late, in quotes after --late: --late "found in the post".',
            "late_reason",
        )
    if len(reason) > MAX_REASON:
        raise AuditProblem(
            f"The reason is {len(reason):,} characters; keep it to {MAX_REASON:,} or fewer.",
            "late_reason",
        )
    findings = () if checked else identifiers_in(reason)
    if findings:
        raise AuditProblem(
            "The reason it was entered late looks like it could identify a child, so nothing "
            "was recorded.",
            "late_reason",
            findings=findings,
        )


def _check_on_time(rec: Recommendation, day: date, today: date) -> None:
    """Refuse an update entered after its monthly period (or the window) had closed,
    unless it says why (--late): a late entry is flagged wherever it appears."""
    window = window_of(rec)
    if window is None:
        return
    deadline = entry_deadline(window, day)
    if deadline is None or today <= deadline:
        return
    span = window.span_of(day)
    if today > window.end or span is None:
        closed = f"{rec.ref}'s monitoring window closed on {long_date(window.end)}"
    else:
        closed = f"{span.name}'s monthly period ({span.dates}) closed on {long_date(span.end)}"
    raise AuditProblem(
        f"{closed}, so an audit of {long_date(day)} entered today ({long_date(today)}) is a "
        "late entry.",
        "audit_date",
        late=True,
    )


def _check_window(rec: Recommendation, day: date) -> None:
    """Refuse an audit dated outside the monitoring window, unless it was confirmed."""
    start, end = rec.monitor_start, rec.window_end
    if start is None or end is None or start <= day <= end:
        return
    where = "before" if day < start else "after"
    raise AuditProblem(
        f"{long_date(day)} is {where} {rec.ref}'s monitoring window "
        f"({day_range(start, end)}), so this audit would not count towards it.",
        "audit_date",
        outside=True,
    )


# --- writing -------------------------------------------------------------------------


def record_audit(
    db: Store,
    queries: InspectionQueries,
    inspection: Inspection,
    draft: AuditDraft,
    origin: Origin,
    today: date,
) -> Recorded:
    """Check and record one update, exactly once per delivery. Raises AuditProblem."""
    if origin.delivery_key:
        earlier = audit_by_delivery(db, origin.delivery_key)
        if earlier is not None:
            return Recorded(earlier, duplicate=True)
    rec, value = check(db, queries, inspection, draft, today)
    with write_transaction(db):
        if origin.message_ref and origin.channel_id:
            linked = stored.linked_audit(db, origin.channel_id, origin.message_ref)
            if linked is not None:
                raise AuditProblem(f"That message is already recorded as audit update #{linked}.")
        try:
            audit_id = stored.add_audit(
                db,
                recommendation_id=rec.id,
                audit_date=draft.audit_date,
                audited=draft.audited if draft.percent is None else None,
                compliant=draft.compliant if draft.percent is None else None,
                percent=value,
                note=draft.note,
                user_id=origin.user_id,
                user_name=origin.user_name,
                channel_id=origin.channel_id,
                message_ref=origin.message_ref,
                via=origin.via,
                delivery_key=origin.delivery_key,
                platform=origin.platform,
                entered_on=today,
                late_reason=draft.late_reason if _late(rec, draft.audit_date, today) else None,
            )
        except sqlite3.IntegrityError:
            # Another worker recorded the same delivery between our check and our write.
            earlier = audit_by_delivery(db, origin.delivery_key or "")
            if earlier is None:
                raise
            return Recorded(earlier, duplicate=True)
    found = audit_by_id(db, audit_id)
    assert found is not None
    return Recorded(found, duplicate=False)


def _late(rec: Recommendation, day: date, today: date) -> bool:
    """Whether an update for an audit of ``day`` entered ``today`` is a late entry."""
    window = window_of(rec)
    deadline = entry_deadline(window, day) if window else None
    return deadline is not None and today > deadline


def retract(
    db: Store,
    *,
    user_id: str | None,
    number: int | None,
    may_retract_any: bool,
    reason: str | None = None,
    today: date | None = None,
    queries: InspectionQueries | None = None,
) -> Audit:
    """Retract an update: the poster's latest, or any by number for an auditor. Not one of
    a closed recommendation (``queries`` finds it): it is reopened first."""
    with write_transaction(db):
        if number is None:
            number = stored.latest_of(db, user_id)
            if number is None:
                raise AuditProblem("You have no audit updates to undo.")
        audit = audit_by_id(db, number)
        if audit is None:
            raise AuditProblem(f"There is no audit update #{number}.")
        if audit.retracted:
            raise AuditProblem(f"Audit update #{number} was already retracted.")
        if audit.user_id != user_id and not may_retract_any:
            raise AuditProblem(
                f"Audit update #{number} was recorded by someone else; only an auditor "
                "can retract it."
            )
        day = today or date.today()
        rec = queries.recommendation_by_id(audit.recommendation_id) if queries else None
        if rec is not None:
            closed = closing(db, rec.id, day)
            if closed is not None:
                raise AuditProblem(
                    f"{rec.ref} was closed on {long_date(closed.on_date)} by {closed.who}; "
                    "reopen it first. Nothing was retracted.",
                    closed=True,
                )
        stored.add_retraction(db, number, user_id=user_id, reason=reason, on=day)
    retracted = audit_by_id(db, number)
    assert retracted is not None
    return retracted


def check_reason(reason: str, *, checked: bool = False) -> None:
    """A close's or reopen's reason is kept in the history everyone can read: at most
    MAX_REASON characters, and screened as notes are unless ``checked``. Raises
    AuditProblem."""
    if len(reason) > MAX_REASON:
        raise AuditProblem(
            f"The reason is {len(reason):,} characters; keep it to {MAX_REASON:,} or fewer.",
            "reason",
        )
    findings = () if checked else identifiers_in(reason)
    if findings:
        raise AuditProblem(
            "The reason looks like it could identify a child, so nothing was changed.",
            "reason",
            findings=findings,
        )


def set_closed(
    db: Store,
    rec: Recommendation,
    *,
    close: bool,
    reason: str,
    origin: Origin,
    today: date,
    reason_checked: bool = False,
    early_reason: str | None = None,
) -> None:
    """Close or reopen a recommendation, kept in its history with the reason; a close
    before its window has ended with why it was closed early."""
    check_reason(reason, checked=reason_checked)
    if early_reason is not None:
        check_reason(early_reason, checked=reason_checked)
    closed_now = closing(db, rec.id, today) is not None
    if close and closed_now:
        raise AuditProblem(f"{rec.ref} is already closed. Reopen it first to change that.")
    if not close and not closed_now:
        raise AuditProblem(f"{rec.ref} is not closed, so there is nothing to reopen.")
    with write_transaction(db):
        stored.add_change(
            db,
            recommendation_id=rec.id,
            action="close" if close else "reopen",
            reason=reason,
            user_id=origin.user_id,
            user_name=origin.user_name,
            platform=origin.platform,
            on=today,
            delivery_key=origin.delivery_key,
            early_reason=early_reason if close else None,
        )


# --- reading -------------------------------------------------------------------------


def audit_by_id(db: Store, audit_id: int) -> Audit | None:
    row = stored.audit_by_id(db, audit_id)
    return rows.audit_of(row) if row else None


def audit_by_delivery(db: Store, key: str) -> Audit | None:
    row = stored.audit_by_delivery(db, key)
    return rows.audit_of(row) if row else None


def all_audits(db: Store) -> list[Audit]:
    return [rows.audit_of(r) for r in stored.all_audits(db)]


def audit_page(db: Store, rec_id: str, limit: int, offset: int) -> tuple[Audit, ...]:
    """One page of a recommendation's updates, retracted ones too, newest audit date first."""
    return tuple(rows.audit_of(r) for r in stored.audit_page(db, rec_id, limit, offset))


def audit_count(db: Store, rec_id: str) -> tuple[int, int]:
    """How many updates a recommendation has: all of them, and those retracted."""
    return stored.audit_count(db, rec_id)


def recent_audits(db: Store, recs: list[Recommendation], limit: int) -> list[Audit]:
    """The latest ``limit`` updates in effect for these recommendations (by audit date, then
    entry): at most ``limit`` rows read per recommendation, from the audit-date index."""
    found: list[Audit] = []
    for rec in recs:
        found += [rows.audit_of(r) for r in stored.latest_in_effect(db, rec.id, limit)]
    found.sort(key=lambda a: (a.audit_date, a.id), reverse=True)
    return found[:limit]


def is_closed(db: Store, rec_id: str, today: date | None = None) -> bool:
    return closing(db, rec_id, today) is not None


def closing(db: Store, rec_id: str, today: date | None = None) -> Change | None:
    """The close that is in force, if the latest close/reopen was a close; with ``today``,
    as it stood that day (a close made on a later day is not in force yet)."""
    row = stored.latest_change(db, rec_id, today or date.max)
    return rows.change_of(row) if row and row["action"] == "close" else None


def change_by_delivery(db: Store, key: str) -> Change | None:
    row = stored.change_by_delivery(db, key)
    return rows.change_of(row) if row else None


def history(db: Store, rec_id: str) -> list[Change]:
    return [rows.change_of(row) for row in stored.changes(db, rec_id)]


_ANY_REF = re.compile(r"\b[Rr](\d+)\b")
_ANY_COUNTS = re.compile(r"\b(\d+)\s*/\s*(\d+)\b")
_ANY_PERCENT = re.compile(r"\b(\d+(?:\.\d+)?)\s*%")


def prefill_from_text(text: str) -> dict[str, Any]:
    """Best guesses for the audit form from a message someone wrote in the channel.

    "February audit: 17 of 20... R1 17/20" gives ref R1, compliant 17, audited 20; a
    bare percentage cannot fill case counts, so it only goes into the note.
    """
    guess: dict[str, Any] = {"note": text.strip()[:MAX_NOTE] or None}
    if ref := _ANY_REF.search(text):
        guess["ref"] = f"R{int(ref.group(1))}"
    if counts := _ANY_COUNTS.search(text):
        guess["compliant"], guess["audited"] = int(counts.group(1)), int(counts.group(2))
    return guess
