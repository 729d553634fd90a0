"""The audit form: opened by `/yos audit`, a button, or the "Record as audit update"
shortcut on a message; submitted through the application like a typed command."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.app import Request
from bot.commands import Permission
from bot.commands.audits import FORM_FIELDS, FormEntry
from bot.slack.blocks import clip, message
from bot.slack.deps import Deps

AUDIT_FORM = "audit_form"
SHORTCUT = "record_audit_update"
PRIVACY_HINT = "Don't include names, dates of birth or anything else that identifies a child."


def _input(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False
) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": {**element, "action_id": "value"},
        "optional": optional,
    }


def audit_form(
    recs: list[tuple[str, str]],
    today: date,
    *,
    request: Request,
    prefill: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The modal view. ``recs`` are (ref, text) pairs for the picker."""
    prefill = prefill or {}
    options = [
        {"text": {"type": "plain_text", "text": clip(f"{ref}: {text}", 75)}, "value": ref}
        for ref, text in recs[:100]
    ]
    picker: dict[str, Any] = {"type": "static_select", "options": options}
    chosen = prefill.get("ref") or (recs[0][0] if len(recs) == 1 else None)
    if chosen in {ref for ref, _ in recs}:
        picker["initial_option"] = next(o for o in options if o["value"] == chosen)
    audited: dict[str, Any] = {
        "type": "number_input",
        "is_decimal_allowed": False,
        "min_value": "1",
    }
    compliant: dict[str, Any] = {
        "type": "number_input",
        "is_decimal_allowed": False,
        "min_value": "0",
    }
    if prefill.get("audited") is not None:
        audited["initial_value"] = str(prefill["audited"])
        compliant["initial_value"] = str(prefill["compliant"])
    note: dict[str, Any] = {
        "type": "plain_text_input",
        "multiline": True,
        "max_length": 1000,
        "placeholder": {"type": "plain_text", "text": "case 7: review late after move"},
    }
    if prefill.get("note"):
        note["initial_value"] = str(prefill["note"])[:1000]
    blocks = [
        _input("recommendation", "Recommendation", picker),
        _input(
            "audit_date", "Audit date", {"type": "datepicker", "initial_date": today.isoformat()}
        ),
        _input("audited", "Cases audited", audited),
        _input("compliant", "Cases compliant", compliant),
        _input("note", "Note", note, optional=True),
        {"type": "context", "elements": [{"type": "plain_text", "text": PRIVACY_HINT}]},
    ]
    if request.message_ref:
        blocks.append(
            {
                "type": "context",
                "elements": [
                    {"type": "mrkdwn", "text": "The update will be linked to the message."}
                ],
            }
        )
    via = "shortcut" if request.via == "shortcut" else "modal"
    meta = {"channel": request.conversation, "message_ts": request.message_ref, "via": via}
    return {
        "type": "modal",
        "callback_id": AUDIT_FORM,
        "title": {"type": "plain_text", "text": "Record audit update"},
        "submit": {"type": "plain_text", "text": "Record"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps(meta),
        "blocks": blocks,
    }


def open_audit_form(
    deps: Deps,
    client: WebClient,
    trigger_id: str,
    request: Request,
    prefill: dict[str, Any] | None = None,
) -> None:
    recs = deps.app.audit_form_choices(request)
    view = audit_form(recs, deps.app.today(), request=request, prefill=prefill)
    client.views_open(trigger_id=trigger_id, view=view)


def read_form(values: dict[str, Any]) -> FormEntry:
    """What was entered in the form, as text; the application checks it."""

    def value(block: str) -> str | None:
        entry = (values.get(block) or {}).get("value") or {}
        if entry.get("selected_option"):
            return str(entry["selected_option"].get("value"))
        found = entry.get("selected_date") or entry.get("value")
        return None if found is None else str(found)

    return FormEntry(**{name: value(name) for name in FORM_FIELDS})


def register(app: App, deps: Deps) -> None:
    @app.view(AUDIT_FORM)
    def submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        try:
            meta = json.loads(view.get("private_metadata") or "{}")
            if not isinstance(meta, dict):
                meta = {}
            request = deps.request(
                user_id=(body.get("user") or {}).get("id"),
                conversation=meta.get("channel"),
                thread=meta.get("message_ts"),
                message_ref=meta.get("message_ts"),
                delivery_id=f"view:{view.get('id')}",
                via=str(meta.get("via") or "modal"),
            )
            result = deps.app.submit_form(request, read_form(view["state"]["values"]))
        except Exception:
            ack(response_action="errors", errors={"note": deps.failed("the audit form").headline})
            return
        if result.errors:
            ack(response_action="errors", errors=result.errors)
            return
        ack()
        deps.sender.wake()

    # The shortcut is acknowledged at once; the form (or the refusal) follows, lazily,
    # so a slow Web API never holds the acknowledgement past Slack's 3 seconds.
    def ack_at_once(ack: Ack) -> None:
        ack()

    def from_message(shortcut: dict[str, Any], client: WebClient) -> None:
        try:
            _from_message(shortcut, client)
        except Exception:
            deps.failed("the message shortcut")

    app.shortcut(SHORTCUT)(ack=ack_at_once, lazy=[from_message])

    def _from_message(shortcut: dict[str, Any], client: WebClient) -> None:
        user = (shortcut.get("user") or {}).get("id")
        channel = (shortcut.get("channel") or {}).get("id")
        posted = shortcut.get("message") or {}
        request = deps.request(
            user_id=user,
            conversation=channel,
            message_ref=posted.get("ts"),
            delivery_id=f"shortcut:{shortcut.get('trigger_id')}",
            via="shortcut",
        )
        # The same shortcut delivered twice opens one form, not two.
        if not deps.app.claim(request, "shortcut"):
            return
        if not deps.app.may(request, Permission.RECORD):
            refusal = deps.app.context(request).refused("Recording audit updates is for auditors.")
            if channel and user:
                client.chat_postEphemeral(channel=channel, user=user, **message(refusal))
            return
        open_audit_form(
            deps,
            client,
            shortcut["trigger_id"],
            request,
            prefill=deps.app.prefill(str(posted.get("text") or "")),
        )
