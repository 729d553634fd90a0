"""The improvement plan through the command layer, with an injected clock, on a FICTIONAL
2021-framework inspection (tests/plan_data/northdale.toml) with 7 recommendations and a
20-action plan imported as councils keep one (tests/plan_files.py)."""

from __future__ import annotations

import functools
import shutil
import sqlite3
import tempfile
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.app.policy import Policy
from bot.commands import Context, dispatch, interpret
from bot.config import settings_from
from bot.domain.inspections.queries import InspectionQueries
from bot.reply import Person
from bot.runtime import prepare_store
from bot.store.loader import load_files
from bot.store.plan_import import PlanImportError, import_plan
from tests.conftest import prepare_from_bundled
from tests.plan_files import plan_rows, write_csv, write_xlsx

DATA = Path(__file__).parent / "plan_data"
AUDITOR = Person("U0AUDITOR", "Alice Auditor", "slack")
OWNER = Person("U0OWNER", "Omar Owner", "slack")
OTHER = Person("U0OTHER", "Olga Other", "slack")
POLICY = Policy(("U0AUDITOR",))
INSPECTION = "northdale-2026"


@pytest.fixture
def store(tmp_path, bundled_store):
    settings = settings_from(
        {"YOS_DB": str(tmp_path / "yos.db"), "YOS_TODAY": "2027-01-15", "YOS_SERVICE": "northdale"}
    )
    db = prepare_from_bundled(settings, bundled_store)
    load_files(db, [DATA / "northdale.toml"])
    yield db
    db.close()


def imported_plan_for_the_command_line(tmp_path, monkeypatch, today: str):
    """Northdale's store with its plan imported (on 15 January 2027), and the environment
    the `yos-bot` command line reads set to it, with ``today`` pinned."""
    path = tmp_path / "yos.db"
    for name, value in {
        "YOS_DB": str(path),
        "YOS_TODAY": today,
        "YOS_SERVICE": "northdale",
    }.items():
        monkeypatch.setenv(name, value)
    shutil.copy(_planned_store(), path)
    db, _ = prepare_store(settings_from({"YOS_DB": str(path), "YOS_SERVICE": "northdale"}))
    # A copy is another store, with its own data generation (see tests/conftest.py).
    db.execute("UPDATE store_generation SET token = random() WHERE id = 1")
    return db


@functools.cache
def _planned_store() -> Path:
    """Northdale's store with its plan imported, made once per test process."""
    folder = Path(tempfile.mkdtemp(prefix="yos-northdale-"))
    db, _ = prepare_store(
        settings_from({"YOS_DB": str(folder / "yos.db"), "YOS_SERVICE": "northdale"})
    )
    load_files(db, [DATA / "northdale.toml"])
    import_plan(db, INSPECTION, write_xlsx(folder / "plan.xlsx"), today=date(2027, 1, 15))
    db.close()
    return folder / "yos.db"


@pytest.fixture
def planned(store, tmp_path):
    import_plan(store, INSPECTION, write_xlsx(tmp_path / "plan.xlsx"), today=date(2027, 1, 15))
    return store


class Clock:
    """Asks as a given person on a given day (the injected clock)."""

    def __init__(self, db) -> None:
        self.db = db
        self.today = date(2027, 1, 15)

    def ctx(self, who: Person = AUDITOR) -> Context:
        return Context(
            queries=InspectionQueries(self.db, "northdale"),
            today=self.today,
            user=who,
            platform="slack",
            via="command",
            allowed=lambda permission: POLICY.allows(who, permission),
            everyone_allowed=POLICY.allows_everyone,
        )

    def ask(self, text: str, who: Person = AUDITOR):
        return dispatch(text, self.ctx(who))

    def text(self, text: str, who: Person = AUDITOR) -> str:
        return said(self.ask(text, who))


def said(reply) -> str:
    """Everything a reply says, one line per part, unwrapped."""
    parts = [reply.title, reply.headline]
    for section in reply.sections:
        parts += [section.heading or "", section.text or "", *section.items]
        parts += [f"{f.label}: {f.value}" for f in section.fields]
    return "\n".join(parts)


@pytest.fixture
def clock(planned) -> Clock:
    return Clock(planned)


def count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# --- import ------------------------------------------------------------------------------


@pytest.mark.parametrize("writer", [write_xlsx, write_csv], ids=["xlsx", "csv"])
def test_a_plan_imports_dry_run_then_real_then_again_with_no_change(store, tmp_path, writer):
    path = writer(tmp_path / f"plan.{'xlsx' if writer is write_xlsx else 'csv'}")
    dry = import_plan(store, INSPECTION, path, today=date(2027, 1, 15), dry_run=True)
    assert dry.actions_added == 20 and dry.dry_run
    assert "Nothing was changed (dry run)" in dry.describe()
    assert count(store, "plan_actions") == 0 and count(store, "plan_history") == 0

    real = import_plan(store, INSPECTION, path, today=date(2027, 1, 15))
    assert (real.actions_added, real.recommendations_added) == (20, 0)
    assert count(store, "plan_actions") == 20
    row = store.execute(
        "SELECT owner_name, agency, due_date, a.reported_rag FROM plan_actions a "
        "JOIN recommendations r ON r.id = a.recommendation_id WHERE r.ref = 'R5' AND number = 1"
    ).fetchone()
    assert tuple(row) == ("Education Lead", "Education", "2027-03-31", "Red")

    again = import_plan(store, INSPECTION, path, today=date(2027, 1, 20))
    assert not again.changed
    assert again.describe() == "20 rows read: the plan is up to date, nothing changed."
    assert count(store, "plan_actions") == 20


def test_an_import_creates_the_recommendations_a_service_has_not_recorded(store, tmp_path):
    # Slough's inspection is in the store from the national table only: no recommendations.
    queries = InspectionQueries(store)
    slough = queries.latest_inspection("slough")
    assert queries.recommendations(slough) == []
    import_plan(store, slough.id, write_csv(tmp_path / "plan.csv"), today=date(2027, 1, 15))
    refs = [r.ref for r in InspectionQueries(store).recommendations(slough)]
    assert refs == ["R1", "R2", "R3", "R4", "R5", "R6", "R7"]


def test_a_bad_row_refuses_the_whole_plan_naming_row_and_column(store, tmp_path):
    rows = plan_rows()
    rows[5][5] = "31/13/2027"  # R1.3's due date: no month 13
    rows[9][7] = "Purple"  # R3.1's RAG
    path = write_xlsx(tmp_path / "bad.xlsx", rows, date_cells=False)
    with pytest.raises(PlanImportError) as refused:
        import_plan(store, INSPECTION, path, today=date(2027, 1, 15))
    assert refused.value.problems == [
        "bad.xlsx: row 6, column F (Due Date): “31/13/2027” is not a real date "
        "(dates are day/month/year)",
        "bad.xlsx: row 10, column H (RAG Status): “Purple” is not a RAG (Red, Amber, Green, "
        "Complete or Not started)",
    ]
    assert count(store, "plan_actions") == 0


def test_plan_import_from_the_command_line(store, tmp_path, monkeypatch):
    from bot.cli import main

    monkeypatch.setenv("YOS_DB", str(tmp_path / "yos.db"))
    path = write_csv(tmp_path / "plan.csv")
    runner = CliRunner()
    dry = runner.invoke(main, ["plan", "import", str(path), "--service", "Northdale", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would make" in dry.output and "20 actions added" in dry.output
    done = runner.invoke(main, ["plan", "import", str(path), "--service", "Northdale"])
    assert "Northdale Youth Justice Service" in done.output and "20 actions added" in done.output
    bad = write_csv(
        tmp_path / "bad.csv",
        [["Ref", "Action", "Due date", "Lead"], ["R1.1", "x", "13/31/2027", "A"]],
    )
    refused = runner.invoke(main, ["plan", "import", str(bad), "--service", "Northdale"])
    assert refused.exit_code != 0
    assert "row 2, column C (Due date)" in refused.output and "nothing changed" in refused.output


# --- the plan and its RAG over time ---------------------------------------------------------


def test_plan_shows_every_recommendation_with_the_rules_rag_and_the_boards(clock):
    text = clock.text("plan")
    for ref in ("R1", "R2", "R3", "R4", "R5", "R6", "R7"):
        assert f"{ref}: " in text
    assert "RAG reported to the board" not in text or "Red" in text
    reply = clock.ask("plan")
    assert reply.headline.startswith(
        "Northdale Youth Justice Service's improvement plan: 7 recommendations"
    )
    r5 = clock.text("rec R5")
    assert "R5.1 Agree an education offer with the virtual school: Education Lead" in r5
    assert "reported to the board: Red" in r5


def test_an_actions_rag_moves_with_the_clock_and_its_progress(clock):
    clock.ask(
        'action add R6 "Quarterly report on disproportionality" owner "Board Chair" due 31/03/2027'
    )
    show = lambda: clock.ask("action R6.4").title  # noqa: E731
    clock.today = date(2027, 2, 1)
    assert show() == "R6.4: Not started"
    clock.ask('action R6.4 progress "Data request sent"')
    assert show() == "R6.4: Green"
    clock.today = date(2027, 3, 20)  # due in 11 days, no progress for 47
    assert show() == "R6.4: Amber"
    assert "no progress in the last 30 days" in clock.ask("action R6.4").headline
    clock.ask('action R6.4 progress "Report drafted"')
    assert show() == "R6.4: Green"
    clock.today = date(2027, 4, 1)
    assert show() == "R6.4: Red"
    assert "1 day past its due date" in clock.ask("action R6.4").headline
    clock.ask('action R6.4 done "Report tabled at the board"')
    assert show() == "R6.4: Complete"


def test_a_due_date_moved_more_than_once_is_amber(clock):
    clock.today = date(2027, 1, 20)
    clock.ask('action R4.3 progress "Course designed"')
    clock.ask('action R4.3 due 31/07/2027 "Trainer unavailable"')
    assert clock.ask("action R4.3").title == "R4.3: Green"
    clock.ask('action R4.3 due 31/08/2027 "Summer holidays"')
    reply = clock.ask("action R4.3")
    assert reply.title == "R4.3: Amber" and "due date moved 2 times" in reply.headline


def test_a_recommendations_rag_follows_its_actions(clock):
    clock.today = date(2027, 4, 2)  # every action due by 31 March is now overdue
    plan = clock.text("plan")
    assert "🔴 R5: Red" in plan
    assert clock.ask("rec R5").title == "R5: Red"
    for number in (1, 2, 3):
        clock.ask(f'action R5.{number} done "Evidence filed"')
    assert clock.ask("rec R5").title == "R5: Green"
    clock.ask('rec R5 close "Reported to the board on 2 April 2027"')
    assert clock.ask("rec R5").title == "R5: Complete"


def test_no_actions_agreed_is_amber_and_an_override_shows_both(clock):
    clock.ask('action R7.1 drop "Merged into R7.2"')
    clock.ask('action R7.2 drop "Policy agreed already"')
    reply = clock.ask("rec R7")
    assert reply.title == "R7: Amber" and "no actions agreed yet" in reply.headline
    clock.ask('rec R7 rag green "Policy agreed with the police in December"')
    reply = clock.ask("rec R7")
    assert reply.headline.startswith(
        "R7: Green, set by Alice Auditor on 15 January 2027: Policy agreed with the police in "
        "December; by the rule: Amber (no actions agreed yet)"
    )
    assert "R7 RAG override (none) → Green: Policy agreed" in clock.text("history R7")


# --- permissions ----------------------------------------------------------------------------


def test_owners_update_their_own_actions_and_others_only_read(clock):
    clock.ask("action R2.1 owner @{U0OWNER|Omar Owner}")
    refused = clock.ask('action R2.1 progress "I did it"', OTHER)
    assert not refused.ok and refused.title == "Only its owner or an auditor can do that"
    assert "R2.1 is owned by Omar Owner" in refused.headline
    assert clock.ask('action R2.1 progress "Guidance revised"', OWNER).ok
    assert not clock.ask('action R2.1 due 30/06/2027 "later"', OWNER).ok  # owners do not move dates
    assert not clock.ask('action add R2 "More" owner me due 01/06/2027', OWNER).ok
    assert not clock.ask("board add 12/03/2027", OTHER).ok
    assert clock.ask("plan", OTHER).ok and clock.ask("action R2.1", OTHER).ok
    clock.today = date(2027, 3, 1)
    assert clock.ask("action R2.1").title == "R2.1: Red"
    done = clock.ask('action R2.1 done "Guidance published on the intranet"', OWNER)
    assert done.ok and done.announcement is not None
    assert clock.ask("action R2.1").title == "R2.1: Complete"
    history = clock.text("history R2.1")
    assert "Omar Owner (via command): R2.1 state in progress → done: RAG Red → Complete" in history
    assert "R2.1 evidence (none) → Guidance published on the intranet" in history
    # The history is append-only, in the store itself.
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        clock.db.execute("DELETE FROM plan_history")


def test_progress_notes_are_notes(clock):
    clock.ask("action R2.1 owner @{U0OWNER}")
    clock.ask('action R2.1 progress "Draft shared with managers"', OWNER)
    assert "Draft shared with managers" in clock.text("action R2.1", AUDITOR)
    other = clock.text("action R2.1", OTHER)
    assert "Draft shared with managers" not in other and "a note was recorded" in other
    refused = clock.ask('action R2.1 progress "Spoke to John Smith, DOB 01/02/2010"', OWNER)
    assert not refused.ok and "identify a child" in refused.headline


# --- evidence -----------------------------------------------------------------------------


def test_supervision_and_measure_evidence_each_have_their_line(clock):
    assert clock.ask("supervision R3 8/10 14/01/2027 January supervisions").ok
    assert clock.ask('measure R3 "plans reviewed on time" 41/53 14/01/2027').ok
    assert clock.ask('measure R3 "plans reviewed on time" target 90').ok
    text = clock.text("rec R3")
    assert "Supervision: 8 of 10 supervisions covered it (80%) on 14 January 2027" in text
    assert "Measure plans reviewed on time: 41/53 (77.4%) on 14 January 2027, target 90%" in text
    assert not clock.ask("supervision R3 11/10", AUDITOR).ok
    assert not clock.ask("measure R3 x 1/2", OTHER).ok


# --- questions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "command", "args"),
    [
        ("what's overdue", "actions", "overdue"),
        ("what is due this month", "actions", "due month"),
        ("who owns R3", "actions", "R3"),
        ("how are we doing on the plan", "plan", ""),
        ("which recommendations are red", "plan", "red"),
        ("when is the next board", "board", ""),
    ],
)
def test_questions_reach_the_plan(clock, question, command, args):
    intent = interpret(question, InspectionQueries(clock.db, "northdale"))
    found, said = intent.command, intent.args
    assert found is not None and (found.name, said) == (command, args)


def test_the_questions_answer(clock):
    clock.today = date(2027, 4, 2)
    overdue = clock.ask("what's overdue")
    assert overdue.headline == "7 actions overdue."
    clock.today = date(2027, 4, 10)
    month = clock.text("what is due this month")
    assert "R1.2 Add a safety analysis prompt" in month and "R1.3" not in month
    assert (
        "owned by Systems Officer, Performance Officer, Head of Service"
        in clock.ask("who owns R3").headline
    )
    assert clock.ask("how are we doing on the plan").title.startswith("Improvement plan")
    assert clock.ask("which recommendations are red").headline.startswith(
        "7 of 7 recommendations are Red"
    )
    assert "No coming board meeting" in clock.ask("when is the next board").headline
    clock.ask("board add 14/07/2027 Quarterly management board")
    assert clock.ask("when is the next board").headline == (
        "The next board is 14 July 2027 (Quarterly management board), in 95 days."
    )


# --- inspections as data ------------------------------------------------------------------


def test_a_new_inspection_template_is_checked_by_load(tmp_path, monkeypatch):
    from bot.cli import main

    monkeypatch.setenv("YOS_DB", str(tmp_path / "yos.db"))
    out = tmp_path / "example.toml"
    runner = CliRunner()
    wrote = runner.invoke(
        main,
        ["new-inspection", "--service", "Example", "--framework", "hmip-2021", "--out", str(out)],
    )
    assert wrote.exit_code == 0, wrote.output
    text = out.read_text()
    assert 'name = "4.1 Resettlement policy and provision"  # rated, not counted' in text
    refused = runner.invoke(main, ["load", str(out)])
    assert refused.exit_code != 0
    assert "inspections[0].published: must be a date" in refused.output
    assert "recommendations[0].text: still reads TODO" in refused.output
    filled = (
        text.replace('"TODO: the publication date, as 2027-03-31 without quotes"', "2026-10-01")
        .replace("TODO: Outstanding, Good, Requires improvement, Inadequate", "Good")
        .replace("TODO: the recommendation as the report words it", "Improve planning")
        .replace(
            "TODO: The YJS manager, The management board, or a named partner", "The YJS manager"
        )
    )
    out.write_text(filled)
    loaded = runner.invoke(main, ["load", str(out)])
    assert loaded.exit_code == 0, loaded.output
    assert "1 recommendations added" in loaded.output
    assert "RAG" in runner.invoke(main, ["ask", "plan example"]).output


def test_the_seed_recommendation_keeps_its_monitoring_and_gains_the_plan(ask):
    text = said(ask("rec R1"))
    assert text.startswith("R1: Off track: cannot be met")
    assert "Monthly periods" in text and "Improvement plan" in text
    # 20 February 2014: January's period closed with no audit, so "80% in every monthly
    # period" cannot be met, and the plan says so by its rule.
    assert (
        "RAG: Red: its measured target cannot be met: January (14 January to 13 February "
        "2014) closed with no audit" in text
    )


def test_scores_and_bands_show_resettlement_rated_but_not_counted(ask):
    scores = ask("scores Islington")
    fields = {f.label: f.value for s in scores.sections for f in s.fields}
    assert fields["Resettlement policy and provision"] == "Outstanding (rated, not counted)"
    assert fields["Assessment (court or out-of-court)"] == "Good (2 points)"
    notes = said(scores)
    assert (
        "The overall rating counts 12 standards of 3 points each (36 in all); Resettlement "
        "policy and provision is rated but not counted." in notes
    )
    assert "which one it rates is not known" in notes
    bands = said(ask("bands Islington"))
    assert "HMIP youth justice inspection standards (2021) (2021 to 2024)" in bands
    assert bands.count("Resettlement policy and provision is rated but not counted") == 2


def test_an_inspection_file_holds_domain_ratings_and_key_questions(clock):
    scores = clock.text("scores Northdale")
    assert "Organisational delivery: Requires improvement" in scores
    assert (
        "Does assessment sufficiently analyse how to keep the child and others safe? "
        "(court-assessment): 52% of cases" in scores
    )


def test_a_measured_target_below_in_its_latest_period_is_amber(ctx):
    from dataclasses import replace

    early = replace(ctx, today=date(2014, 2, 1))  # January's period is still open
    assert dispatch('action add R1 "Audit plans monthly" owner me due 31/03/2014', early).ok
    assert dispatch("audit R1 14/20 30/01/2014 January audit", early).ok
    text = said(dispatch("rec R1", early))
    assert "RAG: Amber: the latest measured period is below target: latest audit 14/20" in text


def test_a_2025_programme_template(tmp_path, monkeypatch):
    from bot.cli import main

    monkeypatch.setenv("YOS_DB", str(tmp_path / "yos.db"))
    wrote = CliRunner().invoke(
        main, ["new-inspection", "--service", "Example", "--framework", "hmip-2025"]
    )
    assert wrote.exit_code == 0, wrote.output
    assert (
        'programme = "Inspection of youth justice work with children and victims"' in wrote.output
    )
    assert (
        'name = "V1 Work with victims: high-quality, individualised and responsive"' in wrote.output
    )
