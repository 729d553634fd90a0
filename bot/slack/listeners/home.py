"""The App Home tab: a dashboard, with buttons to record an update and get the board report."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.commands.report import dashboard
from bot.render.blocks import MAX_VIEW_BLOCKS, reply_blocks
from bot.slack.deps import Deps, ack_at_once
from bot.slack.listeners.views import REFUSAL, open_audit_form
from bot.slack.reports import post_report

logger = logging.getLogger(__name__)

RECORD = "home_record_audit"
REPORT = "home_board_report"


def home_view(deps: Deps, client: WebClient, user: str | None) -> dict[str, Any]:
    ctx = deps.context(client, via="home", user_id=user, channel_id=deps.settings.channel)
    buttons = {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "action_id": RECORD,
                "style": "primary",
                "text": {"type": "plain_text", "text": "Record audit update"},
            },
            {
                "type": "button",
                "action_id": REPORT,
                "text": {"type": "plain_text", "text": "Board report"},
            },
        ],
    }
    blocks = reply_blocks(dashboard(ctx), max_blocks=MAX_VIEW_BLOCKS, actions=[buttons])
    return {"type": "home", "blocks": blocks}


def register(app: App, deps: Deps) -> None:
    def publish(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user = event["user"]
        client.views_publish(user_id=user, view=home_view(deps, client, user))

    app.event("app_home_opened")(ack=ack_at_once, lazy=[publish])

    @app.action(RECORD)
    def record(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user = body["user"]["id"]
        if not deps.auditors.allows(user, client):
            client.chat_postMessage(channel=user, text=REFUSAL)
            return
        # From the Home tab there is no channel: announce in YOS_CHANNEL, else to the person.
        open_audit_form(deps, client, body["trigger_id"], channel=deps.settings.channel or user)

    def send_report(body: dict[str, Any], client: WebClient) -> None:
        user = body["user"]["id"]
        post_report(deps, client, deps.settings.channel or user)

    app.action(REPORT)(ack=ack_at_once, lazy=[send_report])
