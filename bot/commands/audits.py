"""Recording and reviewing case-file audit evidence: audit, audits, rec.

Typed commands and the audit form record through the same function here
(:func:`record_update`), so both are checked, deduplicated and announced alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.commands.present import source_line, status_of
from bot.commands.registry import Context, Permission, command, paginate, split_args
from bot.domain.audits import (
    EXAMPLE,
    Audit,
    AuditDraft,
    AuditProblem,
    Origin,
    audits_for,
    change_by_delivery,
    history,
    parse_audit,
    record_audit,
    retract,
    set_closed,
)
from bot.domain.model import Recommendation
from bot.domain.status import Monitoring
from bot.domain.wording import bar, long_date, percent
from bot.reply import Field, Person, Reply, Section, problem, share_action

PAGE_SIZE = 10
FORM_FIELDS = ("recommendation", "audit_date", "audited", "compliant", "note")


def _origin(ctx: Context) -> Origin:
    return Origin(
        via=ctx.via,
        platform=ctx.platform,
        user_id=ctx.user.id,
        user_name=ctx.user.name,
        channel_id=ctx.conversation,
        message_ref=ctx.message_ref,
        delivery_key=ctx.delivery_key,
    )


def record_update(ctx: Context, draft: AuditDraft) -> Reply:
    """Record one update and say so: the asker's confirmation, carrying the announcement
    for the conversation. Raises AuditProblem when the update is wrong."""
    recorded = record_audit(
        ctx.db, ctx.queries, ctx.home_inspection(), draft, _origin(ctx), ctx.today
    )
    audit = recorded.audit
    if recorded.duplicate:
        return Reply(
            title=f"Audit update #{audit.id}",
            headline=f"Already recorded as audit update #{audit.id}.",
            duplicate=True,
        )
    news = announcement(ctx, audit)
    return Reply(
        title=f"Recorded audit update #{audit.id}",
        headline=f"Recorded audit update #{audit.id}: {news.headline}",
        sections=news.sections,
        announcement=news,
        private=True,
    )


@command(
    "audit",
    "audit <rec> <compliant>/<audited> [note]",
    "record a case-file audit result against a recommendation",
    examples=(
        "audit R1 17/20 February case-file audit",
        "audit R1 85% monthly audit",
        "audit R1 18/20 2014-03-14 March audit",
        "audit undo",
    ),
    details="Give the compliant and audited case counts (17/20) or a percentage (85%). "
    "A date (YYYY-MM-DD) after the figures records an earlier audit; the rest is a note. "
    "`audit undo` retracts your latest update; an auditor can retract any by its "
    "number: `audit undo 3`. Where the platform has forms, `audit` on its own opens one.",
    writes=True,
)
def audit_command(ctx: Context, args: str) -> Reply:
    words = args.split()
    if words and words[0].lower() in ("undo", "retract"):
        return _undo(ctx, words[1:])
    if not ctx.may(Permission.RECORD):
        return ctx.refused("You can ask questions, but recording audit updates is for auditors.")
    try:
        return record_update(ctx, parse_audit(args, ctx.today))
    except AuditProblem as wrong:
        return problem(
            "That audit update was not recorded",
            wrong.message,
            Section(text=f"Write it like: {ctx.cmd(EXAMPLE)}"),
        )


@dataclass(frozen=True)
class FormEntry:
    """What the audit form holds, as entered (every field as text)."""

    recommendation: str | None = None
    audit_date: str | None = None
    audited: str | None = None
    compliant: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class FormResult:
    reply: Reply | None  # None when the form must be shown again with ``errors``
    errors: dict[str, str]


def submit_form(ctx: Context, entry: FormEntry) -> FormResult:
    """Check and record an update entered in the form; field errors go back to the form."""
    if not ctx.may(Permission.RECORD):
        return FormResult(
            None,
            {
                "recommendation": f"Recording audit updates is for auditors. {ctx.admin_hint} "
                "to add you to YOS_AUDITORS."
            },
        )
    errors: dict[str, str] = {}
    if not (entry.recommendation or "").strip():
        errors["recommendation"] = "Choose the recommendation this audit evidences."
    day = None
    try:
        day = date.fromisoformat((entry.audit_date or "").strip())
    except ValueError:
        errors["audit_date"] = "Pick the date of the audit."
    numbers: dict[str, int] = {}
    for name in ("audited", "compliant"):
        raw = (getattr(entry, name) or "").strip()
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 6:
            errors[name] = "Enter a whole number of cases, like 20."
        else:
            numbers[name] = int(raw)
    if errors or day is None:
        return FormResult(None, errors)
    draft = AuditDraft(
        ref=(entry.recommendation or "").strip(),
        audit_date=day,
        audited=numbers["audited"],
        compliant=numbers["compliant"],
        note=(entry.note or "").strip() or None,
    )
    try:
        return FormResult(record_update(ctx, draft), {})
    except AuditProblem as wrong:
        return FormResult(None, {wrong.field or "recommendation": wrong.message})


def announcement(ctx: Context, audit: Audit) -> Reply:
    """What everyone in the channel sees when an update is recorded."""
    rec = ctx.queries.recommendation_by_id(audit.recommendation_id)
    assert rec is not None
    status = status_of(rec, ctx)
    target = status.target
    verdict = "at or above" if audit.percent >= target else "below"
    headline = f"{rec.ref} audit: {audit.figures}, {verdict} the {percent(target)} target"
    earlier = [a for a in status.audits if a.id != audit.id and a.audit_date <= audit.audit_date]
    facts = [
        Field("Recommendation", rec.ref),
        Field("Result", audit.figures),
        Field("Target", f"{percent(target)} ({verdict})"),
        Field("Audit date", long_date(audit.audit_date)),
    ]
    if earlier:
        last = earlier[-1]
        change = audit.percent - last.percent
        arrow = "▲" if change > 0 else "▼" if change < 0 else "▶"
        facts.append(
            Field(
                "Against the last audit",
                f"{arrow} {abs(change):.0f} points (was {percent(last.percent)})",
            )
        )
        headline += f", {arrow} on the last audit ({percent(last.percent)})"
    if status.progress:
        facts.append(Field("Monitoring", status.progress))
    facts.append(Field("Status", status.label))
    sections = [Section(fields=tuple(facts))]
    if audit.note:
        sections.append(Section(heading="Note", text=audit.note))
    return Reply(
        title=f"Audit update #{audit.id} for {rec.ref}",
        headline=headline + ".",
        sections=tuple(sections),
        source=f"Recorded via {audit.via}; see {ctx.cmd('audits ' + rec.ref)}",
        recorded_by=Person(audit.user_id, audit.user_name, audit.platform),
    )


def _undo(ctx: Context, words: list[str]) -> Reply:
    if not ctx.may(Permission.RECORD):
        return ctx.refused("Only auditors can retract audit updates.")
    number = None
    if words:
        digits = words[0].lstrip("#")
        if not digits.isdigit():
            return problem(
                "Which update?",
                f"“{words[0][:40]}” is not an update number.",
                Section(
                    text=f"Write {ctx.cmd('audit undo')} for your latest, "
                    f"or {ctx.cmd('audit undo 3')}."
                ),
            )
        number = int(digits)
    try:
        gone = retract(
            ctx.db,
            user_id=ctx.user.id,
            number=number,
            may_retract_any=ctx.may(Permission.RETRACT_ANY),
        )
    except AuditProblem as wrong:
        return problem("Nothing was retracted", wrong.message)
    return Reply(
        title=f"Audit update #{gone.id} retracted",
        headline=f"Retracted audit update #{gone.id} for {gone.ref} ({gone.figures} on "
        f"{long_date(gone.audit_date)}). It stays in the history, marked as retracted.",
    )


def _find_rec(ctx: Context, words: list[str], command: str) -> Recommendation | Reply:
    """The recommendation named first in ``words``, or a reply saying how to name one."""
    if not words:
        return problem("Which recommendation?", f"Add its number, e.g. {ctx.cmd(command)} R1.")
    ref = words[0]
    inspection = ctx.home_inspection()
    rec = ctx.queries.recommendation(inspection, ref)
    if rec is None:
        known = ", ".join(r.ref for r in ctx.queries.recommendations(inspection)) or "none"
        return problem(
            "Which recommendation?",
            f"There is no recommendation “{ref[:20]}”: this inspection's are {known}.",
            Section(text=f"See them all with {ctx.cmd('recs')}."),
        )
    return rec


@command(
    "audits",
    "audits <rec> [page]",
    "the audit updates recorded against a recommendation, newest first",
    examples=("audits R1", "audits R1 2"),
)
def audits_command(ctx: Context, args: str) -> Reply:
    words = args.split()
    found = _find_rec(ctx, words, "audits")
    if isinstance(found, Reply):
        return found
    rec = found
    page = int(words[1]) if len(words) > 1 and words[1].isdigit() and int(words[1]) > 0 else 1
    entries = list(reversed(audits_for(ctx.db, rec.id, include_retracted=True)))
    status = status_of(rec, ctx)
    shown, page, pages = paginate(entries, page, PAGE_SIZE)
    items = tuple(_history_line(a, status.target) for a in shown)
    sections = [
        Section(fields=(Field("Status", status.label), Field("Target", percent(status.target))))
    ]
    if items:
        sections.append(Section(heading=f"Updates (page {page} of {pages})", items=items))
    if page < pages:
        sections.append(Section(text=f"Older updates: {ctx.cmd(f'audits {rec.ref} {page + 1}')}"))
    count = len([a for a in entries if not a.retracted])
    headline = (
        f"{count} audit update{'' if count == 1 else 's'} recorded for {rec.ref}; {status.line}."
        if entries
        else f"No audit updates recorded for {rec.ref} yet. Record one with {ctx.cmd(EXAMPLE)}."
    )
    return Reply(
        title=f"Audit history: {rec.ref}",
        headline=headline,
        sections=tuple(sections),
        actions=(share_action("audits", f"{rec.ref} {page}"),),
    )


def _history_line(audit: Audit, target: float) -> str:
    line = (
        f"#{audit.id} {long_date(audit.audit_date)}: {audit.figures} {bar(audit.percent, target)}"
        f" by {audit.who}"
    )
    if audit.note:
        line += f": {audit.note}"
    if audit.retracted:
        line = f"(retracted) {line}"
    return line


@command(
    "rec",
    'rec <rec> [close|reopen "reason"]',
    "one recommendation in full, its evidence and history; auditors can close or reopen it",
    examples=("rec R1", 'rec R1 close "Reported to the management board on 15 April 2014"'),
    writes=True,
)
def rec_command(ctx: Context, args: str) -> Reply:
    words = split_args(args)
    found = _find_rec(ctx, words, "rec")
    if isinstance(found, Reply):
        return found
    rec = found
    if len(words) > 1:
        action = words[1].lower()
        if action not in ("close", "reopen"):
            return problem(
                "Close or reopen?",
                f"“{words[1][:40]}” is not something I can do to {rec.ref}.",
                Section(
                    text=f'Write {ctx.cmd(f"rec {rec.ref} close")} "reason" or reopen "reason".'
                ),
            )
        return _close_or_reopen(ctx, rec, action == "close", " ".join(words[2:]).strip())
    return _rec_detail(ctx, rec)


def _close_or_reopen(ctx: Context, rec: Recommendation, close: bool, reason: str) -> Reply:
    verb, done = ("close", "closed") if close else ("reopen", "reopened")
    if not ctx.may(Permission.CLOSE):
        return ctx.refused(f"Only auditors can {verb} a recommendation.")
    if not reason:
        return problem(
            "Give a reason",
            f"Say why you {verb} {rec.ref}; it is kept in its history.",
            Section(
                text=f"Write {ctx.cmd(f'rec {rec.ref} {verb}')} "
                '"Reported to the board on 15 April".'
            ),
        )
    if ctx.delivery_key and change_by_delivery(ctx.db, ctx.delivery_key):
        return Reply(title=rec.ref, headline=f"{rec.ref} was already {done}.", duplicate=True)
    try:
        set_closed(ctx.db, rec, close=close, reason=reason, origin=_origin(ctx), today=ctx.today)
    except AuditProblem as wrong:
        return problem(f"{rec.ref} was not changed", wrong.message)
    status = status_of(rec, ctx)
    news = Reply(
        title=f"{rec.ref} {done}",
        headline=f"{rec.ref} {done}: {status.line}.",
        recorded_by=ctx.user,
    )
    return Reply(title=news.title, headline=news.headline, announcement=news, private=True)


def _rec_detail(ctx: Context, rec: Recommendation) -> Reply:
    inspection = ctx.home_inspection()
    status: Monitoring = status_of(rec, ctx)
    facts = [Field("Status", status.label), Field("Target", f"{percent(status.target)} or more")]
    if rec.baselines:
        facts.append(
            Field("Baseline", ", ".join(f"{b.label} {percent(b.score)}" for b in rec.baselines))
        )
    if status.latest:
        facts.append(
            Field(
                "Latest audit", f"{status.latest.figures} on {long_date(status.latest.audit_date)}"
            )
        )
    if status.trend:
        facts.append(Field("Trend", status.trend))
    if status.progress:
        facts.append(Field("Monitoring", status.progress))
    if status.days_left is not None:
        facts.append(Field("Days left", str(status.days_left)))
    sections = [Section(text=rec.text), Section(fields=tuple(facts))]
    if rec.monitoring_text:
        sections.append(Section(text=rec.monitoring_text))
    if status.monthly:
        sections.append(
            Section(
                heading="Monthly results",
                items=tuple(
                    f"Month {i}: {m.figures} on {long_date(m.audit_date)} "
                    f"{bar(m.percent, status.target)}"
                    if m
                    else f"Month {i}: no audit recorded"
                    for i, m in enumerate(status.monthly, start=1)
                ),
            )
        )
    changes = history(ctx.db, rec.id)
    if changes:
        sections.append(
            Section(
                heading="History",
                items=tuple(
                    f"{long_date(c.on_date)}: {c.done} by {c.who}: {c.reason}" for c in changes
                ),
            )
        )
    return Reply(
        title=f"{rec.ref}: {status.label}",
        headline=status.line + ".",
        sections=tuple(sections),
        source=source_line(inspection),
        actions=(share_action("rec", f"{rec.ref}"),),
    )
