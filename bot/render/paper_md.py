"""A paper (:class:`~bot.paper.PaperSpec`) as Markdown: the same title block, sections,
tables and lists as the Word paper, without the pictures (the PNG goes beside it)."""

from __future__ import annotations

from bot.paper import PaperSection, PaperSpec, PaperTable


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _table(table: PaperTable) -> list[str]:
    lines = [
        "| " + " | ".join(_cell(c) for c in table.columns) + " |",
        "|" + "|".join("---" for _ in table.columns) + "|",
    ]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in table.rows]
    return [*lines, ""]


def _section(section: PaperSection) -> list[str]:
    lines = [f"## {section.heading}", ""]
    if section.quote:
        lines += [f"> {_cell(section.quote)}", ""]
    lines += [f"- **{f.label}:** {_cell(f.value)}" for f in section.facts]
    if section.facts:
        lines.append("")
    for text in section.paragraphs:
        lines += [text, ""]
    if section.table is not None:
        lines += [f"### {section.table_heading}", "", *_table(section.table)]
    for heading, table in section.tables:
        lines += [f"### {heading}", "", *_table(table)]
    if section.notes:
        lines += [f"### {section.notes_heading or 'Notes'}", ""]
        lines += [f"- {_cell(note)}" for note in section.notes]
        lines.append("")
    if section.conclusion:
        lines += [f"**{_cell(section.conclusion)}**", ""]
    return lines


def paper_markdown(spec: PaperSpec) -> str:
    lines = [f"# {spec.title}", "", f"**{spec.subtitle}**", ""]
    lines += [f"- **{f.label}:** {_cell(f.value)}" for f in spec.facts]
    lines.append("")
    for section in spec.sections:
        lines += _section(section)
    if spec.source:
        lines += [f"_Source: {spec.source}_", ""]
    return "\n".join(lines)
