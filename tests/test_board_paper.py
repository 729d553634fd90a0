"""The board paper in every format, end to end through the command line, and its chart.

The issue's "done when": with YOS_TODAY=2014-04-20 on a fresh store, three monthly audits
and one refused audit dated before the window lead to `yos-bot report --format all` writing
a Word paper, Markdown, CSV (three period rows) and a PNG that all say Met, 3 of 3 monthly
periods at or above 80%, trend ▲ from 85% to 95%; a fresh store says "No evidence recorded"
everywhere and never "ready to report".
"""

from __future__ import annotations

import csv
import io
import shutil
import stat
import subprocess
from datetime import date
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from matplotlib import cbook
from PIL import Image

from bot.cli import main
from bot.paper import ChartLine, ChartPoint, ChartSeries, ChartSpec
from bot.render.chart import HEIGHT_PX, WIDTH_PX, draw, literal, render_chart
from tests.conftest import bundled_store_at

MET = "Met: 3 of 3 monthly periods at or above 80%"
TREND = "▲ from 85% to 95%"
FORMATS = ("docx", "md", "csv", "png")


@pytest.fixture
def cli(tmp_path, monkeypatch, bundled_store):
    """yos-bot on a fresh store in tmp_path, on 20 April 2014 (after R1's window)."""
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    bundled_store_at(tmp_path / "yos.db", bundled_store)
    monkeypatch.setenv("YOS_DB", str(tmp_path / "yos.db"))
    monkeypatch.setenv("YOS_TODAY", "2014-04-20")
    runner = CliRunner()

    def run(*args: str, today: str = "2014-04-20") -> tuple[int, str]:
        """The exit code, and what was printed: standard output alone when it worked."""
        monkeypatch.setenv("YOS_TODAY", today)
        result = runner.invoke(main, list(args))
        return result.exit_code, result.stdout if result.exit_code == 0 else result.output

    return run


def paper_files(folder: Path) -> dict[str, Path]:
    return {fmt: folder / f"recommendations-monitoring-2014-04-20.{fmt}" for fmt in FORMATS}


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def png_text(path: Path) -> str:
    with Image.open(path) as image:
        return f"{image.info.get('Title', '')}\n{image.info.get('Description', '')}"


def test_three_monthly_audits_give_a_paper_that_says_met_in_every_format(cli, tmp_path):
    for typed, day in (
        ("audit R1 17/20 30/01/2014", "2014-01-30"),
        ("audit R1 18 of 20 27 Feb 2014", "2014-02-27"),
        ("audit R1 19/20 27/03/2014", "2014-03-27"),
    ):
        code, said = cli("ask", typed, today=day)
        assert code == 0, said
    code, said = cli("ask", "audit R1 16/20 05/01/2014")
    assert code == 1
    assert "5 January 2014 is before R1's monitoring window (14 January to 14 April 2014)" in (
        " ".join(said.split())
    )
    code, said = cli("report", "--format", "all", "--out", str(tmp_path / "board"))
    assert code == 0, said
    files = paper_files(tmp_path / "board")
    assert said.split() == [str(files[fmt]) for fmt in FORMATS]
    for path in files.values():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    texts = {
        "docx": docx_text(files["docx"]),
        "md": files["md"].read_text(),
        "csv": files["csv"].read_text(),
        "png": png_text(files["png"]),
    }
    for fmt, text in texts.items():
        assert MET in text, fmt
        assert TREND in text, fmt
        assert "No evidence" not in text, fmt
    rows = list(csv.DictReader(io.StringIO(texts["csv"])))
    assert [(r["row"], r["period"], r["percent"], r["against_target"]) for r in rows] == [
        ("period", "January", "85.0", "at or above"),
        ("period", "February", "90.0", "at or above"),
        ("period", "March", "95.0", "at or above"),
    ]
    assert {(r["status"], r["verdict"], r["trend"]) for r in rows} == {
        ("Due for the board, verdict Met", "Met", TREND)
    }


def test_a_fresh_store_says_no_evidence_recorded_everywhere(cli, tmp_path):
    for question in ("rec R1", "recs", "report", "home"):
        code, said = cli("ask", question)
        assert code == 0
        assert "No evidence recorded" in said, question
        assert "ready to report" not in said, question
        assert "Due for the board" not in said, question
    code, said = cli("report", "--format", "all", "--out", str(tmp_path / "board"))
    assert code == 0, said
    files = paper_files(tmp_path / "board")
    for fmt in FORMATS:
        text = (
            png_text(files[fmt])
            if fmt == "png"
            else (docx_text(files[fmt]) if fmt == "docx" else files[fmt].read_text())
        )
        assert "No evidence recorded" in text, fmt
        assert "ready to report" not in text, fmt
    rows = list(csv.DictReader(io.StringIO(files["csv"].read_text())))
    assert [(r["period"], r["against_target"]) for r in rows] == [
        ("January", "no audit"),
        ("February", "no audit"),
        ("March", "no audit"),
    ]


def test_the_word_paper_holds_the_title_block_table_chart_and_conclusion(cli, tmp_path):
    cli("ask", "audit R1 17/20 30/01/2014", today="2014-01-30")
    cli("ask", "audit R1 15/20 14/02/2014 first", today="2014-02-14")
    cli("ask", "audit R1 17/20 20/02/2014 second", today="2014-02-20")
    cli("ask", "audit R1 20/20 29/12/2013 --outside before the window")
    code, said = cli("report", "R1", "--format", "docx", "--out", str(tmp_path))
    assert code == 0, said
    document = docx.Document(said.strip())
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "Report to the YOS Management Board"
    assert document.paragraphs[0].style.name == "Title"
    title_block = {r.cells[0].text: r.cells[1].text for r in document.tables[0].rows}
    assert title_block == {
        "Service": "Stockton-on-Tees Youth Offending Service",
        "Inspection": "HM Inspectorate of Probation Short Quality Screening, "
        "published 18 December 2013",
        "Prepared": "20 April 2014",
        "For": "the next YOS Management Board meeting",
    }
    assert "R1: Due for the board, verdict Not met" in paragraphs
    facts = {r.cells[0].text: r.cells[1].text for r in document.tables[1].rows}
    assert facts["Status"] == "Due for the board, verdict Not met"
    assert facts["Verdict"] == "Not met"
    assert facts["Trend in the window"] == "▶ steady at 85%"
    table = [[c.text for c in row.cells] for row in document.tables[2].rows]
    assert table == [
        [
            "Period",
            "Dates",
            "Counted audit",
            "Entered",
            "Result",
            "Against target",
            "Also recorded",
        ],
        [
            "January",
            "14 January to 13 February 2014",
            "30 January 2014",
            "entered the same day",
            "17/20 (85%)",
            "at or above",
            "",
        ],
        [
            "February",
            "14 February to 13 March 2014",
            "20 February 2014",
            "entered the same day",
            "17/20 (85%)",
            "at or above",
            "replaced: 15/20 (75%) of 14 Feb 2014",
        ],
        ["March", "14 March to 14 April 2014", "no audit", "", "", "no audit", ""],
    ]
    assert (
        "29 December 2013: 20/20 (100%), outside the monitoring window (not counted); "
        "entered 20 April 2014" in paragraphs
    )
    conclusion = paragraphs[paragraphs.index("Conclusion") + 1]
    assert conclusion == (
        "Not met: 2 of 3 monthly periods at or above 80%; March has no audit; ready to report "
        "to the next YOS Management Board meeting."
    )
    [picture] = document.inline_shapes
    blob = picture._inline.graphic.graphicData.pic.blipFill.blip.embed
    image = document.part.related_parts[blob].blob
    with Image.open(io.BytesIO(image)) as chart:
        assert chart.format == "PNG" and chart.size == (WIDTH_PX, HEIGHT_PX)
        assert chart.info["Title"].startswith("Stockton-on-Tees Youth Offending Service: R1")
    assert document.core_properties.title == "Report to the YOS Management Board"
    assert document.core_properties.created.date() == date(2014, 4, 20)


@pytest.mark.skipif(shutil.which("libreoffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_word_paper(cli, tmp_path):
    """LibreOffice converts it to PDF without complaint (where LibreOffice is installed)."""
    cli("ask", "audit R1 17/20 30/01/2014")
    code, said = cli("report", "--format", "docx", "--out", str(tmp_path))
    assert code == 0, said
    done = subprocess.run(
        [
            "libreoffice",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            said.strip(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    pdf = tmp_path / "recommendations-monitoring-2014-04-20.pdf"
    assert done.returncode == 0 and pdf.exists(), done.stderr
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 20_000  # with chart


def test_formats_are_chosen_one_by_one(cli, tmp_path):
    code, said = cli("report", "--format", "md", "--format", "docx", "--out", str(tmp_path))
    assert code == 0
    assert [Path(line).suffix for line in said.split()] == [".docx", ".md"]
    code, said = cli("report", "--format", "pdf")
    assert code != 0 and "'pdf' is not one of" in said


# --- the chart ----------------------------------------------------------------------------

MATHTEXT = r"$\frac{a}{b}$ YOS $x^2$ costs $5 and \$6"
BROKEN = r"$\frac{a}$ {unbalanced"


def spec_with(name: str, *, points: bool = True) -> ChartSpec:
    drawn = (
        (
            ChartPoint(date(2014, 1, 30), 85),
            ChartPoint(date(2014, 2, 14), 75, "replaced"),
            ChartPoint(date(2014, 2, 20), 85),
            ChartPoint(date(2014, 4, 29), 100, "outside"),
        )
        if points
        else ()
    )
    return ChartSpec(
        title=f"{name}: R1 monitoring: Due for the board; report of 20 April 2014",
        subtitle=f"Met: 3 of 3 monthly periods at or above 80% {name}",
        series=(
            ChartSeries(
                name=name,
                points=drawn,
                lines=(
                    ChartLine("Target 80%", 80),
                    ChartLine(f"Baseline: {name} 80%", 80, "baseline"),
                ),
                window=(date(2014, 1, 14), date(2014, 4, 14)),
                period_starts=(date(2014, 1, 14), date(2014, 2, 14), date(2014, 3, 14)),
                period_names=("January", name, "March"),
                window_label=f"{name} monitoring window",
            ),
        ),
    )


@pytest.mark.parametrize("name", [MATHTEXT, BROKEN])
def test_text_from_data_is_never_read_as_mathtext(name):
    figure = draw(spec_with(name))
    texts = [t.get_text() for t in figure.findobj(lambda a: hasattr(a, "get_text"))]
    assert literal(spec_with(name).title) in texts
    assert any(literal(name) in t for t in texts if t)
    for text in texts:
        assert not cbook.is_math_text(text), text
    png = render_chart(spec_with(name))  # mathtext would fail on BROKEN, or draw a fraction
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (WIDTH_PX, HEIGHT_PX)
        assert image.info["Title"] == spec_with(name).title  # the raw text, as typed


def test_literal_escapes_every_dollar():
    assert literal(r"$\frac{a}{b}$") == r"\$\frac{a}{b}\$"
    assert literal("no dollars") == "no dollars"


def test_a_service_named_in_mathtext_reaches_the_chart_literally(cli, tmp_path):
    import sqlite3

    cli("ask", "audit R1 17/20 30/01/2014", today="2014-01-30")
    with sqlite3.connect(tmp_path / "yos.db") as conn:
        conn.execute("UPDATE services SET name = ?", [MATHTEXT])
    code, said = cli("report", "--format", "png", "--format", "docx", "--out", str(tmp_path))
    assert code == 0, said
    png = tmp_path / "recommendations-monitoring-2014-04-20.png"
    assert png_text(png).startswith(f"{MATHTEXT}: R1 monitoring: Due for the board")
    assert docx_text(tmp_path / "recommendations-monitoring-2014-04-20.docx").count(MATHTEXT)


def test_the_chart_marks_what_a_board_needs_to_see():
    figure = draw(spec_with("Stockton"))
    [axes] = figure.axes
    legend = [t.get_text() for t in axes.get_legend().get_texts()]
    assert legend == [
        "Stockton monitoring window",
        "counted audit (one per monthly period)",
        "replaced audit (not counted)",
        "outside the window (not counted)",
    ]
    labels = [t.get_text() for t in axes.texts]
    assert "Target 80%" in labels and "Baseline: Stockton 80%" in labels
    assert "March\n(no audit)" in labels  # a period with nothing counted says so
    assert [t.get_text() for t in axes.get_xticklabels()] == [
        "14 Jan 2014",
        "14 Feb 2014",
        "14 Mar 2014",
        "14 Apr 2014",
    ]
    empty = draw(spec_with("Stockton", points=False))
    assert "No audits were recorded in the monitoring window" in [
        t.get_text() for t in empty.axes[0].texts
    ]
