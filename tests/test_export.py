"""Exporting audit updates: CSV, JSON Lines and a JSON array, streamed in constant memory."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.export import AUDIT_COLUMNS, audit_rows, write_audits
from tests.conftest import bundled_store_at

R1 = "stockton-on-tees-sqs-2013:R1"


def _add_audits(db, count: int, *, first: int = 1) -> None:
    db.conn.executemany(
        "INSERT INTO audit_updates (id, recommendation_id, audit_date, audited, compliant, "
        "percent, note, user_id, user_name, via, delivery_key, recorded_at, platform) "
        "VALUES (?, ?, ?, 20, ?, ?, ?, 'U0AUD', 'Ann Auditor', 'command', ?, "
        "'2014-02-20T10:00:00+00:00', 'slack')",
        [
            (n, R1, f"2014-02-0{1 + n % 9}", 17, 85.0, f"note {n}" if n % 2 else None, f"k{n}")
            for n in range(first, first + count)
        ],
    )
    db.conn.commit()


def _retract(db, audit_id: int) -> None:
    db.execute(
        "INSERT INTO audit_retractions (audit_id, user_id, reason, retracted_at) "
        "VALUES (?, 'U0AUD', 'typo', '2014-02-21T10:00:00+00:00')",
        [audit_id],
    )
    db.conn.commit()


def _export(db, fmt: str) -> str:
    stream = io.StringIO()
    write_audits(db, stream, fmt)
    return stream.getvalue()


def test_csv_has_every_column_and_marks_retracted_updates(db):
    _add_audits(db, 3)
    _retract(db, 2)
    rows = list(csv.DictReader(io.StringIO(_export(db, "csv"))))
    assert list(rows[0]) == AUDIT_COLUMNS
    assert [r["id"] for r in rows] == ["1", "2", "3"]
    assert [r["retracted"] for r in rows] == ["False", "True", "False"]
    first = rows[0]
    assert (first["recommendation"], first["percent"], first["note"]) == (R1, "85.0", "note 1")
    assert rows[1]["note"] == ""  # no note: an empty cell


def test_json_lines_are_one_object_a_line(db):
    _add_audits(db, 3)
    _retract(db, 3)
    lines = _export(db, "jsonl").splitlines()
    objects = [json.loads(line) for line in lines]
    assert [o["id"] for o in objects] == [1, 2, 3]
    assert [o["retracted"] for o in objects] == [False, False, True]
    assert objects[1]["note"] is None
    assert set(objects[0]) == set(AUDIT_COLUMNS)


def test_json_is_one_array_also_when_empty(db):
    assert json.loads(_export(db, "json")) == []
    _add_audits(db, 2)
    _retract(db, 1)
    array = json.loads(_export(db, "json"))
    assert [(o["id"], o["retracted"]) for o in array] == [(1, True), (2, False)]
    assert array[0]["audit_date"] == "2014-02-02"


def test_notes_are_exported_as_recorded(db):
    db.execute(
        "INSERT INTO audit_updates (recommendation_id, audit_date, percent, note, via, "
        "recorded_at) VALUES (?, '2014-02-03', 90, ?, 'console', '2014-02-03T09:00:00')",
        [R1, 'Line one, "quoted"\nline two <!channel> £5'],
    )
    db.conn.commit()
    [row] = list(csv.DictReader(io.StringIO(_export(db, "csv"))))
    assert row["note"] == 'Line one, "quoted"\nline two <!channel> £5'
    [line] = _export(db, "jsonl").splitlines()
    assert json.loads(line)["note"] == 'Line one, "quoted"\nline two <!channel> £5'


def test_rows_come_from_a_cursor_not_a_list(db):
    _add_audits(db, 2)
    rows = audit_rows(db)
    assert isinstance(rows, Iterator) and not isinstance(rows, list)
    assert next(rows)["id"] == 1


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json"])
def test_every_row_is_written_once_in_order(db, fmt):
    # How the memory stays the same with 10x the rows: `python -m bench export_growth`.
    _add_audits(db, 2_000)
    stream = io.StringIO()
    assert write_audits(db, stream, fmt) == 2_000
    text = stream.getvalue()
    if fmt == "csv":
        ids = [int(row["id"]) for row in csv.DictReader(io.StringIO(text))]
    elif fmt == "jsonl":
        ids = [json.loads(line)["id"] for line in text.splitlines()]
    else:
        ids = [row["id"] for row in json.loads(text)]
    assert ids == list(range(1, 2_001))


@pytest.fixture
def cli_env(tmp_path, monkeypatch, bundled_store):
    for name in list(os.environ):
        if name.startswith(("SLACK_", "YOS_")):
            monkeypatch.delenv(name)
    bundled_store_at(tmp_path / "cli.db", bundled_store)
    monkeypatch.setenv("YOS_DB", str(tmp_path / "cli.db"))
    monkeypatch.setenv("YOS_TODAY", "2014-02-20")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json"])
def test_the_command_writes_a_private_file(cli_env, fmt):
    assert _invoke("ask", 'audit R1 17/20 2014-02-03 February audit --late "x"').exit_code == 0
    out = cli_env / "exports" / f"audits.{fmt}"
    result = _invoke("export", "audits", "--format", fmt, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = out.read_text(encoding="utf-8")
    assert "stockton-on-tees-sqs-2013:R1" in text and "February audit" in text


def test_the_command_streams_json_lines_to_stdout(cli_env):
    assert _invoke("ask", 'audit R1 17/20 2014-02-03 --late "x"').exit_code == 0
    assert _invoke("ask", "audit undo").exit_code == 0
    result = _invoke("export", "audits", "--format", "jsonl")
    [line] = result.stdout.splitlines()
    assert json.loads(line)["retracted"] is True


def test_json_lines_are_for_audits_only(cli_env):
    result = CliRunner().invoke(main, ["export", "--format", "jsonl"])
    assert result.exit_code == 2
    assert "--format jsonl is for `export audits`" in result.output
