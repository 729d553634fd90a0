"""Questions as people ask them, through the command layer, on the bundled store (the
Stockton SQS and the national ratings table): every fact one question away, services
named as people name them, misspellings suggested, text normalised."""

from __future__ import annotations

import re

import pytest

from bot.commands import dispatch
from bot.config import PROJECT_ROOT
from bot.render.text import render_text

STOCKTON = "Stockton-on-Tees Youth Offending Service"
CAVEAT = "not directly applied to the SQS process"


def text_of(reply) -> str:
    return " ".join(render_text(reply).split())


def assert_no_empty_did_you_mean(reply) -> None:
    for section in reply.sections:
        if section.heading == "Did you mean":
            assert section.items, reply


# --- every fact one question away ----------------------------------------------------


@pytest.mark.parametrize("question", ["score overall", "overall", "what was the overall score"])
def test_the_overall_score_first(ask, question):
    reply = ask(question)
    assert reply.ok
    assert reply.headline == (
        f"{STOCKTON}: overall 91%, Good (★★★★), scores ranging from 80% to 100%."
    )
    assert CAVEAT in text_of(reply)


@pytest.mark.parametrize(
    "question", ["range", "score range", "what was the range of scores", "lowest and highest"]
)
def test_the_range_first(ask, question):
    reply = ask(question)
    assert reply.headline == (
        f"{STOCKTON}: scores ranged from 80% to 100%, overall 91%, Good (★★★★)."
    )
    assert text_of(reply).count(CAVEAT) == 1


@pytest.mark.parametrize(
    "question",
    [
        "status of R1",
        "how are we doing on R1",
        "what is the status of recommendation 1",
        "R1 status",
        "r1",
        "recs R1",
        "recommendation 1",
        "how is rec 1 going?",
    ],
)
def test_a_recommendations_status_is_the_rec_answer(ask, question):
    expected = ask("rec R1")
    reply = ask(question)
    assert reply.title == expected.title
    assert reply.headline == expected.headline
    assert reply.title.startswith("R1: ")


@pytest.mark.parametrize(
    "question",
    [
        "what went well",
        "What went well?",
        "what did we do well",
        "what are we good at",
        "strengths",
    ],
)
def test_what_went_well(ask, question):
    reply = ask(question)
    assert reply.title == "Key strengths"
    assert reply.headline == "The inspectors identified three key strengths."
    assert reply.sections[0].items[0].startswith("Excellent engagement with children")


@pytest.mark.parametrize(
    "question",
    [
        "what did the inspectors say",
        "what did HMIP say?",
        "what were the inspectors' words",
        "quote",
        "said",
        "inspectors feedback",
    ],
)
def test_what_the_inspectors_said(ask, question):
    reply = ask(question)
    assert reply.title == "What the inspectors said"
    assert reply.headline == (
        "The inspectors said: “Overall, we found a really positive picture in Stockton-on-Tees.”"
    )
    [quote] = [s for s in reply.sections if s.quote]
    assert quote.text.endswith(
        "significant changes in the circumstances of children and young people"
    )


@pytest.mark.parametrize(
    "question", ["what is the target", "target", "what's the target for R1", "target R1"]
)
def test_the_target(ask, question):
    reply = ask(question)
    assert reply.headline == (
        "R1's target: 80% or more of the cases audited in every monthly period of its "
        "monitoring window, 14 January 2014 to 14 April 2014 (the threshold for Good on the "
        "HMIP case assessment scoring descriptors)."
    )
    assert CAVEAT in text_of(reply)


@pytest.mark.parametrize(
    ("question", "first"),
    [
        (
            "when was it published",
            "18 December 2013 (HM Inspectorate of Probation): Inspection report published.",
        ),
        (
            "publication date",
            "18 December 2013 (HM Inspectorate of Probation): Inspection report published.",
        ),
        (
            "timeline published",
            "18 December 2013 (HM Inspectorate of Probation): Inspection report published.",
        ),
        (
            "call-in",
            "21 February 2014 (Cabinet, Stockton-on-Tees Borough Council): Deadline for call-in "
            "of the decision: midnight on Friday 21 February 2014.",
        ),
        (
            "when is the call in deadline?",
            "21 February 2014 (Cabinet, Stockton-on-Tees Borough Council): Deadline for call-in "
            "of the decision: midnight on Friday 21 February 2014.",
        ),
        (
            "when was the fieldwork",
            "25 November 2013 (HM Inspectorate of Probation): Short Quality Screening "
            "fieldwork, 25-27 November 2013.",
        ),
        (
            "when did the inspectors visit",
            "25 November 2013 (HM Inspectorate of Probation): Short Quality Screening "
            "fieldwork, 25-27 November 2013.",
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
            "when was the record signed",
            "17 February 2014 (Proper Officer): Record of the Cabinet decision signed.",
        ),
        (
            "when does monitoring end",
            "14 April 2014 (YOS managers): R1 monitoring window ends; results due to the next "
            "YOS Management Board meeting.",
        ),
    ],
)
def test_every_timeline_event_asked_by_name_comes_first(ask, question, first):
    reply = ask(question)
    assert reply.title == "Timeline"
    assert reply.headline == first
    timeline = next(s for s in reply.sections if s.heading == "Timeline")
    assert len(timeline.items) == 7  # then the whole timeline


@pytest.mark.parametrize(
    ("question", "title"),
    [
        ("Stockton", f"{STOCKTON}: Short Quality Screening"),
        ("Slough?", "Slough: Youth justice inspection"),
        ("West Sussex", "West Sussex: Youth justice inspection"),
    ],
)
def test_a_service_named_alone_gets_its_summary(ask, question, title):
    assert ask(question).title == title


def test_a_target_for_a_recommendation_that_does_not_exist(ask):
    reply = ask("target R9")
    assert not reply.ok
    assert reply.headline == "R9 is not a recommendation of this inspection; it has R1."


def test_an_event_a_service_has_no_record_of_says_so(ask):
    reply = ask("when is the call-in deadline for Reading")
    assert reply.ok
    assert reply.headline == (
        "No call-in deadline is recorded for Reading's youth justice inspection; here is what is."
    )


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("recomendations", "recs"),
        ("strenghts", "strengths"),
        ("sumary", "summary"),
        ("timline", "timeline"),
        ("servcies", "services"),
        ("comapre", "compare"),
    ],
)
def test_a_misspelt_command_or_topic_gets_a_suggestion(ask, typed, meant):
    reply = ask(typed)
    assert not reply.ok
    assert reply.headline == f"I didn't understand “{typed}”. Did you mean `{meant}`?"
    assert reply.sections[0].heading == "Did you mean"
    assert reply.sections[0].items[0].startswith(meant)


@pytest.mark.parametrize(
    "question",
    [
        "frobnicate the widgets",
        "compare us with others",
        "summary Atlantis",
        "score nonsense",
        "score",
        "services brilliant",
        "use",
        "xyzzy",
        "summary West",
        "scores for Stock",
    ],
)
def test_never_an_empty_did_you_mean(ask, question):
    assert_no_empty_did_you_mean(ask(question))


def test_compare_us_with_others_has_no_empty_heading(ask):
    reply = ask("compare us with others")
    assert reply.ok
    assert reply.title == f"How {STOCKTON} compares"
    for section in reply.sections:
        assert section.items or section.fields or section.text, section


# --- normalisation ----------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "score \uff30\uff35\uff22\uff2c\uff29\uff23",
        "\uff33\uff23\uff2f\uff32\uff25 public",
        "Score: Public!",
        "score “the public”",
        "score the public",
        "SCORE PROTECTING THE PUBLIC",
        "score protecting-public",
        "score\u00a0public",
    ],
)
def test_text_is_normalised_before_matching(ask, question):
    reply = ask(question)
    assert reply.ok, reply.headline
    assert reply.headline == "Protecting the public: 91%, Good (★★★★)."


def test_normalise():
    from bot.text import normalise, plain_words

    assert normalise("\uff30\uff35\uff22\uff2c\uff29\uff23") == "public"
    assert normalise("What\u2019s the  Score?!") == "whats the score"
    assert normalise("Stockton-on-Tees") == "stockton on tees"
    assert plain_words("scores for the Stockton service at Slough in 2013") == [
        "scores",
        "stockton",
        "service",
        "slough",
        "2013",
    ]


def test_normalising_is_linear_in_what_was_typed(ask):
    import time

    started = time.monotonic()
    reply = ask("score " + "a-" * 50_000 + "public Stockton " * 2_000)
    assert isinstance(reply.headline, str)
    assert time.monotonic() - started < 10


# --- services named as people name them ------------------------------------------


@pytest.mark.parametrize(
    ("question", "service"),
    [
        # the full name, in any case and punctuation
        ("summary Stockton-on-Tees Youth Offending Service", STOCKTON),
        ("summary stockton on tees youth offending service", STOCKTON),
        ("summary Bath and North East Somerset", "Bath and North East Somerset"),
        # the reference, the short name
        ("summary sloughyjs", "Slough"),
        ("summary bnesyjs", "Bath and North East Somerset"),
        ("summary Stockton YOS", STOCKTON),
        # leading words only one service has
        ("summary Stockton", STOCKTON),
        ("summary West Sussex", "West Sussex"),
        ("summary Bath", "Bath and North East Somerset"),
        ("summary Hammersmith", "Hammersmith and Fulham"),
        ("summary Blaenau Gwent", "Blaenau Gwent and Caerphilly"),
        # a prefix or a part only it has, named on its own
        ("summary Slou", "Slough"),
        ("summary Tower Hamlets", "Tower Hamlets and City of London"),
        # with "for", "in", "at", "the"
        ("summary for Stockton", STOCKTON),
        ("summary for Slough", "Slough"),
        ("summary in West Sussex", "West Sussex"),
        ("summary at the Stockton YOS", STOCKTON),
        ("scores for Stockton", STOCKTON),
        ("scores for West Sussex", "West Sussex"),
        # after a theme
        ("score public Stockton", STOCKTON),
        ("score public for Stockton", STOCKTON),
        ("score staff Slough", "Slough"),
        ("score staff for West Sussex", "West Sussex"),
        # anywhere in the question
        ("how did Slough do", "Slough"),
        ("what went well in Stockton", STOCKTON),
        ("what were Reading's scores", "Reading"),
        ("how does West Sussex compare", "West Sussex"),
    ],
)
def test_service_matching(ask, question, service):
    reply = ask(question)
    assert reply.ok, (question, reply.headline)
    assert service in render_text(reply), (question, reply.title)
    if service != STOCKTON:
        assert STOCKTON not in reply.title


@pytest.mark.parametrize(
    ("question", "candidates"),
    [
        ("summary West", {"West Mercia", "West Sussex"}),
        ("summary North", {"North East Lincolnshire", "North Lincolnshire"}),
        ("summary Stock", {"Stockport", STOCKTON}),
        ("scores for Stock", {"Stockport", STOCKTON}),
        ("compare for West", {"West Mercia", "West Sussex"}),
    ],
)
def test_an_ambiguous_service_lists_the_candidates(ask, question, candidates):
    reply = ask(question)
    assert not reply.ok
    assert "fits more than one service" in reply.headline
    assert set(reply.sections[0].items) == candidates


def test_the_theme_and_the_service_both_count_after_a_theme(ask):
    reply = ask("score public Stockton")
    assert reply.headline == "Protecting the public: 91%, Good (★★★★)."
    assert CAVEAT in text_of(reply)
    staff = ask("score staff West Sussex")
    assert staff.headline == "Staff: Outstanding (3 points)."


def test_a_service_that_is_not_in_the_store(ask):
    reply = ask("summary Atlantis")
    assert not reply.ok
    assert reply.headline == "No service in the store matches “atlantis”."
    close = ask("summary Slouhg")
    assert close.sections[0].heading == "Did you mean" and close.sections[0].items == ("Slough",)


# --- caveats travel with numbers ---------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "summary",
        "score public",
        "scores",
        "overall",
        "range",
        "bands",
        "compare",
        "services 5",
        "target",
        "how did we score on protecting the public",
    ],
)
def test_an_sqs_percentage_with_a_band_carries_the_records_caveat_once(ask, question):
    text = text_of(ask(question))
    assert "★★★★" in text or "Good" in text
    assert text.count(CAVEAT) == 1, question


def test_a_points_rating_carries_no_sqs_caveat(ask):
    assert CAVEAT not in text_of(ask("summary Slough"))


# --- comparison on the shipped table -----------------------------------------------


def test_compare_slough_among_the_2018_services(ask):
    reply = ask("compare Slough")
    assert reply.headline == (
        "Slough is Inadequate, 3/36 points: 79th of 79 ranked services by points, "
        "the 1st percentile."
    )
    above = next(s for s in reply.sections if s.heading == "Just above").items
    assert above == (  # every service on 8 points, not one of them cut off by name
        "Reading: Inadequate, 5/36 points",
        "Kirklees: Requires improvement, 8/36 points",
        "Tower Hamlets and City of London: Requires improvement, 8/36 points",
    )
    assert not any(
        s.heading == "Just below" for s in reply.sections
    )  # Bridgend, Ceredigion: flagged


@pytest.mark.parametrize(
    ("service", "flag"),
    [
        ("Bridgend", "1.64 points (score 4.56%) is not a whole number from 0 to 36"),
        ("Ceredigion", "1.50 points (score 4.17%) is not a whole number from 0 to 36"),
        ("West Sussex", "published: Requires improvement; 26/36 points would be Good"),
        ("Portsmouth", "which is not a rating; 22/36 points would be Good"),
    ],
)
def test_the_flagged_rows_of_the_shipped_table_are_not_ranked(ask, service, flag):
    reply = ask(f"compare {service}")
    assert reply.headline.startswith(f"{service} is not ranked: its published row is questionable")
    assert flag in reply.headline


def test_portsmouth_is_not_published_as_a_rating(ask):
    reply = ask("summary Portsmouth")
    assert reply.headline.startswith("Portsmouth: overall not published as a rating, 22/36 points")
    assert "Portsmouth is 1 The resettlement" not in text_of(ask("compare Portsmouth"))


def test_hull_is_level_with_seven_others_never_above(ask):
    reply = ask("compare Hull")
    assert reply.headline == (
        "Hull is Good, 29/36 points: 8th of 79 ranked services by points, level with 7 others, "
        "the 86th percentile."
    )
    level = next(s for s in reply.sections if s.heading == "Level with").items
    above = next(s for s in reply.sections if s.heading == "Just above").items
    assert len(level) == 7 and all("29/36" in line for line in level)
    assert all("29/36" not in line for line in above)


def test_west_sussex_says_how_many_standards_its_row_holds(ask):
    text = text_of(ask("summary West Sussex"))
    assert "The published row holds 9 of the 12 standards; the overall 26/36 points" in text


def test_services_outstanding_lists_the_seven(ask):
    reply = ask("services outstanding")
    assert reply.headline == "7 services rated Outstanding."
    items = reply.sections[0].items
    assert [line.split(":")[0] for line in items] == [
        "1st= Carmarthenshire",
        "1st= Islington",
        "3rd Bromley",
        "4th= Coventry",
        "4th= York",
        "6th= Hammersmith and Fulham",
        "6th= Swindon",
    ]


def test_services_keeps_the_sqs_out_of_the_points_ranking(ask):
    first = ask("services")
    assert first.headline == (
        "84 services in the store: 79 ranked by points, 4 not ranked (questionable as "
        "published), 1 inspected under an earlier programme, in percentages."
    )
    last = ask("services 5")
    earlier = next(s for s in last.sections if (s.heading or "").startswith("Earlier"))
    assert earlier.items[0].startswith(f"{STOCKTON}: 91%")
    good = ask("services good")
    assert not any("Stockton" in i for s in good.sections for i in s.items)


def test_compare_for_the_sqs_explains_and_offers_the_national_distribution(ask):
    reply = ask("compare")
    assert reply.headline.startswith(
        f"{STOCKTON}'s Short Quality Screening of 2013 cannot be ranked among the 79 services "
        "inspected under the HMIP youth justice inspection standards (2018 onwards)"
    )
    national = next(s for s in reply.sections if (s.heading or "").startswith("Nationally"))
    assert {f.label: f.value for f in national.fields} == {
        "Outstanding": "7",
        "Good": "43",
        "Requires improvement": "27",
        "Inadequate": "2",
    }


# --- the README's examples, as written ---------------------------------------------


def readme_examples() -> list[str]:
    """Every `/yos …` example of the README's "What you can ask" section without a
    placeholder, and the plain-word questions it quotes."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    part = readme.split("## What you can ask", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"`/yos ([^`<\[|]+)`", part)
    said = re.findall(r"\"@yos ([^\"]+)\"", " ".join(part.split()))
    quoted = re.findall(r"\"((?:score|range|status|how|what|when|call)[^\"]*)\"", part)
    return sorted({" ".join(c.split()) for c in commands + said + quoted})


def test_the_readme_has_examples():
    examples = readme_examples()
    for expected in (
        "summary Reading",
        "scores Slough",
        "score public Stockton",
        "scores for Stockton",
        "summary for West Sussex",
        "what's the latest inspection summary?",
        "how did we score on protecting the public",
        "status of R1",
        "when was it published",
    ):
        assert expected in examples


@pytest.mark.parametrize("example", readme_examples())
def test_every_readme_example_is_answered(ctx, example):
    ctx.conversation = "C0README"
    ctx.invocation = "/yos "
    reply = dispatch(example, ctx)
    if example == "summary West":  # given as the README's example of an ambiguous name
        assert "fits more than one service" in reply.headline
        return
    if example in ("audit", "use"):  # named as commands: the form, the channel's choice
        assert reply.headline
        return
    assert reply.ok, (example, reply.headline)
    assert_no_empty_did_you_mean(reply)
