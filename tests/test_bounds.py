"""Bounded work and clear replies (issue 12): numbers checked before arithmetic, texts
capped, data files bounded and refused whole with the file, the place and the problem."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.app import Application, Policy, Request
from bot.app.requests import Platform
from bot.config import PROJECT_ROOT
from bot.domain.monitoring.audits import MAX_NOTE
from bot.forms import FormKind
from bot.render.text import render_text
from bot.reply import Person
from bot.store import StorePool
from bot.store.loader import LoadError, load_files
from bot.store.loader.readers import MAX_FILE_BYTES
from bot.store.loader.schema import MAX_ROWS, MAX_TEXT
from tests.conftest import IN_WINDOW, prepare_from_bundled

SLACK = Platform("slack", invocation="/yos ")
AUDITOR = Person("U0AUDIT", "Alex Auditor", "slack")
BIG = "9" * 4301  # past CPython's limit for converting digits to an int
BUNDLED = PROJECT_ROOT / "data" / "stockton-on-tees-sqs-2013.toml"
_ids = iter(range(1_000_000))


@pytest.fixture
def app(settings, bundled_store) -> Application:
    prepare_from_bundled(settings, bundled_store).close()
    return Application(StorePool(settings.db_path), Policy((AUDITOR.id or "",)), today=IN_WINDOW)


def ask(app: Application, text: str):
    return app.handle(
        Request(SLACK, text=text, user=AUDITOR, conversation="C0", delivery_id=f"b{next(_ids)}")
    ).reply


def said(reply) -> str:
    return " ".join(render_text(reply).split())


# --- numbers and texts typed ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (f"audits {BIG}", "is not a recommendation"),
        (f"audits R1 {BIG}", "Updates (page 1 of 1)"),  # past the last page: the last
        (f"rec {BIG}", "is not a recommendation"),
        (f"report {BIG}", "is not a recommendation"),
        (f"audit undo {BIG}", "There is no audit update #999999999999"),
        (f"audit {BIG} 17/20", "not a recommendation"),
        (f"audit R1 1/{BIG}", "Write it like"),
        ("audit R1 1/99999999999999999999", "Write it like"),
        (f"audit R1 {BIG}%", "Write it like"),
        (f"services {BIG}", "is not a page number"),
        ("audits R1 ²", "“²” is not a page number."),
        ("audits R1 -1", "is not a page number"),
        ("audit undo ²", "is not an update number"),
        ("audit undo #٣", "is not an update number"),
    ],
)
def test_a_number_nobody_meant_gets_a_clear_reply(app, text, says):
    app.handle(
        Request(
            SLACK, text="audit R1 17/20 first", user=AUDITOR, conversation="C0", delivery_id="f"
        )
    )
    reply = ask(app, text)
    assert "Something went wrong" not in reply.title
    assert says.lower() in said(reply).lower(), said(reply)[:300]
    assert BIG not in said(reply)  # never quoted back whole


def test_a_page_past_the_last_shows_the_last(app):
    for n in range(12):
        late = ' --late "from paper"' if n < 13 else ""  # dated in January's closed period
        ask(app, f"audit R1 {n % 20}/20 2014-02-{n + 1:02d} entry {n}{late}")
    assert "Updates (page 2 of 2)" in said(ask(app, "audits R1 99999999999"))
    assert "Updates (page 2 of 2)" in said(ask(app, "audits R1 0002"))


def test_a_long_note_is_refused_with_its_length(app):
    reply = ask(app, f"audit R1 17/20 {'x' * (MAX_NOTE + 1)}")
    assert not reply.ok
    assert "The note is 1,001 characters long; the limit is 1,000." in said(reply)


def test_the_form_refuses_numbers_too_long_to_be_case_counts(app):
    request = Request(SLACK, user=AUDITOR, conversation="C0", delivery_id="view:V9", via="form")
    refused = app.submit_form(
        request,
        FormKind.AUDIT,
        {"recommendation": "R1", "audit_date": "2014-02-20", "audited": BIG, "compliant": "9" * 20},
    )
    assert refused.outcome is None
    assert refused.errors == {
        "audited": "Enter a whole number of cases, like 20.",
        "compliant": "Enter a whole number of cases, like 20.",
    }


# --- data files ------------------------------------------------------------------------------


def _file(tmp_path: Path, old: str, new: str, name: str = "changed.toml") -> Path:
    text = BUNDLED.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _refused(db, path: Path) -> list[str]:
    before = db.execute("SELECT count(*) FROM inspections").fetchone()[0]
    with pytest.raises(LoadError) as refused:
        load_files(db, [path])
    assert db.execute("SELECT count(*) FROM inspections").fetchone()[0] == before
    return refused.value.problems


def test_dates_must_fall_between_2000_and_a_year_from_today(db, tmp_path):
    early = _refused(db, _file(tmp_path, "published = 2013-12-18", "published = 1999-12-31"))
    assert any(
        re.search(r"changed\.toml: inspections\[0\]\.published: must be from 2000-01-01 to", p)
        and p.endswith("got 1999-12-31")
        for p in early
    ), early
    later = (date.today() + timedelta(days=400)).isoformat()
    late = _refused(db, _file(tmp_path, "monitor_start = 2014-01-14", f"monitor_start = {later}"))
    assert any("recommendations[0].monitor_start: must be from 2000-01-01" in p for p in late)


def test_a_monitoring_window_must_end_before_2100(db, tmp_path):
    path = _file(tmp_path, "monitor_months = 3", "monitor_months = 60")
    text = path.read_text(encoding="utf-8").replace(
        "monitor_start = 2014-01-14", "monitor_start = 2096-06-01"
    )
    path.write_text(text, encoding="utf-8")
    problems = _refused(db, path)
    assert any("must be from 2000-01-01" in p for p in problems)  # 2096 is too far ahead too


def test_a_window_ending_in_2100_is_named(tmp_path):
    from bot.store.loader.readers import _check_window_end
    from bot.store.loader.schema import Checker

    check = Checker("far.toml", today=date(2096, 1, 1))
    _check_window_end(check, date(2096, 6, 1), 60, "inspections[0].recommendations[0]")
    assert check.problems == [
        "far.toml: inspections[0].recommendations[0]: a window of 60 months from 2096-06-01 "
        "ends in 2100 or later; a monitoring window must end before 2100-01-01"
    ]


def test_a_text_field_is_bounded(db, tmp_path):
    long = "x" * (MAX_TEXT + 1)
    problems = _refused(
        db, _file(tmp_path, 'programme_short = "SQS"', f'programme_short = "{long}"')
    )
    assert any(
        p.endswith(
            f"inspections[0].programme_short: is 20,001 characters long; at most {MAX_TEXT:,}"
        )
        for p in problems
    ), problems
    assert not any(long in p for p in problems)


def test_a_table_is_bounded(db, tmp_path):
    path = tmp_path / "many.toml"
    path.write_text("[[services]]\nid = 'x'\nname = 'X'\n" * (MAX_ROWS + 1), encoding="utf-8")
    assert any("services: has 10,001 entries; at most 10,000" in p for p in _refused(db, path))


def test_a_byte_that_is_not_utf8_is_named_by_line_and_column(db, tmp_path):
    raw = BUNDLED.read_bytes().replace(b'programme_short = "SQS"', b'programme_short = "SQ\xff"')
    path = tmp_path / "latin.toml"
    path.write_bytes(raw)
    before = raw[: raw.index(b"\xff")]
    line, column = before.count(b"\n") + 1, len(before) - before.rfind(b"\n")
    assert before.endswith(b'\nprogramme_short = "SQ') and column == 22
    [problem] = _refused(db, path)
    assert problem == (
        f"{path}: line {line}, column {column}: not UTF-8 (byte 0xff); save the file as UTF-8"
    )


def test_a_byte_order_mark_is_accepted(db, tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + BUNDLED.read_bytes())
    load_files(db, [path])


def test_a_file_too_large_is_refused_before_it_is_read(db, tmp_path):
    path = tmp_path / "huge.toml"
    with path.open("wb") as out:
        out.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing is written or read
    [problem] = _refused(db, path)
    assert problem == f"{path}: is 10,000,001 bytes; a data file is at most 10,000,000"
