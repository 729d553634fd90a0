"""Questions answered as asked (issue 19): each phrasing reaches the command a person
means, and the reply says what they would expect, in the words they see.

On the bundled store (the Stockton SQS and HMIP's national ratings table), through the
command layer, with the day pinned inside R1's monitoring window.
"""

from __future__ import annotations

import csv
import tomllib

import pytest

from bot.commands import dispatch, interpret
from bot.config import PROJECT_ROOT
from bot.domain.inspections import vocabulary
from bot.domain.inspections.compare import set_channel_service
from bot.render.text import render_text
from bot.store.loader import load_files
from bot.store.loader.ratings_csv import service_name

SLOUGH_REPORT = "https://www.justiceinspectorates.gov.uk/hmiprobation/inspections/sloughyjs2025/"
CHILD = "Protecting the child or young person: 87%, Good (★★★★)."
PUBLIC = "Protecting the public: 91%, Good (★★★★)."
REOFFENDING = "Reducing the likelihood of reoffending: 91%, Good (★★★★)."
SENTENCE = "Ensuring that sentence is served: 96%, Good (★★★★)."
SIDE_BY_SIDE = (
    "Reading is Inadequate, 5/36 points, 78th of 79; Slough is Inadequate, 3/36 points, "
    "79th of 79: Reading is 2 points ahead."
)
NOT_RANKED_TOGETHER = "They were rated on different measures"


def said(reply) -> str:
    """Everything a person sees, on one line."""
    return " ".join(render_text(reply).split())


# --- the phrasings, each with the command it reaches and a key phrase of its reply ----------

PHRASINGS = [
    # services: ratings and years, never a year read as a page; a page past the last refused
    ("list services rated good in 2024", "services", "12 services rated Good, published in 2024."),
    ("services good 2024", "services", "12 services rated Good, published in 2024."),
    ("services 2024 good", "services", "12 services rated Good, published in 2024."),
    ("which services are outstanding", "services", "7 services rated Outstanding."),
    ("how many services are rated outstanding", "services", "7 services rated Outstanding."),
    ("services rated good", "services", "43 services rated Good."),
    ("services good or outstanding", "services", "50 services rated Outstanding or Good."),
    ("services 2013", "services", "1 service published in 2013."),
    ("services 9", "services", "There are 5 pages of services; page 9 is beyond the last."),
    (
        "services good 9",
        "services",
        "There are 3 pages of services rated Good; page 9 is beyond the last.",
    ),
    ("services 5", "services", "(page 5 of 5)"),
    # a recommendation's status, however it is asked
    ("rec 1 status", "rec", "In all cases, reviews of assessments"),
    ("rec R1 status please", "rec", "In all cases, reviews of assessments"),
    ("status of R1", "rec", "In all cases, reviews of assessments"),
    # help: a part of a command, and a bare invocation
    ("help undo", "help", "undo is part of audit: `audit undo` retracts your latest update"),
    ("help close", "help", "close is part of rec:"),
    ("", "help", "Ask about your latest HMIP inspection and the recommendations from it."),
    ("   ", "help", "Ask about your latest HMIP inspection and the recommendations from it."),
    # themes: "for" dropped, synonyms from data/vocabulary/synonyms.toml
    ("score for safeguarding", "score", CHILD),
    ("score safeguarding", "score", CHILD),
    ("score for vulnerability", "score", CHILD),
    ("how did we do on safeguarding", "score", CHILD),
    ("score public protection", "score", PUBLIC),
    ("score for risk of harm", "score", PUBLIC),
    ("how are we doing on public protection", "score", PUBLIC),
    ("score for reoffending", "score", REOFFENDING),
    ("score re-offending", "score", REOFFENDING),
    ("score compliance", "score", SENTENCE),
    ("how did we do on compliance", "score", SENTENCE),
    ("score staffing Slough", "score", "Staff: Inadequate (0 points)."),
    ("score assessments for Slough", "score", "Assessment: Inadequate (0 points)."),
    (
        "how did Newcastle do on partnerships and services",
        "score",
        "Partnerships and services: Good (2 points).",
    ),
    # quotes: on a theme when the data has one, else said so with the general one
    (
        "what did they say about protecting the public",
        "quote",
        "No words of the inspectors on Protecting the public are recorded",
    ),
    (
        "what did the inspectors say about safeguarding",
        "quote",
        "No words of the inspectors on Protecting the child or young person are recorded",
    ),
    ("what did they say", "quote", "The inspectors said: “Overall, we found a really positive"),
    ("quote Slou", "quote", "Slough's summary in the inspectors' own words"),
    # compare: side by side, the command asked in the example, every level shown
    ("compare us with Slough", "compare", NOT_RANKED_TOGETHER),
    ("how do we compare with Slough", "compare", NOT_RANKED_TOGETHER),
    ("compare Slough and Reading", "compare", SIDE_BY_SIDE),
    ("compare Slough with Reading", "compare", SIDE_BY_SIDE),
    ("compare Reading vs Slough", "compare", SIDE_BY_SIDE),
    ("compare Slough to Reading", "compare", SIDE_BY_SIDE),
    ("compare west", "compare", "Name one in full, e.g. compare West Mercia."),
    ("compare west with Slough", "compare", "“west” fits more than one service."),
    ("compare Bath and North East Somerset", "compare", "How Bath and North East Somerset"),
    (
        "compare Slough",
        "compare",
        "- Kirklees: Requires improvement, 8/36 points - Tower Hamlets and City of London: "
        "Requires improvement, 8/36 points",
    ),
    ("compare Newcastle", "compare", "Ealing: Requires improvement, 17/36 points"),
    ("compare Hull", "compare", "The percentile is the share of the ranked services"),
    ("compare Tower Hamlets", "compare", "Tower Hamlets and City of London is Requires"),
    # grammar of counts
    (
        "timeline Slough",
        "timeline",
        "One date is recorded: 14 January 2025 (HM Inspectorate of Probation): "
        "Inspection report published.",
    ),
    # Welsh names of Welsh services (data/vocabulary/welsh-names.toml)
    ("Sir Gâr", "summary", "Carmarthenshire: overall Outstanding, 34/36 points."),
    ("sir gar", "summary", "Carmarthenshire: overall Outstanding, 34/36 points."),
    ("summary Casnewydd", "summary", "Newport: overall Good, 19/36 points."),
    ("how did Abertawe do", "summary", "Swansea: overall"),
    ("scores Bro Morgannwg", "scores", "Scores by theme: Vale of Glamorgan"),
    ("compare Sir y Fflint", "compare", "How Flintshire compares"),
    ("summary Pen-y-bont ar Ogwr", "summary", "Bridgend: overall"),
    # scraped titles cleaned to the service's name
    ("summary Dorset", "summary", "Dorset: overall"),
    # absent is not none
    (
        "recs Slough",
        "recs",
        "Slough's recommendations from the youth justice inspection of 14 January 2025 are "
        "not recorded in the store",
    ),
    ("strengths Slough", "strengths", "Slough's key strengths from the youth justice"),
    ("target Slough", "target", "Slough's recommendations from the youth justice"),
    ("quote Slough", "quote", f"In the published report: {SLOUGH_REPORT}"),
]


@pytest.mark.parametrize(("question", "command", "phrase"), PHRASINGS)
def test_each_phrasing_reaches_the_command_meant(ctx, question, command, phrase):
    found = interpret(question, ctx.queries).command
    assert found is not None and found.name == command, (question, found and found.name)
    reply = dispatch(question, ctx)
    assert phrase in said(reply), (question, said(reply)[:400])


def test_there_are_more_than_forty_phrasings():
    assert len(PHRASINGS) >= 40
    assert len({question for question, _, _ in PHRASINGS}) == len(PHRASINGS)


# --- questions misread ---------------------------------------------------------------------


@pytest.mark.parametrize("question", ["rec 1 status", "rec R1 status", "rec r1 status?"])
def test_rec_status_is_the_rec_answer(ask, question):
    expected = ask("status of R1")
    reply = ask(question)
    assert (reply.title, reply.headline) == (expected.title, expected.headline)


def test_rec_close_is_still_an_action(ask):
    assert "Give a reason" in ask("rec 1 close").title


def test_services_year_is_never_a_page(ask):
    reply = ask("services good 2024")
    heading = reply.sections[0].heading or ""
    assert heading.endswith("(page 1 of 1)")
    assert all("2024" in line for line in reply.sections[0].items)
    assert reply.title == "Services rated Good, published in 2024"


def test_a_page_beyond_the_last_is_refused_with_the_number_of_pages(ask):
    reply = ask("services 9")
    assert not reply.ok
    assert reply.headline == "There are 5 pages of services; page 9 is beyond the last."
    assert said(reply).endswith("The last page: services 5")
    assert ask("services 5").ok


def test_the_next_page_keeps_the_filters(ask):
    reply = ask("services good")
    assert reply.sections[-1].text == "More: services good 2"
    assert ask("services good 2").sections[0].heading.endswith("(page 2 of 3)")


def test_an_unknown_rating_is_named_and_the_ratings_listed(ask):
    reply = ask("services brilliant")
    assert not reply.ok
    assert reply.headline == "“brilliant” is not an overall rating."
    assert "Good, Inadequate, Outstanding, Requires improvement" in said(reply)


def test_a_bare_invocation_is_the_help(ask):
    reply = ask("")
    assert reply.ok
    assert reply.title == "YOS inspection bot"
    assert "not understood" not in said(reply) and "didn't understand" not in said(reply)


def test_help_undo_is_the_help_for_undo(ask):
    reply = ask("help undo")
    assert reply.ok
    assert reply.title == "audit <rec> <compliant>/<audited> [date] [note]"
    assert reply.headline == (
        "undo is part of audit: `audit undo` retracts your latest update; an auditor can "
        "retract any by its number: `audit undo 3`."
    )


def test_a_theme_quote_is_given_when_the_data_has_one(db, ask, tmp_path):
    load_files(db, [_otherton(tmp_path, lists=True)])
    reply = ask("what did they say about public protection in Otherton")
    assert reply.title == "What the inspectors said on Protecting the public"
    assert reply.headline == (
        "On Protecting the public, the inspectors said: “Work to manage the risk of harm "
        "to others was good.”"
    )
    assert [s.text for s in reply.sections if s.quote] == [
        "Work to manage the risk of harm to others was good. Plans were timely."
    ]
    other = ask("what did they say about sentences served in Otherton")
    assert other.headline.startswith(
        "No words of the inspectors on Ensuring that sentence is served are recorded for "
        "Otherton Youth Offending Service's short quality screening; overall they said: "
        "“A mixed picture.”"
    )


# --- absent is not none --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "noun"),
    [("recs Slough", "recommendations"), ("strengths Slough", "key strengths")],
)
def test_what_the_national_table_does_not_hold_is_not_recorded(ask, question, noun):
    reply = ask(question)
    text = said(reply)
    assert reply.headline == (
        f"Slough's {noun} from the youth justice inspection of 14 January 2025 are not "
        "recorded in the store: it holds the ratings HMIP published for this inspection "
        "and nothing else."
    )
    assert f"Where they are In the published report: {SLOUGH_REPORT}" in text
    assert "see “The data” in the README" in text
    assert "made no" not in text and "identified no" not in text


def test_the_board_report_of_a_service_without_recorded_recommendations(ctx, db, ask):
    set_channel_service(db, "C0SLOUGH", "slough", "U0AUDITOR")
    ctx.conversation = "C0SLOUGH"
    reply = ask("report")
    assert not reply.ok
    assert reply.title == "No report to make"
    assert reply.headline.startswith("Slough's recommendations from the youth justice")
    assert "not recorded in the store" in reply.headline
    assert "made no recommendations" not in said(reply)
    assert SLOUGH_REPORT in said(reply)


def test_none_only_when_a_data_file_says_so(db, ask, tmp_path):
    load_files(db, [_otherton(tmp_path, lists=True)])
    assert ask("recs Otherton").headline == ("The Short Quality Screening made no recommendations.")
    assert ask("strengths Otherton").headline == "The inspectors identified no key strengths."


def test_a_data_file_that_leaves_them_out_has_them_not_recorded(db, ask, tmp_path):
    load_files(db, [_otherton(tmp_path, lists=False)])
    reply = ask("recs Otherton")
    assert reply.headline == (
        "Otherton Youth Offending Service's recommendations from the short quality "
        "screening of 1 June 2012 are not recorded in the store: the data file it came "
        "from does not list them."
    )
    assert (
        "In the inspection report, published by HM Inspectorate of Probation on 1 June 2012."
        in said(reply)
    )


def test_one_key_strength_is_one(db, ask, tmp_path):
    path = _otherton(tmp_path, lists=True)
    path.write_text(path.read_text().replace("strengths = []", 'strengths = ["Good reports"]'))
    load_files(db, [path])
    assert ask("strengths Otherton").headline == "The inspectors identified one key strength."


def _otherton(folder, *, lists: bool):
    """An SQS in a data file: with ``lists``, it says it made no recommendations and no
    strengths were identified (empty lists); without, it leaves them out."""
    path = folder / "otherton.toml"
    listed = "strengths = []\nrecommendations = []\n" if lists else ""
    path.write_text(
        f"""
[[services]]
id = "otherton"
name = "Otherton Youth Offending Service"

[[inspections]]
id = "otherton-sqs-2012"
service = "otherton"
framework = "hmip-case-assessment-2009"
inspectorate = "HM Inspectorate of Probation"
programme = "Short Quality Screening"
published = 2012-06-01
overall_score = 70
summary_quote = "A mixed picture. Much to do."
{listed}
  [[inspections.themes]]
  name = "Protecting the public"
  score = 70
  quote = "Work to manage the risk of harm to others was good. Plans were timely."

  [[inspections.themes]]
  name = "Ensuring that sentence is served"
  score = 72
"""
    )
    return path


# --- national comparison details ------------------------------------------------------------


def test_compare_us_with_slough_is_side_by_side(ask):
    reply = ask("compare us with Slough")
    assert reply.title == "Stockton-on-Tees Youth Offending Service and Slough side by side"
    assert reply.headline == (
        "Stockton-on-Tees Youth Offending Service is 91%, Good (★★★★); Slough is Inadequate, "
        "3/36 points. They were rated on different measures (percentages of cases and points "
        "out of 36), so they cannot be ranked against each other."
    )
    assert [s.heading for s in reply.sections][:2] == [
        "Stockton-on-Tees Youth Offending Service",
        "Slough",
    ]


def test_compare_two_services_shows_their_shared_standards(ask):
    reply = ask("compare Slough and Reading")
    assert reply.title == "Slough and Reading side by side"
    shared = next(s for s in reply.sections if (s.heading or "").startswith("Standards"))
    assert {f.label for f in shared.fields} >= {"Staff", "Assessment", "Planning"}
    assert shared.fields[0].value == "Slough Inadequate (0 points); Reading Inadequate (0 points)"
    assert said(reply).count("The percentile is the share") == 1


def test_the_percentile_rule_is_stated_once(ask):
    text = said(ask("compare Newcastle"))
    assert text.count("The percentile is the share of the ranked services with fewer points") == 1
    assert "The percentile is" in said(ask("help compare"))


def test_every_service_level_on_points_is_shown(ask):
    reply = ask("compare Newcastle")
    above = next(s for s in reply.sections if s.heading == "Just above").items
    assert above == (
        "Ealing: Requires improvement, 17/36 points",
        "Harrow: Requires improvement, 17/36 points",
        "Solihull: Requires improvement, 17/36 points",
    )


def test_scraped_titles_are_cleaned_by_rule():
    assert service_name("An inspection of Tower Hamlets and City of London") == (
        "Tower Hamlets and City of London"
    )
    assert service_name("Dorset - JI") == "Dorset"
    assert service_name("Conwy & Denbighshire - JI") == "Conwy & Denbighshire"
    assert service_name("Inspection of youth justice services in Leeds") == "Leeds"
    assert service_name("Stoke-on-Trent") == "Stoke-on-Trent"
    assert service_name("Isle of Wight") == "Isle of Wight"
    assert service_name("An inspection of") == "An inspection of"  # nothing would be left


def test_no_service_keeps_a_scraped_title(ask):
    names = " ".join(
        item for page in range(1, 6) for s in ask(f"services {page}").sections for item in s.items
    )
    assert "An inspection of" not in names
    assert " - JI" not in names
    assert "Tower Hamlets and City of London: Requires improvement" in names


# --- the vocabulary is data ------------------------------------------------------------------


def _bundled_table() -> list[dict[str, str]]:
    path = PROJECT_ROOT / "data" / "hmi_youth_justice_inspection_ratings.csv"
    with path.open(newline="", encoding="utf-8-sig") as table:
        return list(csv.DictReader(table))


def test_welsh_names_are_only_for_welsh_services_in_the_bundled_table():
    data = tomllib.loads(vocabulary.WELSH_NAMES.read_text(encoding="utf-8"))
    rows = {row["la_ref"]: service_name(row["la_name"]) for row in _bundled_table()}
    welsh = {
        "Blaenau Gwent and Caerphilly", "Bridgend", "Carmarthenshire", "Ceredigion",
        "Conwy & Denbighshire", "Flintshire", "Newport", "Powys", "Swansea",
        "Vale of Glamorgan",
    }  # fmt: skip
    for entry in data["services"]:
        assert rows.get(entry["reference"]) == entry["name"], entry
        assert entry["name"] in welsh, entry
    assert vocabulary.welsh_names()["carmarthenshire"] == (
        ("sir", "gâr"),
        ("sir", "gar"),
        ("sir", "gaerfyrddin"),
    )


def test_every_synonym_names_a_theme_in_the_bundled_data(ctx):
    slugs = {
        theme.slug
        for inspection in ctx.queries.all_inspections()
        for theme in ctx.queries.themes(inspection)
    }
    meant = {slug for slugs_of in vocabulary.theme_synonyms().values() for slug in slugs_of}
    assert meant <= slugs, meant - slugs
    # the words
    for phrase in ("safeguarding", "public protection", "re-offending", "compliance"):
        assert vocabulary.theme_words(phrase) in vocabulary.theme_synonyms()


def test_a_vocabulary_file_that_cannot_be_read_counts_as_empty(monkeypatch, tmp_path, caplog):
    broken = tmp_path / "synonyms.toml"
    broken.write_text("[[themes]\nnot toml")
    monkeypatch.setattr(vocabulary, "SYNONYMS", broken)
    vocabulary.theme_synonyms.cache_clear()
    try:
        assert vocabulary.theme_synonyms() == {}
        assert "synonyms.toml cannot be read" in caplog.text
    finally:
        vocabulary.theme_synonyms.cache_clear()


def test_two_percentage_inspections_side_by_side_are_not_ranked(db, ask, tmp_path):
    load_files(db, [_otherton(tmp_path, lists=True)])
    reply = ask("compare us with Otherton")
    assert reply.headline == (
        "Stockton-on-Tees Youth Offending Service is 91%, Good (★★★★); Otherton Youth "
        "Offending Service is 70%, Satisfactory (★★★). Percentages are not ranked; each theme "
        "is side by side."
    )
    shared = next(s for s in reply.sections if s.heading == "Scores by theme in more than one")
    assert [f.label for f in shared.fields] == [
        "Protecting the public",
        "Ensuring that sentence is served",
    ]
    assert "Percentile" not in said(reply)
    assert said(reply).count("not directly applied to the SQS process") == 1


def test_a_bare_slash_command_through_the_application_is_the_help(db, settings):
    from bot.console import console_request
    from bot.runtime import application
    from bot.store import StorePool

    app = application(settings, StorePool(settings.db_path))
    for bare in ("", "  "):
        reply = app.handle(console_request(bare)).reply
        assert reply.ok and reply.title == "YOS inspection bot", bare
        assert reply.headline == (
            "Ask about your latest HMIP inspection and the recommendations from it."
        )


@pytest.mark.parametrize("question", ["thank you sir", "bro what is the summary"])
def test_a_welsh_word_alone_in_a_question_names_no_service(ask, question):
    reply = ask(question)
    assert "fits more than one service" not in said(reply)
    assert "Carmarthenshire" not in reply.title and "Vale of Glamorgan" not in reply.title


@pytest.mark.parametrize(
    ("question", "title"),
    [
        ("rec R1 Slough", "Which recommendation?"),
        ("audits R1 Slough", "Which recommendation?"),
        ("target R1 Slough", "Target"),
        ("verdict R1 Slough", "Verdict"),
    ],
)
def test_one_recommendation_of_a_service_from_the_national_table_is_not_recorded(
    ask, question, title
):
    reply = ask(question)
    text = said(reply)
    assert reply.title == title
    assert reply.headline == (
        "There is no R1 to show: Slough's recommendations from the youth justice inspection "
        "of 14 January 2025 are not recorded in the store: it holds the ratings HMIP "
        "published for this inspection and nothing else."
    )
    assert f"Where they are In the published report: {SLOUGH_REPORT}" in text
    assert "`yos-bot load FILE`" in text
    assert "made none" not in text and "made no" not in text


@pytest.mark.parametrize("question", ["rec R1", "audits R1", "report R1", "audit R1 17/20"])
def test_the_conversations_service_without_recorded_recommendations(ctx, db, ask, question):
    set_channel_service(db, "C0SLOUGH", "slough", "U0AUDITOR")
    ctx.conversation = "C0SLOUGH"
    reply = ask(question)
    text = said(reply)
    assert not reply.ok
    assert reply.headline.startswith("There is no R1 to show: Slough's recommendations")
    assert "not recorded in the store" in reply.headline
    assert SLOUGH_REPORT in text
    assert "made none" not in text


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ('action add R1 "Audit every plan" owner me due 30/06/2014', "R1"),
        ("supervision R1 8/10 14/02/2014", "R1"),
        ('measure R1 "plans on time" 41/53', "R1"),
        ("history R1", "R1"),
        ("action R1.1", "R1.1"),
    ],
)
def test_the_plan_of_a_service_without_recorded_recommendations(ctx, db, ask, question, asked):
    """The improvement plan's commands say the recommendations are not recorded, where
    they are and how to add them, as recs does: never that the inspection has none."""
    set_channel_service(db, "C0SLOUGH", "slough", "U0AUDITOR")
    ctx.conversation = "C0SLOUGH"
    reply = ask(question)
    text = said(reply)
    assert not reply.ok
    assert reply.headline.startswith(f"There is no {asked} to show: Slough's recommendations")
    assert SLOUGH_REPORT in text
    assert "none recorded" not in text and "made none" not in text


def test_a_recommendation_of_an_inspection_that_made_none(ctx, db, ask, tmp_path):
    load_files(db, [_otherton(tmp_path, lists=True)])
    otherton = ask("recs Otherton")
    assert otherton.ok
    service = db.execute("SELECT id FROM services WHERE name LIKE 'Otherton%'").fetchone()[0]
    set_channel_service(db, "C0OTHER", service, "U0AUDITOR")
    ctx.conversation = "C0OTHER"
    assert ask("rec R1").headline == "R1 is not a recommendation: this inspection made none."
    assert ask("audits R1").headline == "R1 is not a recommendation: this inspection made none."
