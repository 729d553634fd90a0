"""The board pack: `yos-bot report` with no recommendation named, on the FICTIONAL
Northdale plan (tests/plan_data, tests/plan_files.py), opened as a board member would open
it (python-docx), with an injected clock for what changed since the last board."""

from __future__ import annotations

import csv
import io
import os
import stat
from datetime import date

import docx
import pytest
from click.testing import CliRunner
from docx.shared import RGBColor

from bot.cli import main
from bot.config import settings_from
from bot.runtime import prepare_store
from tests.test_plan import OWNER, Clock, imported_plan_for_the_command_line, said

TODAY = "2027-03-05"


@pytest.fixture
def env(tmp_path, monkeypatch):
    db = imported_plan_for_the_command_line(tmp_path, monkeypatch, TODAY)
    clock = Clock(db)
    clock.today = date(2027, 1, 16)
    clock.ask("board add 20/01/2027 Quarterly board")
    clock.ask("board add 12/03/2027 YOS Management Board")
    clock.today = date(2027, 2, 1)  # after the January board
    clock.ask("action R4.1 owner @{U0OWNER|Omar Owner}")
    clock.ask('action R4.1 progress "Oversight audit tool agreed"', OWNER)
    clock.ask('action R1.1 done "Training register, 40 of 42 trained"')
    clock.ask('action R2.1 due 30/04/2027 "waiting for police sign-off"')
    clock.ask('action R6.1 due 15/02/2027 "brought forward by the board"')
    clock.ask("supervision R4 8/10 01/02/2027")
    clock.ask('rec R3 rag amber "waiting on the new case system"')
    clock.today = date(2027, 3, 5)
    yield clock
    db.close()


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def text_of(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def cells_of(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def test_the_word_pack_is_a_paper_a_board_could_table(env, tmp_path):
    said_out = cli(
        "report",
        "--format",
        "all",
        "--out",
        f"{tmp_path}/pack/",
        "--prepared-by",
        "Pat Performance",
    )
    folder = tmp_path / "pack"
    names = sorted(p.name for p in folder.iterdir())
    assert names == [f"board-pack-2027-03-12.{f}" for f in ("csv", "docx", "md", "png")]
    assert all(stat.S_IMODE(os.stat(p).st_mode) == 0o600 for p in folder.iterdir())
    assert str(folder / "board-pack-2027-03-12.docx") in said_out
    document = docx.Document(str(folder / "board-pack-2027-03-12.docx"))
    paragraphs = text_of(document)
    cover = dict(cells_of(document.tables[0]))
    assert cover["Service"] == "Northdale Youth Justice Service"
    assert cover["Board"] == "YOS Management Board, 12 March 2027"
    assert cover["Prepared by"] == "Pat Performance"
    assert cover["Prepared on"] == "5 March 2027"
    assert "Purpose and decisions sought" in paragraphs
    decisions = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert any(
        d.startswith("Agree what is to be done about the 1 overdue action: R6.1") for d in decisions
    )
    assert "Agree the revised due dates of R2.1, R6.1." in decisions

    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    # The summary, then the overdue actions, then what changed, then R6 (it has an overdue
    # action) before the others.
    assert headings[:4] == [
        "Purpose and decisions sought",
        "RAG summary",
        "Overdue actions",
        "What changed since the last board (20 January 2027)",
    ]
    recs = [h for h in headings if h[:1] == "R" and ":" in h]
    assert recs[0] == "R6: Red" and len(recs) == 7
    assert {h.split(":")[0] for h in recs} == {f"R{n}" for n in range(1, 8)}

    tables = [cells_of(t) for t in document.tables]
    summary = next(t for t in tables if t[0][:3] == ["Ref", "Recommendation", "RAG"])
    by_ref = {row[0]: row for row in summary[1:]}
    assert by_ref["R6"][2] == "Red" and by_ref["R6"][3] == "Green"  # at the last board
    assert by_ref["R3"][2].startswith("Amber (set; by the rule")
    assert by_ref["R1"][4] == "1/3"
    overdue = next(t for t in tables if t[0][0] == "Ref" and t[0][1] == "Action")
    assert overdue[1][0] == "R6.1" and overdue[1][4] == "15 Feb 2027" and overdue[1][6] == "Red"

    changes = {
        row[0] + " " + row[1]
        for t in tables
        if t[0] == ["Ref", "Change", "When", "By"]
        for row in t[1:]
    }
    assert "R1.1 completed" in changes
    assert any(
        c.startswith("R2.1 due date moved from 28 February 2027 to 30 April 2027") for c in changes
    )
    assert any(c.startswith("R4 supervision evidence 8/10") for c in changes)
    assert any(c.startswith("R3 RAG override: none → Amber") for c in changes)
    assert "R6 by the rule, Green → Red" in changes

    # Each recommendation with its actions (overdue first), owners, due dates and evidence.
    action_tables = [t for t in tables if t[0][:3] == ["Ref", "Action", "Owner"]]
    r4 = next(t for t in action_tables if t[1][0].startswith("R4."))
    assert (
        r4[1][:3] == ["R4.1", r4[1][1], "Omar Owner"] and r4[1][7] == "Oversight audit tool agreed"
    )
    r6 = [t for t in action_tables if t[1][0].startswith("R6.")][-1]  # after the overdue
    assert [row[0] for row in r6[1:]] == ["R6.1", "R6.2", "R6.3"]
    assert any(p.startswith("Supervision: 8/10 (80%) on 1 February 2027") for p in paragraphs)
    supervision = next(t for t in tables if t[0][:2] == ["Date", "Supervisions covering it"])
    assert supervision[1][:3] == ["1 February 2027", "8 of 10", "80%"]  # its own table
    assert any(
        p == "R1.1 done on 1 February 2027: Training register, 40 of 42 trained" for p in paragraphs
    )
    assert document.inline_shapes  # the RAG chart is embedded
    assert len(document.inline_shapes) == 1

    md = (folder / "board-pack-2027-03-12.md").read_text(encoding="utf-8")
    assert "## What changed since the last board (20 January 2027)" in md and "| R6.1 |" in md
    rows = list(csv.reader(io.StringIO((folder / "board-pack-2027-03-12.csv").read_text())))
    assert sum(1 for r in rows if "." in r[0]) == 20
    assert (folder / "board-pack-2027-03-12.png").read_bytes()[:4] == b"\x89PNG"


def test_a_pack_on_the_councils_template_keeps_its_styles_and_header(env, tmp_path):
    template = docx.Document()
    heading = template.styles["Heading 1"]
    heading.font.name = "Arial"
    heading.font.color.rgb = RGBColor(0x00, 0x55, 0x2B)
    template.sections[0].header.paragraphs[0].text = "Northdale Council: OFFICIAL"
    template.add_paragraph("Delete this and write the report here.")
    path = tmp_path / "council.docx"
    template.save(str(path))
    cli("report", "--format", "docx", "--template", str(path), "--out", f"{tmp_path}/")
    document = docx.Document(str(tmp_path / "board-pack-2027-03-12.docx"))
    assert document.sections[0].header.paragraphs[0].text == "Northdale Council: OFFICIAL"
    style = document.styles["Heading 1"]
    assert style.font.name == "Arial" and style.font.color.rgb == RGBColor(0x00, 0x55, 0x2B)
    paragraphs = text_of(document)
    assert "Delete this and write the report here." not in paragraphs
    assert "RAG summary" in paragraphs


def test_a_template_that_is_not_a_word_document_is_refused(env, tmp_path):
    bad = tmp_path / "council.docx"
    bad.write_text("not a document")
    result = CliRunner().invoke(
        main, ["report", "--format", "docx", "--template", str(bad), "--out", f"{tmp_path}/out/"]
    )
    assert result.exit_code != 0 and "not a Word document" in result.output
    assert not (tmp_path / "out" / "board-pack-2027-03-12.docx").exists()


def test_report_in_chat_gives_the_pack_at_a_glance(env):
    text = said(env.ask("report"))
    assert "YOS Management Board, 12 March 2027" in text
    assert "R6.1" in text and "R6 Red" in text
    assert "R6: by the rule, Green → Red" in text


def test_a_named_recommendation_keeps_its_monitoring_report(env, tmp_path):
    out = cli("report", "R1", "--format", "md", "--out", f"{tmp_path}/one/")
    assert "r1-monitoring" in out


def test_a_measured_target_keeps_its_monthly_table_and_chart_in_the_pack(tmp_path, monkeypatch):
    from bot.domain.inspections.queries import InspectionQueries
    from bot.store import plan as store
    from bot.store.plan import Actor
    from bot.store.plan_model import Owner

    monkeypatch.setenv("YOS_DB", str(tmp_path / "seed.db"))
    monkeypatch.setenv("YOS_TODAY", "2014-04-20")
    monkeypatch.delenv("YOS_SERVICE", raising=False)
    db, _ = prepare_store(settings_from({"YOS_DB": str(tmp_path / "seed.db")}))
    inspection = InspectionQueries(db).latest_inspection()
    rec = store.plan_rec(db, inspection.id, "R1")
    store.add_action(
        db,
        rec,
        text="Dip sample ten reviews a month",
        owner=Owner("Team Manager"),
        agency="YOS",
        due=date(2014, 3, 31),
        actor=Actor(via="test"),
        today=date(2014, 1, 20),
    )
    db.close()
    out = cli("report", "--format", "docx", "--out", f"{tmp_path}/pack/")
    assert "No coming board meeting is recorded" in out
    document = docx.Document(str(tmp_path / "pack" / "board-pack-2014-04-20.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "What changed since the plan was agreed" in headings
    r1 = headings.index("R1: Red")
    assert headings[r1 + 1 : r1 + 5] == [
        "Actions (overdue first)",
        "Month by month",
        "Evidence",
        "Measured target",
    ]
    assert len(document.inline_shapes) == 2  # the RAG chart and R1's monitoring chart
    cover = dict(cells_of(document.tables[0]))
    assert cover["Board"] == "no coming board meeting is recorded"
