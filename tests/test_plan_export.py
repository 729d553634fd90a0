"""`yos-bot plan export`: the live plan as councils file it, read back as a council would
(openpyxl, the csv module, python-docx), and imported again with nothing changed. On the
FICTIONAL Northdale inspection and plan (tests/plan_data, tests/plan_files.py)."""

from __future__ import annotations

import csv
import io
import os
import stat
from datetime import date, datetime
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from bot.cli import main
from bot.config import settings_from
from bot.runtime import prepare_store
from bot.store.loader import load_files
from bot.store.plan_import import import_plan
from tests.test_plan import (
    AUDITOR,
    DATA,
    INSPECTION,
    OWNER,
    Clock,
    count,
    imported_plan_for_the_command_line,
)

TODAY = "2027-02-10"


@pytest.fixture
def env(tmp_path, monkeypatch):
    db = imported_plan_for_the_command_line(tmp_path, monkeypatch, TODAY)
    clock = Clock(db)
    clock.today = date(2027, 2, 1)
    clock.ask("action R4.1 owner @{U0OWNER|Omar Owner}")
    clock.ask('action R4.1 progress "Oversight audit tool agreed"', OWNER)
    clock.ask('action R1.1 done "Training register"')
    clock.ask('rec R3 rag amber "waiting on the new system"')
    yield db
    db.close()


def export(tmp_path: Path, fmt: str, out: str | None = None) -> Path:
    args = ["plan", "export", "--format", fmt]
    if out is not None:
        args += ["--out", out]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return Path(result.output.strip().splitlines()[-1])


def test_the_xlsx_export_has_every_action_typed_and_no_formulas(env, tmp_path):
    path = export(tmp_path, "xlsx", str(tmp_path / "out") + "/")
    assert path == tmp_path / "out" / f"improvement-plan-{TODAY}.xlsx"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "Northdale" in rows[0][0] and "10 February 2027" in rows[0][0]
    header = list(rows[1])
    assert header[:7] == [
        "Ref",
        "Recommendation",
        "Addressee",
        "Action",
        "Lead officer",
        "Agency",
        "Due date",
    ]
    body = [dict(zip(header, row, strict=True)) for row in rows[2:]]
    actions = [r for r in body if r["Action"]]
    assert len(actions) == count(env, "plan_actions") == 20
    assert [r["Ref"] for r in body if not r["Action"]] == [f"R{n}" for n in range(1, 8)]
    r11 = next(r for r in actions if r["Ref"] == "R1.1")
    assert r11["State"] == "done" and r11["RAG by the rule"] == "Complete"
    assert r11["Due date"] == datetime(2027, 3, 31)  # a date cell, not text
    assert r11["Lead officer"] == "Practice Lead" and r11["Agency"] == "YJS"
    r41 = next(r for r in actions if r["Ref"] == "R4.1")
    assert r41["Lead officer"] == "Omar Owner"
    assert r41["Progress"] == "Oversight audit tool agreed"
    assert r41["Last progress on"] == datetime(2027, 2, 1)
    r51 = next(r for r in actions if r["Ref"] == "R5.1")
    assert r51["RAG status (reported to the board)"] == "Red"
    r3 = next(r for r in body if r["Ref"] == "R3")
    assert r3["RAG override"].startswith("Amber, set by Alice Auditor on 1 February 2027")
    book = load_workbook(path)  # the cells as stored, not as computed
    kinds = {cell.data_type for row in book.active.iter_rows() for cell in row}
    assert "f" not in kinds
    due = next(c for c in book.active[3 + body.index(r11)] if isinstance(c.value, datetime))
    assert due.is_date and due.number_format == "d mmmm yyyy"


def test_text_a_spreadsheet_would_run_is_written_as_text(env, tmp_path):
    clock = Clock(env)
    clock.today = date(2027, 2, 5)
    clock.ask('action R2.1 progress "=HYPERLINK(""http://evil.example"",""x"")"', AUDITOR)
    clock.ask('action add R2 "@SUM(A1:A9) checks" owner me due 30/06/2027')
    path = export(tmp_path, "xlsx", str(tmp_path / "plan.xlsx"))
    assert path == tmp_path / "plan.xlsx"
    book = load_workbook(path)
    cells = [c for row in book.active.iter_rows() for c in row if isinstance(c.value, str)]
    assert all(c.data_type == "s" for c in cells)
    assert any(c.value.startswith("'=HYPERLINK") for c in cells)
    assert any(c.value == "'@SUM(A1:A9) checks" for c in cells)
    text = export(tmp_path, "csv", str(tmp_path / "plan.csv")).read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and "'@SUM" in text
    rows = list(csv.reader(io.StringIO(text)))
    r11 = next(r for r in rows if r[0] == "R1.1")
    assert "31/03/2027" in r11  # UK day/month/year


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_export_imported_again_changes_nothing(env, tmp_path, fmt):
    path = export(tmp_path, fmt, str(tmp_path / f"plan.{fmt}"))
    history = count(env, "plan_history")
    notes = count(env, "plan_progress")
    again = import_plan(env, INSPECTION, path, today=date(2027, 2, 10))
    assert not again.changed, again.describe()
    assert (count(env, "plan_history"), count(env, "plan_progress")) == (history, notes)

    # And into a store without the plan: the same plan, action by action.
    other = prepare_store(settings_from({"YOS_DB": str(tmp_path / "other.db")}))[0]
    load_files(other, [DATA / "northdale.toml"])
    import_plan(other, INSPECTION, path, today=date(2027, 2, 10))
    query = (
        "SELECT r.ref, a.number, a.text, coalesce(a.owner_name, a.owner_id), a.agency, "
        "a.due_date, a.reported_rag FROM plan_actions a JOIN recommendations r "
        "ON r.id = a.recommendation_id ORDER BY r.ref, a.number"
    )
    assert [tuple(r) for r in other.execute(query)] == [tuple(r) for r in env.execute(query)]
    other.close()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_text_written_as_text_reads_back_as_it_was(env, tmp_path, fmt):
    """A would-be formula is exported with a quote in front; imported again, the quote
    comes off, so the action is unchanged rather than renamed "'@SUM(...)"."""
    clock = Clock(env)
    clock.today = date(2027, 2, 5)
    clock.ask('action add R2 "@SUM(A1:A9) checks" owner me due 30/06/2027')
    clock.ask('action add R2 "-5 days on every plan, reviewed" owner me due 30/06/2027')
    path = export(tmp_path, fmt, str(tmp_path / f"plan.{fmt}"))
    history = count(env, "plan_history")
    again = import_plan(env, INSPECTION, path, today=date(2027, 2, 10))
    assert not again.changed, again.describe()
    assert count(env, "plan_history") == history
    texts = {r[0] for r in env.execute("SELECT text FROM plan_actions")}
    assert {"@SUM(A1:A9) checks", "-5 days on every plan, reviewed"} <= texts


def test_the_word_export_lists_each_recommendations_actions(env, tmp_path):
    path = export(tmp_path, "docx", str(tmp_path) + "/")
    assert path.name == f"improvement-plan-{TODAY}.docx"
    document = docx.Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[0].startswith("R1: ") and len(headings) == 7
    cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
    assert "Deliver safety assessment training to all practitioners" in cells
    assert "31 March 2027" in cells and "Omar Owner" in cells


def test_a_plan_export_with_a_bad_format_is_refused(env, tmp_path):
    result = CliRunner().invoke(main, ["plan", "export", "--format", "pdf"])
    assert result.exit_code != 0 and "pdf" in result.output
