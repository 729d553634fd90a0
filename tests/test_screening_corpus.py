"""The note screen measured on a labelled corpus of realistic audit notes (issue 23).

``tests/privacy_corpus/identifying.tsv`` holds notes that carry a personal identifier, each
with the kind it carries; ``safe.tsv`` holds notes about the audit that must pass. Recall
(identifying notes refused) must be at least 95% and false positives (safe notes refused)
at most 2%; every note that the screen missed before issue 23 must be refused, and they
are replayed through ``yos-bot ask`` as an auditor types them.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.domain.monitoring.privacy import normalise, screen_note
from tests import launch
from tests.conftest import bundled_store_at

CORPUS = Path(__file__).parent / "privacy_corpus"
MIN_RECALL = 0.95
MAX_FALSE_POSITIVES = 0.02
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def _lines(name: str) -> list[str]:
    """The notes of a corpus file: comments and blank lines left out, ``\\uXXXX`` read as
    the character it stands for."""
    text = (CORPUS / name).read_text(encoding="utf-8")
    return [
        _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), line)
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    ]


IDENTIFYING: list[tuple[str, str]] = [
    (kind, note) for kind, note in (line.split("\t", 1) for line in _lines("identifying.tsv"))
]
SAFE: list[str] = _lines("safe.tsv")

# The notes issue 23 found the screen missing, as the issue lists them.
ISSUE_MISSED = [
    "DOB 03/0\u200b4/2008",
    "DOB\u200b 03/04/2008",
    "DOB 03/04/\uff12\uff10\uff10\uff18",
    "tel 07700\uff19\uff10\uff10123",
    "b. 14/03/2007",
    "d/o/b 14/03/2007",
    "dob03/04/2008",
    "DOB 03\u201304\u20132008",
    "DOB 03 04 2008",
    "NI AB 12 34 56 C",
    "case 23/0451 review late",
    "ref no. AB/12345",
    "YP jordan smith plan late",
    "YP JORDAN SMITH",
    "YP: Harvey W.",
    "YP Jordan",
    "Mia Thompson, looked after child, missed review",
    "child K.L. not seen for 6 weeks",
    "Kayden not seen since move",
    "jordan smith missed 3 appts",
    "Riley O'Brien's plan late",
    "Ellie-Mae, Year 10 at Northfield School",
    "address 4 Elm Road Stockton",
    "lives with nan at 22 Oxbridge Lane",
    "TS18\u00a01AA",
    "mum's email jane.doe(at)gmail.com",
    "nhs: 943.476.5919",
    "077OO 9OO123",
    "Brooklyn, fourteen, missed session",
    "Jordan is 15",
]
# What the issue asks to pass.
ISSUE_SAFE = [
    "3 plans lacked victim work",
    "ASSET+ not updated within 10 days",
    "Harbour Team",
    "Mental Health in Schools Team",
    "case 7: review late after move",
]


def test_the_corpus_is_large_and_half_of_it_identifying():
    assert len(IDENTIFYING) + len(SAFE) >= 300
    assert len(IDENTIFYING) >= len(SAFE)
    assert len({note for _, note in IDENTIFYING}) == len(IDENTIFYING), "a note twice"
    assert len(set(SAFE)) == len(SAFE), "a safe note twice"
    kinds = Counter(kind for kind, _ in IDENTIFYING)
    assert set(kinds) == {
        "dob",
        "ni",
        "case_ref",
        "nhs",
        "pnc",
        "phone",
        "email",
        "address",
        "postcode",
        "age",
        "name",
    }
    notes = {note for _, note in IDENTIFYING}
    assert all(note in notes for note in ISSUE_MISSED)
    assert all(note in SAFE for note in ISSUE_SAFE)


def test_recall_and_false_positives_on_the_corpus():
    missed = [(kind, note) for kind, note in IDENTIFYING if not screen_note(note)]
    flagged = [(note, screen_note(note)) for note in SAFE if screen_note(note)]
    recall = 1 - len(missed) / len(IDENTIFYING)
    false_positives = len(flagged) / len(SAFE)
    by_kind = Counter(kind for kind, _ in IDENTIFYING)
    missed_by_kind = Counter(kind for kind, _ in missed)
    print(
        f"\nrecall {len(IDENTIFYING) - len(missed)}/{len(IDENTIFYING)} ({recall:.1%}); "
        f"false positives {len(flagged)}/{len(SAFE)} ({false_positives:.1%})"
    )
    for kind in sorted(by_kind):
        print(f"  {kind}: {by_kind[kind] - missed_by_kind[kind]}/{by_kind[kind]}")
    for kind, note in missed:
        print(f"  missed ({kind}): {note!r}")
    for note, findings in flagged:
        print(f"  flagged: {note!r}: {[f.reason for f in findings]}")
    assert recall >= MIN_RECALL, missed
    assert false_positives <= MAX_FALSE_POSITIVES, flagged


@pytest.mark.parametrize("note", ISSUE_MISSED)
def test_every_note_the_issue_found_missed_is_refused(note):
    assert screen_note(note), note


@pytest.mark.parametrize("note", ISSUE_SAFE)
def test_the_notes_the_issue_names_as_safe_pass(note):
    assert screen_note(note) == []


def test_a_finding_is_shown_masked_from_the_note_as_meant():
    [finding] = screen_note("tel 07700\uff19\uff10\uff10123")
    assert finding.kind == "phone"
    assert finding.text == "0••••••••••"
    [finding] = screen_note("DOB 03/0\u200b4/2008")
    assert (finding.kind, finding.text) == ("date_of_birth", "0•/0•/2•••")
    [finding] = screen_note("address 4 Elm Road Stockton")
    assert finding.kind == "address" and finding.text == "4 E•• R•••"


def test_normalising_reads_the_note_as_meant():
    assert normalise("DOB 03/0\u200b4/\uff12\uff10\uff10\uff18") == "DOB 03/04/2008"
    assert normalise("077OO 9OO123") == "07700 900123"
    assert normalise("TS18\u00a01AA") == "TS18 1AA"
    assert normalise("03\u201304\u20142008") == "03-04-2008"
    assert normalise("Riley O\u2019Brien") == "Riley O'Brien"
    # Letters stay letters outside a number.
    assert normalise("Olly looked at R1 and 10am") == "Olly looked at R1 and 10am"
    assert normalise("Io lol Oo") == "Io lol Oo"


# --- end to end: as an auditor types it ------------------------------------------------------


@pytest.fixture
def cli(tmp_path, monkeypatch, bundled_store):
    bundled_store_at(tmp_path / "store.db", bundled_store)
    monkeypatch.setenv("YOS_DB", str(tmp_path / "store.db"))
    monkeypatch.setenv("YOS_TODAY", "2014-02-05")  # January's period still open: nothing is late
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(main, list(args))
        return result.exit_code, result.output

    return run


@pytest.mark.parametrize("note", ISSUE_MISSED)
def test_yos_bot_ask_refuses_every_note_the_issue_listed(cli, note):
    code, said = cli("ask", f"audit R1 17/20 30/01/2014 {note}")
    assert code == 1, said
    assert "could identify a child, so nothing was recorded" in said
    assert "--checked" in said
    code, said = cli("ask", "audits R1")
    assert code == 0 and "No evidence yet" in said, said  # nothing was recorded


def test_yos_bot_ask_records_a_safe_note_and_a_checked_one(cli):
    code, said = cli("ask", "audit R1 17/20 30/01/2014 3 plans lacked victim work")
    assert code == 0, said
    code, said = cli("ask", "audit R1 18/20 31/01/2014 YP Jordan --checked")
    assert code == 0, said


def test_the_installed_command_refuses_them_too(tmp_path):
    """The real ``yos-bot`` process, as the issue replays it, for a handful of the notes:
    the first through the console script pip installed, the rest as ``python -m bot``."""
    env = {"YOS_DB": str(tmp_path / "store.db"), "YOS_TODAY": "2014-02-05", "PATH": ""}
    script = Path(sys.executable).parent / "yos-bot"
    assert script.exists()
    notes = (
        "DOB 03/0\u200b4/2008",
        "tel 07700\uff19\uff10\uff10123",
        "YP jordan smith plan late",
        "lives with nan at 22 Oxbridge Lane",
        "mum's email jane.doe(at)gmail.com",
        "Jordan is 15",
    )
    for number, note in enumerate(notes):
        args = ["ask", f"audit R1 17/20 30/01/2014 {note}"]
        if number == 0:
            result = subprocess.run(
                [str(script), *args], capture_output=True, text=True, env=env, timeout=60
            )
        else:
            result = launch.run(args, env=env)
        assert result.returncode == 1, (note, result.stdout, result.stderr)
        assert "could identify a child" in result.stdout, note
