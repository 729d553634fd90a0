"""The welcome where the bot is added, and its log line (bot.app.welcome), in the words a
platform gives it. The served install, from Teams' activities, is in
tests/test_teams_install.py."""

from __future__ import annotations

from bot.app.welcome import Place, WelcomeWords, log_line, welcome

WORDS = WelcomeWords(
    ask="Type {mention}, then your question",
    from_a_message="Or use a message's Record as audit update.",
    admin="your admin",
    channel_setting="YOS_CHANNEL",
)
CHANNEL = Place("19:c", "channel", "Youth Justice", "General")
GROUP = Place("19:g", "groupChat")


def said(reply) -> str:
    return " ".join([reply.title, reply.headline, *(s.text or "" for s in reply.sections)])


def card(place: Place, reminder_channel: str | None) -> str:
    return said(
        welcome(
            place,
            WORDS,
            bot_name="YOS",
            service="Stockton-on-Tees",
            reminder_channel=reminder_channel,
            who_may_record="Only auditors may record.",
        )
    )


def test_the_welcome_says_how_to_ask_and_record_in_the_platforms_words():
    text = card(CHANNEL, "19:c")
    assert text.startswith("YOS is here I answer questions about Stockton-on-Tees's")
    assert "Type @YOS, then your question, such as: @YOS summary." in text
    assert "compliant against R1. Or use a message's Record as audit update. Only auditors" in text
    assert "Monitoring reminders and board reports will be posted in this channel." in text
    assert "identify a child" in text


def test_elsewhere_it_says_how_to_have_reminders_posted_here():
    assert (
        "go to another conversation. To have them posted in this chat, your admin sets "
        "YOS_CHANNEL=19:g and restarts the bot." in card(GROUP, "19:c")
    )
    assert "are not sent yet (YOS_CHANNEL is not set)" in card(GROUP, None)


def test_the_log_line_names_the_place_and_the_setting_never_a_person():
    assert log_line(CHANNEL, "19:c", WORDS) == (
        "added to team 'Youth Justice', channel 'General': conversation 19:c; "
        "this is YOS_CHANNEL, where reminders and board reports go"
    )
    assert log_line(GROUP, None, WORDS) == (
        "added to a group chat: conversation 19:g; to send reminders and board reports "
        "there, set YOS_CHANNEL=19:g and restart the bot"
    )
    assert log_line(Place("a:1", "personal"), None, WORDS) == (
        "added to a personal chat: conversation a:1"
    )
    assert Place("19:x", "channel").describe() == "a team, a channel"


def test_teams_conversation_types_are_the_kinds_the_application_knows():
    from bot.app import conversations, welcome
    from bot.teams import platform

    assert platform.PERSONAL == conversations.PERSONAL
    assert platform.CHANNEL == welcome.CHANNEL
