"""Evidence of three kinds in the board paper (issue 20): case-file audits, supervision and
measures each have their own line and table in the Word, Markdown and CSV papers, and a
measure below its target says so, with its figures (never flattered)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from bot.cli import main
from tests.conftest import bundled_store_at

MEASURE = (
    "Measure “plans reviewed on time”: 41/53 (77.4%) on 20 February 2014, below the 90% target"
)
SUPERVISION = "Supervision: 8/10 (80%) on 18 February 2014 (of 10 supervisions, 8 covered it)"


@pytest.fixture
def cli(tmp_path, monkeypatch, bundled_store):
    monkeypatch.chdir(tmp_path)
    bundled_store_at(tmp_path / "yos.db", bundled_store)
    monkeypatch.setenv("YOS_DB", str(tmp_path / "yos.db"))
    monkeypatch.setenv("YOS_TODAY", "2014-02-20")
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(main, list(args))
        assert result.exit_code == 0, result.output
        return result.stdout

    return run


def _papers(cli, folder: Path) -> dict[str, str]:
    cli(
        "report",
        "R1",
        "--format",
        "docx",
        "--format",
        "md",
        "--format",
        "csv",
        "--out",
        f"{folder}/",
    )
    stem = folder / "r1-monitoring-2014-02-20"
    document = docx.Document(str(stem.with_suffix(".docx")))
    cells = [" | ".join(c.text for c in row.cells) for t in document.tables for row in t.rows]
    return {
        "docx": "\n".join([p.text for p in document.paragraphs] + cells),
        "md": stem.with_suffix(".md").read_text(),
        "csv": stem.with_suffix(".csv").read_text(),
    }


def test_each_kind_of_evidence_has_its_line_and_table_in_every_paper(cli, tmp_path):
    cli("ask", "audit R1 17/20 19/02/2014")
    cli("ask", "supervision R1 8/10 18/02/2014")
    cli("ask", 'measure R1 "plans reviewed on time" 41/53 20/02/2014')
    cli("ask", 'measure R1 "plans reviewed on time" target 90')
    papers = _papers(cli, tmp_path / "out")
    for fmt in ("docx", "md"):
        text = papers[fmt]
        assert "Month by month" in text, fmt  # the case-file audits keep their table
        assert SUPERVISION in text, fmt
        assert MEASURE in text, fmt
        assert "Supervision evidence" in text and "Measures" in text, fmt
        assert "at or above the 90% target" not in text, fmt
    assert "18 February 2014 | 8 of 10 | 80% | " in papers["docx"]
    assert (
        "plans reviewed on time | 20 February 2014 | 41/53 | 77.4% | 90% | below the 90% target"
        in papers["docx"]
    )
    assert "| 18 February 2014 | 8 of 10 | 80% |" in papers["md"]
    rows = list(csv.DictReader(io.StringIO(papers["csv"])))
    kinds = [
        (r["kind"], r["measure"], r["audit_date"], r["percent"], r["against_target"]) for r in rows
    ]
    assert ("supervision", "", "2014-02-18", "80.0", "no target set") in kinds
    assert (
        "measure",
        "plans reviewed on time",
        "2014-02-20",
        "77.4",
        "below the 90% target",
    ) in kinds
    assert {r["kind"] for r in rows} == {"case-file audit", "supervision", "measure"}
    assert [r["period"] for r in rows if r["kind"] == "case-file audit"] == [
        "January",
        "February",
        "March",
    ]


def test_a_measure_at_its_target_and_one_without_a_figure(cli, tmp_path):
    cli("ask", 'measure R1 "plans reviewed on time" 48/53 19/02/2014')
    cli("ask", 'measure R1 "plans reviewed on time" target 90')
    cli("ask", 'measure R1 "visits within 5 days" target 75')
    papers = _papers(cli, tmp_path / "out")
    md = papers["md"]
    assert (
        "Measure “plans reviewed on time”: 48/53 (90.6%) on 19 February 2014, at or above "
        "the 90% target" in md
    )
    assert "Measure “visits within 5 days”: no figure recorded yet, target 75%" in md
    assert "Supervision evidence" not in md
    assert [r["kind"] for r in csv.DictReader(io.StringIO(papers["csv"]))].count("measure") == 1


def test_no_supervision_or_measures_leaves_the_paper_as_it_was(cli, tmp_path):
    papers = _papers(cli, tmp_path / "out")
    assert "Other evidence" not in papers["md"]
    assert "Supervision" not in papers["docx"] and "Measure" not in papers["docx"]


def test_rec_says_a_measure_below_its_target_is_below_it(cli):
    cli("ask", 'measure R1 "plans reviewed on time" 41/53 20/02/2014')
    cli("ask", 'measure R1 "plans reviewed on time" target 90')
    said = " ".join(cli("ask", "rec R1").split())
    assert (
        "Measure plans reviewed on time: 41/53 (77.4%) on 20 February 2014, target 90%; "
        "below target" in said
    )
    cli("ask", 'measure R1 "plans reviewed on time" 48/53 20/02/2014')
    said = " ".join(cli("ask", "rec R1").split())
    assert "48/53 (90.6%) on 20 February 2014, target 90%" in said
    assert "below target" not in said
