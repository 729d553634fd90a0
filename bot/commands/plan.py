"""The improvement plan in chat: plan, rag (the rule), history, board, supervision and
measure evidence."""

from __future__ import annotations

from bot.commands.actions import MAX_TEXT, _screened, action_line, history_line
from bot.commands.plan_common import (
    DateProblem,
    actor,
    find_action,
    find_rec,
    judge,
    judge_all,
    long_day,
    parse_day,
)
from bot.commands.present import announced, source_line
from bot.commands.registry import Commands, Context, Permission, PrivateContext, part, split_args
from bot.commands.resolve import find_service
from bot.domain.inspections.model import Inspection
from bot.reply import Field, Reply, Section, problem
from bot.store import plan as store
from bot.store.plan_model import BoardDate, Rag

COMMANDS = Commands()  # this module's, in the order help lists them
command = COMMANDS.command

HISTORY_SHOWN = 20


def _next_board(ctx: PrivateContext, service_id: str) -> BoardDate | None:
    return next((b for b in store.board_dates(ctx.db, service_id) if b.on_date >= ctx.today), None)


def board_text(board: BoardDate | None) -> str:
    if board is None:
        return "none recorded"
    return long_day(board.on_date) + (f" ({board.title})" if board.title else "")


_COLOURS = ("red", "amber", "green")


def service_words(args: str) -> str:
    """The words of `plan` that may name a service: all but a RAG colour."""
    return " ".join(w for w in args.split() if w.lower() not in _COLOURS)


@command(
    "plan",
    "plan [service] [red|amber|green]",
    "the improvement plan: every recommendation with its RAG, actions done, overdue and due soon",
    aliases=("improvement", "actionplan"),
    examples=("plan", "plan red"),
    details="Each recommendation's RAG is worked out by the published rule (help rag); an "
    "auditor's override is shown with the rule's RAG beside it, and so is the RAG the plan "
    "reported to the board, when it was imported.",
    cacheable=False,
)
def plan_command(ctx: PrivateContext, args: str) -> Reply:
    words = args.split()
    colour = next((w.lower() for w in words if w.lower() in _COLOURS), None)
    rest = service_words(args)
    inspection = ctx.home_inspection()
    if rest.strip():
        found = find_service(ctx, rest)
        if isinstance(found, Reply):
            return found
        if found is not None:
            inspection = ctx.queries.latest_inspection(found.id)
    judged = judge_all(ctx, inspection)
    board = _next_board(ctx, inspection.service.id)
    if not judged.views:
        return Reply(
            title=f"Improvement plan: {inspection.service.name}",
            headline=f"No recommendations of the {inspection.programme.lower()} of "
            f"{inspection.service.name} are recorded, so there is no plan to show.",
            sections=(
                Section(
                    text="Import the plan with yos-bot plan import FILE.xlsx --service "
                    f"{inspection.service.id}, or add the recommendations to its data file."
                ),
            ),
            source=source_line(inspection),
        )
    views = judged.views
    if colour:
        wanted = Rag(colour.capitalize())
        views = tuple(v for v in views if v.rag is wanted)
    tally: dict[Rag, int] = {}
    for v in judged.views:
        tally[v.rag] = tally.get(v.rag, 0) + 1
    summary = ", ".join(f"{n} {rag.value}" for rag, n in tally.items())
    sections = []
    for v in views:
        facts = [Field("RAG", v.rag_text), Field("Actions", v.counts)]
        if v.rec.addressee:
            facts.append(Field("For", v.rec.addressee))
        if v.rec.reported_rag:
            facts.append(Field("RAG reported to the board", v.rec.reported_rag))
        sections.append(
            Section(
                heading=f"{v.rag.dot} {v.rec.ref}: {v.rag.value}",
                text=v.rec.text,
                fields=tuple(facts),
            )
        )
    overdue = sum(len(v.overdue) for v in judged.views)
    soon = sum(len(v.due_soon) for v in judged.views)
    sections.append(
        Section(
            fields=(
                Field("Overdue actions", str(overdue)),
                Field(f"Due within {ctx.plan_rule.due_soon_days} days", str(soon)),
                Field("Next board", board_text(board)),
            )
        )
    )
    count = len(judged.views)
    headline = (
        f"{inspection.service.name}'s improvement plan: {count} recommendation"
        f"{'' if count == 1 else 's'} ({summary}); {overdue} action"
        f"{'' if overdue == 1 else 's'} overdue, {soon} due within "
        f"{ctx.plan_rule.due_soon_days} days; next board {board_text(board)}."
    )
    if colour:
        headline = (
            f"{len(views)} of {count} recommendations are {colour.capitalize()}"
            + (": " + ", ".join(v.rec.ref for v in views) if views else "")
            + "."
        )
    return Reply(
        title=f"Improvement plan: {inspection.service.name}",
        headline=headline,
        sections=tuple(sections),
        source=source_line(inspection) + " · RAG by the rule: " + ctx.cmd("help rag"),
    )


@command(
    "rag",
    "rag",
    "the rule that rates every action and recommendation of the plan",
    examples=("help rag",),
    details="\n".join(
        (
            "Each action, the first that applies: Complete (done); Dropped (dropped with a "
            "reason, left out of its recommendation's RAG); Red (past its due date and not "
            "done); Amber (due within 14 days with no progress recorded in the last 30 days, "
            "or its due date moved more than once, or no due date agreed); Not started (no "
            "progress recorded and due more than 14 days away); Green (on track).",
            "Each recommendation, the first that applies: Complete (closed with evidence); Red "
            "(any action Red, or its measured target cannot be met); Amber (any action Amber, "
            "no actions agreed yet, or the latest measured period below target); Green "
            "(otherwise).",
            "The day counts are settings (YOS_RAG_DUE_SOON_DAYS, YOS_RAG_NO_PROGRESS_DAYS, "
            "YOS_RAG_DUE_MOVES); `rag` shows the ones in force. An auditor may override a "
            "recommendation's RAG with a reason (rec R3 rag amber \"reason\"); the rule's RAG "
            "is shown beside it.",
        )
    ),
    cacheable=False,
)
def rag_command(ctx: Context, args: str) -> Reply:
    return Reply(
        title="The RAG rule",
        headline="Every action and recommendation of the plan is rated by this rule.",
        sections=(Section(items=ctx.plan_rule.lines()),),
    )


@command(
    "history",
    "history <R3|R3.1>",
    "every change to a recommendation or action: who, when, how, before and after",
    examples=("history R3.1", "history R3"),
    cacheable=False,
)
def history_command(ctx: PrivateContext, args: str) -> Reply:
    words = args.split()
    inspection = ctx.home_inspection()
    if not words:
        return problem(
            "History of what?", f"Name it: {ctx.cmd('history R3.1')} or {ctx.cmd('history R3')}."
        )
    if "." in words[0]:
        found = find_action(ctx, inspection, words[0])
        if isinstance(found, Reply):
            return found
        changes = store.action_history(ctx.db, found.id, HISTORY_SHOWN)
        subject = found.ref
    else:
        rec = find_rec(ctx, inspection, words[0])
        if isinstance(rec, Reply):
            return rec
        changes = store.rec_history(ctx.db, rec.id, HISTORY_SHOWN)
        subject = rec.ref
    if not changes:
        return Reply(
            title=f"History of {subject}", headline=f"Nothing has changed on {subject} yet."
        )
    return Reply(
        title=f"History of {subject}",
        headline=f"The latest {len(changes)} change{'' if len(changes) == 1 else 's'} to "
        f"{subject}, latest first (the history is never edited).",
        sections=(Section(items=tuple(history_line(c) for c in changes)),),
    )


@command(
    "board",
    "board [add <date> [title]]",
    "the management board's meeting dates: the next one, or record one",
    aliases=("boards",),
    examples=("board", "board add 12/03/2027 Quarterly management board"),
    writes=True,
    parts=(
        part(
            "board add", lambda said: bool(said) and said[0].lower() == "add", Permission.EDIT_PLAN
        ),
    ),
)
def board_command(ctx: PrivateContext, args: str) -> Reply:
    words = split_args(args)
    inspection = ctx.home_inspection()
    service = inspection.service
    if words and words[0].lower() == "add":
        return _board_add(ctx, inspection, words[1:])
    dates = store.board_dates(ctx.db, service.id)
    coming = [b for b in dates if b.on_date >= ctx.today]
    past = [b for b in dates if b.on_date < ctx.today]
    if not coming:
        headline = f"No coming board meeting is recorded for {service.name}."
        if past:
            headline += f" The last recorded was {board_text(past[-1])}."
        headline += f" Record one with {ctx.cmd('board add 12/03/2027')}."
    else:
        days = (coming[0].on_date - ctx.today).days
        headline = (
            f"The next board is {board_text(coming[0])}, in {days} day{'' if days == 1 else 's'}."
        )
    sections = []
    if coming:
        sections.append(Section(heading="Coming", items=tuple(board_text(b) for b in coming)))
    if past:
        sections.append(Section(heading="Past", items=tuple(board_text(b) for b in past[-4:])))
    return Reply(title=f"Board dates: {service.name}", headline=headline, sections=tuple(sections))


def _board_add(ctx: PrivateContext, inspection: Inspection, words: list[str]) -> Reply:
    day, title = None, ""
    for size in (3, 1):
        try:
            day = parse_day(" ".join(words[:size]))
        except DateProblem:
            continue
        title = " ".join(words[size:]).strip()
        break
    if day is None:
        return problem(
            "No board date was recorded",
            f"Give the date day/month/year: {ctx.cmd('board add 12/03/2027 Quarterly board')}.",
        )
    added = store.add_board_date(
        ctx.db, inspection.service.id, day, title[:200] or None, actor(ctx)
    )
    if not added:
        return Reply(title="Board date", headline=f"{long_day(day)} is already recorded.")
    return announced(
        ctx,
        title="Board date recorded",
        headline=f"Board meeting recorded for {long_day(day)}"
        + (f": {title}" if title else "")
        + ".",
    )


# --- supervision and measure evidence --------------------------------------------------


def _figures(word: str) -> tuple[int, int] | None:
    left, slash, right = word.partition("/")
    if not slash or not (left.isdigit() and right.isdigit()) or len(left) > 6 or len(right) > 6:
        return None
    num, den = int(left), int(right)
    return (num, den) if den > 0 and num <= den else None


def _evidence(ctx: PrivateContext, args: str, kind: str) -> Reply:
    example = (
        "supervision R1 8/10 28/02/2014 February supervisions"
        if kind == "supervision"
        else 'measure R3 "plans reviewed on time" 41/53 31/03/2027'
    )
    words = split_args(args)
    words, checked = [w for w in words if w != "--checked"], "--checked" in words
    inspection = ctx.home_inspection()
    if not words:
        return problem("Which recommendation?", f"Write it like: {ctx.cmd(example)}")
    rec = find_rec(ctx, inspection, words[0])
    if isinstance(rec, Reply):
        return rec
    rest = words[1:]
    measure = None
    if kind == "measure":
        if not rest:
            return problem("Which measure?", f"Name it, in quotes: {ctx.cmd(example)}")
        measure = rest[0].strip()[:120]
        rest = rest[1:]
        if len(rest) >= 2 and rest[0].lower() == "target":
            target = rest[1].rstrip("%")
            try:
                value = float(target)
            except ValueError:
                value = -1.0
            if not 0 <= value <= 100:
                return problem("No target was set", "A target is a percentage from 0 to 100.")
            store.set_measure_target(ctx.db, rec, measure, value, actor(ctx), ctx.today)
            return Reply(
                title=f"{rec.ref}: {measure}",
                headline=f"Target for {measure} on {rec.ref} set to {value:g}%.",
                private=True,
            )
    figures = _figures(rest[0]) if rest else None
    if figures is None:
        return problem(
            "Nothing was recorded",
            "Give the figures as how many of how many, like 8/10 (never more than the total).",
            Section(text=f"Write it like: {ctx.cmd(example)}"),
        )
    rest = rest[1:]
    on_date = ctx.today
    if rest:
        for size in (3, 1):
            try:
                on_date = parse_day(" ".join(rest[:size]))
            except DateProblem:
                continue
            rest = rest[size:]
            break
    if on_date > ctx.today:
        return problem("Nothing was recorded", "Evidence cannot be dated after today.")
    note = " ".join(rest).strip()[:MAX_TEXT] or None
    screened = _screened(
        ctx, note or "", checked, f"{kind} {rec.ref} 8/10 Supervision themes --checked"
    )
    if screened is not None:
        return screened
    num, den = figures
    store.add_evidence(
        ctx.db,
        rec,
        kind=kind,
        measure=measure,
        numerator=num,
        denominator=den,
        on_date=on_date,
        note=note,
        actor=actor(ctx),
        today=ctx.today,
    )
    what = (
        f"supervision: {num} of {den} supervisions covered it"
        if kind == "supervision"
        else f"{measure}: {num}/{den} ({100 * num / den:.1f}%)"
    )
    return announced(
        ctx,
        title=f"{rec.ref} evidence",
        headline=f"{rec.ref} {what}, {long_day(on_date)}.",
    )


@command(
    "supervision",
    "supervision <rec> <covered>/<held> [date] [note]",
    "record supervision evidence: of the supervisions held in the period, how many covered it",
    examples=("supervision R1 8/10 28/02/2014 February supervisions",),
    details="8/10: of 10 supervisions in the period, 8 covered the recommendation's topic. "
    "Dates are day/month/year; without one it is today. The note is a note: auditors only.",
    writes=True,
    requires=Permission.EDIT_PLAN,
)
def supervision_command(ctx: PrivateContext, args: str) -> Reply:
    return _evidence(ctx, args, "supervision")


@command(
    "measure",
    'measure <rec> "<name>" <n>/<total> [date] | measure <rec> "<name>" target <percent>',
    "record a figure of an agreed measure (monthly or quarterly data), or set its target",
    examples=(
        'measure R3 "plans reviewed on time" 41/53 31/03/2027',
        'measure R3 "plans reviewed on time" target 90',
    ),
    writes=True,
    requires=Permission.EDIT_PLAN,
)
def measure_command(ctx: PrivateContext, args: str) -> Reply:
    return _evidence(ctx, args, "measure")


__all__ = ["action_line", "judge"]
