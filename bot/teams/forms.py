"""A form as an Adaptive Card for a Teams dialog, and what was entered in it as a plain
mapping.

Each field is an input whose id is the field's name (but ``action``, which Teams'
submitted data keeps for the form's own kind: that field's input is ``ref``). The
card's one button submits ``{"action": <the form's submit kind>, **hidden}`` plus the
inputs' values. Problems are shown in the attention colour: above the form, each with
its field's label (``problems_first``), or beside each field. Labels, choice titles
and button titles are plain text to Teams; every other text is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The card models alone, as bot.teams.cards takes them: the forms are drawn without the
# rest of the SDK (bot.teams.sdk), which the handlers that open them import.
from microsoft_teams.cards import (
    AdaptiveCard,
    CardElement,
    Choice,
    ChoiceSetInput,
    DateInput,
    NumberInput,
    SubmitAction,
    TextBlock,
    TextInput,
)

from bot.forms import FieldKind, FormField, FormKind, FormSpec
from bot.teams.cards import MAX_ITEM, SCHEMA_URL, clip, escape, markdown

SUBMITS: dict[FormKind, str] = {
    FormKind.AUDIT: "audit_form_submit",
    FormKind.ADD_ACTION: "plan_action_submit",
    FormKind.PROGRESS: "plan_progress_submit",
}
KINDS: dict[str, FormKind] = {submit: kind for kind, submit in SUBMITS.items()}
# Keys of the submitted data that are not inputs.
RESERVED = frozenset({"action", "msteams"})
# A field whose name Teams keeps for itself, and the input id it has instead.
INPUT_IDS = {"action": "ref"}
MAX_CHOICE_TITLE = 150


def input_id(name: str) -> str:
    return INPUT_IDS.get(name, name)


def _label(found: FormField) -> str:
    return found.label if found.required else f"{found.label} (optional)"


def _input(found: FormField) -> CardElement:
    common: dict[str, Any] = {
        "id": input_id(found.name),
        "label": _label(found),
        "is_required": True if found.required else None,
        "error_message": found.missing or None if found.required else None,
    }
    if found.kind in (FieldKind.CHOICE, FieldKind.PERSON):
        values = [value for value, _ in found.choices]
        return ChoiceSetInput(
            **common,
            style="compact",
            wrap=True,
            placeholder=found.placeholder or None,
            choices=[
                Choice(title=clip(title, MAX_CHOICE_TITLE), value=value)
                for value, title in found.choices
            ],
            value=found.initial if found.initial in values else None,
        )
    if found.kind is FieldKind.DATE:
        return DateInput(**common, value=found.initial, max=found.latest)
    if found.kind is FieldKind.NUMBER:
        given = found.initial
        return NumberInput(
            **common,
            min=found.minimum,
            value=int(given) if given and given.isascii() and given.isdigit() else None,
        )
    limit = found.max_length
    return TextInput(
        **common,
        max_length=limit,
        is_multiline=True if found.kind is FieldKind.MULTILINE else None,
        placeholder=found.placeholder or None,
        value=found.initial[:limit] if found.initial else None,
    )


def _problem(text: str, **props: Any) -> TextBlock:
    return TextBlock(text=markdown(text, MAX_ITEM), wrap=True, color="Attention", **props)


def _problems_first(spec: FormSpec) -> list[CardElement]:
    labels = {found.name: found.label for found in spec.fields}
    order = [*spec.names, *sorted(spec.errors.keys() - labels.keys())]
    return [
        _problem(f"{labels[name]}: {spec.errors[name]}" if name in labels else spec.errors[name])
        for name in order
        if spec.errors.get(name)
    ]


def card(spec: FormSpec, hidden: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The dialog's card for ``spec``; ``hidden`` pairs come back in the submitted data."""
    hidden = dict(hidden or {})
    clash = (RESERVED | {input_id(name) for name in spec.names}) & hidden.keys()
    if clash:
        raise ValueError(f"hidden keys clash with the form's own: {sorted(clash)}")
    body: list[CardElement] = _problems_first(spec) if spec.problems_first else []
    for found in spec.fields:
        if found.hint:
            body.append(TextBlock(text=escape(found.hint), wrap=True, is_subtle=True, size="Small"))
        body.append(_input(found))
        error = spec.errors.get(found.name)
        if error and not spec.problems_first:
            body.append(_problem(error, spacing="Small"))
    body += [
        TextBlock(text=escape(note), wrap=True, is_subtle=True, size="Small") for note in spec.notes
    ]
    submit = SubmitAction(
        title=spec.submit, data={"action": SUBMITS[spec.kind], **hidden}, style="positive"
    )
    built = AdaptiveCard(version="1.5", body=body, actions=[submit])  # as every card's
    return {"$schema": SCHEMA_URL, **_whole(built.model_dump(exclude_none=True))}


def _whole(value: Any) -> Any:
    """Numbers that are whole written as such (the card models keep them as floats)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _whole(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_whole(item) for item in value]
    return value


def entered(data: Mapping[str, Any]) -> dict[str, str | None]:
    """What a submitted dialog holds, by field name: text, or None when empty or not text."""
    found: dict[str, str | None] = {}
    for key, value in data.items():
        if key in RESERVED:
            continue
        name = next((n for n, i in INPUT_IDS.items() if i == key), key)
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            found[name] = None
        else:
            found[name] = str(value).strip() or None
    return found
