"""The plan's actions in chat: action (add, show, progress, done, due, owner, agency, drop)
and actions (mine, overdue, due, a recommendation's)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from bot.commands.plan_common import (
    DateProblem,
    actor,
    find_action,
    find_rec,
    judge,
    long_day,
    needs_summary,
    not_the_owner,
    owner_or_editor,
    parse_day,
    parse_owner,
)
from bot.commands.present import announced
from bot.commands.registry import (
    Commands,
    Context,
    Permission,
    PrivateContext,
    part,
    split_args,
    word_at,
)
from bot.domain.inspections.model import Inspection
from bot.domain.plan.rag import action_rag
from bot.domain.plan.view import ActionView
from bot.reply import Field, Reply, Section, problem
from bot.store import plan as store
from bot.store.plan_model import Action, HistoryEntry, Owner, Rag, State

COMMANDS = Commands()  # this module's, in the order help lists them
command = COMMANDS.command

MAX_TEXT = 1_000
NOTES_SHOWN = 5
HISTORY_SHOWN = 10
ADD_EXAMPLE = 'action add R3 "Audit plans monthly" owner @person due 31/03/2027'
NOTE_RECORDED = "a note was recorded (only auditors can read notes)"
_KEYWORDS = ("owner", "due", "agency")
# What may follow an action's reference, by what it does: the declarations below and the
# handler both read these, so no verb can run without what it needs declared.
PROGRESS = ("progress", "update", "note")
DONE = ("done", "complete", "completed")
DROP = ("drop", "dropped")


@command(
    "action",
    'action add <rec> "text" owner @person due <date> | action <R3.1> [progress|done|due|owner|'
    "agency|drop ...]",
    "add an action to the plan, show one, or record its progress, completion or changes",
    examples=(
        ADD_EXAMPLE,
        "action R3.1",
        'action R3.1 progress "Dip sample of 10 plans done"',
        'action R3.1 done "QA audit: 45 of 53 plans on time"',
        'action R3.1 due 30/04/2027 "Waiting for the new case system"',
        "action R3.1 owner @person",
        'action R3.1 drop "Replaced by R3.4"',
    ),
    details="Dates are day/month/year. An owner is a person on the platform (@mention, or "
    '`me`) or a named role for someone who is not ("Head of Service"). Progress notes are '
    "notes: shown to auditors only (unless YOS_NOTES_VISIBLE_TO=everyone), and refused if "
    "they look like personal data unless you add --checked. Who may do what: " + needs_summary(),
    writes=True,
    parts=(
        part("action add", lambda said: word_at(said, 0) == "add", Permission.EDIT_PLAN),
        # Anyone identified may own an action; whose it is, _progress and _done check.
        part(
            "action R3.1 progress",
            lambda said: word_at(said) in PROGRESS,
            (Permission.OWN_ACTION, Permission.EDIT_PLAN),
            note="an owner only on their own action",
        ),
        part(
            "action R3.1 done",
            lambda said: word_at(said) in DONE,
            (Permission.OWN_ACTION, Permission.EDIT_PLAN),
            note="an owner only on their own action",
        ),
        part("action R3.1 due", lambda said: word_at(said) == "due", Permission.EDIT_PLAN),
        part("action R3.1 owner", lambda said: word_at(said) == "owner", Permission.EDIT_PLAN),
        part("action R3.1 agency", lambda said: word_at(said) == "agency", Permission.EDIT_PLAN),
        part(
            "action R3.1 drop",
            lambda said: word_at(said) in DROP,
            Permission.EDIT_PLAN,
        ),
    ),
)
def action_command(ctx: PrivateContext, args: str) -> Reply:
    words = split_args(args)
    inspection = ctx.home_inspection()
    if not words:
        return problem(
            "Which action?",
            f"Name one ({ctx.cmd('action R3.1')}) or add one: {ctx.cmd(ADD_EXAMPLE)}",
        )
    if words[0].lower() == "add":
        return _add(ctx, inspection, words[1:])
    found = find_action(ctx, inspection, words[0])
    if isinstance(found, Reply):
        return found
    if len(words) == 1:
        return _show(ctx, found)
    verb, rest = words[1].lower(), words[2:]
    handlers = {
        **dict.fromkeys(PROGRESS, _progress),
        **dict.fromkeys(DONE, _done),
        "due": _due,
        "owner": _owner,
        "agency": _agency,
        **dict.fromkeys(DROP, _drop),
    }
    handler = handlers.get(verb)
    if handler is None:
        return problem(
            "What should I do with it?",
            f"“{words[1][:30]}” is not something I can do to {found.ref}.",
            Section(
                text='Write progress "text", done ["evidence"], due <date> "reason", '
                'owner @person, agency "name" or drop "reason" after it.'
            ),
        )
    return handler(ctx, found, rest)


def _split_fields(words: list[str]) -> tuple[str, dict[str, str]]:
    """The text, then owner/due/agency values: each runs until the next keyword."""
    text: list[str] = []
    fields: dict[str, list[str]] = {}
    current: list[str] = text
    for word in words:
        key = word.lower()
        if key in _KEYWORDS and key not in fields:
            current = fields.setdefault(key, [])
        else:
            current.append(word)
    return " ".join(text).strip(), {k: " ".join(v).strip() for k, v in fields.items()}


def _add(ctx: PrivateContext, inspection: Inspection, words: list[str]) -> Reply:
    if not words:
        return problem("Which recommendation?", f"Write it like: {ctx.cmd(ADD_EXAMPLE)}")
    rec = find_rec(ctx, inspection, words[0])
    if isinstance(rec, Reply):
        return rec
    text, fields = _split_fields(words[1:])
    wrong = []
    if not text:
        wrong.append("say what the action is, in quotes")
    elif len(text) > MAX_TEXT:
        wrong.append(f"the action's text is {len(text):,} characters; at most {MAX_TEXT:,}")
    owner = parse_owner(ctx, fields.get("owner", ""))
    if owner is None:
        wrong.append('name its owner: owner @person, or a role such as owner "Head of Service"')
    due = None
    if not fields.get("due"):
        wrong.append("give its due date: due 31/03/2027")
    else:
        try:
            due = parse_day(fields["due"])
        except DateProblem as bad:
            wrong.append(str(bad))
    if wrong or owner is None:
        return problem(
            "The action was not added",
            "To add an action, " + "; ".join(wrong) + ".",
            Section(text=f"Write it like: {ctx.cmd(ADD_EXAMPLE)}"),
        )
    number = store.add_action(
        ctx.db,
        rec,
        text=text,
        owner=owner,
        agency=fields.get("agency") or None,
        due=due,
        actor=actor(ctx),
        today=ctx.today,
    )
    ref = f"{rec.ref}.{number}"
    due_text = f", due {long_day(due)}" if due else ""
    return announced(
        ctx,
        title=f"Action {ref} added",
        headline=f"Action {ref} added to {rec.ref}: {text} (owner {owner.label}{due_text}).",
    )


def _show(ctx: PrivateContext, action: Action) -> Reply:
    judged = action_rag(action, ctx.today, ctx.plan_rule)
    facts = [
        Field("RAG", f"{judged.rag.value}: {judged.why}"),
        Field("Owner", action.owner.label),
        Field("Due", long_day(action.due) if action.due else "no due date"),
        Field(
            "State",
            action.state.value + (f" ({action.state_reason})" if action.state_reason else ""),
        ),
    ]
    if action.agency:
        facts.append(Field("Agency", action.agency))
    if action.due_moves:
        facts.append(
            Field(
                "Due date moved", f"{action.due_moves} time{'' if action.due_moves == 1 else 's'}"
            )
        )
    if action.evidence:
        facts.append(Field("Evidence", action.evidence))
    if action.reported_rag:
        facts.append(Field("RAG reported to the board", action.reported_rag))
    sections = [Section(text=action.text), Section(fields=tuple(facts))]
    notes = store.progress_notes(ctx.db, action.id, NOTES_SHOWN)
    if notes:
        show = ctx.may(Permission.READ_NOTES)
        total = store.progress_count(ctx.db, action.id)
        heading = "Progress" + (f" (latest {len(notes)} of {total})" if total > len(notes) else "")
        sections.append(
            Section(
                heading=heading,
                items=tuple(
                    f"{long_day(n.on_date)} by {n.who}: "
                    + (
                        "(note erased)"
                        if n.erased
                        else (n.text or "progress recorded")
                        if show
                        else NOTE_RECORDED
                    )
                    for n in notes
                ),
            )
        )
    changes = store.action_history(ctx.db, action.id, 3)
    if changes:
        sections.append(
            Section(
                heading="Latest changes",
                items=tuple(_history_line(c) for c in changes),
            )
        )
    return Reply(
        title=f"{action.ref}: {judged.rag.value}",
        headline=f"{action.ref} ({action.owner.label}, "
        f"{'due ' + long_day(action.due) if action.due else 'no due date'}): "
        f"{judged.rag.value}, {judged.why}.",
        sections=tuple(sections),
        source=f"History: {ctx.cmd('history ' + action.ref)}",
    )


def _history_line(change: HistoryEntry) -> str:
    return history_line(change)


def history_line(change: HistoryEntry) -> str:
    """3 March 2027, Alice (via command): due date 2027-03-31 → 2027-04-30: reason."""
    moved = ""
    if change.before is not None or change.after is not None:
        moved = f" {change.before or '(none)'} → {change.after or '(none)'}"
    line = f"{long_day(change.on_date)}, {change.who} (via {change.via or 'unknown'}): "
    line += f"{change.subject} {change.what}{moved}"
    return line + (f": {change.reason}" if change.reason else "")


def _rag_moved(ctx: Context, before: Action, after: Action) -> str | None:
    """ "RAG Red → Complete" when a change moves the action's RAG, for its history."""
    was = action_rag(before, ctx.today, ctx.plan_rule).rag
    now = action_rag(after, ctx.today, ctx.plan_rule).rag
    return f"RAG {was.value} → {now.value}" if was is not now else None


def _with(reason: str | None, moved: str | None) -> str | None:
    return "; ".join(p for p in (reason, moved) if p) or None


def _checked(words: list[str]) -> tuple[list[str], bool]:
    return [w for w in words if w != "--checked"], "--checked" in words


def _screened(ctx: Context, text: str, checked: bool, example: str) -> Reply | None:
    """A refusal when ``text`` looks like personal data and was not marked as checked."""
    if not text or checked:
        return None
    from bot.commands.audits import personal_data_sections
    from bot.domain.monitoring.privacy import screen_note

    findings = screen_note(text)
    if not findings:
        return None
    return problem(
        "Nothing was recorded",
        "That looks like it may identify a child or family.",
        *personal_data_sections(tuple(findings), ctx.cmd(example), "note"),
    )


def _progress(ctx: PrivateContext, action: Action, words: list[str]) -> Reply:
    if not owner_or_editor(ctx, action):
        return not_the_owner(ctx, action)
    words, checked = _checked(words)
    on_date = ctx.today
    if words:
        try:
            typed = parse_day(words[-1])
        except DateProblem:
            typed = None
        if typed is not None:
            on_date, words = typed, words[:-1]
    text = " ".join(words).strip()
    if not text:
        return problem(
            "Say what progress was made",
            f'Write it like: {ctx.cmd(f"action {action.ref} progress")} "Dip sample done".',
        )
    if len(text) > MAX_TEXT:
        return problem("Nothing was recorded", f"A note is at most {MAX_TEXT:,} characters.")
    if on_date > ctx.today:
        return problem("Nothing was recorded", "Progress cannot be dated after today.")
    screened = _screened(
        ctx, text, checked, f'action {action.ref} progress "Dip sample done" --checked'
    )
    if screened is not None:
        return screened
    store.add_progress(
        ctx.db, action, text=text, on_date=on_date, actor=actor(ctx), today=ctx.today
    )
    news = Reply(
        title=f"Progress on {action.ref}",
        headline=f"Progress recorded on {action.ref} by {ctx.user.label} "
        f"({long_day(on_date)}); {NOTE_RECORDED}.",
        recorded_by=ctx.user,
    )
    return Reply(
        title=news.title,
        headline=f"Progress recorded on {action.ref} ({long_day(on_date)}): {text}",
        announcement=news,
        private=True,
    )


def _done(ctx: PrivateContext, action: Action, words: list[str]) -> Reply:
    if not owner_or_editor(ctx, action):
        return not_the_owner(ctx, action)
    if action.state is State.DONE:
        return Reply(title=action.ref, headline=f"{action.ref} was already done.")
    evidence = " ".join(words).strip() or None
    moved = _rag_moved(ctx, action, replace(action, state=State.DONE))
    store.change_action(
        ctx.db, action, actor=actor(ctx), today=ctx.today, reason=moved, state=State.DONE
    )
    if evidence:
        store.change_action(
            ctx.db, action, actor=actor(ctx), today=ctx.today, evidence=evidence[:MAX_TEXT]
        )
    said = f" Evidence: {evidence}." if evidence else ""
    return announced(
        ctx,
        title=f"{action.ref} done",
        headline=f"{action.ref} marked done by {ctx.user.label}: Complete.{said}",
    )


def _due(ctx: PrivateContext, action: Action, words: list[str]) -> Reply:
    if not words:
        return problem(
            "When is it due?", f'Write {ctx.cmd(f"action {action.ref} due")} 30/04/2027 "reason".'
        )
    due = None
    reason: list[str] = []
    for size in (3, 1):  # "30 April 2027" or "30/04/2027"
        try:
            due = parse_day(" ".join(words[:size]))
        except DateProblem:
            continue
        reason = words[size:]
        break
    if due is None:
        return problem("The due date was not changed", parse_error(words[0]))
    why = " ".join(reason).strip()
    if action.due is not None and not why:
        return problem(
            "Give a reason",
            f"Say why {action.ref}'s due date moves; it is kept in its history.",
            Section(text=f'Write {ctx.cmd(f"action {action.ref} due {due:%d/%m/%Y}")} "reason".'),
        )
    moves = action.due_moves + (1 if action.due is not None else 0)
    moved = _rag_moved(ctx, action, replace(action, due=due, due_moves=moves))
    changed = store.change_action(
        ctx.db, action, actor=actor(ctx), today=ctx.today, reason=_with(why, moved), due_date=due
    )
    if not changed:
        return Reply(title=action.ref, headline=f"{action.ref} is already due {long_day(due)}.")
    before = f" (was {long_day(action.due)})" if action.due else ""
    return announced(
        ctx,
        title=f"{action.ref} due date",
        headline=f"{action.ref} is now due {long_day(due)}{before}"
        + (f": {why}" if why else "")
        + ".",
    )


def parse_error(typed: str) -> str:
    try:
        parse_day(typed)
    except DateProblem as bad:
        return str(bad)
    return f"“{typed[:40]}” is not a date I can read."


def _owner(ctx: PrivateContext, action: Action, words: list[str]) -> Reply:
    owner = parse_owner(ctx, " ".join(words))
    if owner is None:
        return problem("Who owns it?", f"Write {ctx.cmd(f'action {action.ref} owner @person')}.")
    store.change_action(ctx.db, action, actor=actor(ctx), today=ctx.today, owner=owner)
    return announced(
        ctx,
        title=f"{action.ref} owner",
        headline=f"{action.ref} is now owned by {owner.label} (was {action.owner.label}).",
    )


def _agency(ctx: PrivateContext, action: Action, words: list[str]) -> Reply:
    agency = " ".join(words).strip()[:200]
    if not agency:
        return problem("Which agency?", f'Write {ctx.cmd(f"action {action.ref} agency")} "Police".')
    store.change_action(ctx.db, action, actor=actor(ctx), today=ctx.today, agency=agency)
    return Reply(title=action.ref, headline=f"{action.ref}'s agency is now {agency}.", private=True)


def _drop(ctx: PrivateContext, action: Action, words: list[str]) -> Reply:
    reason = " ".join(words).strip()
    if not reason:
        return problem(
            "Give a reason",
            f"Say why {action.ref} is dropped; it is kept in its history.",
            Section(text=f'Write {ctx.cmd(f"action {action.ref} drop")} "Replaced by R3.4".'),
        )
    moved = _rag_moved(ctx, action, replace(action, state=State.DROPPED))
    store.change_action(
        ctx.db,
        action,
        actor=actor(ctx),
        today=ctx.today,
        reason=_with(reason, moved),
        state=State.DROPPED,
    )
    store.set_state_reason(ctx.db, action.id, reason[:MAX_TEXT])
    return announced(
        ctx,
        title=f"{action.ref} dropped",
        headline=f"{action.ref} dropped by {ctx.user.label}: {reason}",
    )


# --- actions ---------------------------------------------------------------------------


@command(
    "actions",
    "actions [mine|overdue|due [month|<days>]|<rec>|red|amber]",
    "the plan's actions: yours, overdue, due soon, or one recommendation's, with owners",
    aliases=("todo",),
    examples=("actions mine", "actions overdue", "actions due", "actions due month", "actions R3"),
    cacheable=False,
)
def actions_command(ctx: PrivateContext, args: str) -> Reply:
    from bot.commands.plan_common import judge_all

    words = args.lower().split()
    inspection = ctx.home_inspection()
    judged = judge_all(ctx, inspection)
    every = [v for rec in judged.views for v in rec.actions]
    what = words[0] if words else "all"
    title, chosen = _choose(ctx, what, words[1:], every)
    if isinstance(chosen, Reply):
        return chosen
    if what.startswith("r") and what[1:].isdigit():
        rec_view = next((r for r in judged.views if r.rec.ref.lower() == what), None)
        if rec_view is None:
            found = find_rec(ctx, inspection, what)
            assert isinstance(found, Reply)
            return found
        chosen = list(rec_view.actions)
        owners = list(dict.fromkeys(v.action.owner.label for v in chosen))
        head = (
            f"{rec_view.rec.ref} has {len(chosen)} action{'' if len(chosen) == 1 else 's'}"
            + (f", owned by {', '.join(owners)}" if owners else "")
            + f"; {rec_view.counts}."
            if chosen
            else f"{rec_view.rec.ref} has no actions agreed yet. "
            f"Add one with {ctx.cmd(ADD_EXAMPLE)}"
        )
        return Reply(
            title=f"Actions of {rec_view.rec.ref}",
            headline=head,
            sections=(Section(items=tuple(action_line(v) for v in chosen)),) if chosen else (),
        )
    if not chosen:
        return Reply(title=title, headline=f"No actions {_nothing.get(what, 'to show')}.")
    noun = "action" if len(chosen) == 1 else "actions"
    return Reply(
        title=title,
        headline=f"{len(chosen)} {noun} {_heading.get(what, '')}".rstrip() + ".",
        sections=(Section(items=tuple(action_line(v) for v in chosen)),),
    )


_heading = {
    "mine": "owned by you",
    "overdue": "overdue",
    "due": "due",
    "red": "Red",
    "amber": "Amber",
    "all": "in the plan",
}
_nothing = {
    "mine": "are owned by you",
    "overdue": "are overdue",
    "due": "are due in that time",
    "red": "are Red",
    "amber": "are Amber",
    "all": "are in the plan yet",
}


def _choose(
    ctx: Context, what: str, rest: list[str], every: list[ActionView]
) -> tuple[str, list[ActionView] | Reply]:
    open_ = [v for v in every if v.judged.rag not in (Rag.COMPLETE, Rag.DROPPED)]
    if what == "all":
        return "Actions", every
    if what in ("mine", "my", "me"):
        if not ctx.user.id:
            return "Your actions", problem(
                "Whose actions?", "I cannot tell who you are here, so I cannot find your actions."
            )
        mine = [v for v in every if v.action.owner.id == ctx.user.id]
        return "Your actions", sorted(mine, key=_by_due)
    if what in ("overdue", "late", "red"):
        picked = [v for v in open_ if v.judged.rag is Rag.RED]
        return ("Overdue actions" if what != "red" else "Red actions"), sorted(picked, key=_by_due)
    if what == "amber":
        return "Amber actions", [v for v in open_ if v.judged.rag is Rag.AMBER]
    if what in ("due", "soon"):
        end = _due_until(ctx, rest)
        if isinstance(end, Reply):
            return "Due", end
        picked = [v for v in open_ if v.action.due is not None and ctx.today <= v.action.due <= end]
        return f"Due by {long_day(end)}", sorted(picked, key=_by_due)
    if what.startswith("r") and what[1:].isdigit():
        return "Actions", []
    return "Actions", problem(
        "Which actions?",
        f"“{what[:30]}” is not a list I know.",
        Section(
            text="Try actions mine, actions overdue, actions due, actions due month or actions R3."
        ),
    )


def _due_until(ctx: Context, rest: list[str]) -> date | Reply:
    """The last day of ``actions due [month|week|<days>]``: by default the RAG rule's
    due-soon days."""
    if not rest:
        return ctx.today + timedelta(days=ctx.plan_rule.due_soon_days)
    word = rest[-1]
    if word in ("month", "months"):
        following = (ctx.today.replace(day=28) + timedelta(days=4)).replace(day=1)
        return following - timedelta(days=1)
    if word in ("week", "weeks"):
        return ctx.today + timedelta(days=6 - ctx.today.weekday())
    if word.isdigit() and len(word) <= 4:
        return ctx.today + timedelta(days=int(word))
    return problem(
        "Due by when?", "Write actions due, actions due month, actions due week or actions due 30."
    )


def _by_due(view: ActionView) -> tuple[date, str]:
    return (view.action.due or date.max, view.action.ref)


def action_line(view: ActionView) -> str:
    """🔴 R3.1 Audit plans monthly: Alice, due 31 March 2027 (Red: 3 days past its due date)."""
    a, j = view.action, view.judged
    due = f"due {long_day(a.due)}" if a.due else "no due date"
    agency = f", {a.agency}" if a.agency else ""
    reported = f"; reported to the board: {a.reported_rag}" if a.reported_rag else ""
    who = f"{a.owner.label}{agency}"
    return f"{j.rag.dot} {a.ref} {a.text}: {who}, {due} ({j.rag.value}: {j.why}{reported})"


def owner_of(owner: Owner) -> str:
    return owner.label


__all__ = ["action_command", "action_line", "actions_command", "history_line", "judge"]
