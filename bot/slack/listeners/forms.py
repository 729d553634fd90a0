"""Forms as modals: the audit form (opened by `/yos audit`, a button, or the "Record as
audit update" shortcut on a message) and the improvement plan's add-action and progress
forms (opened from the App Home's buttons). What each holds, who may open it and what a
submission stands for are the application's; here they are only shown and read back.

Buttons and the shortcut are acknowledged at once; the form (or what the asker is told
instead) follows, lazily, so a slow Web API never holds the acknowledgement past
Slack's 3 seconds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.app import Request, Via
from bot.forms import FormKind, FormSpec
from bot.reply import Reply
from bot.slack.blocks import ACTION_IDS, message
from bot.slack.deps import Deps
from bot.slack.forms import CALLBACKS, entered, modal, problems
from bot.slack.listeners.home import home_view

SHORTCUT = "record_audit_update"
# The Home tab's buttons that open a form, and which.
BUTTONS: dict[str, FormKind] = {
    ACTION_IDS["audit_form"]: FormKind.AUDIT,
    ACTION_IDS["action_form"]: FormKind.ADD_ACTION,
    ACTION_IDS["progress_form"]: FormKind.PROGRESS,
}
# Where a refusal of a submission is shown when the form has no better field.
FALLBACK_FIELD = {FormKind.AUDIT: "note", FormKind.ADD_ACTION: "text", FormKind.PROGRESS: "note"}


def payload(body: dict[str, Any]) -> dict[str, str]:
    """A button's value: the action's neutral payload."""
    try:
        value = json.loads(body["actions"][0].get("value") or "{}")
    except (ValueError, KeyError, IndexError, TypeError):
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def channel_of(body: dict[str, Any]) -> str | None:
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    return str(channel) if channel else None


def _metadata(request: Request, home: bool) -> str:
    meta: dict[str, object] = {
        "channel": request.conversation,
        "message_ts": request.message_ref,
        "via": Via.SHORTCUT if request.via == Via.SHORTCUT else Via.MODAL,
    }
    if home:
        meta["home"] = True  # refresh the Home tab once submitted
    return json.dumps(meta)


def open_form(
    deps: Deps,
    client: WebClient,
    trigger_id: str,
    request: Request,
    kind: FormKind,
    tell: Callable[[Reply], None],
    *,
    prefill_text: str | None = None,
    values: dict[str, str | None] | None = None,
    home: bool = False,
) -> None:
    """Open the form for ``request``, or ``tell`` the asker why not."""
    opening = deps.app.open_form(request, kind, prefill_text, values)
    if isinstance(opening, FormSpec):
        client.views_open(trigger_id=trigger_id, view=modal(opening, _metadata(request, home)))
    else:
        tell(opening)


def register(app: App, deps: Deps) -> None:
    def ack_at_once(ack: Ack) -> None:
        ack()

    # --- opened by a button --------------------------------------------------------------

    def pressed(body: dict[str, Any], client: WebClient) -> None:
        user = (body.get("user") or {}).get("id")
        action = (body.get("actions") or [{}])[0]
        kind = BUTTONS[str(action.get("action_id") or "").split(":")[0]]
        # From the Home tab there is no channel: announce in YOS_CHANNEL, else to the person.
        conversation = channel_of(body) or deps.settings.channel or user

        def tell(reply: Reply) -> None:
            if user:
                client.chat_postMessage(channel=user, **message(reply))

        try:
            request = deps.request(
                user_id=user,
                conversation=conversation,
                delivery_id=f"form:{action.get('action_ts') or body.get('trigger_id')}",
                via=Via.FORM,
            )
            chosen = payload(body).get("ref")
            open_form(
                deps,
                client,
                body["trigger_id"],
                request,
                kind,
                tell,
                values={"action": chosen} if chosen else None,
                # A plan form opened from the Home tab refreshes it once submitted.
                home=kind is not FormKind.AUDIT
                and (body.get("container") or {}).get("type") == "view",
            )
        except Exception:
            deps.failed("opening a form")

    number = r"(?::\d+)?$"
    for action_id in BUTTONS:
        app.action(re.compile("^" + re.escape(action_id) + number))(ack=ack_at_once, lazy=[pressed])

    # --- opened from a message -----------------------------------------------------------

    def from_message(shortcut: dict[str, Any], client: WebClient) -> None:
        user = (shortcut.get("user") or {}).get("id")
        channel = (shortcut.get("channel") or {}).get("id")
        posted = shortcut.get("message") or {}

        def tell(reply: Reply) -> None:
            if channel and user:
                client.chat_postEphemeral(channel=channel, user=user, **message(reply))

        try:
            request = deps.request(
                user_id=user,
                conversation=channel,
                message_ref=posted.get("ts"),
                delivery_id=f"shortcut:{shortcut.get('trigger_id')}",
                via=Via.SHORTCUT,
            )
            # The same shortcut delivered twice opens one form, not two.
            if not deps.app.claim(request, Via.SHORTCUT):
                return
            open_form(
                deps,
                client,
                shortcut["trigger_id"],
                request,
                FormKind.AUDIT,
                tell,
                prefill_text=str(posted.get("text") or ""),
            )
        except Exception:
            deps.failed("the message shortcut")

    app.shortcut(SHORTCUT)(ack=ack_at_once, lazy=[from_message])

    # --- submitted -----------------------------------------------------------------------

    def submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], kind: FormKind) -> None:
        try:
            meta = json.loads(view.get("private_metadata") or "{}")
            meta = meta if isinstance(meta, dict) else {}
            values = entered(view["state"]["values"])
            owner = values.get("owner") if kind is FormKind.ADD_ACTION else None
            request = deps.request(
                user_id=(body.get("user") or {}).get("id"),
                conversation=meta.get("channel"),
                thread=meta.get("message_ts"),
                message_ref=meta.get("message_ts"),
                delivery_id=f"view:{view.get('id')}",
                via=Via.of(meta.get("via"), Via.MODAL),
                # The person picked as an owner, named as Slack knows them.
                mentions=(deps.person(owner),) if owner else (),
            )
            result = deps.app.submit_form(request, kind, values)
        except Exception:
            failed = deps.failed("the form").headline
            ack(response_action="errors", errors={FALLBACK_FIELD[kind]: failed})
            return
        if result.errors:
            ack(response_action="errors", errors=problems(result.errors))
            return
        ack()
        deps.sender.wake()

    def refresh_home(body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        """After a form opened from the App Home, the Home shows the change."""
        try:
            meta = json.loads(view.get("private_metadata") or "{}")
            user = (body.get("user") or {}).get("id")
            if isinstance(meta, dict) and meta.get("home") and user:
                client.views_publish(user_id=user, view=home_view(deps, user))
        except Exception:
            deps.failed("refreshing the Home tab")

    def listener(kind: FormKind) -> Callable[[Ack, dict[str, Any], dict[str, Any]], None]:
        def on_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
            submitted(ack, body, view, kind)

        return on_submit

    for kind, callback in CALLBACKS.items():
        app.view(callback)(ack=listener(kind), lazy=[refresh_home])
