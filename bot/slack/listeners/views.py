"""The audit form: opened by `/yos audit` or the "Record as audit update" shortcut."""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.domain.audits import AuditDraft, AuditProblem, Origin, prefill_from_text, record_audit
from bot.render.blocks import clip
from bot.slack.announce import announce, later
from bot.slack.deps import Deps, apology, new_reference
from bot.store.deliveries import claim

logger = logging.getLogger(__name__)

AUDIT_FORM = "audit_form"
SHORTCUT = "record_audit_update"
REFUSAL = (
    "Recording audit updates is for auditors. Ask your Slack admin to add you to "
    "YOS_AUDITORS; anyone can still ask questions."
)


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False) -> dict:
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
    channel: str | None,
    via: str,
    message_ts: str | None = None,
    prefill: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The modal view. ``recs`` are (ref, text) pairs for the picker."""
    prefill = prefill or {}
    options = [
        {"text": {"type": "plain_text", "text": clip(f"{ref}: {text}", 75)}, "value": ref}
        for ref, text in recs
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
    note: dict[str, Any] = {"type": "plain_text_input", "multiline": True, "max_length": 1000}
    if prefill.get("note"):
        note["initial_value"] = prefill["note"]
    blocks = [
        _input("recommendation", "Recommendation", picker),
        _input(
            "audit_date", "Audit date", {"type": "datepicker", "initial_date": today.isoformat()}
        ),
        _input("audited", "Cases audited", audited),
        _input("compliant", "Cases compliant", compliant),
        _input("note", "Note", note, optional=True),
    ]
    if message_ts:
        blocks.append(
            {
                "type": "context",
                "elements": [
                    {"type": "mrkdwn", "text": "The update will be linked to the message."}
                ],
            }
        )
    return {
        "type": "modal",
        "callback_id": AUDIT_FORM,
        "title": {"type": "plain_text", "text": "Record audit update"},
        "submit": {"type": "plain_text", "text": "Record"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps({"channel": channel, "message_ts": message_ts, "via": via}),
        "blocks": blocks,
    }


def open_audit_form(
    deps: Deps,
    client: WebClient,
    trigger_id: str,
    *,
    channel: str | None,
    via: str = "modal",
    message_ts: str | None = None,
    prefill: dict[str, Any] | None = None,
) -> None:
    ctx = deps.context(client, via=via, user_id=None, channel_id=channel)
    inspection = ctx.home_inspection()
    recs = [(r.ref, r.text) for r in ctx.queries.recommendations(inspection)]
    view = audit_form(
        recs, ctx.today, channel=channel, via=via, message_ts=message_ts, prefill=prefill
    )
    client.views_open(trigger_id=trigger_id, view=view)


def read_form(values: dict[str, Any]) -> tuple[AuditDraft | None, dict[str, str]]:
    """The draft entered in the form, or the field errors to show in place."""

    def value(block: str) -> Any:
        entry = values.get(block, {}).get("value") or {}
        if entry.get("selected_option"):
            return entry["selected_option"]["value"]
        return entry.get("selected_date") or entry.get("value")

    errors: dict[str, str] = {}
    ref = value("recommendation")
    if not ref:
        errors["recommendation"] = "Choose the recommendation this audit evidences."
    day = None
    try:
        day = date.fromisoformat(value("audit_date") or "")
    except ValueError:
        errors["audit_date"] = "Pick the date of the audit."
    numbers: dict[str, int] = {}
    for field in ("audited", "compliant"):
        raw = (value(field) or "").strip()
        if not raw.isdigit():
            errors[field] = "Enter a whole number, like 20."
        else:
            numbers[field] = int(raw)
    if errors or day is None:
        return None, errors
    note = (value("note") or "").strip() or None
    return (
        AuditDraft(
            ref=ref,
            audit_date=day,
            audited=numbers["audited"],
            compliant=numbers["compliant"],
            note=note,
        ),
        {},
    )


def register(app: App, deps: Deps) -> None:
    @app.view(AUDIT_FORM)
    def submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        meta = json.loads(view.get("private_metadata") or "{}")
        user = body["user"]["id"]
        key = f"view:{view['id']}"
        try:
            ctx = deps.context(
                client,
                via=meta.get("via", "modal"),
                user_id=user,
                channel_id=meta.get("channel"),
                delivery_key=key,
                message_ts=meta.get("message_ts"),
            )
            if not ctx.may_record:
                ack(response_action="errors", errors={"recommendation": REFUSAL})
                return
            draft, errors = read_form(view["state"]["values"])
            if draft is None:
                ack(response_action="errors", errors=errors)
                return
            origin = Origin(
                via=ctx.via,
                user_id=user,
                user_name=ctx.display_name,
                channel_id=ctx.channel_id,
                message_ts=ctx.message_ts,
                delivery_key=key,
            )
            record_audit(ctx.db, ctx.queries, ctx.home_inspection(), draft, origin, ctx.today)
        except AuditProblem as wrong:
            ack(response_action="errors", errors={wrong.field or "recommendation": wrong.message})
            return
        except Exception:
            reference = new_reference()
            logger.exception("audit form failed (reference %s)", reference)
            ack(response_action="errors", errors={"note": apology(reference)})
            return
        ack()
        later(
            announce,
            deps,
            client,
            key,
            channel=meta.get("channel"),
            thread_ts=meta.get("message_ts"),
            poster=user,
        )

    @app.shortcut(SHORTCUT)
    def from_message(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        user = shortcut["user"]["id"]
        channel = (shortcut.get("channel") or {}).get("id")
        # The same shortcut delivered twice opens one form, not two.
        if not claim(deps.store.db, f"trigger:{shortcut['trigger_id']}", "shortcut"):
            return
        if not deps.auditors.allows(user, client):
            client.chat_postEphemeral(channel=channel, user=user, text=REFUSAL)
            return
        posted = shortcut.get("message") or {}
        open_audit_form(
            deps,
            client,
            shortcut["trigger_id"],
            channel=channel,
            via="shortcut",
            message_ts=posted.get("ts"),
            prefill=prefill_from_text(posted.get("text") or ""),
        )
