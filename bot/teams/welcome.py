"""What the bot says, and logs, when it is added to a team, a group chat or a personal chat.

In a team channel or a group chat the welcome is a short card for everyone there: what
the bot answers, how to @mention it, how to record an audit update and who may, and
where reminders and board reports go: here, when this is YOS_TEAMS_CHANNEL, or how to
make it so. In a personal chat the welcome is the dashboard (``home``), the Teams
counterpart of the Slack App Home, which the handlers queue as an answer.

The log line gives the conversation's ID with the team's and channel's names, which is
what an admin needs to set YOS_TEAMS_CHANNEL (``yos-bot teams-channels`` lists them
too). It names no person.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.reply import Reply, Section
from bot.teams.platform import CHANNEL, PERSONAL

GENERAL = "General"


@dataclass(frozen=True)
class Place:
    """Where the bot was added, as the install activity describes it."""

    conversation_id: str  # without any thread part
    kind: str  # personal, channel or groupChat
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


def log_line(place: Place, reminder_channel: str | None) -> str:
    """The INFO line for an install: where, its ID, and what YOS_TEAMS_CHANNEL makes of it."""
    where = f"added to {place.describe()}: conversation {place.conversation_id}"
    if place.kind == PERSONAL:
        return where
    if reminder_channel == place.conversation_id:
        return f"{where}; this is YOS_TEAMS_CHANNEL, where reminders and board reports go"
    return (
        f"{where}; to send reminders and board reports there, set "
        f"YOS_TEAMS_CHANNEL={place.conversation_id} and restart the bot"
    )


def welcome(
    place: Place,
    *,
    bot_name: str,
    service: str | None,
    reminder_channel: str | None,
    who_may_record: str,
) -> Reply:
    """The welcome card for a team channel or a group chat."""
    here = "this channel" if place.kind == CHANNEL else "this chat"
    about = f"{service}'s" if service else "your service's"
    mention = f"@{bot_name}"
    if reminder_channel == place.conversation_id:
        where = f"Monitoring reminders and board reports will be posted in {here}."
    else:
        elsewhere = (
            "go to another conversation"
            if reminder_channel
            else "are not sent yet (YOS_TEAMS_CHANNEL is not set)"
        )
        where = (
            f"Monitoring reminders and board reports {elsewhere}. To have them posted in "
            f"{here}, your Teams admin sets YOS_TEAMS_CHANNEL={place.conversation_id} and "
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
                    f"Type {mention}, choose me from the list Teams offers, then your question, "
                    f"such as: {mention} summary. Try recs or timeline; help lists everything. "
                    "In a personal chat with me, just type."
                ),
            ),
            Section(
                heading="Record an audit update",
                text=(
                    f"{mention} audit R1 17/20 30/01/2014 January audit records 17 of 20 cases "
                    "compliant against R1. Or open a message's … menu, choose More actions, "
                    f"then Record as audit update. {who_may_record}"
                ),
            ),
            Section(heading="Reminders and reports", text=where),
            Section(
                text="Do not include names, dates of birth or other details that identify a child."
            ),
        ),
    )
