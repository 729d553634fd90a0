"""Reading what an auditor typed after the command word: R1 17/20 30/01/2014 January audit."""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.monitoring import audit_input
from bot.domain.monitoring.audit_input import (
    MAX_CASES,
    MAX_NOTE,
    MAX_TEXT,
    AuditInput,
    AuditInputProblem,
    Field,
    find_date,
    parse_audit_input,
    parse_date,
)

MARCH_30 = date(2014, 3, 30)  # a Sunday
SEPT_30 = date(2014, 9, 30)  # a Tuesday
EXAMPLE = "For example: audit R1 17/20 30/01/2014 January audit"
FIELDS = {None, *get_args(Field)}  # what a refusal may point at
MONTHS = [
    *("January", "February", "March", "April", "May", "June", "July", "August"),
    *("September", "October", "November", "December"),
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# Full-width digits and an en dash, written as escapes so they cannot be mistaken on screen.
WIDE_20, WIDE_30, WIDE_2014 = "\uff12\uff10", "\uff13\uff10", "\uff12\uff10\uff11\uff14"
EN_DASH = "\u2013"


def problem(text: str) -> AuditInputProblem:
    with pytest.raises(AuditInputProblem) as caught:
        parse_audit_input(text)
    return caught.value


def date_problem(text: str) -> AuditInputProblem:
    with pytest.raises(AuditInputProblem) as caught:
        parse_date(text)
    return caught.value


def read_or_refuse(text: str) -> AuditInput | AuditInputProblem:
    """What the parser does with ``text``; anything but AuditInputProblem fails the test."""
    try:
        return parse_audit_input(text)
    except AuditInputProblem as refused:
        assert refused.message and refused.message == str(refused)
        assert refused.field in FIELDS
        # The platform's command prefix is the caller's to add; it appears only when quoted.
        assert "/yos" not in refused.message or "/yos" in text
        assert len(refused.message) < 400  # what was typed is quoted back cut short
        return refused


# --- the whole input ---------------------------------------------------------------------------


def test_the_example_reads_in_full():
    assert parse_audit_input("R1 17/20 30/01/2014 January audit") == AuditInput(
        ref="R1",
        audited=20,
        compliant=17,
        percent=None,
        audit_date=date(2014, 1, 30),
        note="January audit",
        outside_confirmed=False,
        note_checked=False,
    )


def test_only_the_recommendation_and_figures_are_needed():
    assert parse_audit_input("R1 85%") == AuditInput(
        ref="R1",
        audited=None,
        compliant=None,
        percent=85.0,
        audit_date=None,
        note=None,
        outside_confirmed=False,
        note_checked=False,
    )


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_nothing_typed_asks_for_the_recommendation(text):
    refused = problem(text)
    assert refused.field == "recommendation"
    assert EXAMPLE in refused.message


def test_text_over_the_slack_limit_is_refused_before_anything_else():
    refused = problem("Z" * (MAX_TEXT + 1))  # not a recommendation either: the length comes first
    assert refused.field is None
    assert "40,001 characters" in refused.message
    assert "40,000" in refused.message


def test_text_at_the_slack_limit_is_read():
    text = "R1 17/20 " + "x" * (MAX_TEXT - len("R1 17/20 "))
    assert len(text) == MAX_TEXT
    assert problem(text).field == "note"  # read as far as the note, which is too long


# --- the recommendation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "ref"),
    [("R1", "R1"), ("r1", "R1"), ("1", "R1"), ("R01", "R1"), ("r007", "R7"), ("R12", "R12")],
)
def test_recommendations(typed, ref):
    assert parse_audit_input(f"{typed} 17/20").ref == ref


@pytest.mark.parametrize(
    "typed", ["X1", "R", "R0", "0", "R1.5", "R1234", "R²", "R¹", "Recommendation1", "17/20"]
)
def test_anything_else_is_not_a_recommendation(typed):
    refused = problem(f"{typed} 17/20 note")
    assert refused.field == "recommendation"
    assert EXAMPLE in refused.message
    assert "/yos" not in refused.message


def test_a_space_inside_the_recommendation_is_explained():
    refused = problem("R 1 17/20")
    assert refused.field == "recommendation"
    assert "without a space" in refused.message


# --- the figures -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("figures", "compliant", "audited"),
    [
        ("17/20", 17, 20),
        ("17 / 20", 17, 20),
        ("17/ 20", 17, 20),
        ("17 /20", 17, 20),
        ("17 of 20", 17, 20),
        ("17 out of 20", 17, 20),
        ("17 OUT OF 20", 17, 20),
        ("17/20,", 17, 20),
        ("0/1", 0, 1),
        ("20/20", 20, 20),
        ("017/020", 17, 20),
        (f"{MAX_CASES}/{MAX_CASES}", MAX_CASES, MAX_CASES),
        ("0" * 4_300 + "1/2", 1, 2),  # leading zeros past CPython's int() digit limit
    ],
)
def test_counts(figures, compliant, audited):
    read = parse_audit_input(f"R1 {figures} 30/03/2014 note")
    assert (read.compliant, read.audited, read.percent) == (compliant, audited, None)
    assert (read.audit_date, read.note) == (MARCH_30, "note")


@pytest.mark.parametrize(
    ("figures", "percent"),
    [
        ("85%", 85.0),
        ("85 %", 85.0),
        ("85.5%", 85.5),
        ("85.5 %", 85.5),
        ("0%", 0.0),
        ("100%", 100.0),
        ("100.0%", 100.0),
        ("007%", 7.0),
        ("12.345678%", 12.345678),
    ],
)
def test_percentages(figures, percent):
    read = parse_audit_input(f"R1 {figures} 30/03/2014 note")
    assert (read.compliant, read.audited, read.percent) == (None, None, percent)
    assert (read.audit_date, read.note) == (MARCH_30, "note")


@pytest.mark.parametrize(
    ("figures", "field", "says"),
    [
        ("21/20", "compliant", "21 compliant out of 20 audited is not possible."),
        (
            "1/99999999999999999999",
            "audited",
            "1/99999999999999999999: at most 100,000 cases can be recorded in one audit.",
        ),
        ("1/100001", "audited", "at most 100,000 cases"),
        ("100001/100001", "compliant", "at most 100,000 cases"),
        ("1/" + "9" * 4_301, "audited", "at most 100,000 cases"),
        ("9" * 4_301 + "/1", "compliant", "at most 100,000 cases"),
        ("9" * 4_301 + " of " + "9" * 4_301, "compliant", "at most 100,000 cases"),
        ("0/0", "audited", "at least one case"),
        ("5/0", "audited", "at least one case"),
        ("-1/20", "compliant", "cannot be negative"),
        ("17/-20", "audited", "cannot be negative"),
        ("-1 of 20", "compliant", "cannot be negative"),
        ("17.5/20", "compliant", "whole numbers"),
        ("1²/20", "compliant", "digits 0 to 9"),
        ("²/20", "compliant", "digits 0 to 9"),
        (f"17/{WIDE_20}", "audited", "digits 0 to 9"),
        ("1,000/2,000", "compliant", "is not a number of cases"),
        ("seventeen/20", "compliant", "is not a number of cases"),
        ("150%", "compliant", "a percentage is from 0 to 100"),
        ("100.5%", "compliant", "a percentage is from 0 to 100"),
        ("100.000001%", "compliant", "a percentage is from 0 to 100"),
        ("9" * 4_301 + "%", "compliant", "a percentage is from 0 to 100"),
        ("-5%", "compliant", "cannot be negative"),
        ("85²%", "compliant", "digits 0 to 9"),
        ("85.1234567%", "compliant", "decimal places"),
        ("1." + "5" * 4_301 + "%", "compliant", "decimal places"),
        ("85.5.5%", "compliant", "is not a percentage"),
        ("nan%", "compliant", "is not a percentage"),
        ("inf%", "compliant", "is not a percentage"),
        ("1e2%", "compliant", "is not a percentage"),
        (".5%", "compliant", "is not a percentage"),
        ("17", "compliant", "is not a result"),
        ("17 out 20", "compliant", "is not a result"),
        ("February audit", "compliant", "is not a result"),
        ("30/01/2014 17/20", "compliant", "is not a result"),
        ("/20", "compliant", "is not a result"),
        ("%", "compliant", "is not a result"),
        ("17 of", "audited", "give the number audited"),
        ("17 out of", "audited", "give the number audited"),
        ("17 /", "audited", "give the number audited"),
    ],
)
def test_impossible_or_unreadable_figures(figures, field, says):
    refused = problem(f"R1 {figures}")
    assert refused.field == field
    assert says in refused.message
    assert len(refused.message) < 400


def test_missing_figures_say_how_to_write_them():
    refused = problem("R1")
    assert refused.field == "compliant"
    assert "17/20" in refused.message and "85%" in refused.message
    assert EXAMPLE in refused.message


def test_the_brief_s_exact_wording_for_too_many_compliant():
    assert problem("R1 21/20").message.startswith("21 compliant out of 20 audited is not possible.")


# --- dates -------------------------------------------------------------------------------------

MARCH_30_FORMS = [
    "2014-03-30",
    "2014-3-30",
    "2014/03/30",
    "30/03/2014",
    "30/3/2014",
    "30/03/14",
    "30/3/14",
    "30.03.2014",
    "30.3.14",
    "30-03-2014",
    "30-3-14",
    "30 March 2014",
    "30 march 2014",
    "30 MARCH 2014",
    "30 Mar 2014",
    "30 Mar. 2014",
    "30th March 2014",
    "30TH March 2014",
    "30th of March 2014",
    "30 March, 2014",
    "March 30, 2014",
    "March 30 2014",
    "March 30th, 2014",
    "Mar 30 2014",
    "30-Mar-2014",
    "30/Mar/2014",
    "30/03/2014,",
    "30.03.2014.",
    "Sunday 30 March 2014",
    "Sunday, 30 March 2014",
    "Sun 30 Mar 2014",
]
SEPT_30_FORMS = [
    "30 Sept 2014",
    "30 Sep 2014",
    "30 September 2014",
    "30th Sept. 2014",
    "Sept 30, 2014",
    "Sep. 30, 2014",
    "September 30 2014",
    "30-Sep-2014",
    "30/09/2014",
    "Tuesday 30 September 2014",
]
ALL_FORMS = [(form, MARCH_30) for form in MARCH_30_FORMS] + [
    (form, SEPT_30) for form in SEPT_30_FORMS
]


@pytest.mark.parametrize(("written", "day"), ALL_FORMS)
def test_every_date_form_reads_the_same(written, day):
    assert parse_date(written) == day
    assert parse_date(f"on {written}") == day
    assert find_date([*written.split(), "January", "audit"]) == (day, ["January", "audit"])
    read = parse_audit_input(f"R1 17/20 {written} January audit")
    assert (read.audit_date, read.note) == (day, "January audit")
    read = parse_audit_input(f"R1 85% on {written}")
    assert (read.audit_date, read.note, read.percent) == (day, None, 85.0)


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("1st April 2014", date(2014, 4, 1)),
        ("2nd May 2014", date(2014, 5, 2)),
        ("3rd June 2014", date(2014, 6, 3)),
        ("22nd July 2014", date(2014, 7, 22)),
        ("29/02/2016", date(2016, 2, 29)),
        ("1/1/00", date(2000, 1, 1)),
        ("31/12/99", date(2099, 12, 31)),
        ("12/12/2014", date(2014, 12, 12)),
        ("13/12/2014", date(2014, 12, 13)),
    ],
)
def test_more_dates(written, day):
    assert parse_date(written) == day


@pytest.mark.parametrize(
    ("written", "example"),
    [
        ("03/30/2014", "30/03/2014"),
        ("3/30/14", "30/3/14"),
        ("12/13/2014", "13/12/2014"),
        ("1-31-2014", "31-1-2014"),
        ("02/30/2014", "30/01/2014"),  # 30/02 is no date either: a plain example instead
    ],
)
def test_month_day_is_refused_never_swapped(written, example):
    refused = date_problem(written)
    assert refused.field == "audit_date"
    assert refused.message == (
        f"{written} reads as month/day; write dates day/month/year, e.g. {example}."
    )
    assert problem(f"R1 17/20 {written} note").message == refused.message


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("31/02/2014", "February 2014 has 28 days"),
        ("29/02/2015", "February 2015 has 28 days"),
        ("2014-02-30", "February 2014 has 28 days"),
        ("31/04/2014", "April 2014 has 30 days"),
        ("31 April 2014", "April 2014 has 30 days"),
        ("32/01/2014", "January 2014 has 31 days"),
        ("00/01/2014", "January 2014 has 31 days"),
        ("2014-13-01", "there is no month 13"),
        ("30/00/2014", "there is no month 0"),
        ("2014-00-10", "there is no month 0"),
    ],
)
def test_impossible_dates_are_refused_by_name(written, says):
    refused = problem(f"R1 17/20 {written} note")
    assert refused.field == "audit_date"
    assert refused.message.startswith(f"{written} is not a real date")
    assert says in refused.message


@pytest.mark.parametrize("written", ["30/03/1999", "31/12/1999", "2100-01-01", "30 March 1999"])
def test_years_outside_2000_to_2099_are_refused(written):
    refused = date_problem(written)
    assert refused.field == "audit_date"
    assert written in refused.message
    assert "between 2000 and 2099" in refused.message


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        ("30/03/20145", "is not a date I can read"),
        ("300/03/2014", "is not a date I can read"),
        ("30/03/201", "is not a date I can read"),
        ("2014-003-30", "is not a date I can read"),
        ("1.2.3.4", "is not a date I can read"),
        ("30//2014", "is not a date I can read"),
        ("30/03-2014", "is not a date I can read"),
        ("2014-03-30T10:00", "is not a date I can read"),
        ("(30/03/2014)", "is not a date I can read"),
        ("30-Mar", "is not a date I can read"),
        ("Mar-2014", "is not a date I can read"),
        ("on 30/03", "is not a date I can read"),
        ("on 2014-03", "is not a date I can read"),
        ("300 March 2014", "is not a date I can read"),
        ("30 March twenty", "has no year"),
        ("30 March", "has no year"),
        ("30th of March", "has no year"),
        ("March 30", "has no year"),
        ("March 2014", "has no day"),
        ("30 March 14", "write the year in full"),
        ("yesterday", "write the audit date itself"),
        ("Tomorrow,", "write the audit date itself"),
        ("on Monday", "write the audit date itself"),
        ("Monday 30 March 2014", "30 March 2014 was a Sunday, not a Monday"),
        (f"{WIDE_30}/03/2014", "digits 0 to 9"),
        ("30²/03/2014", "digits 0 to 9"),
        (f"{WIDE_30} March 2014", "digits 0 to 9"),
        (f"30 March {WIDE_2014}", "digits 0 to 9"),
    ],
)
def test_date_attempts_that_cannot_be_read_are_never_the_note(attempt, says):
    refused = problem(f"R1 17/20 {attempt} note")
    assert refused.field == "audit_date"
    assert says in refused.message
    assert "30/01/2014" in refused.message or "check the date" in refused.message
    assert date_problem(attempt).message == refused.message


@pytest.mark.parametrize(
    "note",
    [
        "January audit",
        "may need work",
        "2.5 hours",
        "3/4 files missing plans",
        "on target",
        "on",
        "today",
        "today's audit",
        "20 cases",
        "17 of 20 last time",
        "Monday team audit",
        "mid-March review",
        "2014/15 plan",
        "-5 on last month",
        "-- done --",
        "-outside",
        "audit 30/01/2014",  # a date after the start of the note is part of the note
    ],
)
def test_notes_that_merely_mention_numbers_or_months(note):
    read = parse_audit_input(f"R1 17/20 {note}")
    assert (read.audit_date, read.note) == (None, note)
    assert find_date(note.split()) == (None, note.split())


def test_find_date_without_a_date_leaves_the_words_alone():
    assert find_date([]) == (None, [])
    words = ["on", "target"]
    found, rest = find_date(words)
    assert (found, rest) == (None, ["on", "target"])
    rest.append("changed")
    assert words == ["on", "target"]


@pytest.mark.parametrize("text", ["", "  ", "30/03/2014 extra", "note", "on", "today"])
def test_parse_date_wants_one_date_and_nothing_else(text):
    refused = date_problem(text)
    assert refused.field == "audit_date"
    assert "30/01/2014" in refused.message


def test_parse_date_refuses_text_over_the_limit():
    assert date_problem("1" * (MAX_TEXT + 1)).field == "audit_date"


# --- flags and the note ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "outside", "checked", "note"),
    [
        ("R1 17/20 --outside", True, False, None),
        ("R1 17/20 --checked first visit", False, True, "first visit"),
        ("R1 17/20 30/01/2014 first --outside second", True, False, "first second"),
        ("R1 17/20 note --CHECKED --outside", True, True, "note"),
        ("R1 17/20 —outside note", True, False, "note"),  # a smart-punctuation em dash
        (f"R1 17/20 {EN_DASH}checked note", False, True, "note"),  # an en dash
        ("R1 --outside 17/20 note", True, False, "note"),
        ("--checked R1 17/20 note", False, True, "note"),
        ("R1 17/20 --outside 30/01/2014 note", True, False, "note"),
        ("R1 17/20 --outside --outside", True, False, None),
        ("R1 17/20 first\n--outside\nsecond", True, False, "first\nsecond"),
    ],
)
def test_flags_are_found_anywhere_and_taken_out_of_the_note(text, outside, checked, note):
    read = parse_audit_input(text)
    assert (read.outside_confirmed, read.note_checked, read.note) == (outside, checked, note)
    assert read.compliant == 17


def test_the_date_is_still_read_after_a_flag():
    read = parse_audit_input("R1 17/20 --outside 30/01/2014 note")
    assert read.audit_date == date(2014, 1, 30)


@pytest.mark.parametrize("typo", ["--outisde", "--check", "--Outsides", "--note"])
def test_an_unknown_option_is_refused_not_filed_as_the_note(typo):
    refused = problem(f"R1 17/20 note {typo}")
    assert typo in refused.message
    assert "--outside and --checked" in refused.message


def test_the_note_is_trimmed_with_its_own_spacing_and_line_breaks():
    read = parse_audit_input("R1 17/20 30/01/2014   first  line\n\nsecond line \n ")
    assert read.note == "first  line\n\nsecond line"


def test_a_note_at_the_limit_is_kept():
    note = "x" * MAX_NOTE
    assert parse_audit_input(f"R1 17/20 {note} --checked").note == note


def test_a_note_over_the_limit_says_how_long_it_is():
    refused = problem("R1 17/20 " + "x" * (MAX_NOTE + 1))
    assert refused.field == "note"
    assert "1,001 characters" in refused.message
    assert "1,000" in refused.message


# --- hostile input -----------------------------------------------------------------------------

HOSTILE: dict[str, Callable[[int], str]] = {
    "digits": lambda n: "1" * n,
    "slashes": lambda n: "/" * n,
    "figures": lambda n: ("R1 " + "1/" * n)[:n],
    "huge count": lambda n: "R1 1/" + "9" * (n - 5),
    "zeros": lambda n: "R1 " + "0" * (n - 7) + "1/2",
    "huge percent": lambda n: "R1 " + "9" * (n - 4) + "%",
    "long fraction": lambda n: "R1 1." + "5" * (n - 6) + "%",
    "date parts": lambda n: ("R1 17/20 " + "30/" * n)[:n],
    "mixed separators": lambda n: ("R1 17/20 " + "1-2." * n)[:n],
    "ons": lambda n: ("R1 17/20 " + "on " * n)[:n],
    "weekdays": lambda n: ("R1 17/20 " + "Monday " * n)[:n],
    "months": lambda n: ("R1 17/20 " + "March " * n)[:n],
    "ordinals": lambda n: ("R1 17/20 " + "1st" * n)[:n],
    "dashes": lambda n: ("R1 17/20 " + "-" * n)[:n],
    "flags": lambda n: ("R1 17/20 " + "--outside " * n)[:n],
    "unknown flag": lambda n: "R1 17/20 --" + "x" * (n - 11),
    "wide digits": lambda n: ("R1 17/20 " + f"{WIDE_30[0]}/" * n)[:n],
    "superscripts": lambda n: ("R1 " + "²" * n)[:n],
    "words": lambda n: ("R1 17/20 " + "a " * n)[:n],
    "whitespace": lambda n: "R1 17/20 x" + " \n\t" * (n // 3 - 5) + "y",
}


@pytest.mark.parametrize("build", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_text_at_the_slack_limit_is_read_or_refused(build):
    text = build(MAX_TEXT)
    assert MAX_TEXT - 20 <= len(text) <= MAX_TEXT
    read_or_refuse(text)


def traced_lines(text: str) -> int:
    """How many lines of audit_input run while reading ``text``: a clock-free measure of work."""
    filename = audit_input.__file__
    lines = 0

    def count(frame, event, arg):
        nonlocal lines
        if event == "line":
            lines += 1
        return count

    def calls(frame, event, arg):
        return count if frame.f_code.co_filename == filename else None

    previous = sys.gettrace()
    sys.settrace(calls)
    try:
        read_or_refuse(text)
    finally:
        sys.settrace(previous)
    return lines


@pytest.mark.parametrize("build", HOSTILE.values(), ids=HOSTILE.keys())
def test_work_grows_linearly_with_the_text(build):
    small, large = traced_lines(build(1_000)), traced_lines(build(10_000))
    assert large <= 12 * small + 100, (small, large)  # quadratic work would be about 100 times


def test_the_module_uses_the_standard_library_only():
    tree = ast.parse(Path(audit_input.__file__).read_text())
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    imported |= {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert {name.split(".")[0] for name in imported} <= set(sys.stdlib_module_names) | {
        "__future__"
    }


# --- properties --------------------------------------------------------------------------------

TRICKY = [
    "R1",
    "r1",
    "1",
    "R",
    "R0",
    "17/20",
    "17",
    "/",
    "20",
    "of",
    "out",
    "%",
    "85%",
    "85.5",
    "on",
    "On",
    "30",
    "30th",
    "1st",
    "March",
    "mar.",
    "Sept",
    "may",
    "2014",
    "14",
    "30/03/2014",
    "03/30/2014",
    "31/02/2014",
    "2014-13-01",
    "2014-3-30",
    "30-Mar-2014",
    "Monday",
    "Sunday,",
    "yesterday",
    "today",
    "--outside",
    "--checked",
    "—outside",
    "--x",
    "-",
    "--",
    ".",
    ",",
    "²",
    WIDE_30,
    "0",
    "00",
    "-1",
    "1e9",
    "nan%",
    "9" * 30,
    "1/",
    "/2",
    ".5",
    "..",
    "//",
    "30.03",
    "st",
    "1/99999999999999999999",
    "100%",
    "101%",
    "of",
    "Feb",
    "29",
    "2016",
    "x" * 50,
]
tricky_text = st.lists(
    st.one_of(st.sampled_from(TRICKY), st.text(max_size=6)), max_size=14
).flatmap(lambda words: st.sampled_from([" ", "  ", "\n", "\t"]).map(lambda gap: gap.join(words)))


@given(st.text(max_size=300))
def test_arbitrary_text_is_read_or_refused_never_crashes(text):
    read_or_refuse(text)


@given(tricky_text)
def test_near_miss_text_is_read_or_refused_never_crashes(text):
    result = read_or_refuse(text)
    if isinstance(result, AuditInput):
        assert result.ref.startswith("R") and result.ref[1:].isdigit()
        assert (result.percent is None) != (result.audited is None)
        if result.audited is not None:
            assert result.compliant is not None
            assert 0 <= result.compliant <= result.audited <= MAX_CASES
            assert result.audited >= 1
        else:
            assert result.percent is not None and 0 <= result.percent <= 100
        if result.audit_date is not None:
            assert 2000 <= result.audit_date.year <= 2099
        if result.note is not None:
            assert result.note == result.note.strip() and result.note
            assert "--outside" not in result.note.split()


@given(st.lists(st.one_of(st.sampled_from(TRICKY), st.text(max_size=6)), max_size=8))
def test_dates_are_found_or_refused_never_crash(words):
    for call in (lambda: find_date(words), lambda: parse_date(" ".join(words))):
        try:
            call()
        except AuditInputProblem as refused:
            assert refused.field == "audit_date"


def ordinal(day: int) -> str:
    suffix = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


DATE_FORMATS: list[Callable[[date], str]] = [
    lambda d: d.isoformat(),
    lambda d: f"{d.year}-{d.month}-{d.day}",
    lambda d: f"{d.day:02}/{d.month:02}/{d.year}",
    lambda d: f"{d.day}/{d.month}/{d.year % 100:02}",
    lambda d: f"{d.day:02}.{d.month:02}.{d.year}",
    lambda d: f"{d.day:02}-{d.month:02}-{d.year}",
    lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}",
    lambda d: f"{d.day} {MONTHS[d.month - 1][:3]} {d.year}",
    lambda d: f"{ordinal(d.day)} {MONTHS[d.month - 1]} {d.year}",
    lambda d: f"{ordinal(d.day)} of {MONTHS[d.month - 1]}, {d.year}",
    lambda d: f"{MONTHS[d.month - 1]} {d.day}, {d.year}",
    lambda d: f"{MONTHS[d.month - 1].lower()} {ordinal(d.day)} {d.year}",
    lambda d: f"{d.day}-{MONTHS[d.month - 1][:3]}-{d.year}",
    lambda d: f"{WEEKDAYS[d.weekday()]} {d.day} {MONTHS[d.month - 1]} {d.year}",
]
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


@given(dates, st.sampled_from(DATE_FORMATS))
def test_every_format_reads_back_every_date(day, write):
    assert parse_date(write(day)) == day


@given(dates.filter(lambda d: d.day > 12))
def test_month_day_order_is_always_refused(day):
    refused = date_problem(f"{day.month:02}/{day.day:02}/{day.year}")
    assert "reads as month/day" in refused.message
    assert f"e.g. {day.day:02}/{day.month:02}/{day.year}." in refused.message


NOTE_WORDS = ["audit", "files", "reviewed", "plans", "good", "needs", "work", "team", "2.5", "3/4"]


@given(
    ref=st.integers(1, 999),
    ref_style=st.sampled_from(["R{}", "r{}", "{}", "R0{}"]),
    audited=st.integers(1, MAX_CASES),
    share=st.floats(0, 1),
    figure_style=st.sampled_from(["{c}/{a}", "{c} / {a}", "{c} of {a}", "{c} out of {a}"]),
    day=st.none() | dates,
    write=st.sampled_from(DATE_FORMATS),
    on=st.booleans(),
    note=st.lists(st.sampled_from(NOTE_WORDS), max_size=5),
    outside=st.booleans(),
)
def test_well_formed_counts_read_back(
    ref, ref_style, audited, share, figure_style, day, write, on, note, outside
):
    compliant = round(audited * share)
    parts = [ref_style.format(ref), figure_style.format(c=compliant, a=audited)]
    if day is not None:
        parts += ["on", write(day)] if on else [write(day)]
    parts += note
    if outside:
        parts.insert(len(parts) - len(note) // 2, "--outside")
    read = parse_audit_input(" ".join(parts))
    assert read == AuditInput(
        ref=f"R{ref}",
        audited=audited,
        compliant=compliant,
        percent=None,
        audit_date=day,
        note=" ".join(note) or None,
        outside_confirmed=outside,
        note_checked=False,
    )


@given(tenths=st.integers(0, 1000), spaced=st.booleans(), day=dates)
def test_well_formed_percentages_read_back(tenths, spaced, day):
    written = f"{tenths // 10}.{tenths % 10}" if tenths % 10 else str(tenths // 10)
    read = parse_audit_input(f"R3 {written}{' ' if spaced else ''}% {day:%d/%m/%Y} --checked")
    assert (read.ref, read.percent, read.audited, read.compliant) == ("R3", tenths / 10, None, None)
    assert (read.audit_date, read.note, read.note_checked) == (day, None, True)
