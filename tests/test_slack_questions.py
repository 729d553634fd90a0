"""Questions as people ask them, once each through the served Slack app (`yos-bot serve`
over HTTP, signed as Slack signs), on a fresh store: the bundled SQS and the shipped
national ratings table, loaded on first start."""

from __future__ import annotations

import json

import pytest

from tests.blockkit import all_text, assert_valid_message

STOCKTON = "Stockton-on-Tees Youth Offending Service"
CAVEAT = "not directly applied to the SQS process"


@pytest.fixture(autouse=True)
def _idle(request):
    """Each test starts once the served app has sent everything earlier tests caused."""
    if "served" in request.fixturenames:
        request.getfixturevalue("served").wait_until_outbox_idle()


def answer(served, text: str) -> tuple[str, str]:
    """The headline (the notification text) and all the text of the reply to ``/yos text``."""
    response = served.command(text)
    assert response.status == 200, response.body
    body = response.json()
    assert_valid_message(body)
    assert body["response_type"] == "ephemeral"
    return body["text"], " ".join(all_text(body["blocks"]).split())


@pytest.mark.parametrize(
    ("question", "headline", "also"),
    [
        ("score public Stockton", "Protecting the public: 91%, Good (★★★★).", CAVEAT),
        ("scores for Stockton", "Reducing the likelihood of reoffending 91%", CAVEAT),
        ("summary for Stockton", f"{STOCKTON}: overall 91%, Good (★★★★)", CAVEAT),
        ("summary for Slough", "Slough: overall Inadequate, 3/36 points.", "6 of the 12"),
        (
            "score \uff30\uff35\uff22\uff2c\uff29\uff23",
            "Protecting the public: 91%, Good (★★★★).",
            CAVEAT,
        ),
        (
            "score overall",
            f"{STOCKTON}: overall 91%, Good (★★★★), scores ranging from 80% to 100%.",
            CAVEAT,
        ),
        ("range", f"{STOCKTON}: scores ranged from 80% to 100%", CAVEAT),
        ("status of R1", "Off track: cannot be met", "R1"),
        ("how are we doing on R1", "Off track: cannot be met", "R1"),
        ("what went well", "The inspectors identified three key strengths.", "diversity"),
        (
            "what did the inspectors say",
            "The inspectors said: “Overall, we found a really positive picture in "
            "Stockton-on-Tees.”",
            "robust quality assurance procedures",
        ),
        ("what is the target", "R1's target: 80% or more of the cases audited", CAVEAT),
        (
            "when was it published",
            "18 December 2013 (HM Inspectorate of Probation): Inspection report published.",
            "21 February 2014",
        ),
        ("call-in", "21 February 2014 (Cabinet, Stockton-on-Tees Borough Council)", "midnight"),
        ("compare Slough", "Slough is Inadequate, 3/36 points: 79th of 79 ranked services", "1st"),
        ("compare Hull", "level with 7 others", "Level with"),
        ("compare Portsmouth", "Portsmouth is not ranked", "not published as a rating"),
        ("services outstanding", "7 services rated Outstanding.", "6th= Swindon"),
        ("compare", f"{STOCKTON}'s Short Quality Screening of 2013 cannot be ranked", CAVEAT),
    ],
)
def test_every_phrasing_through_slack(served, question, headline, also):
    text, everything = answer(served, question)
    assert text.startswith(headline) or headline in text, text
    assert also in everything


def test_share_carries_the_theme_and_the_service_named_after_it(served):
    body = served.command("score public Stockton").json()
    buttons = [b for b in body["blocks"] if b["type"] == "actions"]
    assert json.loads(buttons[0]["elements"][0]["value"]) == {
        "command": "score",
        "args": f"protecting-public {STOCKTON}",
    }


def test_a_misspelt_command_gets_a_suggestion_typed_as_in_slack(served):
    text, everything = answer(served, "recomendations")
    assert text.endswith("I didn't understand “recomendations”. Did you mean `/yos recs`?")
    assert "Did you mean" in everything and "/yos recs [service]" in everything


def test_compare_us_with_others_prints_no_empty_heading(served):
    body = served.command("compare us with others").json()
    assert_valid_message(body)
    blocks = body["blocks"]
    assert blocks[0]["text"]["text"] == f"How {STOCKTON} compares"
    for n, block in enumerate(blocks[:-1]):
        text = (block.get("text") or {}).get("text", "")
        if text.startswith("*") and text.endswith("*"):  # a heading on its own
            assert blocks[n + 1]["type"] != "header", text


def test_an_ambiguous_service_lists_the_candidates(served):
    text, everything = answer(served, "summary West")
    assert text.endswith("“west” fits more than one service.")
    assert "West Mercia" in everything and "West Sussex" in everything


def test_a_mention_in_plain_words_answers_the_fact_first(served, slack):
    served.mention("when was it published?", event_id="Ev0QPUBLISHED")
    [post] = slack.wait_for("chat.postMessage")
    assert post.params["text"].startswith(
        "Timeline: 18 December 2013 (HM Inspectorate of Probation): Inspection report published."
    )
    assert_valid_message(post.params)


def test_a_misspelt_mention_is_answered_privately_with_a_suggestion(served, slack):
    served.mention("strenghts", event_id="Ev0QSTRENGHTS")
    [post] = slack.wait_for("chat.postEphemeral")
    assert "Did you mean `/yos strengths`?" in post.params["text"]
