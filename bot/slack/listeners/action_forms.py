"""The improvement plan's forms in Slack: add an action, record progress on one. Opened
from the App Home's buttons; submitted as the typed command would be (`action add ...`,
`action R3.1 progress ...`, `action R3.1 done ...`), through the application, so the
checks, permissions, history and announcements are the commands' own; what they refuse
goes back to the form beside the field, and nothing is recorded."""

from __future__ import annotations

import json
import re
import shlex
from datetime import date
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.app import Request
from bot.commands.my_actions import progress_choices, rec_choices
from bot.commands.plan_common import allowed
from bot.reply import Reply
from bot.slack.blocks import ACTION_IDS, clip, message
from bot.slack.deps import Deps
from bot.slack.listeners.actions import _channel, _payload
from bot.slack.listeners.home import home_view
from bot.slack.listeners.views import PRIVACY_HINT, _input

PROGRESS_FORM = "plan_progress_form"
ACTION_FORM = "plan_action_form"
DONE, PROGRESS = "done", "progress"
MAX_NOTE = 1000
_CURLY = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})


def _options(choices: list[tuple[str, str]]) -> list[dict[str, Any]]:
    return [
        {"text": {"type": "plain_text", "text": clip(f"{ref}: {text}", 75)}, "value": ref}
        for ref, text in choices[:100]
    ]


def _select(choices: list[tuple[str, str]], chosen: str | None) -> dict[str, Any]:
    options = _options(choices)
    picker: dict[str, Any] = {"type": "static_select", "options": options}
    initial = next((o for o in options if o["value"] == chosen), None)
    if initial is None and len(options) == 1:
        initial = options[0]
    if initial is not None:
        picker["initial_option"] = initial
    return picker


def _text(placeholder: str, *, multiline: bool = False, limit: int = MAX_NOTE) -> dict[str, Any]:
    return {
        "type": "plain_text_input",
        "multiline": multiline,
        "max_length": limit,
        "placeholder": {"type": "plain_text", "text": placeholder},
    }


def _meta(request: Request, home: bool) -> str:
    return json.dumps({"channel": request.conversation, "home": home})


def progress_form(
    choices: list[tuple[str, str]], chosen: str | None, request: Request, *, home: bool
) -> dict[str, Any]:
    state: dict[str, Any] = {
        "type": "static_select",
        "options": [
            {"text": {"type": "plain_text", "text": "Still in progress"}, "value": PROGRESS},
            {"text": {"type": "plain_text", "text": "Done: this is the evidence"}, "value": DONE},
        ],
    }
    state["initial_option"] = state["options"][0]
    return {
        "type": "modal",
        "callback_id": PROGRESS_FORM,
        "title": {"type": "plain_text", "text": "Record progress"},
        "submit": {"type": "plain_text", "text": "Record"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": _meta(request, home),
        "blocks": [
            _input("action", "Action", _select(choices, chosen)),
            _input(
                "note", "What was done", _text("Dip sample of ten reviews done", multiline=True)
            ),
            _input("state", "Where it stands", state),
            {"type": "context", "elements": [{"type": "plain_text", "text": PRIVACY_HINT}]},
        ],
    }


def action_form(
    recs: list[tuple[str, str]], today: date, request: Request, *, home: bool
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": ACTION_FORM,
        "title": {"type": "plain_text", "text": "Add an action"},
        "submit": {"type": "plain_text", "text": "Add"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": _meta(request, home),
        "blocks": [
            _input("recommendation", "Recommendation", _select(recs, None)),
            _input("text", "Action", _text("Audit plans for contingency monthly", limit=500)),
            _input("owner", "Owner on Slack", {"type": "users_select"}, optional=True),
            _input(
                "owner_name",
                "Or a named owner not on Slack",
                _text("Head of Service", limit=120),
                optional=True,
            ),
            _input("agency", "Agency", _text("YJS", limit=120), optional=True),
            _input(
                "due",
                "Due date",
                {"type": "datepicker", "initial_date": (today.replace(day=1)).isoformat()},
            ),
        ],
    }


def _value(values: dict[str, Any], block: str) -> str | None:
    entry = (values.get(block) or {}).get("value") or {}
    if entry.get("selected_option"):
        return str(entry["selected_option"].get("value"))
    found = entry.get("selected_user") or entry.get("selected_date") or entry.get("value")
    return None if found is None else str(found)


def quoted(text: str) -> str:
    """User text as one word of a command (curly quotes straightened, as typed ones are)."""
    return shlex.quote(text.translate(_CURLY).strip())


def progress_command(values: dict[str, Any]) -> tuple[str | None, dict[str, str]]:
    """The command the progress form stands for, or the fields' problems."""
    ref, note, state = (_value(values, b) for b in ("action", "note", "state"))
    errors = {}
    if not ref:
        errors["action"] = "Choose the action."
    if not (note or "").strip():
        errors["note"] = "Say what was done (for done: the evidence)."
    if errors:
        return None, errors
    verb = DONE if state == DONE else PROGRESS
    return f"action {ref} {verb} {quoted(note or '')}", {}


def action_command(
    values: dict[str, Any], names: dict[str, str]
) -> tuple[str | None, dict[str, str]]:
    """The `action add` command the form stands for, or the fields' problems."""
    rec, text, user, named, agency, due = (
        _value(values, b)
        for b in ("recommendation", "text", "owner", "owner_name", "agency", "due")
    )
    errors = {}
    if not rec:
        errors["recommendation"] = "Choose the recommendation."
    if not (text or "").strip():
        errors["text"] = "Say what the action is."
    if not user and not (named or "").strip():
        errors["owner"] = "Choose its owner, or name one below (a role, or someone not on Slack)."
    if user and (named or "").strip():
        errors["owner_name"] = "Choose an owner on Slack or name one here, not both."
    day = None
    try:
        day = date.fromisoformat(due or "")
    except ValueError:
        errors["due"] = "Choose the due date."
    if errors or day is None:
        return None, errors
    if user:
        name = names.get(user)
        owner = (
            f"<@{user}|{name}>" if name and re.fullmatch(r"[^<>|]{1,80}", name) else f"<@{user}>"
        )
    else:
        owner = quoted(named or "")
    command = f"action add {rec} {quoted(text or '')} owner {owner} due {day:%d/%m/%Y}"
    if (agency or "").strip():
        command += f" agency {quoted(agency or '')}"
    return command, {}


def _problem(reply: Reply) -> str:
    said = " ".join([reply.headline, *(s.text or "" for s in reply.sections)]).strip()
    return clip(said, 290)


def register(app: App, deps: Deps) -> None:
    def request_for(
        body: dict[str, Any], conversation: str | None, kind: str, text: str = ""
    ) -> Request:
        action = (body.get("actions") or [{}])[0]
        return deps.request(
            user_id=(body.get("user") or {}).get("id"),
            conversation=conversation,
            text=text,
            delivery_id=f"{kind}:{action.get('action_ts') or body.get('trigger_id')}",
            via=kind,
        )

    def tell(client: WebClient, user: str | None, reply: Reply) -> None:
        if user:
            client.chat_postMessage(channel=user, **message(reply))

    def open_progress(body: dict[str, Any], client: WebClient) -> None:
        user = (body.get("user") or {}).get("id")
        conversation = _channel(body) or deps.settings.channel or user
        try:
            request = request_for(body, conversation, "form")
            ctx = deps.app.context(request)
            choices = progress_choices(ctx, ctx.home_inspection())
            if not choices:
                tell(
                    client,
                    user,
                    Reply(
                        title="Record progress",
                        headline="No open action of the plan is yours to update.",
                    ),
                )
                return
            home = body.get("container", {}).get("type") == "view"
            view = progress_form(choices, _payload(body).get("ref"), request, home=home)
            client.views_open(trigger_id=body["trigger_id"], view=view)
        except Exception:
            deps.failed("opening the progress form")

    def open_action(body: dict[str, Any], client: WebClient) -> None:
        user = (body.get("user") or {}).get("id")
        conversation = _channel(body) or deps.settings.channel or user
        try:
            request = request_for(body, conversation, "form")
            ctx = deps.app.context(request)
            if not allowed(ctx, "action add"):
                tell(
                    client,
                    user,
                    ctx.refused("Changing the improvement plan is for auditors (action add)."),
                )
                return
            recs = rec_choices(ctx, ctx.home_inspection())
            home = body.get("container", {}).get("type") == "view"
            view = action_form(recs, deps.app.today(), request, home=home)
            client.views_open(trigger_id=body["trigger_id"], view=view)
        except Exception:
            deps.failed("opening the add-action form")

    def ack_at_once(ack: Ack) -> None:
        ack()

    number = r"(?::\d+)?$"
    app.action(re.compile("^" + re.escape(ACTION_IDS["progress_form"]) + number))(
        ack=ack_at_once, lazy=[open_progress]
    )
    app.action(re.compile("^" + re.escape(ACTION_IDS["action_form"]) + number))(
        ack=ack_at_once, lazy=[open_action]
    )

    def submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], kind: str) -> None:
        field = "note" if kind == PROGRESS_FORM else "text"
        try:
            meta = json.loads(view.get("private_metadata") or "{}")
            meta = meta if isinstance(meta, dict) else {}
            values = view["state"]["values"]
            user = (body.get("user") or {}).get("id")
            if kind == PROGRESS_FORM:
                command, errors = progress_command(values)
            else:
                picked = _value(values, "owner")
                names = {picked: deps.directory.name(picked) or ""} if picked else {}
                command, errors = action_command(values, {k: v for k, v in names.items() if v})
            if command is None:
                ack(response_action="errors", errors=errors)
                return
            request = deps.request(
                user_id=user,
                conversation=meta.get("channel"),
                text=command,
                delivery_id=f"view:{view.get('id')}",
                via="modal",
            )
            outcome = deps.app.handle(request)
        except Exception:
            ack(response_action="errors", errors={field: deps.failed("the plan form").headline})
            return
        if not outcome.reply.ok:
            ack(response_action="errors", errors={field: _problem(outcome.reply)})
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

    def progress_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        submit(ack, body, view, PROGRESS_FORM)

    def action_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        submit(ack, body, view, ACTION_FORM)

    app.view(PROGRESS_FORM)(ack=progress_submitted, lazy=[refresh_home])
    app.view(ACTION_FORM)(ack=action_submitted, lazy=[refresh_home])
