"""What the bot says, and logs, when it is added to a conversation.

In a channel or a group chat the welcome is a short card for everyone there: what the
bot answers, how to mention it, how to record an audit update and who may, and where
reminders and board reports go: here, when this is the reminders channel, or how to make
it so. In a personal chat the welcome is the asker's dashboard. What differs by platform
(how a mention is typed, where the message action is, the setting that names the
reminders channel) comes in as :class:`WelcomeWords`.

The log line gives the conversation's ID with the team's and channel's names, which is
what an admin needs to set the reminders channel. It names no person.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.app.conversations import PERSONAL
from bot.app.core import Application
from bot.app.requests import Request, Via
from bot.reply import Reply, Section

# The kind of a conversation in a team (any other kind but PERSONAL is a group chat).
CHANNEL = "channel"


@dataclass(frozen=True)
class Place:
    """Where the bot was added, as the platform describes it."""

    conversation_id: str  # without any thread part
    kind: str  # PERSONAL, CHANNEL or a group chat
    team_name: str | None = None
    channel_name: str | None = None

    def describe(self) -> str:
        if self.kind == PERSONAL:
            return "a personal chat"
        if self.kind == CHANNEL:
            team = f"team {self.team_name!r}" if self.team_name else "a team"
            channel = f"channel {self.channel_name!r}" if self.channel_name else "a channel"
            return f"{team}, {channel}"
        return "a group chat"


@dataclass(frozen=True)
class WelcomeWords:
    """How one platform's welcome differs: ``ask`` how to mention the bot (``{mention}``
    is its @name), ``from_a_message`` how to record an update from a message, the
    ``admin`` who sets ``channel_setting``, the setting naming the reminders channel."""

    ask: str
    from_a_message: str
    admin: str
    channel_setting: str


def log_line(place: Place, reminder_channel: str | None, words: WelcomeWords) -> str:
    """The INFO line for an install: where, its ID, and what the reminders channel's
    setting makes of it."""
    where = f"added to {place.describe()}: conversation {place.conversation_id}"
    if place.kind == PERSONAL:
        return where
    setting = words.channel_setting
    if reminder_channel == place.conversation_id:
        return f"{where}; this is {setting}, where reminders and board reports go"
    return (
        f"{where}; to send reminders and board reports there, set "
        f"{setting}={place.conversation_id} and restart the bot"
    )


def welcome(
    place: Place,
    words: WelcomeWords,
    *,
    bot_name: str,
    service: str | None,
    reminder_channel: str | None,
    who_may_record: str,
) -> Reply:
    """The welcome card for a channel or a group chat."""
    here = "this channel" if place.kind == CHANNEL else "this chat"
    about = f"{service}'s" if service else "your service's"
    mention = f"@{bot_name}"
    setting = words.channel_setting
    if reminder_channel == place.conversation_id:
        where = f"Monitoring reminders and board reports will be posted in {here}."
    else:
        elsewhere = (
            "go to another conversation"
            if reminder_channel
            else f"are not sent yet ({setting} is not set)"
        )
        where = (
            f"Monitoring reminders and board reports {elsewhere}. To have them posted in "
            f"{here}, {words.admin} sets {setting}={place.conversation_id} and "
            "restarts the bot."
        )
    return Reply(
        title=f"{bot_name} is here",
        headline=(
            f"I answer questions about {about} HMIP inspection: scores and ratings, key "
            "strengths, and the recommendations with the audit evidence recorded against them."
        ),
        sections=(
            Section(
                heading="Ask me",
                text=(
                    f"{words.ask.format(mention=mention)}, such as: {mention} summary. "
                    "Try recs or timeline; help lists everything. "
                    "In a personal chat with me, just type."
                ),
            ),
            Section(
                heading="Record an audit update",
                text=(
                    f"{mention} audit R1 17/20 30/01/2014 January audit records 17 of 20 cases "
                    f"compliant against R1. {words.from_a_message} {who_may_record}"
                ),
            ),
            Section(heading="Reminders and reports", text=where),
            Section(
                text="Do not include names, dates of birth or other details that identify a child."
            ),
        ),
    )


def greet(
    app: Application,
    request: Request,
    place: Place,
    words: WelcomeWords,
    *,
    bot_name: str,
    reminder_channel: str | None,
) -> None:
    """Queue the welcome for the conversation ``request`` (a welcome, answered in the
    conversation) comes from: a personal chat's is the dashboard, a direct message's
    answer; anywhere else, the welcome card for everyone there."""
    if place.kind == PERSONAL:
        app.dashboard(replace(request, via=Via.DIRECT_MESSAGE))
        return
    card = welcome(
        place,
        words,
        bot_name=bot_name,
        service=app.service_name(request),
        reminder_channel=reminder_channel,
        who_may_record=app.who_may_record(request),
    )
    app.queue_post(request, "welcome", card)
