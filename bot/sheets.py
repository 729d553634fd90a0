"""Writing a plan table (``bot.commands.pack.PlanTable``) as councils keep a plan: an Excel
workbook, a CSV file or a Word table.

Every text cell goes through :func:`bot.csvsafe.cell` (OWASP's CSV-injection guidance), so
nothing a person typed can run as a formula in Excel or LibreOffice; numbers stay numbers
and dates are real date cells shown day month year ("31 March 2027") in the workbook, and
31/03/2027 in the CSV. openpyxl and python-docx are imported only when a file is written.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from bot import csvsafe

if TYPE_CHECKING:
    from bot.commands.pack import Cell, PlanTable

EXPORT_FORMATS = ("xlsx", "csv", "docx")
DATE_FORMAT = "d mmmm yyyy"
_WIDTHS = {
    "Ref": 8,
    "Recommendation": 40,
    "Addressee": 18,
    "Action": 45,
    "Lead officer": 18,
    "Agency": 12,
    "Due date": 16,
    "State": 14,
    "Progress": 40,
    "Last progress on": 16,
    "RAG by the rule": 12,
    "Why": 30,
    "RAG override": 30,
    "RAG status (reported to the board)": 14,
}


def _safe(value: Cell) -> Cell:
    if isinstance(value, date):
        return value
    safe: Cell = csvsafe.cell(value)
    return safe


def to_xlsx(table: PlanTable) -> bytes:
    """One sheet: a title row, the headings (bold, frozen, filtered), a row per
    recommendation and per action."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Improvement plan"
    sheet.append([_safe(table.title)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(list(table.columns))
    for heading in sheet[2]:
        heading.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_safe(value) for value in row])
    for number, heading in enumerate(table.columns, start=1):
        letter = get_column_letter(number)
        sheet.column_dimensions[letter].width = _WIDTHS.get(heading, 16)
    wrap = Alignment(wrap_text=True, vertical="top")
    for line in sheet.iter_rows(min_row=3):
        for cell in line:
            cell.alignment = wrap
            if isinstance(cell.value, datetime | date):
                cell.number_format = DATE_FORMAT
    sheet.freeze_panes = "B3"
    last = get_column_letter(len(table.columns))
    sheet.auto_filter.ref = f"A2:{last}{len(table.rows) + 2}"
    book.properties.title = table.title
    book.properties.creator = "yos-bot"
    book.properties.created = datetime.combine(table.today, time(9))
    book.properties.modified = book.properties.created
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_csv(table: PlanTable) -> str:
    """The headings, then each row; dates day/month/year."""
    out = io.StringIO(newline="")
    writer = csvsafe.writer(out)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(
            [f"{v.day:02d}/{v.month:02d}/{v.year}" if isinstance(v, date) else v for v in row]
        )
    return out.getvalue()


def to_docx(table: PlanTable) -> bytes:
    """A Word document: the title, then per recommendation its actions as a table."""
    from bot.paper import PaperSection, PaperSpec, PaperTable
    from bot.render.docx import render_paper
    from bot.reply import Field

    columns = ("Ref", "Action", "Lead officer", "Agency", "Due date", "State", "RAG", "Progress")
    index = {name: n for n, name in enumerate(table.columns)}

    def text(value: Cell) -> str:
        if value is None:
            return ""
        if isinstance(value, date):
            return f"{value.day} {value:%B %Y}"
        return str(value)

    sections: list[PaperSection] = []
    current: list[tuple[str, ...]] = []
    heading, quote = "", ""
    facts: tuple[Field, ...] = ()

    def flush() -> None:
        if heading:
            sections.append(
                PaperSection(
                    heading=heading,
                    quote=quote or None,
                    facts=facts,
                    table=PaperTable(columns, tuple(current)) if current else None,
                    table_heading="Actions",
                )
            )

    for row in table.rows:
        if row[index["Action"]] is None:
            flush()
            current = []
            heading = f"{text(row[index['Ref']])}: {text(row[index['RAG by the rule']])}"
            quote = text(row[index["Recommendation"]])
            facts = tuple(
                Field(label, text(row[index[column]]))
                for label, column in (
                    ("Addressee", "Addressee"),
                    ("RAG by the rule", "Why"),
                    ("RAG override", "RAG override"),
                    ("RAG reported to the board", "RAG status (reported to the board)"),
                )
                if row[index[column]]
            )
            continue
        current.append(
            tuple(
                text(row[index[name if name != "RAG" else "RAG by the rule"]]) for name in columns
            )
        )
    flush()
    spec = PaperSpec(
        title="Improvement plan",
        subtitle=table.title,
        facts=(Field("Service", table.service), Field("As at", text(table.today))),
        sections=tuple(sections),
    )
    return render_paper(spec, datetime.combine(table.today, time(9)))


def render(table: PlanTable, fmt: str) -> bytes:
    if fmt == "xlsx":
        return to_xlsx(table)
    if fmt == "csv":
        return to_csv(table).encode("utf-8")
    if fmt == "docx":
        return to_docx(table)
    raise ValueError(f"unknown plan export format {fmt!r}")
