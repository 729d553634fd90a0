"""The application layer: one platform-neutral core that every front end calls.

An adapter (Slack, Teams, the console) turns what its platform delivered into a
:class:`Request`; :class:`Application` answers it with an :class:`Outcome` and writes
whatever the bot must send as a result into the outbox, in the same transaction as
the record that caused it. The :class:`Sender` delivers the outbox through the
adapter's :class:`Transport`.
"""

from bot.app.core import Application, FormOutcome
from bot.app.policy import Directory, Policy
from bot.app.requests import Outcome, Platform, Request
from bot.app.sender import Delivery, PermanentError, RetryPolicy, Sender, TransientError, Transport

__all__ = [
    "Application",
    "Delivery",
    "Directory",
    "FormOutcome",
    "Outcome",
    "PermanentError",
    "Platform",
    "Policy",
    "Request",
    "RetryPolicy",
    "Sender",
    "TransientError",
    "Transport",
]
