"""A request is read once into a typed intent: the command and its words, with the
service, theme and recommendation they name looked up in the data in that one step, and
never again by the handler that answers it.

On the bundled store (the Stockton SQS and HMIP's national ratings table)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.commands import Context, Intent, dispatch, interpret
from bot.domain.inspections.matching import Mention
from bot.domain.inspections.model import Inspection, Theme, ThemeMatch
from bot.domain.inspections.queries import InspectionQueries
from bot.store.db import Store


class CountingQueries(InspectionQueries):
    """The inspection queries, counting each look-up of a service or a theme in words."""

    def __init__(self, db: Store, default_service: str | None = None) -> None:
        super().__init__(db, default_service)
        self.services_looked = 0
        self.themes_looked = 0

    def service_in_text(self, text: str) -> Mention | None:
        self.services_looked += 1
        return super().service_in_text(text)

    def services_in_text(self, text: str) -> list[Mention]:
        self.services_looked += 1
        return super().services_in_text(text)

    def theme_in_text(self, inspection: Inspection, text: str) -> Theme | None:
        self.themes_looked += 1
        return super().theme_in_text(inspection, text)

    def find_theme(self, inspection: Inspection, query: str) -> ThemeMatch:
        self.themes_looked += 1
        return super().find_theme(inspection, query)


def _service_id(intent: Intent) -> str | None:
    if intent.service is None or intent.service.match.service is None:
        return None
    return intent.service.match.service.id


def _theme_slug(intent: Intent) -> str | None:
    if intent.theme is None or intent.theme.theme is None:
        return None
    return intent.theme.theme.slug


@pytest.fixture
def slough(ctx: Context) -> str:
    found = ctx.queries.match_service("Slough").service
    assert found is not None
    return found.id


# --- interpret: typed intents ------------------------------------------------------------


def test_a_theme_typed_after_score_is_found_by_its_name(ctx):
    intent = interpret("score protecting-public", ctx.queries)
    assert intent.command is not None and intent.command.name == "score"
    assert intent.args == "protecting-public"
    # Only themes named: no service looked for; the conversation's (the default) it is.
    assert (intent.named_in, intent.service) == ("", None)
    assert intent.conversation_service is None
    assert intent.inspection == ctx.home_inspection()
    assert intent.theme_by_name and _theme_slug(intent) == "protecting-public"
    assert intent.recommendation is None and intent.not_understood == ""


def test_a_theme_named_in_a_sentence_is_the_score_of_that_theme(ctx):
    intent = interpret("how did we score on protecting the public", ctx.queries)
    assert intent.command is not None and intent.command.name == "score"
    assert intent.args == "protecting-public"
    assert intent.service is None
    assert intent.inspection == ctx.home_inspection()
    assert _theme_slug(intent) == "protecting-public"


@pytest.mark.parametrize("question", ["status of R1", "rec 1 status", "recs R1"])
def test_a_recommendation_asked_about_is_rec_with_its_reference(ctx, question):
    intent = interpret(question, ctx.queries)
    assert intent.command is not None and intent.command.name == "rec"
    assert (intent.args, intent.recommendation) == ("R1", "R1")
    assert intent.service is None and intent.theme is None


def test_a_service_named_is_found_once_in_the_words_the_command_reads(ctx, slough):
    intent = interpret("scores for Slough", ctx.queries)
    assert intent.command is not None and intent.command.name == "scores"
    assert intent.args == "for Slough"
    assert intent.service is not None and intent.service.typed == "slough"
    assert _service_id(intent) == slough
    assert intent.theme is None  # scores reads no theme


def test_a_theme_and_a_service_named_are_the_theme_in_that_services_inspection(ctx, slough):
    intent = interpret("score staffing Slough", ctx.queries)
    assert _service_id(intent) == slough
    assert intent.inspection == ctx.queries.latest_inspection(slough)
    assert intent.asked == "staffing"
    assert _theme_slug(intent) == "staff"


def test_a_theme_mentioned_in_a_question_for_the_inspectors_words(ctx):
    intent = interpret("what did the inspectors say about safeguarding", ctx.queries)
    assert intent.command is not None and intent.command.name == "quote"
    assert not intent.theme_by_name
    assert _theme_slug(intent) == "protecting-child-young-person"


def test_services_in_the_plural_are_listed_and_name_no_theme(ctx):
    intent = interpret("which services are outstanding", ctx.queries)
    assert intent.command is not None and intent.command.name == "services"
    assert intent.args == "which services are outstanding"
    assert intent.service is None and intent.theme is None


def test_a_service_named_on_its_own_in_a_question_is_what_its_words_name(ctx, slough):
    """Two services named alike fit together, but the command reads the first's words."""
    intent = interpret("how did Slough and Reading do", ctx.queries)
    assert intent.command is not None and intent.command.name == "summary"
    assert intent.args == "slough"
    assert _service_id(intent) == slough


def test_the_conversations_service_is_what_a_question_naming_none_is_about(ctx, slough):
    intent = interpret("score staffing", ctx.queries, slough)
    assert intent.conversation_service == slough
    assert intent.service is None
    assert intent.inspection == ctx.queries.latest_inspection(slough)
    assert _theme_slug(intent) == "staff"


def test_services_compared_are_every_service_named_in_order(ctx, slough):
    intent = interpret("compare Slough and Reading", ctx.queries)
    assert intent.command is not None and intent.command.name == "compare"
    assert intent.service is None and intent.services is not None
    named = [m.match.service.id for m in intent.services if m.match.service is not None]
    assert named[0] == slough and len(named) == 2


@pytest.mark.parametrize(
    ("question", "named_in"),
    [("rec R1 Slough", "Slough"), ("rec R1 close done", ""), ("plan Slough red", "Slough")],
)
def test_a_service_is_looked_for_in_the_words_that_may_name_one(ctx, slough, question, named_in):
    """After a recommendation's reference (never in a reason), and besides a colour."""
    intent = interpret(question, ctx.queries)
    assert intent.named_in == named_in
    assert _service_id(intent) == (slough if named_in else None)


def test_a_misspelling_is_not_understood_and_kept_for_the_suggestion(ctx):
    intent = interpret("recomendations", ctx.queries)
    assert intent.command is None
    assert intent.not_understood == "recomendations"
    assert "Did you mean" in dispatch("recomendations", ctx).headline


@pytest.mark.parametrize("text", ["", "   "])
def test_nothing_typed_is_the_help(ctx, text):
    intent = interpret(text, ctx.queries)
    assert intent.command is not None and intent.command.name == "help"
    assert (intent.args, intent.not_understood, intent.service) == ("", "", None)


# --- one look-up of each per request -----------------------------------------------------

# Each question, with the look-ups answering it makes: for the service its words name
# (none when they name only themes of the conversation's inspection: no service can be
# named, and every service's names need not be read), and for a theme (when it is read
# for one).
ASKED = [
    ("score protecting-public", 0, 1),
    ("quote protecting the public", 0, 1),
    ("how did we score on protecting the public", 1, 1),
    ("score public Slough", 1, 1),
    ("score child Slough", 1, 1),
    ("what did the inspectors say about safeguarding", 1, 1),
    ("which services are outstanding", 1, 1),  # read for a theme, to tell it from one
    ("how did Slough do", 1, 1),
    ("how did Slough and Reading do", 1, 1),
    ("recomendations", 1, 1),
    ("status of R1", 1, 0),
    ("rec 1 status", 1, 0),
    ("recs R1", 1, 0),
    ("scores for Slough", 1, 0),
    ("summary Slough", 1, 0),
    ("timeline published", 1, 0),
    ("compare Slough and Reading", 1, 0),
    ("how do we compare with Slough", 1, 0),
    ("rec R1 Slough", 1, 0),
    ("audits R1 Slough", 1, 0),
    ("plan Slough red", 1, 0),
]


@pytest.mark.parametrize(("question", "services", "themes"), ASKED)
def test_each_request_looks_up_its_service_and_theme_once(db, ctx, question, services, themes):
    """Interpreting and answering a question looks for the service its words name once
    at most, and for the theme once when it reads one: the handler reads them from the
    intent."""
    queries = CountingQueries(db)
    asking = replace(ctx, queries=queries)
    reply = dispatch(question, asking)
    assert reply.title
    assert (queries.services_looked, queries.themes_looked) == (services, themes), question


def test_an_answer_is_the_same_read_from_the_intent_as_looked_up_by_its_handler(db, ctx):
    """A handler given no intent (called on its own) looks for itself, and answers alike."""
    for question, _, _ in ASKED:
        intent = interpret(question, ctx.queries)
        if intent.command is None:
            continue
        fresh = CountingQueries(db)
        on_its_own = replace(ctx, queries=fresh, command=intent.command.name)
        assert intent.command.run(on_its_own, intent.args) == dispatch(question, ctx), question


def test_a_question_asked_again_is_not_interpreted_again(settings, db):
    """The application keeps each intent until the inspection data changes."""
    from bot.app import Application, Policy, Request, core
    from bot.app.requests import CONSOLE
    from bot.store import StorePool

    made: list[CountingQueries] = []

    def counting(db: Store, default_service: str | None = None) -> CountingQueries:
        made.append(CountingQueries(db, default_service))
        return made[-1]

    app = Application(StorePool(settings.db_path), Policy(()))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(core, "InspectionQueries", counting)
        for number in range(2):
            request = Request(CONSOLE, text="score staffing Slough", delivery_id=f"d{number}")
            assert app.handle(request).reply.ok
    first, again = made[0], made[-1]
    assert (first.services_looked, first.themes_looked) == (1, 1)
    assert (again.services_looked, again.themes_looked) == (0, 0)
