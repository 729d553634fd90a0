"""The Word board paper: a neutral :class:`~bot.reply.PaperSpec` written as a .docx file.

Made with python-docx, which writes plain WordprocessingML from Word's own default
template (built-in styles only: Title, Heading 1-2, Quote, Table Grid), so the file opens
in Word and LibreOffice alike without style or compatibility warnings. Charts are drawn
by :mod:`bot.render.chart` and embedded as PNG pictures. python-docx is imported only when
a paper is written.
"""

from __future__ import annotations

import copy
import io
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.paper import PaperSection, PaperSpec, PaperTable
from bot.render.bars import render_bars
from bot.render.chart import render_chart
from bot.reply import Field

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import Table

PICTURE_WIDTH_CM = 16.0  # fits an A4 page inside Word's default margins


def render_paper(
    spec: PaperSpec, prepared: datetime | None = None, template: Path | None = None
) -> bytes:
    """The paper as .docx bytes; ``prepared`` is recorded as the document's creation time.

    With ``template`` (a council's .docx), the paper is written into it: its
    styles, page set-up, headers and footers are kept and its body is replaced."""
    import docx

    document = docx.Document() if template is None else _from_template(template)
    _properties(document, spec, prepared)
    document.add_heading(spec.title, level=0)
    document.add_paragraph(spec.subtitle).runs[0].bold = True
    _facts(document, spec.facts)
    for section in spec.sections:
        _section(document, section)
    if spec.source:
        note = document.add_paragraph()
        note.add_run(f"Source: {spec.source}").italic = True
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _properties(document: Document, spec: PaperSpec, prepared: datetime | None) -> None:
    properties = document.core_properties
    properties.title = spec.title
    properties.subject = spec.subtitle
    properties.author = spec.author
    properties.last_modified_by = "yos-bot"
    properties.comments = ""
    properties.keywords = spec.keywords
    if prepared is not None:
        properties.created = prepared
        properties.modified = prepared
    properties.revision = 1


class TemplateProblem(ValueError):
    """A --template that is not a Word document python-docx can read."""


# The built-in styles the paper uses: a template that does not define one gets Word's own.
_STYLES = ("Title", "Heading 1", "Heading 2", "Quote", "List Bullet", "Table Grid")


def _from_template(template: Path) -> Document:
    """The template (a .docx) with its body emptied (its last section's page set-up,
    headers and footers stay), and any built-in style the paper needs and it lacks added."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(template))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as error:
        raise TemplateProblem(
            f"{template.name} is not a Word document (.docx) I can use: {error}"
        ) from None
    body = document.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)
    _ensure_styles(document)
    return document


def _ensure_styles(document: Document) -> None:
    import docx

    have = {style.name for style in document.styles}
    missing = [name for name in _STYLES if name not in have]
    if not missing:
        return
    defaults = docx.Document().styles
    for name in missing:
        document.styles.element.append(copy.deepcopy(defaults[name].element))


def _facts(document: Document, facts: tuple[Field, ...]) -> None:
    """Label / value pairs as a two-column table without a header."""
    if not facts:
        return
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for fact in facts:
        cells = table.add_row().cells
        cells[0].text = ""
        cells[0].paragraphs[0].add_run(fact.label).bold = True
        cells[1].text = fact.value
    _widths(table, [4.5, PICTURE_WIDTH_CM - 4.5])
    document.add_paragraph()


def _table(document: Document, table_spec: PaperTable) -> None:
    from docx.shared import Cm

    table = document.add_table(rows=1, cols=len(table_spec.columns))
    table.style = "Table Grid"
    widths = [Cm(width) for width in _shares(table_spec)]
    for cell, heading, width in zip(table.rows[0].cells, table_spec.columns, widths, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(heading).bold = True
        cell.width = width
    from docx.table import _Cell

    for row in table_spec.rows:
        # Each cell's width as it is written: Word reads them from each cell (setting them
        # column by column afterwards reads the whole table again for every column). A new
        # row has one cell per column and no merged cells, so its cells are its <w:tc>s.
        added = table.add_row()._tr
        for tc, value, width in zip(added.tc_lst, row, widths, strict=True):
            cell = _Cell(tc, table)
            cell.text = value
            cell.width = width
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the grid, which LibreOffice reads


def _shares(table_spec: PaperTable) -> list[float]:
    """Column widths (cm): room for each column's longest word, then for its longest text
    (so long text wraps in the wide columns and no word is broken)."""
    weights = []
    for n, heading in enumerate(table_spec.columns):
        texts = [heading, *(row[n] for row in table_spec.rows)]
        word = max(len(w) for text in texts for w in [*text.split(), ""])
        weights.append(max(1.25 * word, 0.45 * min(max(len(t) for t in texts), 28)) + 2.5)
    return [PICTURE_WIDTH_CM * weight / sum(weights) for weight in weights]


def _widths(table: Table, widths_cm: list[float]) -> None:
    """Fixed column widths: Word reads them from each cell, LibreOffice from the grid."""
    from docx.shared import Cm

    table.autofit = False
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)


def _section(document: Document, section: PaperSection) -> None:
    from docx.shared import Cm

    document.add_heading(section.heading, level=1)
    if section.quote:
        document.add_paragraph(section.quote, style="Quote")
    _facts(document, section.facts)
    for text in section.paragraphs:
        document.add_paragraph(text)
    if section.table is not None:
        document.add_heading(section.table_heading, level=2)
        _table(document, section.table)
    for heading, table in section.tables:
        document.add_heading(heading, level=2)
        _table(document, table)
    if section.notes:
        document.add_heading(section.notes_heading or "Notes", level=2)
        for note in section.notes:
            document.add_paragraph(note, style="List Bullet")
    if section.bars is not None:
        document.add_picture(io.BytesIO(render_bars(section.bars)), width=Cm(PICTURE_WIDTH_CM))
    if section.chart is not None:
        document.add_heading(section.chart_heading, level=2)
        picture = io.BytesIO(render_chart(section.chart))
        document.add_picture(picture, width=Cm(PICTURE_WIDTH_CM))
    if section.conclusion:
        document.add_heading("Conclusion", level=2)
        document.add_paragraph().add_run(section.conclusion).bold = True
