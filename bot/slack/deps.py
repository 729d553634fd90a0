"""What listeners share: settings, the store, and the apology for an unexpected failure."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.commands import Context
from bot.config import Settings
from bot.runtime import make_context
from bot.slack.auditors import Auditors
from bot.slack.people import display_name
from bot.store import StorePool


@dataclass
class Deps:
    settings: Settings
    store: StorePool
    auditors: Auditors

    def context(
        self,
        client: WebClient,
        *,
        via: str,
        user_id: str | None,
        channel_id: str | None,
        delivery_key: str | None = None,
        message_ts: str | None = None,
    ) -> Context:
        ctx = make_context(
            self.store.db,
            self.settings,
            via=via,
            user_id=user_id,
            channel_id=channel_id,
            message_ts=message_ts,
            delivery_key=delivery_key,
        )
        ctx.permission = lambda: self.auditors.allows(user_id, client)
        ctx.name_lookup = lambda: display_name(client, user_id)
        return ctx


def new_reference() -> str:
    """A short code that ties what the user sees to the log entry with the traceback."""
    return secrets.token_hex(4)


def apology(reference: str) -> str:
    return (
        f"Sorry, something went wrong on my side (reference {reference}). "
        "Please try again; if it keeps happening, give that reference to your Slack admin."
    )


def ack_at_once(ack: Ack) -> None:
    """Acknowledge straight away; the work happens in a lazy listener after the response."""
    ack()
