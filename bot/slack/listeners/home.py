"""The App Home tab: the dashboard, with buttons to record an update and post the report."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.models.views import View

from bot.app import Via
from bot.slack.blocks import MAX_VIEW_BLOCKS, reply_blocks
from bot.slack.deps import Deps


def home_view(deps: Deps, user: str | None) -> dict[str, Any]:
    request = deps.request(user_id=user, conversation=deps.settings.channel, via=Via.HOME)
    reply = deps.app.dashboard(request).reply
    blocks = reply_blocks(reply, interactive=True, max_blocks=MAX_VIEW_BLOCKS)
    return View(type="home", blocks=blocks).to_dict()


def register(app: App, deps: Deps) -> None:
    def ack_at_once(ack: Ack) -> None:
        ack()

    def publish(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user = event["user"]
        try:
            client.views_publish(user_id=user, view=home_view(deps, user))
        except Exception:
            deps.failed("publishing the Home tab")

    app.event("app_home_opened")(ack=ack_at_once, lazy=[publish])
