"""The chart draws each kind of evidence as its own series with its own legend entry
(issue 20): case-file audits, supervision and each measure; a measure below its target
says so in its entry; with only supervision or measures the chart still shows them and
says no audit was recorded; with nothing at all it says so."""

from __future__ import annotations

from datetime import date

from bot.commands.papers import spec_of
from bot.domain.inspections.queries import store_behind
from bot.domain.monitoring.report import board_report
from bot.paper import ChartEvidence, ChartSeries, ChartSpec
from bot.render.chart import draw

AUDITS = "counted audit (one per monthly period)"
SUPERVISION = "supervision: share of supervisions that covered it"
MEASURE = "measure “plans reviewed on time” (target 90%; latest 41/53 (77.4%), below target)"


def _drawn(ctx):
    report = board_report(
        store_behind(ctx.queries), ctx.queries, ctx.home_inspection(), ctx.today, "R1"
    )
    figure = draw(spec_of(report))
    axes = figure.axes[0]
    legend = [t.get_text() for t in axes.get_legend().get_texts()]
    return legend, [t.get_text() for t in axes.texts]


def test_the_legend_names_each_kind_of_evidence_present(ctx, ask):
    assert ask("audit R1 17/20 19/02/2014").ok
    assert ask("supervision R1 8/10 18/02/2014").ok
    assert ask("supervision R1 9/10 19/02/2014").ok
    assert ask('measure R1 "plans reviewed on time" 41/53 20/02/2014').ok
    assert ask('measure R1 "plans reviewed on time" target 90').ok
    legend, texts = _drawn(ctx)
    assert AUDITS in legend and SUPERVISION in legend and MEASURE in legend
    assert "90%" in texts and "77.4%" in texts  # each series' latest figure is labelled


def test_supervision_alone_still_gets_a_chart_that_says_no_audit_was_recorded(ctx, ask):
    assert ask("supervision R1 8/10 18/02/2014").ok
    legend, texts = _drawn(ctx)
    assert SUPERVISION in legend
    assert AUDITS not in legend and not any(e.startswith("measure") for e in legend)
    assert "No audits have been recorded in the monitoring window yet" in texts


def test_a_measure_at_target_is_not_said_to_be_below_it(ctx, ask):
    assert ask('measure R1 "plans reviewed on time" 48/53 20/02/2014').ok
    assert ask('measure R1 "plans reviewed on time" target 90').ok
    legend, _ = _drawn(ctx)
    assert "measure “plans reviewed on time” (target 90%; latest 48/53 (90.6%))" in legend


def test_measures_without_a_window_are_drawn_and_nothing_at_all_is_said():
    measures = ChartSeries(
        name="R3",
        evidence=(
            ChartEvidence(
                "measure",
                "measure “visits” (no target set)",
                ((date(2027, 1, 14), 60.0), (date(2027, 2, 14), 70.0)),
            ),
        ),
    )
    axes = draw(ChartSpec("R3", (measures,), "No case-file audits have been recorded")).axes[0]
    assert [t.get_text() for t in axes.get_legend().get_texts()] == [
        "measure “visits” (no target set)"
    ]
    nothing = draw(ChartSpec("R3", (ChartSeries(name="R3"),), "Nothing recorded")).axes[0]
    assert nothing.get_legend() is None
    assert "Nothing recorded" in [t.get_text() for t in nothing.texts]
