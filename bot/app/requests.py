"""What an adapter hands the application, and what it gets back."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.reply import Person, Reply


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


CONSOLE = Platform("console", admin_hint="Set YOS_AUDITORS", charts=False)


@dataclass(frozen=True)
class Request:
    """One thing a person asked for, in platform-neutral terms.

    ``delivery_id`` is the platform's own ID for this delivery (an event ID, a form
    submission ID, an activity ID): a write arriving twice under it is done once.
    ``answer_in_conversation`` asks for the answer to be posted in the conversation
    (through the outbox) rather than returned to the adapter, as for a mention.
    """

    platform: Platform
    text: str = ""
    user: Person = field(default_factory=Person)
    conversation: str | None = None
    thread: str | None = None
    message_ref: str | None = None
    delivery_id: str | None = None
    via: str = "command"
    answer_in_conversation: bool = False
    service_url: str | None = None


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
