"""The application layer: one platform-neutral core that every front end calls.

An adapter (Slack, Teams, the console) turns what its platform delivered into a
:class:`Request`; :class:`Application` answers it with an :class:`Outcome` and writes
whatever the bot must send as a result into the outbox, in the same transaction as
the record that caused it. The :class:`Sender` delivers the outbox through the
adapter's :class:`Transport`.

Each thing a person does has one entry point: ``handle`` (what was typed),
``open_form``/``submit_form`` (a form), ``share``/``post_report`` (a button),
``dashboard``. Permissions are checked and refusals worded here, never in an adapter.
"""

from bot.app.core import ANNOUNCED, Application
from bot.app.forms import FormOpening, FormOutcome
from bot.app.health import store_ready
from bot.app.policy import Directory, Policy
from bot.app.requests import Outcome, Platform, Request, Via
from bot.app.retry import RetryPolicy
from bot.app.sender import Delivery, PermanentError, Sender, TransientError, Transport
from bot.commands import Command, default_registry
from bot.mentions import defuse, mention
from bot.store import StorePool
from bot.store.outbox import Address, OutboxKind

__all__ = [
    "ANNOUNCED",
    "Address",
    "Application",
    "Command",
    "Delivery",
    "Directory",
    "FormOpening",
    "FormOutcome",
    "OutboxKind",
    "Outcome",
    "PermanentError",
    "Platform",
    "Policy",
    "Request",
    "RetryPolicy",
    "Sender",
    "StorePool",
    "TransientError",
    "Transport",
    "Via",
    "default_registry",
    "defuse",
    "mention",
    "store_ready",
]
