"""The board pack: the whole improvement plan for a board meeting, as a Word paper (and
Markdown, CSV and a chart), from the same judged plan as `plan` and `rec`.

A cover (service, inspection, board and date, prepared by and on, purpose, decisions
sought); the RAG summary table and chart; the overdue actions first; what changed since
the last board (new evidence, actions completed, due dates moved, RAG changes, from the
plan's append-only history); then each recommendation with its actions (overdue first),
owners, due dates, latest progress and evidence. A measured target (the seed's R1) keeps
its month-by-month table and chart from the monitoring paper.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from bot.commands.plan_common import judge_all, long_day
from bot.commands.present import source_line
from bot.commands.registry import Context, PrivateContext
from bot.domain.inspections.model import Inspection
from bot.domain.monitoring.evidence import RecEvidence, rec_evidence
from bot.domain.monitoring.report import PAPER_TITLE, board_report
from bot.domain.plan.rag import Judged, RagRule, action_rag, rec_rag
from bot.domain.plan.view import ActionView, RecView
from bot.paper import BarSpec, PaperSection, PaperSpec, PaperTable
from bot.reply import Field, Reply, Section
from bot.store import pack as pack_store
from bot.store import plan as store
from bot.store.plan_model import Action, BoardDate, HistoryEntry, Rag, State

RAG_ORDER = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.NOT_STARTED, Rag.COMPLETE)
RAG_COLOURS = {
    Rag.RED: "#c0392b",
    Rag.AMBER: "#e67e22",
    Rag.GREEN: "#27ae60",
    Rag.NOT_STARTED: "#7f8c8d",
    Rag.COMPLETE: "#2c7fb8",
}
ACTION_COLUMNS = ("Ref", "Action", "Owner", "Agency", "Due", "State", "RAG", "Latest progress")
SUMMARY_COLUMNS = (
    "Ref",
    "Recommendation",
    "RAG",
    "At the last board",
    "Actions done",
    "Overdue",
    "Due soon",
)
CHANGE_KINDS = (
    ("evidence", "New evidence"),
    ("completed", "Actions completed"),
    ("moved", "Due dates moved"),
    ("rag", "RAG changes"),
)


@dataclass(frozen=True)
class Change:
    ref: str
    kind: str  # a key of CHANGE_KINDS
    text: str
    on_date: date | None = None
    who: str | None = None


@dataclass(frozen=True)
class BoardPack:
    inspection: Inspection
    today: date
    board: BoardDate | None
    previous: BoardDate | None
    prepared_by: str
    views: tuple[RecView, ...]
    before: dict[str, Rag]  # each recommendation's RAG by the rule at the last board
    changes: tuple[Change, ...]
    evidence: dict[str, tuple[str, ...]]
    progress: dict[int, str | None]
    measured: dict[str, PaperSection]
    rule: RagRule
    other_evidence: dict[str, RecEvidence] = field(default_factory=dict)  # supervision, measures

    @property
    def since_text(self) -> str:
        if self.previous is None:
            return "since the plan was agreed"
        return f"since the last board ({long_day(self.previous.on_date)})"

    @property
    def board_text(self) -> str:
        if self.board is None:
            return "no coming board meeting is recorded"
        title = self.board.title or "YOS Management Board"
        return f"{title}, {long_day(self.board.on_date)}"

    @property
    def overdue(self) -> tuple[ActionView, ...]:
        return tuple(a for v in self.views for a in v.overdue)

    @property
    def actions(self) -> tuple[ActionView, ...]:
        return tuple(a for v in self.views for a in v.live)


def has_plan(ctx: Context, inspection: Inspection) -> bool:
    """Whether the inspection has a plan to report on: an action, or a coming board."""
    return _has_plan(PrivateContext.of(ctx), inspection)


def _has_plan(ctx: PrivateContext, inspection: Inspection) -> bool:
    if any(r.actions for r in store.plan_recs(ctx.db, inspection.id)):
        return True
    return any(b.on_date >= ctx.today for b in store.board_dates(ctx.db, inspection.service.id))


def board_pack(ctx: Context, inspection: Inspection, prepared_by: str | None = None) -> BoardPack:
    """The pack for the next recorded board (on or after today), with what changed since
    the board before it."""
    return _board_pack(PrivateContext.of(ctx), inspection, prepared_by)


def _board_pack(
    ctx: PrivateContext, inspection: Inspection, prepared_by: str | None = None
) -> BoardPack:
    boards = store.board_dates(ctx.db, inspection.service.id)
    board = next((b for b in boards if b.on_date >= ctx.today), None)
    previous = next((b for b in reversed(boards) if b.on_date < ctx.today), None)
    judged = judge_all(ctx, inspection)
    views = judged.views
    rec_ids = [v.rec.id for v in views]
    since = previous.on_date if previous else None
    history = pack_store.history_between(ctx.db, rec_ids, since, ctx.today)
    changes = list(_changes(history))
    audits = pack_store.audits_between(ctx.db, rec_ids, since, ctx.today)
    for v in views:
        if v.rec.id in audits:
            n, compliant, audited = audits[v.rec.id]
            share = f" ({100 * compliant / audited:.1f}%)" if audited else ""
            changes.append(
                Change(
                    v.rec.ref,
                    "evidence",
                    f"{n} case-file audit{'' if n == 1 else 's'} recorded: {compliant} of "
                    f"{audited} cases compliant{share}",
                )
            )
    before: dict[str, Rag] = {}
    if previous is not None:
        before = _rags_at(ctx, views, history, previous.on_date)
        for v in views:
            then = before.get(v.rec.id)
            if then is not None and then is not v.rule.rag and not v.rec.measured:
                changes.append(
                    Change(v.rec.ref, "rag", f"by the rule, {then.value} → {v.rule.rag.value}")
                )
    progress = {
        a.action.id: store.latest_progress_text(ctx.db, a.action.id)
        for v in views
        for a in v.actions
    }
    other = {v.rec.id: rec_evidence(ctx.db, v.rec.id, ctx.today) for v in views}
    measured: dict[str, PaperSection] = {}
    if any(v.rec.measured for v in views):
        from bot.commands.papers import paper_of

        for v in views:
            if v.rec.measured:
                report = board_report(ctx.db, ctx.queries, inspection, ctx.today, v.rec.ref)
                if report.recs:
                    measured[v.rec.id] = paper_of(report).sections[0]
    return BoardPack(
        inspection=inspection,
        today=ctx.today,
        board=board,
        previous=previous,
        prepared_by=prepared_by or ctx.user.name or "the YOS performance team",
        views=views,
        before=before,
        changes=tuple(changes),
        evidence={v.rec.id: tuple(_evidence(ctx, v, other[v.rec.id])) for v in views},
        other_evidence=other,
        progress=progress,
        measured=measured,
        rule=ctx.plan_rule,
    )


def _changes(history: Iterable[HistoryEntry]) -> Iterable[Change]:
    for entry in history:
        what = entry.what
        if what == "state" and entry.after == State.DONE.value:
            yield Change(entry.subject, "completed", "completed", entry.on_date, entry.who)
        elif what == "due date" and entry.before:
            after = long_day(date.fromisoformat(entry.after)) if entry.after else "none"
            text = f"due date moved from {long_day(date.fromisoformat(entry.before))} to {after}"
            if entry.reason:
                text += f": {entry.reason}"
            yield Change(entry.subject, "moved", text, entry.on_date, entry.who)
        elif what.endswith("evidence") or what.startswith(("supervision", "measure")):
            figures = (entry.after or "").split(": ", 1)[-1]
            yield Change(entry.subject, "evidence", f"{what} {figures}", entry.on_date, entry.who)
        elif what in ("RAG override", "RAG reported to the board"):
            text = f"{what}: {entry.before or 'none'} → {entry.after or 'none'}"
            if entry.reason:
                text += f" ({entry.reason})"
            yield Change(entry.subject, "rag", text, entry.on_date, entry.who)


def _rags_at(
    ctx: PrivateContext, views: Iterable[RecView], history: list[HistoryEntry], day: date
) -> dict[str, Rag]:
    """Each recommendation's RAG by the rule, from its actions, as they stood on ``day``:
    actions added since left out, due dates and states as they were before each later
    change, progress as noted by then."""
    views = list(views)
    later: dict[tuple[str, str], str | None] = {}
    for entry in history:  # oldest first: the first later change holds the value then
        later.setdefault((entry.subject, entry.what), entry.before)
    ids = [a.action.id for v in views for a in v.actions]
    noted = pack_store.progress_as_of(ctx.db, ids, day)
    rags: dict[str, Rag] = {}
    for v in views:
        then: list[tuple[Action, Judged]] = []
        for item in v.actions:
            a = item.action
            if a.created_on > day:
                continue
            due, state = a.due, a.state
            if (a.ref, "due date") in later:
                was = later[(a.ref, "due date")]
                due = date.fromisoformat(was) if was else None
            if (a.ref, "state") in later:
                state = State(later[(a.ref, "state")] or State.NOT_STARTED.value)
            old = replace(a, due=due, state=state, last_progress=noted.get(a.id))
            then.append((old, action_rag(old, day, ctx.plan_rule)))
        rags[v.rec.id] = rec_rag(then, measured=None, closed_with_evidence=False).rag
    return rags


def _evidence(ctx: PrivateContext, v: RecView, other: RecEvidence) -> Iterable[str]:
    audits = store.audit_total(ctx.db, v.rec.id)
    if audits:
        yield f"Case-file audits in effect: {audits}"
    yield from other.lines  # supervision, then each measure, against its target
    for item in v.actions:
        a = item.action
        if a.state is State.DONE and a.evidence:
            when = f" on {long_day(a.done_on)}" if a.done_on else ""
            yield f"{a.ref} done{when}: {a.evidence}"


# --- what the pack says ---------------------------------------------------------------------


def decisions(pack: BoardPack) -> tuple[str, ...]:
    done = sum(1 for a in pack.actions if a.action.state is State.DONE)
    total = len(pack.actions)
    counts = _rag_counts(v.rag for v in pack.views)
    said = ", ".join(f"{counts[r]} {r.value}" for r in RAG_ORDER if counts[r])
    found = [
        f"Note progress on the plan: {done} of {total} actions done; recommendations "
        f"{said or 'none'}."
    ]
    if pack.overdue:
        found.append(
            f"Agree what is to be done about the {len(pack.overdue)} overdue action"
            f"{'' if len(pack.overdue) == 1 else 's'}: "
            + ", ".join(a.action.ref for a in pack.overdue)
            + "."
        )
    moved = sorted({c.ref for c in pack.changes if c.kind == "moved"})
    if moved:
        found.append(f"Agree the revised due dates of {', '.join(moved)}.")
    overridden = [v.rec.ref for v in pack.views if v.override is not None]
    if overridden:
        found.append(
            f"Note the RAG set against the rule for {', '.join(overridden)}, and the reasons."
        )
    closable = [
        v.rec.ref
        for v in pack.views
        if v.live and v.done == len(v.live) and v.rule.rag is not Rag.COMPLETE
    ]
    if closable:
        found.append(
            f"Agree whether {', '.join(closable)} can be closed on the evidence shown "
            "(every action is done)."
        )
    return tuple(found)


def purpose(pack: BoardPack) -> str:
    i = pack.inspection
    return (
        f"To report to the board on progress against the improvement plan agreed after the "
        f"{i.programme} of {i.service.name} (published {_published(i)}), "
        f"{pack.since_text}, and to ask for the decisions below."
    )


def _published(inspection: Inspection) -> str:
    return long_day(date.fromisoformat(inspection.published))


def _rag_counts(rags: Iterable[Rag]) -> dict[Rag, int]:
    counts = dict.fromkeys(RAG_ORDER, 0)
    for rag in rags:
        if rag in counts:
            counts[rag] += 1
    return counts


def bars(pack: BoardPack) -> BarSpec:
    recs = _rag_counts(v.rag for v in pack.views)
    actions = _rag_counts(a.judged.rag for a in pack.actions)
    return BarSpec(
        title=f"{pack.inspection.service.name}: the plan's RAG on {long_day(pack.today)}",
        categories=tuple((r.value, RAG_COLOURS[r]) for r in RAG_ORDER),
        rows=(
            ("Recommendations", tuple(recs[r] for r in RAG_ORDER)),
            ("Actions", tuple(actions[r] for r in RAG_ORDER)),
        ),
    )


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _day(day: date | None) -> str:
    return f"{day.day} {day:%b %Y}" if day else "none agreed"


def _action_row(pack: BoardPack, item: ActionView) -> tuple[str, ...]:
    a = item.action
    state = a.state.value + (f": {a.state_reason}" if a.state_reason else "")
    return (
        a.ref,
        a.text,
        a.owner.label,
        a.agency or "",
        _day(a.due),
        state,
        item.judged.rag.value,
        pack.progress.get(a.id) or "",
    )


def _ordered(view: RecView) -> list[ActionView]:
    """Overdue first, then by due date (none last), then by number."""
    return sorted(
        view.actions,
        key=lambda v: (
            v.judged.rag is not Rag.RED,
            v.action.due is None,
            v.action.due or date.max,
            v.action.number,
        ),
    )


def summary_rows(pack: BoardPack) -> tuple[tuple[str, ...], ...]:
    rows = []
    for v in pack.views:
        rag = v.rag.value
        if v.override is not None:
            rag += f" (set; by the rule {v.rule.rag.value})"
        then = pack.before.get(v.rec.id)
        rows.append(
            (
                v.rec.ref,
                _short(v.rec.text),
                rag,
                then.value if then else ("none" if pack.previous is None else "no actions"),
                f"{v.done}/{len(v.live)}",
                str(len(v.overdue)),
                str(len(v.due_soon)),
            )
        )
    return tuple(rows)


def pack_paper(pack: BoardPack) -> PaperSpec:
    i = pack.inspection
    sections = [
        PaperSection(
            heading="Purpose and decisions sought",
            paragraphs=(purpose(pack),),
            notes_heading="Decisions sought",
            notes=decisions(pack),
        ),
        PaperSection(
            heading="RAG summary",
            paragraphs=(
                f"Each recommendation's RAG by the published rule (set out at the end), or as "
                f"set by an auditor with the rule's beside it; “At the last board” is the "
                f"rule's RAG {pack.since_text.removeprefix('since ')}."
                if pack.previous
                else "Each recommendation's RAG by the published rule (set out at the end), "
                "or as set by an auditor with the rule's beside it.",
            ),
            table=PaperTable(SUMMARY_COLUMNS, summary_rows(pack)),
            table_heading="Recommendations",
            bars=bars(pack),
        ),
    ]
    overdue = pack.overdue
    sections.append(
        PaperSection(
            heading="Overdue actions",
            paragraphs=() if overdue else ("No action is overdue.",),
            table=PaperTable(ACTION_COLUMNS, tuple(_action_row(pack, a) for a in overdue))
            if overdue
            else None,
            table_heading=f"{len(overdue)} past their due date and not done",
        )
    )
    change_tables = []
    for kind, heading in CHANGE_KINDS:
        rows = tuple(
            (c.ref, c.text, long_day(c.on_date) if c.on_date else "", c.who or "")
            for c in pack.changes
            if c.kind == kind
        )
        if rows:
            change_tables.append((heading, PaperTable(("Ref", "Change", "When", "By"), rows)))
    sections.append(
        PaperSection(
            heading=f"What changed {pack.since_text}",
            paragraphs=()
            if change_tables
            else ("Nothing was recorded: no evidence, completions, date moves or RAG changes.",),
            tables=tuple(change_tables),
        )
    )
    with_overdue = sorted(pack.views, key=lambda v: (not v.overdue, v.rec.position, v.rec.ref))
    for v in with_overdue:
        sections.append(_rec_section(pack, v))
    sections.append(
        PaperSection(heading="The RAG rule", notes=pack.rule.lines(), notes_heading="The rule")
    )
    return PaperSpec(
        title=PAPER_TITLE,
        subtitle=f"{i.service.name}: the inspection improvement plan",
        facts=(
            Field("Service", i.service.name),
            Field(
                "Inspection",
                f"{i.programme}, published {long_day(date.fromisoformat(i.published))}",
            ),
            Field("Board", pack.board_text),
            Field("Prepared by", pack.prepared_by),
            Field("Prepared on", long_day(pack.today)),
            Field("Purpose", "Progress on the improvement plan, for decision"),
        ),
        sections=tuple(sections),
        source=source_line(i),
        keywords="HMIP; improvement plan; board pack",
    )


def _rec_section(pack: BoardPack, v: RecView) -> PaperSection:
    from bot.commands.papers import evidence_paper_tables

    facts = [Field("RAG", v.rag_text), Field("Actions", v.counts)]
    if v.rec.addressee:
        facts.insert(0, Field("Addressed to", v.rec.addressee))
    if v.rec.reported_rag:
        facts.append(Field("RAG reported to the board", v.rec.reported_rag))
    monitoring = pack.measured.get(v.rec.id)
    if monitoring is not None:
        facts += list(monitoring.facts)
    rows = tuple(_action_row(pack, a) for a in _ordered(v))
    evidence = pack.evidence.get(v.rec.id, ())
    return PaperSection(
        heading=f"{v.rec.ref}: {v.rag.value}",
        quote=v.rec.text,
        facts=tuple(facts),
        paragraphs=() if rows else ("No actions agreed yet.",),
        table=PaperTable(ACTION_COLUMNS, rows) if rows else None,
        table_heading="Actions (overdue first)",
        tables=(
            ((monitoring.table_heading, monitoring.table),)
            if monitoring is not None and monitoring.table is not None
            else ()
        )
        + evidence_paper_tables(pack.other_evidence.get(v.rec.id, RecEvidence())),
        notes_heading="Evidence",
        notes=evidence or ("None recorded yet.",),
        chart=monitoring.chart if monitoring is not None else None,
        chart_heading="Measured target",
        conclusion=monitoring.conclusion if monitoring is not None else None,
    )


def pack_reply(ctx: Context, pack: BoardPack) -> Reply:
    """The pack in chat: the cover, the RAG summary, overdue actions and what changed."""
    i = pack.inspection
    changes = tuple(f"{c.ref}: {c.text}" for c in pack.changes)
    return Reply(
        title=f"Board pack: {i.service.name}",
        headline=f"For {pack.board_text}; prepared {long_day(pack.today)}.",
        sections=(
            Section(
                fields=(
                    Field("Board", pack.board_text),
                    Field("Prepared by", pack.prepared_by),
                )
            ),
            Section(heading="Decisions sought", items=decisions(pack)),
            Section(
                heading="RAG summary",
                items=tuple(
                    f"{row[0]} {row[2]}: {row[4]} actions done, {row[5]} overdue"
                    for row in summary_rows(pack)
                ),
            ),
            Section(
                heading="Overdue actions",
                items=tuple(
                    f"{a.action.ref} {a.action.text} ({a.action.owner.label}, due "
                    f"{long_day(a.action.due)})"
                    for a in pack.overdue
                    if a.action.due
                )
                or ("None.",),
            ),
            Section(
                heading=f"What changed {pack.since_text}",
                items=changes[:20] or ("Nothing recorded.",),
            ),
            Section(
                text="The Word pack, with each recommendation's actions and evidence and the "
                "charts, is written by `yos-bot report --format all` on the bot's host."
            ),
        ),
        source=source_line(i),
    )
