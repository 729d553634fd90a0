"""Issue 19's board member, replayed through the commands with an injected clock.

Each scenario of "Statuses that never mislead a board" is here with the words a user now
sees: no "On track" once a closed period missed the target, a late entry that needs a
reason and never silently flips the verdict at close, closing early only with a reason and
nothing recorded on a closed recommendation, and the smaller truths. A property test
checks, for any audits entered on any days and any "today", that the status never reads
On track while a closed period is below the target; the Word, Markdown and CSV papers show
every update's entry date and late flag; the README states the lattice the code applies.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date, timedelta

import docx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands import dispatch
from bot.config import PROJECT_ROOT
from bot.domain.inspections.queries import store_behind
from bot.domain.monitoring.audits import all_audits
from bot.domain.monitoring.report import board_report, to_csv, to_markdown
from bot.domain.monitoring.status import (
    LATTICE,
    Rule,
    Status,
    Track,
    lattice_markdown,
    monitoring,
    track_of,
)
from bot.reply import Reply

START, END = date(2014, 1, 14), date(2014, 4, 14)
TARGET_EVERY = "80% or more in every monthly period"
LATE_VERDICT = (
    "verdict at close: Not met; changed to Met by late entry #4 of 20 April 2014 "
    "(found in the post)"
)


def at(ctx, day: date | str):
    ctx.today = date.fromisoformat(day) if isinstance(day, str) else day
    return ctx


def fields(reply: Reply) -> dict[str, str]:
    return {f.label: f.value for s in reply.sections for f in s.fields}


def items(reply: Reply, heading: str) -> tuple[str, ...]:
    return next(s for s in reply.sections if s.heading == heading).items


def board_members_store(ctx) -> None:
    """January 14/20 (70%), February 85.5%, March 18/20: each entered on its audit's day."""
    for day, typed in (
        ("2014-01-30", "audit R1 14/20 30/01/2014 January audit"),
        ("2014-02-27", "audit R1 85.5% 27/02/2014 February audit"),
        ("2014-03-20", "audit R1 18/20 20/03/2014 March audit"),
    ):
        assert dispatch(typed, at(ctx, day)).ok


def rec_r1(ctx):
    return ctx.queries.recommendation(ctx.home_inspection(), "R1")


# --- "On track" after the target is already missed -------------------------------------


def test_a_closed_period_below_target_is_off_track_for_the_rest_of_the_window(ctx):
    board_members_store(ctx)
    for day in ("2014-03-20", "2014-04-10", "2014-04-14"):
        reply = dispatch("rec R1", at(ctx, day))
        assert reply.title == "R1: Off track: cannot be met"
        assert reply.headline.startswith(
            "Off track: cannot be met: January (14 January to 13 February 2014) closed at "
            "14/20 (70%), below the 80% target, so 80% or more in every monthly period "
            "cannot be met; latest audit 18/20 (90%) on 20 March 2014, for March"
        )
        assert "On track" not in reply.headline
    assert track_of(store_behind(ctx.queries), rec_r1(ctx), date(2014, 4, 10)) is Track.OFF_TRACK
    # The mid-window paper and chart are headed the same way.
    from bot.commands.papers import paper_of

    report = board_report(
        store_behind(ctx.queries), ctx.queries, ctx.home_inspection(), date(2014, 3, 20), "R1"
    )
    [section] = paper_of(report).sections
    assert section.heading == "R1: Off track: cannot be met"
    assert section.chart is not None
    assert "R1 monitoring: Off track: cannot be met" in section.chart.title
    # With no new evidence, the verdict after the window follows from the same rule.
    after = dispatch("rec R1", at(ctx, "2014-04-15"))
    assert after.title == "R1: Due for the board, verdict Not met"
    assert fields(after)["Verdict"] == "Not met"


def test_a_period_still_open_is_not_yet_due(ctx):
    assert dispatch("audit R1 17/20 30/01/2014", at(ctx, "2014-01-30")).ok
    reply = dispatch("rec R1", at(ctx, "2014-02-20"))
    assert reply.headline == (
        "On track: latest audit 17/20 (85%) on 30 January 2014, for January; 1 of 3 monthly "
        "periods at or above 80%; February not yet due; March still to come."
    )
    assert items(reply, "Monthly periods")[1:] == (
        "February (14 February to 13 March 2014): not yet due",
        "March (14 March to 14 April 2014): not yet due",
    )


# --- A late entry silently flips the verdict ---------------------------------------------


def test_a_late_entry_needs_a_reason_and_never_silently_flips_the_verdict(ctx, db):
    board_members_store(ctx)
    at(ctx, "2014-04-20")
    refused = dispatch("audit R1 20/20 13/02/2014 late entry", ctx)
    assert not refused.ok and refused.announcement is None
    assert refused.headline == (
        "R1's monitoring window closed on 14 April 2014, so an audit of 13 February 2014 "
        "entered today (20 April 2014) is a late entry. If it is right, add --late and why, "
        "in quotes: it will be recorded and flagged “entered late on 20 April 2014” "
        "wherever it appears."
    )
    assert refused.sections[-1].text == (
        'To record it, write: audit R1 20/20 13/02/2014 late entry --late "why it was entered late"'
    )
    assert len(all_audits(db)) == 3
    recorded = dispatch('audit R1 20/20 13/02/2014 late entry --late "found in the post"', ctx)
    assert recorded.ok
    assert recorded.announcement.headline.endswith(
        "It was entered late on 20 April 2014: found in the post."
    )
    assert fields(recorded.announcement)["Entered"] == (
        "entered late on 20 April 2014: found in the post"
    )
    detail = dispatch("rec R1", ctx)
    assert detail.title == (
        "R1: Due for the board, verdict at close Not met, changed to Met by late entry #4 of "
        "20 April 2014 (found in the post)"
    )
    assert fields(detail)["Verdict"] == LATE_VERDICT
    assert items(detail, "Monthly periods")[0].startswith(
        "January (14 January to 13 February 2014): 20/20 (100%) on 13 February 2014 (entered "
        "late on 20 April 2014: found in the post)"
    )
    history = dispatch("audits R1", ctx)
    assert fields(history)["Verdict"] == LATE_VERDICT
    assert any(
        line.startswith(
            "#4 13 February 2014 (entered late on 20 April 2014: found in the post): 20/20"
        )
        for line in items(history, "Updates (page 1 of 1)")
    )
    report = dispatch("report R1", ctx)
    assert report.headline.startswith(LATE_VERDICT[:1].upper() + LATE_VERDICT[1:])
    verdict = dispatch("verdict R1", ctx)
    assert verdict.headline == (
        "R1's verdict: Not met, as the evidence stood when its monitoring window closed on "
        "14 April 2014 (2 of 3 monthly periods at or above 80%; January below at 14/20 "
        "(70%)); since then it has changed to Met by late entry #4 of 20 April 2014 (found "
        "in the post)."
    )
    # The verdict kept is the one at close, for the improvement plan's RAG too.
    assert track_of(store_behind(ctx.queries), rec_r1(ctx), ctx.today) is Track.NOT_MET


def test_an_entry_after_its_period_closed_inside_the_window_is_late_too(ctx, db):
    refused = dispatch("audit R1 17/20 30/01/2014 January", at(ctx, "2014-02-20"))
    assert refused.headline.startswith(
        "January's monthly period (14 January to 13 February 2014) closed on 13 February "
        "2014, so an audit of 30 January 2014 entered today (20 February 2014) is a late entry."
    )
    assert all_audits(db) == []
    on_time = dispatch("audit R1 17/20 13/02/2014 on the last day", at(ctx, "2014-02-13"))
    assert on_time.ok and "entered late" not in on_time.announcement.headline


def test_the_papers_show_both_dates_and_the_late_flag(ctx, tmp_path):
    from bot.commands.papers import paper_of, spec_of
    from bot.render.chart import draw
    from bot.render.docx import render_paper

    board_members_store(ctx)
    at(ctx, "2014-04-20")
    assert dispatch('audit R1 20/20 13/02/2014 late entry --late "found in the post"', ctx).ok
    report = board_report(
        store_behind(ctx.queries), ctx.queries, ctx.home_inspection(), ctx.today, "R1"
    )
    flag = "entered late on 20 April 2014: found in the post"

    markdown = to_markdown(report)
    assert "| Period | Dates | Counted audit | Entered | Result |" in markdown
    assert f"| 13 February 2014 | {flag} | 20/20 (100%) |" in markdown
    assert "| 27 February 2014 | entered the same day | 85.5% |" in markdown
    assert f"- **Verdict:** {LATE_VERDICT}" in markdown

    rows = list(csv.DictReader(io.StringIO(to_csv(report))))
    assert [(r["audit_date"], r["entered_on"], r["late_entry"]) for r in rows] == [
        ("2014-02-13", "2014-04-20", flag),
        ("2014-02-27", "2014-02-27", ""),
        ("2014-03-20", "2014-03-20", ""),
    ]
    assert {r["verdict"] for r in rows} == {LATE_VERDICT}

    path = tmp_path / "paper.docx"
    path.write_bytes(render_paper(paper_of(report)))
    document = docx.Document(str(path))
    table = [[c.text for c in row.cells] for row in document.tables[2].rows]
    assert table[0][3] == "Entered"
    assert table[1][2:4] == ["13 February 2014", flag]
    assert table[2][3] == "entered the same day"
    facts = {r.cells[0].text: r.cells[1].text for r in document.tables[1].rows}
    assert facts["Verdict"] == LATE_VERDICT

    chart = spec_of(report)
    assert [p.late for p in chart.series[0].points if p.kind == "counted"] == [
        True,
        False,
        False,
    ]
    assert "1 entered late (marked)" in (chart.subtitle or "")
    [axes] = draw(chart).axes
    legend = [t.get_text() for t in axes.get_legend().get_texts()]
    assert "entered late (after its period closed)" in legend


# --- Closing early, then recording on a closed recommendation ----------------------------


def test_closing_early_needs_a_reason_and_a_closed_recommendation_takes_nothing(ctx, db):
    at(ctx, "2014-02-20")
    refused = dispatch('rec R1 close "done early"', ctx)
    assert not refused.ok
    assert refused.headline.startswith(
        "R1's monitoring window is open until 14 April 2014, so its verdict is not due yet"
    )
    assert refused.sections[-1].text == (
        'To close it early, write: rec R1 close "done early" --early "why it is closed '
        'before its window ends"'
    )
    assert db.table("recommendation_history").count == 0
    closed = dispatch('rec R1 close "done early" --early "the board met early"', ctx)
    assert closed.ok
    assert closed.headline.endswith(
        "closed on 20 February 2014: done early; closed early, before the window ended on "
        "14 April 2014: the board met early."
    )
    recorded = dispatch("audit R1 17/20 20/02/2014", ctx)
    assert not recorded.ok
    assert recorded.headline == (
        "R1 was closed on 20 February 2014 by someone; reopen it first. Nothing was recorded."
    )
    assert recorded.sections[-1].text == (
        'Reopen it with rec R1 reopen "reason", then send the audit again.'
    )
    assert all_audits(db) == []
    report = board_report(
        store_behind(ctx.queries), ctx.queries, ctx.home_inspection(), ctx.today, "R1"
    )
    markdown = to_markdown(report)
    assert "- **Closed:** closed on 20 February 2014: done early; closed early" in markdown
    assert "the board met early (by someone)" in markdown
    detail = dispatch("rec R1", ctx)
    assert items(detail, "History") == (
        "20 February 2014: closed early by someone: done early (closed early: the board met early)",
    )
    assert dispatch("verdict R1", ctx).headline.startswith(
        "R1's verdict: Not met, as the evidence stood when it was closed early on 20 February 2014"
    )
    assert dispatch('rec R1 reopen "more audits to come"', ctx).ok
    assert dispatch("audit R1 17/20 20/02/2014", ctx).ok


def test_a_retraction_on_a_closed_recommendation_is_refused(ctx):
    dispatch("audit R1 17/20 30/01/2014", at(ctx, "2014-01-30"))
    dispatch('rec R1 close "Reported to the board"', at(ctx, "2014-04-20"))
    refused = dispatch("audit undo 1", ctx)
    assert not refused.ok
    assert refused.headline.startswith("R1 was closed on 20 April 2014 by someone")


# --- Smaller truths --------------------------------------------------------------------------


def test_after_the_window_every_summary_shows_the_verdict_with_due(ctx):
    board_members_store(ctx)
    at(ctx, "2014-04-15")
    due = "R1: Due for the board, verdict Not met: 2 of 3 monthly periods at or above 80%"
    assert items(dispatch("home", ctx), "Recommendations")[0].startswith(due)
    summary = dispatch("summary", ctx)
    assert "(Due for the board, verdict Not met: 2 of 3" in items(summary, "Recommendations")[0]
    recs = fields(dispatch("recs", ctx))
    assert recs["Status"].startswith("Due for the board, verdict Not met: 2 of 3")
    assert recs["Target"] == TARGET_EVERY


def test_evidence_dated_after_today_never_counts(ctx):
    board_members_store(ctx)
    early = dispatch("rec R1", at(ctx, "2014-01-10"))
    assert early.title == "R1: No evidence yet"
    assert "On track" not in early.headline
    assert "20 March" not in early.headline
    history = items(dispatch("audits R1", ctx), "Updates (page 1 of 1)")
    assert "(dated after today, not counted)" in history[0]


def test_the_personal_data_refusal_keeps_everything_typed(ctx, db):
    refused = dispatch("audit R1 17/20 20/02/2014 Jane Doe DOB 2008-03-01 --outside", ctx)
    assert not refused.ok
    said = " ".join(s.text or "" for s in refused.sections)
    assert "audit R1 17/20 20/02/2014 case 7: review late after move --outside --checked" in said
    assert "Jane" not in said
    late = dispatch('audit R1 17/20 30 January 2014 YP Jane Doe DOB 2008-03-01 --late "x"', ctx)
    said = " ".join(s.text or "" for s in late.sections)
    assert (
        'audit R1 17/20 30 January 2014 case 7: review late after move --late "why it was '
        'entered late" --checked' in said
    )
    assert all_audits(db) == []


# --- the verdict, asked for ------------------------------------------------------------------


def test_verdict_is_the_monitoring_verdict_and_quote_is_what_the_inspectors_said(ctx):
    board_members_store(ctx)
    at(ctx, "2014-04-15")
    for asked in ("verdict R1", "verdict", "what is the verdict", "what is the verdict on R1"):
        reply = dispatch(asked, ctx)
        assert reply.title == "Verdict", asked
        assert reply.headline.startswith("R1's verdict: Not met, as the evidence stood"), asked
    assert dispatch("quote", ctx).title == "What the inspectors said"
    open_window = dispatch("verdict R1", at(ctx, "2014-02-01"))
    assert open_window.headline.startswith(
        "R1 has no verdict yet: its monitoring window ends on 14 April 2014. Meanwhile: "
    )


# --- the lattice, per rule ---------------------------------------------------------------


def test_the_readme_states_the_lattice_the_code_applies():
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert lattice_markdown() in readme
    assert set(LATTICE) == set(Rule)


def test_the_target_rules_the_data_may_choose(ctx):
    from bot.store.loader.readers import TARGET_RULES

    assert set(TARGET_RULES) == {rule.value for rule in Rule}
    dispatch("audit R1 14/20 30/01/2014", at(ctx, "2014-01-30"))  # 70%
    dispatch("audit R1 19/20 27/02/2014", at(ctx, "2014-02-27"))  # 95%
    rec = rec_r1(ctx)
    latest = replace(rec, target_rule="latest period")
    average = replace(rec, target_rule="average")
    on = date(2014, 3, 1)
    # January missed: "every period" cannot be met; "latest" follows the latest result;
    # "on average" is 82.5% so far.
    assert monitoring(store_behind(ctx.queries), rec, on).status is Status.OFF_TRACK
    assert monitoring(store_behind(ctx.queries), latest, on).status is Status.ON_TRACK
    assert monitoring(store_behind(ctx.queries), average, on).status is Status.ON_TRACK
    assert monitoring(store_behind(ctx.queries), average, on).target_text == (
        "80% or more on average over the monthly periods"
    )
    assert "2 of 3 monthly periods have a result, averaging 82.5%" in (
        monitoring(store_behind(ctx.queries), average, on).reason
    )
    # With March at 60%, the latest period misses and the average falls below (79.2%).
    dispatch("audit R1 12/20 20/03/2014", at(ctx, "2014-03-20"))
    after = date(2014, 4, 15)
    assert monitoring(store_behind(ctx.queries), latest, after).verdict_at_close is Status.NOT_MET
    assert monitoring(store_behind(ctx.queries), average, after).verdict_at_close is Status.NOT_MET
    assert (
        monitoring(store_behind(ctx.queries), latest, date(2014, 3, 25)).status
        is Status.BELOW_TARGET
    )
    # A closed period with no audit: the average cannot be met.
    empty = replace(rec, monitor_start=date(2014, 5, 1), window_end=date(2014, 8, 1))
    assert monitoring(
        store_behind(ctx.queries), replace(empty, target_rule="average"), date(2014, 6, 5)
    ).status is (Status.OFF_TRACK)


def test_the_plans_rag_follows_the_targets_own_rule(ctx):
    """The improvement plan's RAG reads the status model, so a target judged on the latest
    period is not called unmeetable because an earlier month missed."""
    from bot.domain.plan.monitoring import measured_status
    from bot.domain.plan.rag import Measured

    dispatch("audit R1 14/20 30/01/2014", at(ctx, "2014-01-30"))  # 70%
    dispatch("audit R1 19/20 27/02/2014", at(ctx, "2014-02-27"))  # 95%
    rec = rec_r1(ctx)
    on = date(2014, 3, 1)
    every = measured_status(monitoring(store_behind(ctx.queries), rec, on))
    latest = measured_status(
        monitoring(store_behind(ctx.queries), replace(rec, target_rule="latest period"), on)
    )
    assert every is not None and every[0] is Measured.CANNOT_BE_MET
    assert "January (14 January to 13 February 2014) closed at 14/20 (70%)" in every[1]
    assert latest is not None and latest[0] is Measured.ON_TRACK
    dispatch("audit R1 12/20 20/03/2014", at(ctx, "2014-03-20"))  # 60%: the latest misses
    below = measured_status(
        monitoring(
            store_behind(ctx.queries), replace(rec, target_rule="latest period"), date(2014, 3, 25)
        )
    )
    assert below is not None and below[0] is Measured.BELOW


# --- never On track while a closed period missed: a property --------------------------------

WINDOW_DAYS = (END - START).days
SPANS = (
    (date(2014, 1, 14), date(2014, 2, 13)),
    (date(2014, 2, 14), date(2014, 3, 13)),
    (date(2014, 3, 14), date(2014, 4, 14)),
)
AUDIT = st.tuples(
    st.integers(-5, WINDOW_DAYS + 5).map(lambda n: START + timedelta(days=n)),
    st.integers(0, 20),
    st.integers(1, 20),
    st.integers(0, 60),  # days between the audit and its entry
).filter(lambda a: a[1] <= a[2])


def missed_closed_period(audits: list[tuple[date, float]], today: date) -> bool:
    """Whether a monthly period closed by ``today`` has no counted audit at or above 80%,
    by the rule computed independently (audits in entry order; dated by today)."""
    for first, last in SPANS:
        if today <= last:
            continue
        inside = [(day, n, value) for n, (day, value) in enumerate(audits) if first <= day <= last]
        inside = [a for a in inside if a[0] <= today]
        if not inside or max(inside)[2] < 80:
            return True
    return False


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    audits=st.lists(AUDIT, max_size=6),
    today=st.integers(-10, WINDOW_DAYS + 20).map(lambda n: START + timedelta(days=n)),
)
def test_never_on_track_when_a_closed_period_is_below_target(ctx, db, audits, today):
    db.execute("DELETE FROM audit_retractions")
    db.execute("DELETE FROM audit_updates")
    entered: list[tuple[date, float]] = []
    for day, compliant, audited, delay in sorted(audits, key=lambda a: a[0] + timedelta(a[3])):
        typed = f'audit R1 {compliant}/{audited} {day:%d/%m/%Y} --outside --late "replayed"'
        reply = dispatch(typed, at(ctx, day + timedelta(days=delay)))
        assert reply.ok, reply.headline
        entered.append((day, compliant / audited * 100))
    at(ctx, today)
    reply = dispatch("rec R1", ctx)
    status = monitoring(store_behind(ctx.queries), rec_r1(ctx), today)
    if missed_closed_period(entered, today):
        assert not reply.title.startswith("R1: On track"), reply.headline
        assert not fields(reply)["Status"].startswith("On track")
        assert status.track is not Track.ON_TRACK
        if today <= END:
            assert status.status is Status.OFF_TRACK
    if status.status is Status.ON_TRACK:
        assert not missed_closed_period(entered, today)


def test_the_form_refuses_a_late_entry_with_the_command_that_records_it(ctx, db):
    from bot.commands.audits import FormEntry, submit_form

    refused = submit_form(at(ctx, "2014-02-20"), FormEntry("R1", "2014-01-30", "20", "17", "Jan"))
    assert refused.reply is None
    assert refused.errors["audit_date"].startswith(
        "January's monthly period (14 January to 13 February 2014) closed on 13 February 2014"
    )
    assert refused.errors["audit_date"].endswith(
        "A late entry is recorded with the reason, by command: audit R1 17/20 30/01/2014 Jan "
        '--late "why it was entered late"'
    )
    assert all_audits(db) == []


def test_updates_from_before_the_migration_keep_the_day_they_were_written(tmp_path):
    from bot.store import migrate, open_db
    from bot.store.loader import bundled_files, load_files
    from bot.store.migrations import MIGRATIONS
    from tests.conftest import DATA_DIR

    old = open_db(tmp_path / "old.db")
    before = next(n for n, (name, _) in enumerate(MIGRATIONS, 1) if name.startswith("entry dates"))
    migrate(old, target=before - 1)
    load_files(old, bundled_files(DATA_DIR))
    old.execute(
        "INSERT INTO audit_updates (recommendation_id, audit_date, percent, via, recorded_at) "
        "VALUES ('stockton-on-tees-sqs-2013:R1', '2014-01-30', 85, 'console', "
        "'2014-01-31T09:00:00+00:00')"
    )
    old.conn.commit()
    migrate(old)
    [audit] = all_audits(old)
    assert (audit.audit_date, audit.entered_on, audit.late_reason) == (
        date(2014, 1, 30),
        date(2014, 1, 31),
        None,
    )
    old.close()
