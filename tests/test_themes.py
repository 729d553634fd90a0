"""Finding a theme from what people type."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("typed", "title"),
    [
        ("protecting-public", "Protecting the public"),
        ("PROTECTING THE PUBLIC", "Protecting the public"),
        ("Protecting the Public", "Protecting the public"),
        ("public", "Protecting the public"),
        ("child", "Protecting the child or young person"),
        ("protecting-child", "Protecting the child or young person"),
        ("reoffending", "Reducing the likelihood of reoffending"),
        ("sentence", "Ensuring that sentence is served"),
        ("Ensuring that Sentence is Served", "Ensuring that sentence is served"),
        ("reduc", "Reducing the likelihood of reoffending"),
        ("\uff30\uff35\uff22\uff2c\uff29\uff23", "Protecting the public"),  # full-width
        ("the public", "Protecting the public"),
        ("“public”", "Protecting the public"),
        ("child or young person!", "Protecting the child or young person"),
        ("sentence served", "Ensuring that sentence is served"),
    ],
)
def test_theme_found(ask, typed, title):
    reply = ask(f"score {typed}")
    assert reply.ok, reply.headline
    assert reply.title == title


def test_ambiguous_theme_lists_the_candidates(ask):
    reply = ask("score protecting")
    assert not reply.ok
    assert "fits more than one theme" in reply.headline
    did_you_mean = reply.sections[0]
    assert did_you_mean.heading == "Did you mean"
    assert len(did_you_mean.items) == 2
    assert all("Protecting" in item for item in did_you_mean.items)


def test_unknown_theme_suggests_close_ones_and_lists_all(ask):
    reply = ask("score protecting-pubic")
    assert not reply.ok
    assert "No theme matches “protecting-pubic”" in reply.headline
    # Closest first.
    assert reply.sections[0].items[0] == "Protecting the public (score protecting-public)"
    themes = next(s for s in reply.sections if s.heading == "Themes")
    assert len(themes.items) == 4


def test_missing_theme_explains_how_to_ask(ask):
    reply = ask("score")
    assert not reply.ok
    assert "Which theme?" in reply.headline


@pytest.mark.parametrize(
    ("sentence", "title"),
    [
        ("how did we score on protecting the public?", "Protecting the public"),
        (
            "What was our score for the child or young person",
            "Protecting the child or young person",
        ),
        ("reoffending?", "Reducing the likelihood of reoffending"),
        (
            "what's the latest inspection summary?",
            "Stockton-on-Tees Youth Offending Service: Short Quality Screening",
        ),
        ("recommendations please", "Recommendations"),
        ("what are our strengths", "Key strengths"),
        ("when is the call-in deadline", "Timeline"),
        ("what do the stars mean", "Rating bands"),
        ("all our scores", "Scores by theme: Stockton YOS"),
        ("what's our score for protecting the public in Stockton?", "Protecting the public"),
        ("how did Stockton do on reoffending", "Reducing the likelihood of reoffending"),
        ("what went well", "Key strengths"),
        ("what did the inspectors say", "What the inspectors said"),
        ("when was it published", "Timeline"),
    ],
)
def test_questions_in_plain_english(ask, sentence, title):
    reply = ask(sentence)
    assert reply.title == title


def test_unknown_subcommand_returns_help(ask):
    reply = ask("frobnicate the widgets")
    assert not reply.ok
    assert reply.title == "YOS inspection bot"
    assert reply.headline == (
        "I didn't understand “frobnicate the widgets”. Here is what I can answer:"
    )
    listed = reply.sections[0].items
    assert any(line.startswith("score <theme>") for line in listed)


@pytest.fixture
def in_slack(ctx):
    """The context as Slack's adapter makes it: commands are typed as /yos."""
    from dataclasses import replace

    from bot.commands import dispatch

    slack = replace(ctx, invocation="/yos ")
    return lambda text: dispatch(text, slack)


def test_help_comes_from_the_registry(ask, in_slack):
    from bot.commands import default_registry

    for answer, prefix in ((ask, ""), (in_slack, "/yos ")):
        listed = answer("help").sections[0].items
        assert len(listed) == len(default_registry().commands)
        for cmd in default_registry().commands.values():
            assert any(line.startswith(f"{prefix}{cmd.usage}: {cmd.summary}") for line in listed)
        assert f"Type {prefix}help <command> for more" in answer("help").sections[1].text


def test_help_for_one_command(ask, in_slack):
    reply = ask("help score")
    assert reply.title == "score <theme> [service]"
    examples = next(s for s in reply.sections if s.heading == "Examples")
    assert "score protecting-public" in examples.items
    slack = in_slack("help score")
    assert slack.title == "/yos score <theme> [service]"
    examples = next(s for s in slack.sections if s.heading == "Examples")
    assert "/yos score protecting-public" in examples.items
    assert in_slack("help /score").title == slack.title


def test_an_unknown_command_in_help_lists_everything(in_slack):
    reply = in_slack("help frobnicate")
    assert not reply.ok
    assert any(line.startswith("/yos score <theme>") for line in reply.sections[0].items)


def test_aliases(ask):
    assert ask("latest").title == ask("summary").title
    assert ask("recommendations").title == "Recommendations"
    assert ask("dashboard").title == ask("home").title
    assert ask("Summary?").title == ask("summary").title  # the first word, as typed


def test_the_console_takes_a_command_typed_as_in_slack(ctx, settings):
    from io import StringIO

    from bot.console import run_console
    from bot.runtime import application
    from bot.store import StorePool

    app = application(settings, StorePool(settings.db_path))
    out = StringIO()
    answered = run_console(app, StringIO("/yos score public\n/yos recs\n"), out, interactive=False)
    assert answered == 2
    assert "Protecting the public: 91%, Good (★★★★)." in out.getvalue()
    assert "Recommendations\n===" in out.getvalue()
