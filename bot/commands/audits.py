"""Recording and reviewing case-file audit evidence: audit, audits, rec.

Typed commands and the audit form record through the same function here
(:func:`record_update`), so both are checked, deduplicated and announced alike.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.commands import plan_rec
from bot.commands.absent import rec_not_recorded, recs_not_recorded
from bot.commands.present import announced, source_line, status_of
from bot.commands.registry import (
    Commands,
    Context,
    Permission,
    PrivateContext,
    part,
    split_args,
    word_at,
)
from bot.commands.resolve import mention_in
from bot.domain.inspections.model import Inspection, Recommendation
from bot.domain.monitoring.audit_input import LATE_EXAMPLE, AuditInputProblem, parse_date
from bot.domain.monitoring.audits import (
    EXAMPLE,
    Audit,
    AuditDraft,
    AuditProblem,
    Change,
    Origin,
    audit_count,
    audit_page,
    change_by_delivery,
    check_reason,
    history,
    normal_ref,
    not_a_recommendation,
    parse_audit,
    record_audit,
    retract,
    set_closed,
)
from bot.domain.monitoring.status import Monitoring, Status, change_text
from bot.domain.monitoring.window import Period
from bot.domain.wording import bar, long_date, percent
from bot.reply import Field, Person, Reply, Section, problem, share_action

if TYPE_CHECKING:
    from bot.domain.monitoring.privacy import Finding

PAGE_SIZE = 10
FORM_FIELDS = ("recommendation", "audit_date", "audited", "compliant", "note")
MAX_NUMBER_DIGITS = 9  # an update or page number: checked before int() sees it
LATE_REASON = "why it was entered late"  # the placeholder in the command a refusal gives
EARLY_REASON = "why it is closed before its window ends"
PAST_ANY_PAGE = 1_000_000_000
NOTE_RECORDED = "a note was recorded (only auditors can read notes)"
PRIVACY_NOTICE = (
    "Personal data: a note is for the audit, never the child: no names, dates of birth, "
    "ages, PNC, case or NHS numbers, addresses, phone numbers or email addresses. A note that "
    "looks like one is refused; if you have checked it identifies no one, add --checked. "
    "Stored: the figures, the dates, the note, who recorded it (platform ID and display "
    "name) and where. Notes are shown only to auditors (YOS_NOTES_VISIBLE_TO=everyone shows "
    "them to all); announcements say only that a note was recorded. A note is erased "
    "after YOS_NOTE_RETENTION_DAYS days (730 unless set), retracted or not; the figures stay. "
    "To have a note erased sooner, ask whoever runs the bot (yos-bot erase-note)."
)

COMMANDS = Commands()  # this module's, in the order help lists them
command = COMMANDS.command


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


def record_update(ctx: PrivateContext, draft: AuditDraft) -> Reply:
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
    figures = update_reply(ctx, audit)
    news = with_note(figures, audit, show_note=ctx.everyone_may(Permission.READ_NOTES))
    return Reply(
        title=f"Recorded audit update #{audit.id}",
        headline=f"Recorded audit update #{audit.id}: {news.headline}",
        # The recorder's own note is theirs to see, whoever else may.
        sections=with_note(figures, audit, show_note=True).sections,
        announcement=news,
        private=True,
    )


@command(
    "audit",
    "audit <rec> <compliant>/<audited> [date] [note]",
    "record a case-file audit result against a recommendation",
    examples=(
        EXAMPLE,
        "audit R1 18 of 20 27 Feb 2014 February audit",
        "audit R1 85% monthly audit",
        "audit undo",
    ),
    details="Give the compliant and audited case counts (17/20, 17 of 20, 17 out of 20) or a "
    "percentage (85%). A date after the figures says when the audit was done: 30/01/2014 "
    "(always day/month/year), 2014-01-30 or 30 January 2014; without one it is today. The rest "
    "is a note. The audit that counts for a monthly period is the one with the latest date in "
    "it. An audit dated outside the monitoring window is refused unless you add --outside; it "
    "is then listed apart and never counted. An update entered after its monthly period (or "
    f"the window) has closed is refused unless you add {LATE_EXAMPLE} with the reason: it is "
    "then flagged as entered late wherever it appears, and never silently changes a verdict "
    "already reached. Nothing is recorded on a closed recommendation. `audit undo` retracts "
    "your latest update; an auditor can retract any by its number: `audit undo 3`. Where the "
    "platform has forms, `audit` on its own opens one.\n\n" + PRIVACY_NOTICE,
    writes=True,
    requires=Permission.RECORD,
    parts=(
        part(
            "audit undo",
            lambda said: bool(said) and said[0].lower() in ("undo", "retract"),
            Permission.RECORD,
            note="someone else's update needs retract_any too, checked against the update",
        ),
    ),
)
def audit_command(ctx: PrivateContext, args: str) -> Reply:
    words = args.split()
    if words and words[0].lower() in ("undo", "retract"):
        return _undo(ctx, words[1:])
    draft = None
    try:
        draft = parse_audit(args, ctx.today)
        return record_update(ctx, draft)
    except AuditProblem as wrong:
        if wrong.findings and draft is not None:
            example = ctx.cmd(_checked_example(draft))
            what = "reason" if wrong.field == "late_reason" else "note"
            return problem(
                "That audit update was not recorded",
                wrong.message,
                *personal_data_sections(wrong.findings, example, what),
            )
        if wrong.field == "recommendation" and draft is not None:
            inspection = ctx.home_inspection()
            if recs_not_recorded(inspection, ctx.queries.recommendations(inspection)):
                return rec_not_recorded(inspection, draft.ref, "That audit update was not recorded")
        headline, hint = wrong.message, f"Write it like: {ctx.cmd(EXAMPLE)}"
        if wrong.outside and draft is not None:
            headline += (
                " If the date is right, add --outside to record it anyway: it will be listed "
                "apart and never counted."
            )
            hint = f"To record it anyway, write: {ctx.cmd(_outside_example(draft))}"
        if wrong.late:
            headline += (
                " If it is right, add --late and why, in quotes: it will be recorded and "
                f"flagged “entered late on {long_date(ctx.today)}” wherever it appears."
            )
            hint = f"To record it, write: {ctx.cmd(late_example(args))}"
        if wrong.closed and draft is not None:
            hint = (
                f'Reopen it with {ctx.cmd(f"rec {draft.ref} reopen")} "reason", then send '
                "the audit again."
            )
        return problem("That audit update was not recorded", headline, Section(text=hint))


def late_example(args: str) -> str:
    """Everything that was typed, marked as a late entry: the command to type again."""
    return f'audit {" ".join(args.split())} --late "{LATE_REASON}"'


def _checked_example(draft: AuditDraft) -> str:
    """The command to send again once the auditor has checked a note (or reason) refused as
    personal data: everything typed before the note (the date included), a safe note in
    place of the one refused, the other flags, and --checked."""
    from bot.domain.monitoring.privacy import SAFE_EXAMPLE  # loaded by the screening already

    head = draft.typed or f"{draft.ref} {draft.figures}"
    flags = " --outside" if draft.outside_confirmed else ""
    if draft.late_reason is not None:
        flags += f' --late "{LATE_REASON}"'
    return f"audit {head} {SAFE_EXAMPLE}{flags} --checked"


def personal_data_sections(
    findings: tuple[Finding, ...], example: str, what: str
) -> tuple[Section, ...]:
    """The private explanation of a note (or reason) refused as likely personal data: what
    was found, redacted, a safe example and how to send it again marked as checked."""
    from bot.domain.monitoring.privacy import explanation  # loaded by the screening already

    parts = explanation(findings, example=example, what=what)
    return (
        Section(text=parts.why),
        Section(heading="What looks like personal data", items=parts.found),
        Section(text=parts.safe),
        Section(text=parts.checked),
    )


def _outside_example(draft: AuditDraft) -> str:
    """The audit as typed again with --outside, to record it outside the window."""
    note = f" {draft.note}" if draft.note else ""
    return f"audit {draft.ref} {draft.figures} {draft.audit_date:%d/%m/%Y}{note} --outside"


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
    return _submit_form(PrivateContext.of(ctx), entry)


def _submit_form(ctx: PrivateContext, entry: FormEntry) -> FormResult:
    if not ctx.may(Permission.RECORD):
        refused = ctx.refuse(Permission.RECORD, "audit")
        said = [refused.headline, *(section.text for section in refused.sections if section.text)]
        return FormResult(None, {"recommendation": " ".join(said)})
    errors: dict[str, str] = {}
    if not (entry.recommendation or "").strip():
        errors["recommendation"] = "Choose the recommendation this audit evidences."
    day = None
    try:
        day = parse_date((entry.audit_date or "").strip())
    except AuditInputProblem as wrong:
        errors["audit_date"] = wrong.message
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
        ref=normal_ref(entry.recommendation or ""),
        audit_date=day,
        audited=numbers["audited"],
        compliant=numbers["compliant"],
        note=(entry.note or "").strip() or None,
    )
    try:
        return FormResult(record_update(ctx, draft), {})
    except AuditProblem as wrong:
        return FormResult(None, {wrong.field or "recommendation": _form_error(ctx, draft, wrong)})


def _form_error(ctx: Context, draft: AuditDraft, wrong: AuditProblem) -> str:
    """What the form says of an update refused as entered, with the command that records it
    anyway where one can (a note checked by the auditor, a date outside the window)."""
    message = wrong.message
    if wrong.findings:
        from bot.domain.monitoring.privacy import explain_briefly  # loaded by the screening already

        message = f"{explain_briefly(wrong.findings)} {_checked_hint(ctx, draft)}"
    if wrong.outside:
        message += f" To record it anyway, use {ctx.cmd(_outside_example(draft))}"
    if wrong.late:
        note = f" {draft.note}" if draft.note and len(draft.note) <= 200 else ""
        typed = f"{draft.ref} {draft.figures} {draft.audit_date:%d/%m/%Y}{note}"
        message += (
            f" A late entry is recorded with the reason, by command: {ctx.cmd(late_example(typed))}"
        )
    return message


def _checked_hint(ctx: Context, draft: AuditDraft) -> str:
    """How to record a form's note that was refused as personal data, once checked: the
    form has no box for that, so the command, written out when it is short enough."""
    note = draft.note if draft.note and len(draft.note) <= 200 else "<note>"
    typed = f"audit {draft.ref} {draft.figures} {draft.audit_date:%d/%m/%Y} {note} --checked"
    return (
        "If you have checked that it identifies no one, record it with the command and "
        f"--checked: {ctx.cmd(typed)}"
    )


def placement(status: Monitoring, audit: Audit) -> str:
    """Where the audit falls, and whether it counts: a clause for its confirmation."""
    window = status.window
    if window is None:
        return f"it counts towards no monitoring window: {status.rec.ref} has none."
    period = status.period_of(audit.audit_date)
    if period is None:
        return (
            f"it is outside the monitoring window ({window.dates}), so it is listed apart and "
            "never counts."
        )
    counted = period.counted
    if counted is not None and counted.id != audit.id:
        return (
            f"it does not count, because {counted.figures} of {long_date(counted.audit_date)} is "
            f"later in {period.name} ({period.span.dates}) and stays its result."
        )
    if period.replaced:
        earlier = period.replaced[0]
        return (
            f"it replaces {earlier.figures} of {long_date(earlier.audit_date)} as "
            f"{period.name}'s result ({period.span.dates})."
        )
    return f"it counts as {period.name}'s result ({period.span.dates})."


def _against_last(status: Monitoring, period: Period | None, audit: Audit) -> str | None:
    """▲ from 85% to 90% (January to February), when this audit counts and an earlier
    period has a result."""
    if period is None or period.counted is None or period.counted.id != audit.id:
        return None
    before = status.previous_result(period)
    if before is None or before.value is None:
        return None
    return f"{change_text(before.value, audit.percent)} ({before.name} to {period.name})"


def status_fields(status: Monitoring) -> list[Field]:
    """What every reply about a recommendation says of its monitoring, from the one model."""
    fields = [
        Field("Latest audit", status.latest_text),
        Field("Trend in the window", status.trend_text),
    ]
    if status.progress:
        fields.append(Field("Monitoring", status.progress))
    fields += [Field("Status", status.label), Field("Why", status.reason)]
    return fields


def announcement(ctx: PrivateContext, audit: Audit) -> Reply:
    """What everyone in the channel sees when an update is recorded: the figures, and the
    note only when everyone there may read notes (else that a note was recorded)."""
    reply = update_reply(ctx, audit)
    return with_note(reply, audit, show_note=ctx.everyone_may(Permission.READ_NOTES))


def with_note(reply: Reply, audit: Audit, *, show_note: bool) -> Reply:
    """The reply about ``audit`` with its note, or with the words that one was recorded."""
    if not audit.note:
        return reply
    said = (
        Section(heading="Note", text=audit.note)
        if show_note
        else Section(text=f"Note: {NOTE_RECORDED}.")
    )
    return replace(reply, sections=(*reply.sections, said))


def update_reply(ctx: PrivateContext, audit: Audit) -> Reply:
    """An update as announced, but for its note: its figures against the target, where it
    falls, the status."""
    rec = ctx.queries.recommendation_by_id(audit.recommendation_id)
    assert rec is not None
    status = status_of(rec, ctx)
    target = status.target
    verdict = "at or above" if audit.percent >= target else "below"
    period = status.period_of(audit.audit_date)
    placed = placement(status, audit)
    headline = (
        f"{rec.ref} audit: {audit.figures}, {verdict} the {percent(target)} target. "
        f"Audit of {long_date(audit.audit_date)}: {placed}"
    )
    late = status.late_flag(audit)
    if late:
        headline += f" It was {late}."
    facts = [
        Field("Recommendation", rec.ref),
        Field("Result", audit.figures),
        Field("Target", f"{percent(target)} ({verdict})"),
        Field("Audit date", long_date(audit.audit_date)),
        Field("Entered", status.entered(audit)),
        Field(
            "Monthly period",
            period.span.described if period else "outside the monitoring window",
        ),
    ]
    against = _against_last(status, period, audit)
    if against:
        facts.append(Field("Against the last result", against))
    facts += status_fields(status)
    return Reply(
        title=f"Audit update #{audit.id} for {rec.ref}",
        headline=headline,
        sections=(Section(fields=tuple(facts)),),
        source=f"Recorded via {audit.via}; see {ctx.cmd('audits ' + rec.ref)}",
        recorded_by=Person(audit.user_id, audit.user_name, audit.platform),
    )


def _undo(ctx: PrivateContext, words: list[str]) -> Reply:
    number = None
    if words:
        digits = words[0].lstrip("#")
        if not (digits.isascii() and digits.isdigit()):
            return problem(
                "Which update?",
                f"“{words[0][:40]}” is not an update number.",
                Section(
                    text=f"Write {ctx.cmd('audit undo')} for your latest, "
                    f"or {ctx.cmd('audit undo 3')}."
                ),
            )
        if len(digits.lstrip("0")) > MAX_NUMBER_DIGITS:
            return problem("Nothing was retracted", f"There is no audit update #{digits[:12]}….")
        number = int(digits)
    try:
        gone = retract(
            ctx.db,
            user_id=ctx.user.id,
            number=number,
            may_retract_any=ctx.may(Permission.RETRACT_ANY),
            today=ctx.today,
            queries=ctx.queries,
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
    inspection = ctx.home_inspection()
    # No reference is long: a longer word is refused before it is looked up (or converted).
    typed = words[0]
    elsewhere = _service_named(ctx, words, inspection)
    if elsewhere is not None:
        recs = ctx.queries.recommendations(elsewhere)
        if recs_not_recorded(elsewhere, recs):
            return rec_not_recorded(elsewhere, normal_ref(typed)[:20])
        return problem(
            "Which service?",
            f"{ctx.cmd(command)} answers about this conversation's service, "
            f"{inspection.service.name}.",
            Section(
                text=f"To ask about {elsewhere.service.name}'s, write "
                f"{ctx.cmd(f'use {elsewhere.service.name}')} first."
            ),
        )
    rec = ctx.queries.recommendation(inspection, normal_ref(typed)) if len(typed) <= 20 else None
    if rec is None:
        recs = ctx.queries.recommendations(inspection)
        if recs_not_recorded(inspection, recs):
            return rec_not_recorded(inspection, normal_ref(typed)[:20])
        return problem(
            "Which recommendation?",
            not_a_recommendation(words[0], recs, made_none=True),
            Section(text=f"See them all with {ctx.cmd('recs')}."),
        )
    return rec


_NOT_A_SERVICE = frozenset({"close", "reopen", "rag"})


def named_after_reference(words: list[str]) -> str:
    """The words after a recommendation's reference that may name another service
    (`rec R1 Slough`, `audits R1 Slough`): none when they are a reason, a page or a RAG."""
    rest = words[1:]
    if not rest or rest[0].lower() in _NOT_A_SERVICE or rest[0].isdecimal():
        return ""
    return " ".join(rest)


def _service_named(ctx: Context, words: list[str], home: Inspection) -> Inspection | None:
    """Another service's inspection, when the words after the reference are only its name
    (`rec R1 Slough`, `audits R1 Slough`); never a reason, a page or a RAG."""
    named = named_after_reference(words)
    if not named:
        return None
    mention = mention_in(ctx, named)
    if mention is None or mention.match.service is None or mention.rest.strip():
        return None
    found = ctx.queries.latest_inspection(mention.match.service.id)
    return None if found.id == home.id else found


def page_number(ctx: Context, words: list[str], command: str) -> int | Reply:
    """The page asked for (1 when none), or a reply saying how to ask for one. A number too
    long to be a page is past the last page, found without converting it."""
    if not words:
        return 1
    wanted = words[0]
    if not (wanted.isascii() and wanted.isdigit()):
        return problem(
            "Which page?",
            f"“{wanted[:20]}” is not a page number.",
            Section(text=f"Write {ctx.cmd(f'{command} 2')} for the second page."),
        )
    if len(wanted.lstrip("0")) > MAX_NUMBER_DIGITS:
        return PAST_ANY_PAGE  # the last page is shown
    return max(1, int(wanted))


@command(
    "audits",
    "audits <rec> [page]",
    "the audit updates recorded against a recommendation, latest audit date first",
    examples=("audits R1", "audits R1 2"),
    details="Each update shows its figures, audit date, when it was entered (flagged when it "
    "was entered late, with why), whether it counts and who recorded it. Notes are shown to "
    "auditors only (unless YOS_NOTES_VISIBLE_TO=everyone); others "
    "see that a note was recorded. A note older than the retention period is erased.",
    cacheable=False,  # notes are shown only to those who may read them
)
def audits_command(ctx: PrivateContext, args: str) -> Reply:
    words = args.split()
    found = _find_rec(ctx, words, "audits")
    if isinstance(found, Reply):
        return found
    rec = found
    wanted = page_number(ctx, words[1:2], f"audits {rec.ref}")
    if isinstance(wanted, Reply):
        return wanted
    total, retracted = audit_count(ctx.db, rec.id)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(wanted, pages)
    shown = audit_page(ctx.db, rec.id, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    status = status_of(rec, ctx)
    notes = ctx.may(Permission.READ_NOTES)
    items = tuple(_history_line(a, status, show_note=notes) for a in shown)
    sections = [
        Section(
            fields=(
                Field("Status", status.label),
                Field("Why", status.reason),
                Field("Verdict", status.verdict_text),
            )
        )
    ]
    if items:
        sections.append(Section(heading=f"Updates (page {page} of {pages})", items=items))
    if page < pages:
        sections.append(Section(text=f"Older updates: {ctx.cmd(f'audits {rec.ref} {page + 1}')}"))
    count = total - retracted
    headline = (
        f"{count} audit update{'' if count == 1 else 's'} recorded for {rec.ref}; {status.line}."
        if total
        else f"No audit updates recorded for {rec.ref} yet. Record one with {ctx.cmd(EXAMPLE)}."
    )
    return Reply(
        title=f"Audit history: {rec.ref}",
        headline=headline,
        sections=tuple(sections),
        actions=(share_action("audits", f"{rec.ref} {page}"),),
    )


def standing(status: Monitoring, audit: Audit) -> str:
    """counts for January; replaced in January; outside the monitoring window, not counted."""
    if audit.audit_date > status.today:
        return "dated after today, not counted"
    period = status.period_of(audit.audit_date)
    if period is None:
        return "outside the monitoring window, not counted"
    if period.counted is not None and period.counted.id == audit.id:
        return f"counts for {period.name}"
    return f"replaced in {period.name}"


def _history_line(audit: Audit, status: Monitoring, *, show_note: bool) -> str:
    """#3 20 February 2014 (entered the same day): 17/20 (85%) ███│ (counts for February) by
    Alice: note; a late entry says so: (entered late on 20 April 2014: reason)."""
    line = f"#{audit.id} {long_date(audit.audit_date)} ({status.entered(audit)}): {audit.figures} "
    line += f"{bar(audit.percent, status.target)} "
    if audit.retracted:
        line = f"(retracted) {line}"
    else:
        line += f"({standing(status, audit)}) "
    return line + f"by {audit.who}" + note_text(audit, show_note=show_note)


def note_text(audit: Audit, *, show_note: bool) -> str:
    """What a line about an update says of its note: the note to those who may read it,
    else that one was recorded; that it was erased, and when, to everyone."""
    if audit.note:
        return f": {audit.note}" if show_note else f"; {NOTE_RECORDED}"
    if audit.note_erased_at:
        return f"; its note was erased on {long_date(audit.note_erased_at[:10])}"
    return ""


@command(
    "rec",
    'rec <rec> [close|reopen "reason"]',
    "one recommendation in full, its evidence and history; auditors can close or reopen it",
    examples=(
        "rec R1",
        'rec R1 close "Reported to the management board on 15 April 2014"',
        'rec R1 close "Reported to the board" --early "the board asked for it now"',
    ),
    details="Closing keeps the verdict as it stands and stops anything more being recorded "
    "until it is reopened. While the monitoring window is still open, closing needs --early "
    "and why, in quotes; the paper shows it.",
    writes=True,
    parts=(
        part("rec R3 close", lambda said: word_at(said) == "close", Permission.CLOSE),
        part("rec R3 reopen", lambda said: word_at(said) == "reopen", Permission.CLOSE),
        part("rec R3 rag", lambda said: word_at(said) == "rag", Permission.EDIT_PLAN),
    ),
)
def rec_command(ctx: PrivateContext, args: str) -> Reply:
    words = split_args(args)
    found = _find_rec(ctx, words, "rec")
    if isinstance(found, Reply):
        return found
    rec = found
    if len(words) > 1:
        action = words[1].lower()
        if action == "rag":  # the improvement plan's RAG override
            return plan_rec.rag_override(ctx, rec, words[2:])
        if action not in ("close", "reopen"):
            return problem(
                "Close or reopen?",
                f"“{words[1][:40]}” is not something I can do to {rec.ref}.",
                Section(
                    text=f'Write {ctx.cmd(f"rec {rec.ref} close")} "reason" or reopen "reason".'
                ),
            )
        return _close_or_reopen(ctx, rec, action == "close", words[2:], args)
    if not plan_rec.is_measured(rec):  # no monitoring window: the plan shows it all
        return plan_rec.rec_detail(ctx, rec)
    return _rec_detail(ctx, rec)


@dataclass(frozen=True)
class _Closing:
    reason: str
    checked: bool
    early: str | None  # --early "reason"; "" when the flag came without one


def _closing_words(rest: list[str]) -> _Closing:
    """The reason, --checked and --early "reason" of a close or reopen, in any order."""
    reason: list[str] = []
    checked, early = False, None
    words = iter(rest)
    for word in words:
        if word.lower() == "--checked":
            checked = True
        elif word.lower() in ("--early", "\u2014early", "\u2013early"):
            early = next(words, "").strip()
        else:
            reason.append(word)
    return _Closing(" ".join(reason).strip(), checked, early)


def _close_or_reopen(
    ctx: PrivateContext, rec: Recommendation, close: bool, rest: list[str], typed: str
) -> Reply:
    verb, done = ("close", "closed") if close else ("reopen", "reopened")
    said = _closing_words(rest)
    checked, early = said.checked, said.early
    reason = said.reason or (early or "")
    if early == "":
        return problem(
            f"{rec.ref} was not changed",
            "Say why it is closed early, in quotes after --early.",
            Section(text=f'Write {ctx.cmd(f"rec {rec.ref} close")} --early "{EARLY_REASON}".'),
        )
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
    try:  # what is wrong with the reason is said first, whenever it is given
        check_reason(reason, checked=checked)
        if early:
            check_reason(early, checked=checked)
    except AuditProblem as wrong:
        return _not_changed(ctx, rec, verb, wrong)
    before = status_of(rec, ctx)
    end = before.window.end if before.window is not None else None
    is_early = close and end is not None and ctx.today <= end
    if is_early and end is not None and early is None and before.closed is None:
        again = f'rec {" ".join(typed.split())} --early "{EARLY_REASON}"'
        return problem(
            f"{rec.ref} was not closed",
            f"{rec.ref}'s monitoring window is open until {long_date(end)}, so its verdict is "
            f"not due yet ({before.line}). To close it before then, add --early and why, in "
            "quotes: it is kept with the close and shown in the board paper.",
            Section(text=f"To close it early, write: {ctx.cmd(again)}"),
        )
    try:
        set_closed(
            ctx.db,
            rec,
            close=close,
            reason=reason,
            origin=_origin(ctx),
            today=ctx.today,
            reason_checked=checked,
            early_reason=early if is_early else None,
        )
    except AuditProblem as wrong:
        return _not_changed(ctx, rec, verb, wrong)
    status = status_of(rec, ctx)
    return announced(
        ctx,
        title=f"{rec.ref} {done}",
        headline=f"{rec.ref} {done} by {ctx.user.label}: {status.line}.",
    )


def _period_line(period: Period, status: Monitoring) -> str:
    """January (14 January to 13 February 2014): 17/20 (85%) on 30 January 2014 (entered
    the same day) ... ; a period still open without an audit is not yet due."""
    head = period.span.described
    counted = period.counted
    if counted is None:
        return f"{head}: {status.result_of(period)}"
    line = (
        f"{head}: {counted.figures} on {long_date(counted.audit_date)} "
        f"({status.entered(counted)}) {bar(counted.percent, status.target)} "
        f"{period.result} target"
    )
    if period.replaced_count:
        replaced = ", ".join(
            f"{a.figures} of {long_date(a.audit_date)}"
            + (f" ({flag})" if (flag := status.late_flag(a)) else "")
            for a in period.replaced
        )
        more = period.replaced_count - len(period.replaced)
        line += f"; replaced {replaced}" + (f" and {more} more" if more else "")
    return line


def monthly_sections(status: Monitoring) -> list[Section]:
    """The monthly periods, then the audits outside the window, listed apart."""
    sections: list[Section] = []
    if status.periods:
        sections.append(
            Section(
                heading="Monthly periods",
                items=tuple(_period_line(p, status) for p in status.periods),
            )
        )
    if status.outside.count:
        items = [
            f"#{a.id} {long_date(a.audit_date)} ({status.entered(a)}): {a.figures} by {a.who}"
            for a in status.outside.shown
        ]
        more = status.outside.count - len(items)
        if more > 0:
            items.append(f"and {more} more")
        sections.append(
            Section(heading="Outside the monitoring window (never counted)", items=tuple(items))
        )
    return sections


def _rec_detail(ctx: PrivateContext, rec: Recommendation) -> Reply:
    inspection = ctx.home_inspection()
    status: Monitoring = status_of(rec, ctx)
    facts = [Field("Target", status.target_text)]
    if rec.baselines:
        facts.append(
            Field("Baseline", ", ".join(f"{b.label} {percent(b.score)}" for b in rec.baselines))
        )
    if status.window:
        facts.append(Field("Monitoring window", status.window.dates))
    facts += status_fields(status)
    facts.append(Field("Verdict", status.verdict_text))
    if status.days_left is not None:
        facts.append(Field("Days left", str(status.days_left)))
    sections = [Section(text=rec.text), Section(fields=tuple(facts))]
    if rec.monitoring_text:
        sections.append(Section(text=rec.monitoring_text))
    sections += monthly_sections(status)
    changes = history(ctx.db, rec.id)
    if changes:
        sections.append(
            Section(
                heading="History",
                items=tuple(_history_item(c) for c in changes),
            )
        )
    if status.closed is not None and status.status in (Status.MET, Status.NOT_MET):
        sections.append(
            Section(
                text=f"Nothing more can be recorded on {rec.ref} until it is reopened: "
                f'{ctx.cmd(f"rec {rec.ref} reopen")} "reason".'
            )
        )
    sections += plan_rec.plan_sections(ctx, rec)  # the improvement plan's part
    return Reply(
        title=f"{rec.ref}: {status.label}",
        headline=status.line + ".",
        sections=tuple(sections),
        source=source_line(inspection),
        actions=(share_action("rec", f"{rec.ref}"),),
    )


def _not_changed(ctx: Context, rec: Recommendation, verb: str, wrong: AuditProblem) -> Reply:
    if wrong.findings:
        example = ctx.cmd(f'rec {rec.ref} {verb} "Reported to the board" --checked')
        return problem(
            f"{rec.ref} was not changed",
            wrong.message,
            *personal_data_sections(wrong.findings, example, "reason"),
        )
    return problem(f"{rec.ref} was not changed", wrong.message)


def _history_item(change: Change) -> str:
    """15 April 2014: closed by Chris Chair: reason; an early close with why it was early."""
    line = f"{long_date(change.on_date)}: {change.done} by {change.who}: {change.reason}"
    if change.early_reason and change.early_reason != change.reason:
        line += f" (closed early: {change.early_reason})"
    return line
