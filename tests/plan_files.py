"""A fictional improvement plan, written as councils keep one: a title row above messy
headers, recommendations in merged-looking cells, UK dates. For tests only."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

TITLE = "Northdale YJS: HMIP inspection improvement plan (FICTIONAL test data)"
HEADERS = [
    "Ref.",
    "HMIP Recommendation",
    "Actions to be taken",
    "Lead Officer",
    "Agency",
    "Due Date",
    "Progress & Impact",
    "RAG Status",
]
RECS = {
    "R1": "Ensure assessments analyse how to keep the child and others safe",
    "R2": "Make sure plans set out contingency arrangements for risks to others",
    "R3": "Review cases within the required timescales when circumstances change",
    "R4": "Improve the quality of management oversight of casework",
    "R5": "Make sure partners provide the education services children need",
    "R6": "Develop a shared understanding of disproportionality in the service",
    "R7": "Put in place an out-of-court disposal policy agreed with the police",
}
# (ref, action, lead, agency, due (UK text), progress, RAG) : 20 actions.
ACTIONS = [
    (
        "R1.1",
        "Deliver safety assessment training to all practitioners",
        "Practice Lead",
        "YJS",
        "31/03/2027",
        "Two sessions booked",
        "Green",
    ),
    (
        "R1.2",
        "Add a safety analysis prompt to the assessment template",
        "Systems Officer",
        "Council",
        "30/04/2027",
        "",
        "Amber",
    ),
    ("R1.3", "Dip sample 10 assessments a month", "Team Manager", "YJS", "31/05/2027", "", ""),
    (
        "R2.1",
        "Revise the planning guidance on contingency",
        "Practice Lead",
        "YJS",
        "28/02/2027",
        "Draft written",
        "Green",
    ),
    (
        "R2.2",
        "Audit plans for contingency arrangements quarterly",
        "QA Officer",
        "YJS",
        "30/06/2027",
        "",
        "",
    ),
    (
        "R2.3",
        "Share contingency plans with police partners",
        "Team Manager",
        "Police",
        "31/07/2027",
        "",
        "",
    ),
    (
        "R3.1",
        "Set review triggers in the case management system",
        "Systems Officer",
        "Council",
        "31/03/2027",
        "",
        "Amber",
    ),
    (
        "R3.2",
        "Report reviews on time to the board monthly",
        "Performance Officer",
        "Council",
        "30/04/2027",
        "",
        "",
    ),
    ("R3.3", "Train managers on review timescales", "Head of Service", "YJS", "31/05/2027", "", ""),
    (
        "R4.1",
        "Introduce monthly case supervision audits",
        "Head of Service",
        "YJS",
        "31/03/2027",
        "Started in January",
        "Green",
    ),
    ("R4.2", "Refresh the supervision policy", "Head of Service", "YJS", "30/04/2027", "", ""),
    ("R4.3", "Management oversight training", "Workforce Lead", "Council", "30/06/2027", "", ""),
    (
        "R5.1",
        "Agree an education offer with the virtual school",
        "Education Lead",
        "Education",
        "31/03/2027",
        "",
        "Red",
    ),
    (
        "R5.2",
        "Place an education worker in the YJS",
        "Education Lead",
        "Education",
        "30/09/2027",
        "",
        "",
    ),
    (
        "R5.3",
        "Report education attendance to the board",
        "Performance Officer",
        "Council",
        "31/07/2027",
        "",
        "",
    ),
    (
        "R6.1",
        "Analyse disproportionality data each quarter",
        "Performance Officer",
        "Council",
        "31/03/2027",
        "",
        "",
    ),
    (
        "R6.2",
        "Board development session on disproportionality",
        "Board Chair",
        "Council",
        "30/04/2027",
        "",
        "",
    ),
    (
        "R6.3",
        "Publish an action plan on disproportionality",
        "Head of Service",
        "YJS",
        "31/08/2027",
        "",
        "",
    ),
    (
        "R7.1",
        "Draft the out-of-court disposal policy with the police",
        "Head of Service",
        "Police",
        "31/03/2027",
        "",
        "",
    ),
    (
        "R7.2",
        "Board sign-off of the out-of-court disposal policy",
        "Board Chair",
        "Council",
        "30/06/2027",
        "",
        "",
    ),
]


def plan_rows(actions: list[tuple[str, ...]] | None = None) -> list[list[object]]:
    """The sheet: a title row, a blank row, the headers, then one row per action, with the
    recommendation's text on its first row only (as merged cells read)."""
    rows: list[list[object]] = [[TITLE], [], HEADERS]
    seen: set[str] = set()
    for ref, action, lead, agency, due, progress, rag in actions or ACTIONS:
        rec = ref.split(".")[0]
        text = RECS[rec] if rec not in seen else ""
        seen.add(rec)
        rows.append([ref, text, action, lead, agency, due, progress, rag])
    return rows


def write_csv(path: Path, rows: list[list[object]] | None = None) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(rows or plan_rows())
    return path


def write_xlsx(
    path: Path, rows: list[list[object]] | None = None, *, date_cells: bool = True
) -> Path:
    """An Excel workbook; due dates as real date cells (as Excel keeps them) by default."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows or plan_rows():
        cells = list(row)
        if date_cells and len(cells) > 5 and isinstance(cells[5], str) and cells[5].count("/") == 2:
            day, month, year = (int(p) for p in cells[5].split("/"))
            cells[5] = date(year, month, day)
        sheet.append(cells)
    book.save(path)
    return path
