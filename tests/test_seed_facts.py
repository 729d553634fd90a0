"""Every fact of the cabinet record comes back through the command layer."""

from __future__ import annotations

import pytest


def test_overall_score_and_range(ask):
    reply = ask("summary")
    assert reply.ok
    assert "overall 91%" in reply.headline
    assert "ranging from 80% to 100%" in reply.headline
    assert reply.title == "Stockton-on-Tees Youth Offending Service: Short Quality Screening"


@pytest.mark.parametrize(
    ("query", "name", "score"),
    [
        ("reducing-likelihood-reoffending", "Reducing the likelihood of reoffending", "91%"),
        ("protecting-public", "Protecting the public", "91%"),
        ("protecting-child-young-person", "Protecting the child or young person", "87%"),
        ("ensuring-sentence-served", "Ensuring that sentence is served", "96%"),
    ],
)
def test_each_theme_score_is_good_with_four_stars(ask, query, name, score):
    reply = ask(f"score {query}")
    assert reply.ok
    assert reply.title == name
    assert reply.headline == f"{name}: {score}, Good (★★★★)."
    values = {f.label: f.value for s in reply.sections for f in s.fields}
    assert values["Score"] == score
    assert values["Rating"] == "★★★★ Good"
    assert values["Band"] == "Good: 80% and over"


def test_all_scores_listed(ask_text):
    text = ask_text("scores")
    for line in (
        "Reducing the likelihood of reoffending  91%  ★★★★ Good",
        "Protecting the public                   91%  ★★★★ Good",
        "Protecting the child or young person    87%  ★★★★ Good",
        "Ensuring that sentence is served        96%  ★★★★ Good",
    ):
        assert line in text
    assert "compare very favourably to other SQS reports" in text


def test_dates_of_fieldwork_and_publication(ask_text):
    text = ask_text("summary")
    assert "HM Inspectorate of Probation Short Quality Screening (SQS)" in text
    assert "25-27 November 2013" in text
    assert "Published        18 December 2013" in text


def test_inspectorate_quote_in_full(ask):
    reply = ask("summary")
    quote = next(s for s in reply.sections if s.quote)
    assert quote.text.startswith("Overall, we found a really positive picture in Stockton-on-Tees.")
    assert "since our last inspection in 2010" in quote.text
    assert quote.text.endswith(
        "significant changes in the circumstances of children and young people"
    )


def test_scope_method_and_outcome(ask_text):
    text = " ".join(ask_text("summary").split())
    assert "Community and custodial court orders imposed from March to September 2013" in text
    assert "Case files were examined and YOS officers were interviewed." in text
    assert "This was an excellent outcome for the partnership in Stockton on Tees." in text


def test_three_strengths(ask):
    reply = ask("strengths")
    items = reply.sections[0].items
    assert len(items) == 3
    assert items[0].startswith("Excellent engagement with children and young people")
    assert "diversity issues" in items[1]
    assert items[2].startswith("High quality assessments of the likelihood of reoffending")
    assert "three key strengths" in reply.headline


def test_the_one_recommendation_with_baseline_and_monitoring(ask):
    reply = ask("recs")
    assert "one recommendation" in reply.headline
    rec = reply.sections[0]
    assert rec.heading == "R1"
    assert rec.text.startswith("In all cases, reviews of assessments and plans to tackle the risk")
    assert rec.text.endswith("in the event of a significant change in circumstances")
    values = {f.label: f.value for f in rec.fields}
    assert (
        values["Baseline"] == "Reviews of risk of harm to others 85%, Reviews of vulnerability 80%"
    )
    assert values["Target"] == "80% or more in every monthly period"
    assert values["Monitoring window"] == "14 January 2014 to 14 April 2014"
    # On 20 February 2014 January's period has closed with no audit recorded.
    assert values["Status"].startswith("Off track: cannot be met: January")
    detail = " ".join(reply.sections[1].items)
    assert (
        "Monitored by YOS managers for 3 months through the regular case file audit process"
        in detail
    )
    assert "staff supervision" in detail
    assert "reported to the next YOS Management Board meeting" in detail
    assert "85% and 80% respectively, as outlined in Appendix B" in detail
    assert "already implemented activity to achieve more timely review" in detail


def test_governance_timeline(ask):
    items = ask("timeline").sections[0].items
    joined = "\n".join(items)
    assert (
        "14 January 2014: Report on the outcome of the inspection (YOS Management Board)" in joined
    )
    assert "13 February 2014: RESOLVED that the report be noted." in joined
    assert "Members noted the excellent feedback from HMIP" in joined
    assert "21 February 2014: Deadline for call-in of the decision: midnight on Friday" in joined
    assert "17 February 2014: Record of the Cabinet decision signed (Proper Officer)" in joined
    assert "18 December 2013: Inspection report published" in joined
    # In date order, from fieldwork to the end of monitoring.
    assert items[0].startswith("25 November 2013")
    assert items[-1].startswith("14 April 2014: R1 monitoring window ends")


def test_bands_from_the_record(ask_text):
    text = ask_text("bands")
    assert "Good: 80% and over, ★★★★" in text
    assert "Satisfactory: 65-79%, ★★★" in text
    assert "Unsatisfactory: 50-64%, ★★" in text
    assert "Poor: under 50%, ★" in text
    assert "not directly applied to the SQS process" in " ".join(text.split())


# --- every fact of the record, one question away ---------------------------------------


def said(reply) -> str:
    """Everything a reply says, as plain text on one line."""
    parts = [reply.title, reply.headline, reply.source or ""]
    for section in reply.sections:
        parts += [section.heading or "", section.text or "", *section.items]
        parts += [f"{f.label} {f.value}" for f in section.fields]
    return " ".join(" ".join(parts).split())


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        # the overall score and its range
        ("score overall", "overall 91%, Good (★★★★), scores ranging from 80% to 100%"),
        ("range", "scores ranged from 80% to 100%, overall 91%"),
        # each theme, asked in plain words
        (
            "what was our score for reducing reoffending",
            "Reducing the likelihood of reoffending: 91%",
        ),
        ("how did we score on protecting the public", "Protecting the public: 91%"),
        ("score for the child or young person", "Protecting the child or young person: 87%"),
        ("how did we do on sentence served", "Ensuring that sentence is served: 96%"),
        # the descriptors, and the record's caveat on them
        ("what do the stars mean", "Satisfactory: 65-79%, ★★★"),
        (
            "bands",
            "Although not directly applied to the SQS process, these ratings provided an "
            "understanding of the expected range of scores.",
        ),
        # what the inspectors said and found
        (
            "what did the inspectors say",
            "The YOS can be proud of the progress made since our last inspection in 2010.",
        ),
        (
            "what went well",
            "The identification of diversity issues and what needed to be done to overcome "
            "barriers to change",
        ),
        ("summary", "Community and custodial court orders imposed from March to September 2013"),
        ("summary", "Case files were examined and YOS officers were interviewed."),
        ("summary", "This was an excellent outcome for the partnership in Stockton on Tees."),
        ("scores", "These were very high scores and compare very favourably to other SQS reports."),
        # the recommendation, its baseline, target and monitoring
        ("what is the target", "R1's target: 80% or more"),
        (
            "status of R1",
            "In all cases, reviews of assessments and plans to tackle the risk of harm",
        ),
        ("recs", "85% and 80% respectively, as outlined in Appendix B of the report"),
        (
            "recs",
            "the Board was asked to allow the existing improvement activity to become embedded",
        ),
        (
            "target",
            "Monitored by YOS managers for 3 months through the regular case file audit process "
            "and staff supervision; results reported to the next YOS Management Board meeting.",
        ),
        # the dates, each asked by name
        (
            "when was the fieldwork",
            "25 November 2013 (HM Inspectorate of Probation): Short Quality Screening fieldwork, "
            "25-27 November 2013.",
        ),
        (
            "when was it published",
            "18 December 2013 (HM Inspectorate of Probation): Inspection report published.",
        ),
        (
            "when did it go to the board",
            "14 January 2014 (YOS Management Board): Report on the outcome of the inspection.",
        ),
        (
            "when did the cabinet decide",
            "13 February 2014 (Cabinet, Stockton-on-Tees Borough Council): RESOLVED that the "
            "report be noted.",
        ),
        (
            "when did the cabinet decide",
            "Members noted the excellent feedback from HMIP about the performance of Stockton YOS.",
        ),
        (
            "when did the cabinet decide",
            "Reason: to ensure that Cabinet Members are aware of the inspection results. "
            "Alternative options considered and rejected: none. Declared conflicts of "
            "interest: none. Dispensations: N/A.",
        ),
        (
            "when was the record signed",
            "17 February 2014 (Proper Officer): Record of the Cabinet decision signed.",
        ),
        ("call-in", "Deadline for call-in of the decision: midnight on Friday 21 February 2014."),
        # where it all comes from
        (
            "summary",
            "source: Stockton-on-Tees Borough Council, Cabinet record of decision, 13 February "
            "2014: Youth Offending Service Inspection",
        ),
    ],
)
def test_every_fact_of_the_record_is_one_question_away(ask, question, fact):
    reply = ask(question)
    assert reply.ok, (question, reply.headline)
    assert fact in said(reply), question
