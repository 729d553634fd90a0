"""Importing an improvement plan as councils keep it: an Excel workbook or a CSV file with
columns such as Ref, Recommendation, Action, Lead officer, Agency, Due date, Progress and
RAG, perhaps under a title row or two.

Headers are matched forgivingly (case, spacing and punctuation aside, and the names
councils use: "Lead officer", "Responsible", "By when", "Progress and impact", ...). Dates
are read the UK way (31/03/2027, 31.3.27, 31 March 2027, or a date cell). Every row is
checked before anything is written, and the problems are named by row and column; one
problem refuses the whole file. The plan's own RAG column is kept as the "RAG reported to
the board", beside the rule's.

A row's reference says where it belongs: "R2.1" or "2.1" is the first action of R2; "R2"
or "2" with an action is the next action of R2 in the file; a row with a recommendation
and no action describes the recommendation only. A recommendation's text is carried down
to the rows below it (merged cells read as empty).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot import csvsafe
from bot.store import plan as store
from bot.store.db import Store, write_transaction
from bot.store.plan import Actor
from bot.store.plan_model import Owner, State, rag_from_text

MAX_ROWS = 2_000
MAX_TEXT = 4_000
HEADER_ROWS_SEARCHED = 15

# Each column, by the names councils give it (compared without case, spaces or punctuation).
COLUMNS: dict[str, tuple[str, ...]] = {
    "ref": (
        "ref",
        "reference",
        "refno",
        "no",
        "number",
        "recno",
        "recommendationno",
        "recommendationref",
        "recommendationnumber",
        "actionref",
        "actionno",
        "id",
    ),
    "recommendation": (
        "recommendation",
        "recommendations",
        "hmiprecommendation",
        "inspectionrecommendation",
        "recommendationtext",
    ),
    "action": (
        "action",
        "actions",
        "actiontobetaken",
        "actionstobetaken",
        "actionrequired",
        "agreedaction",
        "keyactions",
        "whatwewilldo",
        "whatwilldo",
        "task",
    ),
    "owner": (
        "lead",
        "leadofficer",
        "owner",
        "actionowner",
        "responsible",
        "responsibleofficer",
        "responsibleperson",
        "who",
        "accountable",
        "leadperson",
        "responsibility",
    ),
    "agency": ("agency", "leadagency", "organisation", "organization", "partner", "service"),
    "due": (
        "due",
        "duedate",
        "deadline",
        "bywhen",
        "by",
        "targetdate",
        "timescale",
        "timescales",
        "completiondate",
        "completionby",
        "date",
    ),
    "progress": (
        "progress",
        "progressandimpact",
        "progressimpact",
        "progressupdate",
        "update",
        "updates",
        "impact",
        "comments",
        "commentary",
    ),
    "rag": ("rag", "ragrating", "ragstatus", "status", "rating"),
    "addressee": ("addressee", "addressedto", "for", "recommendationfor"),
}
REQUIRED = ("ref",)

_REF = re.compile(r"^\s*(?:rec(?:ommendation)?\s*)?r?\s*(\d{1,3})(?:\s*[.]\s*(\d{1,3}))?\s*$", re.I)
_MONTHS = {
    name: n
    for n, names in enumerate(
        (
            (),
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        )
    )
    for name in names
}


class PlanImportError(Exception):
    """The file was refused; ``problems`` name the row and column of each."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class PlanRow:
    line: int
    rec_ref: str
    number: int | None
    recommendation: str | None
    action: str | None
    owner: str | None
    agency: str | None
    due: date | None
    progress: str | None
    rag: str | None
    addressee: str | None


@dataclass
class ImportReport:
    recommendations_added: int = 0
    recommendations_updated: int = 0
    actions_added: int = 0
    actions_updated: int = 0
    notes_added: int = 0
    rows: int = 0
    dry_run: bool = False
    lines: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(
            (
                self.recommendations_added,
                self.recommendations_updated,
                self.actions_added,
                self.actions_updated,
                self.notes_added,
            )
        )

    def describe(self) -> str:
        verb = "would make" if self.dry_run else "made"
        if not self.changed:
            return f"{self.rows} rows read: the plan is up to date, nothing changed."
        parts = [
            f"{self.recommendations_added} recommendations added",
            f"{self.recommendations_updated} updated",
            f"{self.actions_added} actions added",
            f"{self.actions_updated} updated",
            f"{self.notes_added} progress notes added",
        ]
        head = f"{self.rows} rows read; the import {verb}: " + ", ".join(parts) + "."
        if self.dry_run:
            head += " Nothing was changed (dry run)."
        return "\n".join([head, *self.lines])


# --- reading ----------------------------------------------------------------------------


def read_cells(path: Path) -> list[list[Any]]:
    """The rows of the file's first sheet (or the CSV), as cell values."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook  # loaded only for an import

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise PlanImportError(
                [f"{path.name}: not an Excel workbook I can read ({error})"]
            ) from None
        try:
            sheet = book.worksheets[0]
            rows = [
                list(row)
                for _, row in zip(
                    range(MAX_ROWS + 50), sheet.iter_rows(values_only=True), strict=False
                )
            ]
        finally:
            book.close()
        return rows
    if suffix == ".csv":
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""))][: MAX_ROWS + 50]
    raise PlanImportError(
        [f"{path.name}: a plan is imported from .xlsx or .csv, not {suffix or 'this'}"]
    )


def _key(cell: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", str(cell or "").lower())


def _column_of(header: Any) -> str | None:
    key = _key(header)
    if not key:
        return None
    for column, names in COLUMNS.items():
        if key in names:
            return column
    for column, names in COLUMNS.items():  # "Lead officer / role", "Due date (agreed)"
        if any(len(name) > 3 and key.startswith(name) for name in names):
            return column
    return None


def find_header(rows: list[list[Any]]) -> tuple[int, dict[str, int]] | None:
    """The header row (0-based) and the column each field is in, searching below title rows."""
    for index, row in enumerate(rows[:HEADER_ROWS_SEARCHED]):
        found: dict[str, int] = {}
        for position, cell in enumerate(row):
            column = _column_of(cell)
            if column and column not in found:
                found[column] = position
        if "ref" in found and len(found) >= 3:
            return index, found
    return None


def parse_uk_date(cell: Any) -> date:
    """A due date as councils write it; raises ValueError with the reason."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = " ".join(str(cell).split()).strip().rstrip(".")
    numeric = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})", text)
    if numeric:
        day, month, year = (int(g) for g in numeric.groups())
        year += 2000 if year < 100 else 0
        return _real(text, year, month, day)
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if iso:
        return _real(text, int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    written = re.fullmatch(
        r"(\d{1,2})(?:st|nd|rd|th)?[ \-]([A-Za-z]{3,9})[ \-,]+(\d{2}|\d{4})", text
    )
    if written and written.group(2).lower() in _MONTHS:
        year = int(written.group(3))
        year += 2000 if year < 100 else 0
        return _real(text, year, _MONTHS[written.group(2).lower()], int(written.group(1)))
    raise ValueError(f"“{text[:40]}” is not a date: write day/month/year, like 31/03/2027")


def _real(text: str, year: int, month: int, day: int) -> date:
    try:
        found = date(year, month, day)
    except ValueError:
        raise ValueError(f"“{text[:40]}” is not a real date (dates are day/month/year)") from None
    if not 2000 <= found.year <= 2099:
        raise ValueError(f"“{text[:40]}” is not a date from 2000 to 2099")
    return found


def _text(cell: Any) -> str | None:
    if cell is None:
        return None
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    # A cell the bot's own export made safe ('=...) reads back as it was written.
    text = csvsafe.uncell(" ".join(str(cell).split()))
    return text or None


def _letter(position: int) -> str:
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def plan_rows(name: str, rows: list[list[Any]]) -> list[PlanRow]:
    """Every action and recommendation row, checked; raises PlanImportError naming every
    problem by row and column."""
    header = find_header(rows)
    if header is None:
        raise PlanImportError(
            [
                f"{name}: no header row found in the first {HEADER_ROWS_SEARCHED} rows: a plan "
                "needs a Ref column and at least two of Recommendation, Action, Lead/Owner, "
                "Agency, Due date, Progress and RAG"
            ]
        )
    start, columns = header
    headings = rows[start]
    problems: list[str] = []
    found: list[PlanRow] = []
    current_ref: str | None = None
    current_text: str | None = None
    numbers: dict[str, int] = {}
    seen: set[tuple[str, int]] = set()
    body = rows[start + 1 :]
    if len(body) > MAX_ROWS:
        raise PlanImportError([f"{name}: has more than {MAX_ROWS:,} rows"])
    for offset, row in enumerate(body):
        line = start + offset + 2

        def cell(column: str, row: list[Any] = row) -> Any:
            position = columns.get(column)
            return row[position] if position is not None and position < len(row) else None

        def where(column: str, line: int = line) -> str:
            position = columns[column]
            heading = _text(headings[position]) or column
            return f"{name}: row {line}, column {_letter(position)} ({heading})"

        values = {c: _text(cell(c)) for c in columns}
        if not any(values.values()):
            continue
        ref_text = values.get("ref")
        rec_ref, number = None, None
        if ref_text:
            matched = _REF.match(ref_text)
            if matched is None:
                problems.append(
                    f"{where('ref')}: “{ref_text[:30]}” is not a reference like R2 or R2.1"
                )
                continue
            rec_ref = f"R{int(matched.group(1))}"
            number = int(matched.group(2)) if matched.group(2) else None
        elif current_ref is not None:
            rec_ref = current_ref  # the rows under a merged reference cell
        else:
            problems.append(f"{where('ref')}: no reference (R1, R1.1 ...) for this row")
            continue
        if rec_ref != current_ref:
            current_ref, current_text = rec_ref, None
        if values.get("recommendation"):
            current_text = values["recommendation"]
        action = values.get("action")
        if action and number is None:
            number = numbers.get(rec_ref, 0) + 1
        if number is not None:
            numbers[rec_ref] = max(numbers.get(rec_ref, 0), number)
            if (rec_ref, number) in seen:
                problems.append(f"{where('ref')}: {rec_ref}.{number} appears twice")
                continue
            seen.add((rec_ref, number))
        due = None
        if values.get("due") is not None:
            try:
                due = parse_uk_date(cell("due"))
            except ValueError as bad:
                problems.append(f"{where('due')}: {bad}")
        rag = values.get("rag")
        if rag and rag_from_text(rag) is None:
            problems.append(
                f"{where('rag')}: “{rag[:30]}” is not a RAG (Red, Amber, Green, Complete or "
                "Not started)"
            )
        for column, text in values.items():
            if text and len(text) > MAX_TEXT:
                problems.append(
                    f"{where(column)}: is {len(text):,} characters; at most {MAX_TEXT:,}"
                )
        if number is not None and not action:
            problems.append(f"{where('ref')}: {rec_ref}.{number} has no action text")
            continue
        found.append(
            PlanRow(
                line=line,
                rec_ref=rec_ref,
                number=number,
                recommendation=current_text,
                action=action,
                owner=values.get("owner"),
                agency=values.get("agency"),
                due=due,
                progress=values.get("progress"),
                rag=_rag_value(rag),
                addressee=values.get("addressee"),
            )
        )
    if not found and not problems:
        problems.append(f"{name}: the header is on row {start + 1} but no rows follow it")
    if problems:
        raise PlanImportError(problems)
    return found


def _rag_value(text: str | None) -> str | None:
    """A plan's RAG cell as the board was told it: Red, Amber, Green, Complete, Not started."""
    rag = rag_from_text(text)
    return rag.value if rag is not None else text


# --- writing ----------------------------------------------------------------------------


class _DryRun(Exception):
    """Undo everything an import did: it was only a dry run."""


def import_plan(
    db: Store, inspection_id: str, path: Path, *, today: date, dry_run: bool = False
) -> ImportReport:
    """Import the plan in ``path`` into the inspection's recommendations, all or nothing."""
    rows = plan_rows(path.name, read_cells(path))
    report = ImportReport(rows=len(rows), dry_run=dry_run)
    actor = Actor(user_name=f"plan import ({path.name})", via="import")
    try:
        with write_transaction(db):
            _apply(db, inspection_id, rows, report, actor, today)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _apply(
    db: Store,
    inspection_id: str,
    rows: list[PlanRow],
    report: ImportReport,
    actor: Actor,
    today: date,
) -> None:
    stored = store.rec_rows(db, inspection_id)
    recs_done: set[str] = set()
    for row in rows:
        if row.rec_ref not in recs_done:
            recs_done.add(row.rec_ref)
            rec_level_rag = next(
                (r.rag for r in rows if r.rec_ref == row.rec_ref and r.number is None and r.rag),
                None,
            )
            existed = row.rec_ref in stored
            _, changed = store.upsert_recommendation(
                db,
                inspection_id,
                row.rec_ref,
                text=row.recommendation,
                reported_rag=rec_level_rag,
                actor=actor,
                today=today,
            )
            if row.addressee:
                changed |= _set_addressee(db, f"{inspection_id}:{row.rec_ref}", row.addressee)
            if not existed:
                report.recommendations_added += 1
                report.lines.append(f"row {row.line}: {row.rec_ref} added")
            elif changed:
                report.recommendations_updated += 1
                report.lines.append(f"row {row.line}: {row.rec_ref} updated")
        if row.number is None or row.action is None:
            continue
        _apply_action(db, inspection_id, row, report, actor, today)


def _set_addressee(db: Store, rec_id: str, addressee: str) -> bool:
    before = db.execute("SELECT addressee FROM recommendations WHERE id = ?", [rec_id]).fetchone()
    if before and before[0] == addressee:
        return False
    db.execute("UPDATE recommendations SET addressee = ? WHERE id = ?", [addressee, rec_id])
    return True


def _apply_action(
    db: Store, inspection_id: str, row: PlanRow, report: ImportReport, actor: Actor, today: date
) -> None:
    assert row.number is not None and row.action is not None
    rec = store.plan_rec(db, inspection_id, row.rec_ref)
    assert rec is not None
    owner = Owner(row.owner) if row.owner else Owner()
    done = row.rag == "Complete"
    existing = next((a for a in rec.actions if a.number == row.number), None)
    ref = f"{row.rec_ref}.{row.number}"
    if existing is None:
        store.add_action(
            db,
            rec,
            text=row.action,
            owner=owner,
            agency=row.agency,
            due=row.due,
            actor=actor,
            today=today,
            number=row.number,
            state=State.DONE if done else State.NOT_STARTED,
            reported_rag=row.rag,
        )
        report.actions_added += 1
        report.lines.append(f"row {row.line}: {ref} added")
        created = store.action(db, inspection_id, row.rec_ref, row.number)
        assert created is not None
        if row.progress:
            store.add_progress(
                db, created, text=row.progress, on_date=today, actor=actor, today=today
            )
            report.notes_added += 1
        return
    changes: dict[str, Any] = {}
    if existing.text != row.action:
        changes["text"] = row.action
    if row.owner and existing.owner.label != row.owner:
        changes["owner"] = owner
    if row.agency and existing.agency != row.agency:
        changes["agency"] = row.agency
    if row.due and existing.due != row.due:
        changes["due_date"] = row.due
    if row.rag and existing.reported_rag != row.rag:
        changes["reported_rag"] = row.rag
    if done and existing.state is not State.DONE:
        changes["state"] = State.DONE
    if changes:
        store.change_action(db, existing, actor=actor, today=today, reason="plan import", **changes)
        report.actions_updated += 1
        report.lines.append(f"row {row.line}: {ref} updated ({', '.join(changes)})")
    if row.progress and store.latest_progress_text(db, existing.id) != row.progress:
        fresh = store.action(db, inspection_id, row.rec_ref, row.number)
        assert fresh is not None
        store.add_progress(db, fresh, text=row.progress, on_date=today, actor=actor, today=today)
        report.notes_added += 1
        report.lines.append(f"row {row.line}: {ref} progress note added")


def rows_of(iterable: Iterator[list[Any]]) -> list[list[Any]]:
    return list(iterable)
