"""The one model of the monitoring window, through the commands, with an injected clock.

Each reporter's scenario from the monitoring issue is here with what a user would see:
the dates recorded, which audit counts for each monthly period, the statuses, the trend
computed only inside the window, and the CSV rows. A property test checks that for any
set of audits the verdict, trend and latest audit agree in ``rec``, ``report``, the CSV
and the announcement, and agree with the rule computed independently from every audit.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands import dispatch
from bot.domain.inspections.model import Recommendation
from bot.domain.inspections.queries import store_behind
from bot.domain.monitoring.audits import all_audits
from bot.domain.monitoring.report import board_report, csv_rows, to_csv
from bot.domain.monitoring.status import change_text
from bot.domain.monitoring.window import window_of
from bot.reply import Reply
from bot.store.audits import (
    AFTER_WINDOW,
    BEFORE_WINDOW,
    OUTSIDE_COUNT,
    PERIOD_AUDITS,
    PERIOD_COUNT,
)
from tests.test_national import row, write_table

START, END = date(2014, 1, 14), date(2014, 4, 14)
AFTER = date(2014, 4, 20)


def at(ctx, day: date | str):
    ctx.today = date.fromisoformat(day) if isinstance(day, str) else day
    return ctx


def fields(reply: Reply) -> dict[str, str]:
    return {f.label: f.value for s in reply.sections for f in s.fields}


def section(reply: Reply, heading: str) -> tuple[str, ...]:
    return next(s for s in reply.sections if s.heading == heading).items


def recorded(db) -> list[tuple[date, float, str | None]]:
    return [(a.audit_date, a.percent, a.note) for a in all_audits(db)]


def rec_r1(ctx) -> Recommendation:
    found = ctx.queries.recommendation(ctx.home_inspection(), "R1")
    assert found is not None
    return found


# --- the window and its periods ------------------------------------------------------------


def test_the_window_is_three_monthly_periods_named_after_their_first_month(ctx):
    window = window_of(rec_r1(ctx))
    assert window is not None and (window.start, window.end) == (START, END)
    assert [(s.number, s.start, s.end, s.name) for s in window.spans] == [
        (1, date(2014, 1, 14), date(2014, 2, 13), "January"),
        (2, date(2014, 2, 14), date(2014, 3, 13), "February"),
        (3, date(2014, 3, 14), date(2014, 4, 14), "March"),
    ]
    assert window.spans[1].described == "February (14 February to 13 March 2014)"


def test_periods_from_the_end_of_a_month_are_clamped_and_never_overlap(ctx):
    rec = replace(
        rec_r1(ctx), monitor_start=date(2014, 1, 31), monitor_months=3, window_end=date(2014, 4, 30)
    )
    window = window_of(rec)
    assert window is not None
    assert [(s.start, s.end) for s in window.spans] == [
        (date(2014, 1, 31), date(2014, 2, 27)),
        (date(2014, 2, 28), date(2014, 3, 30)),
        (date(2014, 3, 31), date(2014, 4, 30)),
    ]


def test_a_recommendation_without_a_window_is_not_monitored(ctx):
    rec = replace(rec_r1(ctx), monitor_start=None, monitor_months=None, window_end=None)
    assert window_of(rec) is None


# --- which audit counts ------------------------------------------------------------------


def test_the_latest_audit_date_in_a_period_counts_and_says_what_it_replaced(ctx):
    at(ctx, "2014-03-01")
    first = dispatch("audit R1 15/20 14/02/2014 first", ctx)
    assert first.announcement.headline == (
        "R1 audit: 15/20 (75%), below the 80% target. Audit of 14 February 2014: it counts "
        "as February's result (14 February to 13 March 2014)."
    )
    later = dispatch("audit R1 17/20 20/02/2014 second", ctx)
    assert later.headline.startswith(
        "Recorded audit update #2: R1 audit: 17/20 (85%), at or above the 80% target. Audit of "
        "20 February 2014: it replaces 15/20 (75%) of 14 February 2014 as February's result "
        "(14 February to 13 March 2014)."
    )
    backdated = dispatch("audit R1 12/20 18/02/2014 found later", ctx)
    assert backdated.announcement.headline == (
        "R1 audit: 12/20 (60%), below the 80% target. Audit of 18 February 2014: it does not "
        "count, because 17/20 (85%) of 20 February 2014 is later in February (14 February to "
        "13 March 2014) and stays its result."
    )
    detail = dispatch("rec R1", ctx)
    assert section(detail, "Monthly periods")[1] == (
        "February (14 February to 13 March 2014): 17/20 (85%) on 20 February 2014 "
        "(entered 1 March 2014) ████████│▌░ at or above target; replaced 12/20 (60%) of "
        "18 February 2014, 15/20 (75%) of 14 February 2014"
    )
    report = dispatch("report R1", ctx)
    assert section(report, "Monthly periods") == section(detail, "Monthly periods")


def test_of_two_audits_on_the_same_day_the_one_entered_last_counts(ctx):
    at(ctx, "2014-03-01")
    dispatch("audit R1 19/20 20/02/2014", ctx)
    second = dispatch("audit R1 16/20 20/02/2014 corrected", ctx)
    assert "it replaces 19/20 (95%) of 20 February 2014 as February's result" in second.headline
    assert fields(dispatch("rec R1", ctx))["Latest audit"] == (
        "16/20 (80%) on 20 February 2014, for February"
    )


def test_retracting_the_counted_audit_lets_the_one_it_replaced_count_again(ctx):
    at(ctx, "2014-03-01")
    dispatch("audit R1 15/20 14/02/2014", ctx)
    dispatch("audit R1 18/20 20/02/2014", ctx)
    dispatch("audit undo", ctx)
    assert fields(dispatch("rec R1", ctx))["Latest audit"] == (
        "15/20 (75%) on 14 February 2014, for February"
    )
    # January closed with no audit: 80% in every monthly period can no longer be met.
    assert dispatch("rec R1", ctx).title == "R1: Off track: cannot be met"


def test_audits_on_either_side_of_a_boundary_count_for_different_periods(ctx):
    """The reporter's 85% on 13 February and 75% on 14 February: one ends January's
    period, the other starts February's, and the report says so."""
    dispatch("audit R1 17/20 13/02/2014", at(ctx, "2014-02-13"))
    dispatch("audit R1 15/20 14/02/2014", at(ctx, "2014-02-14"))
    dispatch("audit R1 18/20 20/03/2014", at(ctx, "2014-03-20"))
    report = dispatch("report R1", at(ctx, AFTER))
    lines = section(report, "Monthly periods")
    assert lines[0].startswith("January (14 January to 13 February 2014): 17/20 (85%) on 13 Feb")
    assert lines[1].startswith("February (14 February to 13 March 2014): 15/20 (75%) on 14 Feb")
    assert lines[1].endswith("below target")
    assert report.headline == (
        "Not met: 2 of 3 monthly periods at or above 80%; February below at 15/20 (75%); "
        "ready to report to the next YOS Management Board meeting."
    )


# --- statuses ----------------------------------------------------------------------------


def test_a_fresh_store_has_no_evidence_and_is_never_ready_to_report(ctx):
    at(ctx, "2014-01-20")
    assert dispatch("rec R1", ctx).headline == (
        "No evidence yet: no audit counted yet; the monitoring window runs 14 January to "
        "14 April 2014."
    )
    at(ctx, "2014-02-20")  # January's period closed with no audit
    assert dispatch("rec R1", ctx).headline == (
        "Off track: cannot be met: January (14 January to 13 February 2014) closed with no "
        "audit, so 80% or more in every monthly period cannot be met; 0 of 3 monthly periods "
        "at or above 80%; February not yet due; March still to come."
    )
    at(ctx, AFTER)
    detail, report = dispatch("rec R1", ctx), dispatch("report R1", ctx)
    assert detail.title == "R1: No evidence recorded"
    assert detail.headline == (
        "No evidence recorded: no audit was recorded in the monitoring window (14 January to "
        "14 April 2014)."
    )
    assert fields(detail)["Verdict"] == "No evidence recorded"
    assert report.headline.startswith("No evidence recorded: no audit was recorded")
    assert "ready to report" not in report.headline
    assert dispatch("recs", ctx).sections[0].fields[0].value.startswith("No evidence recorded")
    assert section(dispatch("home", ctx), "Recommendations")[0].startswith(
        "R1: No evidence recorded"
    )
    rows = csv_rows(
        board_report(store_behind(ctx.queries), ctx.queries, ctx.home_inspection(), ctx.today)
    )
    assert [(r["period"], r["against_target"]) for r in rows] == [
        ("January", "no audit"),
        ("February", "no audit"),
        ("March", "no audit"),
    ]
    assert {r["status"] for r in rows} == {"No evidence recorded"}


def test_statuses_through_the_window_each_with_its_reason(ctx):
    def status(day: str) -> str:
        return dispatch("rec R1", at(ctx, day)).headline

    dispatch("audit R1 17/20 30/01/2014", at(ctx, "2014-01-30"))
    assert status("2014-02-20") == (
        "On track: latest audit 17/20 (85%) on 30 January 2014, for January; 1 of 3 monthly "
        "periods at or above 80%; February not yet due; March still to come."
    )
    dispatch("audit R1 14/20 27/02/2014", at(ctx, "2014-02-27"))
    assert status("2014-02-27") == (
        "Below target: latest audit 14/20 (70%) on 27 February 2014, for February; 1 of 3 "
        "monthly periods at or above 80%; February below at 14/20 (70%) so far; March still "
        "to come."
    )
    # February closed below the target: it cannot be met, whatever March brings.
    assert status("2014-03-20") == (
        "Off track: cannot be met: February (14 February to 13 March 2014) closed at 14/20 "
        "(70%), below the 80% target, so 80% or more in every monthly period cannot be met; "
        "latest audit 14/20 (70%) on 27 February 2014, for February; 1 of 3 monthly periods "
        "at or above 80%; March not yet due."
    )
    assert status("2014-04-15") == (
        "Due for the board, verdict Not met: 1 of 3 monthly periods at or above 80%; February "
        "below at 14/20 (70%); March has no audit."
    )
    dispatch('rec R1 close "Reported to the board on 6 May 2014"', at(ctx, "2014-05-06"))
    assert status("2014-05-06") == (
        "Not met: 1 of 3 monthly periods at or above 80%; February below at 14/20 (70%); "
        "March has no audit; closed on 6 May 2014: Reported to the board on 6 May 2014."
    )


# --- the trend and the latest audit: inside the window only -----------------------------------


def test_audits_outside_the_window_never_enter_the_trend_or_the_latest(ctx):
    for day, typed in (
        ("2014-01-30", "audit R1 17/20 30/01/2014"),
        ("2014-02-27", "audit R1 15/20 27/02/2014"),
        ("2014-03-20", "audit R1 18/20 20/03/2014"),
    ):
        assert dispatch(typed, at(ctx, day)).ok
    at(ctx, "2014-11-27")
    late = dispatch("audit R1 0/20 --outside much later", ctx)
    assert late.ok
    assert late.announcement.headline == (
        "R1 audit: 0/20 (0%), below the 80% target. Audit of 27 November 2014: it is outside "
        "the monitoring window (14 January to 14 April 2014), so it is listed apart and never "
        "counts."
    )
    detail = dispatch("rec R1", ctx)
    assert detail.title == "R1: Due for the board, verdict Not met"
    assert fields(detail)["Latest audit"] == "18/20 (90%) on 20 March 2014, for March"
    assert fields(detail)["Trend in the window"] == "▲ from 85% to 90%"
    assert section(detail, "Outside the monitoring window (never counted)") == (
        "#4 27 November 2014 (entered the same day): 0/20 (0%) by someone",
    )
    report = dispatch("report R1", ctx)
    assert fields(report)["Trend in the window"] == "▲ from 85% to 90%"
    rows = csv_rows(
        board_report(store_behind(ctx.queries), ctx.queries, ctx.home_inspection(), ctx.today, "R1")
    )
    assert [(r["row"], r["audit_date"], r["against_target"]) for r in rows] == [
        ("period", "2014-01-30", "at or above"),
        ("period", "2014-02-27", "below"),
        ("period", "2014-03-20", "at or above"),
        ("outside the monitoring window", "2014-11-27", "not counted"),
    ]
    assert {r["trend"] for r in rows} == {"▲ from 85% to 90%"}


def test_the_announcement_and_the_status_write_a_change_the_same_way(ctx):
    dispatch("audit R1 17/20 30/01/2014", at(ctx, "2014-01-30"))
    news = dispatch("audit R1 37/50 27/02/2014", at(ctx, "2014-03-01")).announcement  # 74%
    assert fields(news)["Against the last result"] == "▼ from 85% to 74% (January to February)"
    assert (
        fields(news)["Trend in the window"]
        == fields(dispatch("rec R1", ctx))["Trend in the window"]
    )
    assert change_text(85, 74) == "▼ from 85% to 74%"
    assert change_text(85, 85.0) == "▶ steady at 85%"


# --- dates as people write them ----------------------------------------------------------------

SAME_DAY = [
    "2014-03-30",
    "2014-3-30",
    "30/03/2014",
    "30/3/14",
    "30.03.2014",
    "30-03-2014",
    "30 March 2014",
    "30 Mar 2014",
    "30th March 2014",
    "March 30, 2014",
    "on 30/03/2014",
    "Sunday 30 March 2014",
]


@pytest.mark.parametrize("written", SAME_DAY)
def test_every_date_form_records_the_same_day_and_says_it_in_words(ctx, db, written):
    reply = dispatch(f"audit R1 17/20 {written} uk date", at(ctx, "2014-04-01"))
    assert reply.ok, reply.headline
    assert recorded(db) == [(date(2014, 3, 30), 85.0, "uk date")]
    assert "Audit of 30 March 2014: it counts as March's result (14 March to 14 April 2014)." in (
        reply.headline
    )
    assert fields(reply)["Audit date"] == "30 March 2014"


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("03/30/2014", "03/30/2014 reads as month/day; write dates day/month/year"),
        ("31/04/2014", "31/04/2014 is not a real date: April 2014 has 30 days."),
        ("30/13/2014", "30/13/2014 is not a real date: there is no month 13."),
        ("30 March", "“30 March” has no year"),
        ("2014-02-30", "2014-02-30 is not a real date: February 2014 has 28 days."),
        ("30/03/20145", "“30/03/20145” is not a date I can read"),
        ("yesterday", "write the audit date itself, like 30/01/2014"),
    ],
)
def test_a_date_that_cannot_be_read_is_refused_with_an_example_and_nothing_recorded(
    ctx, db, written, says
):
    reply = dispatch(f"audit R1 17/20 {written} uk date", at(ctx, AFTER))
    assert not reply.ok and reply.announcement is None
    assert says in reply.headline
    assert reply.sections[-1].text == "Write it like: audit R1 17/20 30/01/2014 January audit"
    assert recorded(db) == []


@pytest.mark.parametrize("figures", ["17/20", "17 of 20", "17 out of 20", "17 / 20", "85%"])
def test_every_way_of_writing_the_figures_records_the_same_result(ctx, db, figures):
    assert dispatch(f"audit R1 {figures} 27/02/2014 note", at(ctx, "2014-03-01")).ok
    assert recorded(db) == [(date(2014, 2, 27), 85.0, "note")]


def test_a_uk_date_was_once_filed_as_the_note_and_the_audit_dated_today(ctx, db):
    """The reporter's three examples, each now dated as written."""
    at(ctx, AFTER)
    for typed in (
        "audit R1 17/20 30/03/2014 uk date",
        "audit R1 17/20 2014-2-3 iso",
        "audit R1 17/20 3 March 2014 words",
    ):
        assert dispatch(f'{typed} --late "copied from the paper log"', ctx).ok
    assert recorded(db) == [
        (date(2014, 3, 30), 85.0, "uk date"),
        (date(2014, 2, 3), 85.0, "iso"),
        (date(2014, 3, 3), 85.0, "words"),
    ]


# --- outside the window ---------------------------------------------------------------------


def test_an_audit_before_the_window_is_refused_unless_confirmed(ctx, db):
    at(ctx, AFTER)
    refused = dispatch("audit R1 16/20 2014-01-05 before window", ctx)
    assert not refused.ok
    assert refused.headline == (
        "5 January 2014 is before R1's monitoring window (14 January to 14 April 2014), so this "
        "audit would not count towards it. If the date is right, add --outside to record it "
        "anyway: it will be listed apart and never counted."
    )
    assert refused.sections[-1].text == (
        "To record it anyway, write: audit R1 16/20 05/01/2014 before window --outside"
    )
    assert recorded(db) == []
    after = dispatch("audit R1 16/20 2014-04-15 a day late", ctx)
    assert after.headline.startswith("15 April 2014 is after R1's monitoring window")
    confirmed = dispatch("audit R1 16/20 2014-01-05 before window --outside", ctx)
    assert confirmed.ok
    assert recorded(db) == [(date(2014, 1, 5), 80.0, "before window")]
    detail = dispatch("rec R1", ctx)
    assert detail.title == "R1: No evidence recorded"
    assert detail.headline == (
        "No evidence recorded: no audit was recorded in the monitoring window (14 January to "
        "14 April 2014); 1 audit dated outside it does not count."
    )
    assert section(detail, "Outside the monitoring window (never counted)") == (
        "#1 5 January 2014 (entered 20 April 2014): 16/20 (80%) by someone",
    )


def test_the_window_edges_are_inside(ctx):
    assert dispatch("audit R1 17/20 14/01/2014", at(ctx, "2014-01-14")).ok
    assert dispatch("audit R1 18/20 14/04/2014", at(ctx, "2014-04-14")).ok  # on time
    lines = section(dispatch("rec R1", at(ctx, AFTER)), "Monthly periods")
    assert lines[0].startswith("January (14 January to 13 February 2014): 17/20 (85%)")
    assert lines[2].startswith("March (14 March to 14 April 2014): 18/20 (90%)")


# --- the rest of the loop -------------------------------------------------------------------


def test_home_shows_only_the_conversations_services_audits(ctx, db, tmp_path):
    from bot.store.loader import load_files

    load_files(db, [write_table(tmp_path, [row("Reading", 5, "Inadequate")])])
    at(ctx, "2014-02-20")
    ctx.conversation = "C0STOCKTON"
    dispatch("audit R1 17/20 20/02/2014 stockton's", ctx)
    assert section(dispatch("home", ctx), "Latest audit updates") == (
        "#1 R1 20 February 2014: 17/20 (85%) by someone: stockton's",
    )
    ctx.conversation = "C0READING"
    assert dispatch("use Reading", ctx).ok
    home = dispatch("home", ctx)
    assert home.title == "Reading"
    assert section(home, "Latest audit updates") == ("None recorded yet.",)
    assert section(home, "Recommendations") == ("None to monitor.",)


@pytest.mark.parametrize("command", ["rec R9", "audits R9", "audit R9 17/20", "report R9"])
def test_an_unknown_recommendation_names_the_ones_there_are(ask, command):
    reply = ask(command)
    assert not reply.ok
    assert reply.headline.startswith("R9 is not a recommendation of this inspection; it has R1.")


def test_every_query_reads_an_index_and_sorts_nothing(db):
    """The per-period queries cost the same however long the history is."""
    for sql, params in (
        (PERIOD_AUDITS, ["r", "2014-01-14", "2014-02-13", 4]),
        (PERIOD_COUNT, ["r", "2014-01-14", "2014-02-13"]),
        (BEFORE_WINDOW, ["r", "2014-01-14", 50]),
        (AFTER_WINDOW, ["r", "2014-04-14", 50]),
        (OUTSIDE_COUNT, ["r", "2014-01-14", "2014-04-14"]),
    ):
        plan = " / ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", params))
        assert "SCAN a" not in plan and "SCAN audit_updates" not in plan, plan
        assert "TEMP B-TREE" not in plan, plan
        assert "USING" in plan and "INDEX" in plan, plan


def test_a_long_history_is_never_loaded_to_answer(ctx, db):
    """Thousands of audits in a period: replies list a few replaced ones and count the rest."""
    db.table("audit_updates").insert_all(
        {
            "recommendation_id": rec_r1(ctx).id,
            "audit_date": (date(2014, 2, 14) + timedelta(days=n % 20)).isoformat(),
            "audited": 20,
            "compliant": 16,
            "percent": 80.0,
            "via": "bulk",
            "recorded_at": "2014-03-01T00:00:00+00:00",
        }
        for n in range(3000)
    )
    lines = section(dispatch("rec R1", at(ctx, "2014-03-20")), "Monthly periods")
    assert lines[1].endswith(" and 2996 more")  # 3,000: one counted, three shown


# --- one truth everywhere: a property test ---------------------------------------------------

WINDOW_DAYS = (END - START).days


def reference(audits: list[tuple[date, int, int]], today: date) -> dict[str, object]:
    """The rule, computed independently from every audit, for comparison."""
    spans = [
        (date(2014, 1, 14), date(2014, 2, 13)),
        (date(2014, 2, 14), date(2014, 3, 13)),
        (date(2014, 3, 14), date(2014, 4, 14)),
    ]
    counted = []
    for first, last in spans:
        inside = [(day, n, a) for n, (day, a) in enumerate((d, c / t) for d, c, t in audits)]
        inside = [(day, n, a) for day, n, a in inside if first <= day <= last]
        counted.append(max(inside)[2] * 100 if inside else None)
    values = [c for c in counted if c is not None]
    met = all(c is not None and c >= 80 for c in counted)
    return {
        "values": values,
        "verdict": ("Met" if met else "Not met") if values else "No evidence recorded",
        "ended": today > END,
    }


AUDIT = st.tuples(
    st.integers(-20, WINDOW_DAYS + 20).map(lambda n: START + timedelta(days=n)),
    st.integers(0, 20),
    st.integers(1, 20),
).filter(lambda a: a[1] <= a[2])


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(audits=st.lists(AUDIT, max_size=8), after=st.integers(0, 40))
def test_rec_report_csv_and_announcement_always_agree(ctx, db, audits, after):
    db.execute("DELETE FROM audit_retractions")
    db.execute("DELETE FROM audit_updates")
    today = max([START + timedelta(days=30), *(d for d, _, _ in audits)]) + timedelta(days=after)
    # Each audit is entered on its own date (so none is late), in date order: of several on
    # one day, the one listed last is entered last, as the reference takes it.
    news, last = None, None
    for day, compliant, audited in sorted(audits, key=lambda a: a[0]):
        reply = dispatch(f"audit R1 {compliant}/{audited} {day:%d/%m/%Y} --outside", at(ctx, day))
        assert reply.ok, reply.headline
        news, last = reply.announcement, day
    if news is not None and last is not None:
        then = fields(dispatch("rec R1", at(ctx, last)))
        for label in ("Latest audit", "Status", "Why"):
            assert fields(news)[label] == then[label], label
        assert fields(news)["Trend in the window"] == then["Trend in the window"]
    at(ctx, today)
    detail = dispatch("rec R1", ctx)
    report = dispatch("report R1", ctx)
    paper = to_csv(
        board_report(store_behind(ctx.queries), ctx.queries, ctx.home_inspection(), ctx.today, "R1")
    )
    rows = list(csv.DictReader(io.StringIO(paper)))
    said = fields(detail)
    for label in ("Latest audit", "Status", "Why"):
        assert fields(report)[label] == said[label], label
    assert fields(report)["Trend in the window"] == said["Trend in the window"]
    assert fields(report)["Verdict"] == said["Verdict"]
    for line in rows:
        assert line["status"] == said["Status"]
        assert line["reason"] == said["Why"]
        assert line["latest_audit"] == said["Latest audit"]
        assert line["verdict"] == said["Verdict"]
    expected = reference(audits, today)
    values = expected["values"]
    assert isinstance(values, list)
    trend = change_text(values[0], values[-1]) if len(values) > 1 else None
    if trend:
        assert said["Trend in the window"] == trend
        assert {r["trend"] for r in rows} == {trend}
    if expected["ended"]:
        assert said["Verdict"] == expected["verdict"]
    assert len([r for r in rows if r["row"] == "period"]) == 3
    outside = [a for a in audits if not START <= a[0] <= END]
    assert len([r for r in rows if r["row"] != "period"]) == len(outside)
