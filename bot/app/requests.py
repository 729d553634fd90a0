"""What an adapter hands the application, and what it gets back."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.reply import Person, Reply


class Via(StrEnum):
    """How a request arrived (stored with what it records, and in ``deliveries``)."""

    COMMAND = "command"  # a slash command
    MENTION = "mention"  # a message that mentions the bot in a conversation
    DIRECT_MESSAGE = "direct message"
    MODAL = "modal"  # a form opened by a command or a button (Slack)
    DIALOG = "dialog"  # a form opened as a dialog (Teams)
    SHORTCUT = "shortcut"  # a form opened from a message (Slack)
    MESSAGE_ACTION = "message action"  # a form opened from a message (Teams)
    FORM = "form"  # a button that opens a form
    SHARE = "share"
    REPORT = "report"  # the post-the-report button (Slack)
    POST_REPORT = "post_report"  # the post-the-report button (Teams)
    HOME = "home"  # the dashboard
    WELCOME = "welcome"
    REMINDER = "reminder"
    CONSOLE = "console"

    @classmethod
    def of(cls, value: object, default: Via) -> Via:
        """``value`` (as a form carried it back) as a Via, else ``default``."""
        try:
            return cls(str(value))
        except ValueError:
            return default


@dataclass(frozen=True)
class Platform:
    """How one chat platform differs, in the few ways the core needs to know.

    ``invocation`` is how a command is typed there ("/yos " for a slash command, ""
    where commands are plain messages); ``admin_hint`` is who to ask for access;
    ``charts`` says whether it can show the monitoring chart.
    """

    name: str
    invocation: str = ""
    admin_hint: str = "Ask whoever runs the bot"
    charts: bool = True
    # Whether its forms can pick anyone on the platform as a person (Slack's user
    # picker); where not, a form offers the asker alone.
    people_picker: bool = False
    # Whether it shows forms at all; where not, a form asked for is typed as a command.
    forms: bool = True

    @property
    def title(self) -> str:
        """The platform's name as people write it ("Slack", "Teams")."""
        return self.name.capitalize()


CONSOLE = Platform("console", charts=False, forms=False)


@dataclass(frozen=True)
class Request:
    """One thing a person asked for, in platform-neutral terms.

    ``delivery_id`` is the platform's own ID for this delivery (an event ID, a form
    submission ID, an activity ID): a write arriving twice under it is done once.
    ``answer_in_conversation`` asks for the answer to be posted in the conversation
    (through the outbox) rather than returned to the adapter, as for a mention.
    ``mentions`` are the people the platform says the text names: each stands in the
    text as its neutral mention (:func:`bot.app.mentions.mention`).
    """

    platform: Platform
    text: str = ""
    user: Person = field(default_factory=Person)
    conversation: str | None = None
    thread: str | None = None
    message_ref: str | None = None
    delivery_id: str | None = None
    via: Via = Via.COMMAND
    answer_in_conversation: bool = False
    service_url: str | None = None
    mentions: tuple[Person, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """The answer for the asker. ``public`` says whether it may be shown to everyone in
    the conversation (False: only to the asker); ``queued`` counts what was put in the
    outbox; ``duplicate`` marks a delivery handled before, which adapters need not answer.
    """

    reply: Reply
    public: bool
    queued: int = 0
    duplicate: bool = False
