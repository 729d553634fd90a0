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
    ],
)
def test_questions_in_plain_english(ask, sentence, title):
    reply = ask(sentence)
    assert reply.title == title


def test_unknown_subcommand_returns_help(ask):
    reply = ask("frobnicate the widgets")
    assert not reply.ok
    assert reply.title == "YOS inspection bot"
    assert "I didn't understand" in reply.headline
    listed = reply.sections[0].items
    assert any(line.startswith("/yos score <theme>") for line in listed)


def test_help_comes_from_the_registry(ask):
    from bot.commands import registry

    listed = ask("help").sections[0].items
    assert len(listed) == len(registry.commands)
    for cmd in registry.commands.values():
        assert any(line.startswith(f"/yos {cmd.usage}:") for line in listed)


def test_help_for_one_command(ask):
    reply = ask("help score")
    assert reply.title == "/yos score <theme> [service]"
    examples = next(s for s in reply.sections if s.heading == "Examples")
    assert "/yos score protecting-public" in examples.items


def test_leading_slash_and_aliases(ask):
    assert ask("/yos latest").title == ask("summary").title
    assert ask("/yos recommendations").title == "Recommendations"
