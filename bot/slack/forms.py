"""A form as a Slack modal, and what was entered in it as a plain mapping.

Each field is an input block whose ``block_id`` is the field's name and whose element's
``action_id`` is ``value``, so a submission's ``state.values`` reads back by name.
Field hints (the privacy reminder) and the form's notes follow the inputs as context.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DatePickerElement,
    InputBlock,
    InputInteractiveElement,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.forms import FieldKind, FormField, FormKind, FormSpec
from bot.slack.blocks import clip

CALLBACKS: dict[FormKind, str] = {
    FormKind.AUDIT: "audit_form",
    FormKind.ADD_ACTION: "plan_action_form",
    FormKind.PROGRESS: "plan_progress_form",
}
VALUE = "value"  # every input's action_id
MAX_OPTIONS = 100  # Slack's limit on a static select's options
OPTION_TEXT = 75  # ... and on an option's text
MAX_PROBLEM = 290  # a problem shown under a field stays short


def _options(found: FormField) -> list[Option]:
    return [
        Option(value=value, label=clip(title, OPTION_TEXT))
        for value, title in found.choices[:MAX_OPTIONS]
    ]


def _element(found: FormField) -> InputInteractiveElement:
    kind = found.kind
    if kind is FieldKind.CHOICE:
        options = _options(found)
        initial = next((o for o in options if o.value == found.initial), None)
        return StaticSelectElement(action_id=VALUE, options=options, initial_option=initial)
    if kind is FieldKind.PERSON:
        return UserSelectElement(action_id=VALUE, initial_user=found.initial)
    if kind is FieldKind.DATE:
        return DatePickerElement(action_id=VALUE, initial_date=found.initial)
    if kind is FieldKind.NUMBER:
        return NumberInputElement(
            action_id=VALUE,
            is_decimal_allowed=False,
            min_value=found.minimum,
            initial_value=found.initial,
        )
    return PlainTextInputElement(
        action_id=VALUE,
        multiline=kind is FieldKind.MULTILINE,
        max_length=found.max_length,
        placeholder=found.placeholder or None,
        initial_value=found.initial[: found.max_length] if found.initial else None,
    )


def modal(spec: FormSpec, private_metadata: str) -> dict[str, Any]:
    """The modal view for ``spec``; ``private_metadata`` comes back with the submission."""
    blocks: list[Block] = [
        InputBlock(
            block_id=found.name,
            label=found.label,
            element=_element(found),
            optional=not found.required,
        )
        for found in spec.fields
    ]
    blocks += [
        ContextBlock(elements=[PlainTextObject(text=found.hint, emoji=False)])
        for found in spec.fields
        if found.hint
    ]
    blocks += [ContextBlock(elements=[MarkdownTextObject(text=note)]) for note in spec.notes]
    view = View(
        type="modal",
        callback_id=CALLBACKS[spec.kind],
        title=spec.title,
        submit=spec.submit,
        close="Cancel",
        private_metadata=private_metadata,
        blocks=blocks,
    )
    return view.to_dict()


def entered(state: Mapping[str, Any]) -> dict[str, str | None]:
    """What a submitted modal holds (its ``state.values``), by field name, as text."""
    found: dict[str, str | None] = {}
    for name, block in state.items():
        entry = (block or {}).get(VALUE) or {}
        if entry.get("selected_option"):
            found[name] = str(entry["selected_option"].get("value"))
            continue
        value = entry.get("selected_user") or entry.get("selected_date") or entry.get("value")
        found[name] = None if value is None else str(value)
    return found


def problems(errors: Mapping[str, str]) -> dict[str, str]:
    """Problems as Slack shows them under each field."""
    return {name: clip(text, MAX_PROBLEM) for name, text in errors.items()}
