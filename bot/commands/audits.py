"""Recording and reviewing case-file audit evidence: audit, audits, rec."""

from __future__ import annotations

from bot.commands.inspection import source_line, status_of
from bot.commands.registry import Context, command, paginate, split_args
from bot.domain.audits import (
    EXAMPLE,
    Audit,
    AuditProblem,
    Origin,
    audit_by_delivery,
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
from bot.domain.text import bar, long_date, percent
from bot.reply import Field, Reply, Section, problem

PAGE_SIZE = 10


def _refused(headline: str) -> Reply:
    return problem(
        "Only auditors can do that",
        headline,
        Section(
            text="Ask your Slack admin to add you to YOS_AUDITORS. Anyone can still ask questions."
        ),
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
    "`/yos audit undo` retracts your latest update; an auditor can retract any by its "
    "number: `/yos audit undo 3`. In Slack, `/yos audit` on its own opens a form.",
    writes=True,
)
def audit_command(ctx: Context, args: str) -> Reply:
    words = args.split()
    if words and words[0].lower() in ("undo", "retract"):
        return _undo(ctx, words[1:])
    if not ctx.may_record:
        return _refused("You can ask questions, but recording audit updates is for auditors.")
    try:
        draft = parse_audit(args, ctx.today)
        origin = Origin(
            via=ctx.via,
            user_id=ctx.user_id,
            user_name=ctx.display_name,
            channel_id=ctx.channel_id,
            message_ts=ctx.message_ts,
            delivery_key=ctx.delivery_key,
        )
        recorded = record_audit(
            ctx.db, ctx.queries, ctx.home_inspection(), draft, origin, ctx.today
        )
    except AuditProblem as wrong:
        return problem(
            "That audit update was not recorded",
            wrong.message,
            Section(text=f"Write it like: {EXAMPLE}"),
        )
    reply = announcement(ctx, recorded.audit)
    if recorded.duplicate:
        return Reply(
            title=reply.title,
            headline=f"Already recorded as audit update #{recorded.audit.id}.",
            duplicate=True,
        )
    return reply


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
        source=f"Recorded via {audit.via}; see /yos audits {rec.ref}",
        announce=True,
        recorded_by=audit.user_id or audit.user_name,
    )


def _undo(ctx: Context, words: list[str]) -> Reply:
    if not ctx.may_record:
        return _refused("Only auditors can retract audit updates.")
    number = None
    if words:
        digits = words[0].lstrip("#")
        if not digits.isdigit():
            return problem(
                "Which update?",
                f"“{words[0][:40]}” is not an update number.",
                Section(text="Write /yos audit undo for your latest, or /yos audit undo 3."),
            )
        number = int(digits)
    try:
        gone = retract(ctx.db, user_id=ctx.user_id, number=number, may_retract_any=ctx.may_record)
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
        return problem("Which recommendation?", f"Add its number, e.g. /yos {command} R1.")
    ref = words[0]
    inspection = ctx.home_inspection()
    rec = ctx.queries.recommendation(inspection, ref)
    if rec is None:
        known = ", ".join(r.ref for r in ctx.queries.recommendations(inspection)) or "none"
        return problem(
            "Which recommendation?",
            f"There is no recommendation “{ref[:20]}”: this inspection's are {known}.",
            Section(text="See them all with /yos recs."),
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
        sections.append(Section(text=f"Older updates: /yos audits {rec.ref} {page + 1}"))
    count = len([a for a in entries if not a.retracted])
    headline = (
        f"{count} audit update{'' if count == 1 else 's'} recorded for {rec.ref}; {status.line}."
        if entries
        else f"No audit updates recorded for {rec.ref} yet. Record one with {EXAMPLE}."
    )
    return Reply(
        title=f"Audit history: {rec.ref}",
        headline=headline,
        sections=tuple(sections),
        share=f"audits {rec.ref} {page}",
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
                Section(text=f'Write /yos rec {rec.ref} close "reason" or reopen "reason".'),
            )
        return _close_or_reopen(ctx, rec, action == "close", " ".join(words[2:]).strip())
    return _rec_detail(ctx, rec)


def _close_or_reopen(ctx: Context, rec: Recommendation, close: bool, reason: str) -> Reply:
    verb = "close" if close else "reopen"
    if not ctx.may_record:
        return _refused(f"Only auditors can {verb} a recommendation.")
    if not reason:
        return problem(
            "Give a reason",
            f"Say why you {verb} {rec.ref}; it is kept in its history.",
            Section(text=f'Write /yos rec {rec.ref} {verb} "Reported to the board on 15 April".'),
        )
    if ctx.delivery_key and change_by_delivery(ctx.db, ctx.delivery_key):
        return Reply(title=rec.ref, headline=f"{rec.ref} was already {verb}d.", duplicate=True)
    try:
        set_closed(
            ctx.db,
            rec,
            close=close,
            reason=reason,
            user_id=ctx.user_id,
            today=ctx.today,
            delivery_key=ctx.delivery_key,
        )
    except AuditProblem as wrong:
        return problem(f"{rec.ref} was not changed", wrong.message)
    return change_announcement(ctx, rec, verb)


def change_announcement(ctx: Context, rec: Recommendation, verb: str) -> Reply:
    status = status_of(rec, ctx)
    return Reply(
        title=f"{rec.ref} {verb}d",
        headline=f"{rec.ref} {verb}d: {status.line}.",
        announce=True,
        recorded_by=ctx.user_id or ctx.user_name,
    )


def announcement_for_delivery(ctx: Context, key: str) -> Reply | None:
    """The announcement for whatever a delivery recorded, found again by its key."""
    audit = audit_by_delivery(ctx.db, key)
    if audit is not None:
        return announcement(ctx, audit)
    change = change_by_delivery(ctx.db, key)
    if change is not None:
        rec = ctx.queries.recommendation_by_id(change["recommendation_id"])
        assert rec is not None
        return change_announcement(ctx, rec, change["action"])
    return None


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
                    f"{long_date(c['on_date'])}: {c['action']}d by "
                    f"{c['user_id'] or 'someone'}: {c['reason']}"
                    for c in changes
                ),
            )
        )
    return Reply(
        title=f"{rec.ref}: {status.label}",
        headline=status.line + ".",
        sections=tuple(sections),
        source=source_line(inspection),
        share=f"rec {rec.ref}",
    )
