"""What each form asks, described once for every platform: the audit form and the
improvement plan's add-action and progress forms, for the person opening them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.app.requests import Platform
from bot.commands import Context
from bot.commands.my_actions import progress_choices, rec_choices
from bot.forms import PRIVACY_HINT, FieldKind, FormField, FormKind, FormSpec
from bot.reply import Reply

ME = "me"
PROGRESS, DONE = "progress", "done"
NOTE_LENGTH = 1000
PLAN_TEXT_LENGTH = 500
NAME_LENGTH = 120
NOBODY = "No open action of the plan is yours to update."


def _title(ref: str, text: str) -> str:
    return " ".join(f"{ref}: {text}".split()) if text.strip() else ref


def _choice(
    name: str,
    label: str,
    choices: list[tuple[str, str]],
    chosen: object,
    *,
    placeholder: str = "",
    missing: str = "",
) -> FormField:
    offered = tuple((ref, _title(ref, text)) for ref, text in choices)
    values = [value for value, _ in offered]
    if chosen not in values and len(values) == 1:
        chosen = values[0]  # the only one: no need to choose
    return FormField(
        name,
        label,
        FieldKind.CHOICE,
        choices=offered,
        initial=chosen if isinstance(chosen, str) and chosen in values else None,
        placeholder=placeholder,
        missing=missing,
    )


def _whole(value: object) -> str | None:
    if isinstance(value, bool):
        return None
    text = str(value).strip() if isinstance(value, int | str) else ""
    return text if text.isascii() and text.isdigit() else None


def audit_form(
    recs: list[tuple[str, str]], today: date, prefill: Mapping[str, Any], linked: bool
) -> FormSpec:
    """The audit form: ``recs`` are (ref, text) pairs; ``prefill`` may hold ref,
    audit_date, audited, compliant and note; ``linked`` says the update will be linked
    to the message it was opened from."""
    day = prefill.get("audit_date")
    note = prefill.get("note")
    return FormSpec(
        FormKind.AUDIT,
        "Record audit update",
        "Record",
        (
            _choice(
                "recommendation",
                "Recommendation",
                recs,
                prefill.get("ref"),
                placeholder="Choose a recommendation",
                missing="Choose the recommendation this audit evidences.",
            ),
            FormField(
                "audit_date",
                "Audit date",
                FieldKind.DATE,
                initial=day if isinstance(day, str) and day else today.isoformat(),
                latest=today.isoformat(),
                missing="Pick the date of the audit.",
            ),
            *(
                FormField(
                    name,
                    label,
                    FieldKind.NUMBER,
                    initial=_whole(prefill.get(name)),
                    minimum=minimum,
                    missing=f"Enter a whole number, {minimum} or more.",
                )
                for name, label, minimum in (
                    ("audited", "Cases audited", 1),
                    ("compliant", "Cases compliant", 0),
                )
            ),
            FormField(
                "note",
                "Note",
                FieldKind.MULTILINE,
                required=False,
                initial=note[:NOTE_LENGTH] if isinstance(note, str) and note else None,
                max_length=NOTE_LENGTH,
                placeholder="case 7: review late after move",
                hint=PRIVACY_HINT,
            ),
        ),
        notes=("The update will be linked to the message.",) if linked else (),
        problems_first=True,
    )


def action_form(
    recs: list[tuple[str, str]], today: date, platform: Platform, asker: str | None
) -> FormSpec:
    """The add-action form: its owner is anyone on a platform whose forms pick people,
    else the asker (``asker`` names them) or an owner named in words."""
    where = platform.title
    if platform.people_picker:
        owner = FormField(
            "owner", f"Owner on {where}", FieldKind.PERSON, required=False, placeholder=""
        )
    else:
        owner = FormField(
            "owner",
            f"Owner on {where}",
            FieldKind.CHOICE,
            required=False,
            choices=((ME, f"Me ({asker})" if asker else "Me"),),
            placeholder=f"Nobody on {where}",
        )
    return FormSpec(
        FormKind.ADD_ACTION,
        "Add an action",
        "Add",
        (
            _choice(
                "recommendation",
                "Recommendation",
                recs,
                None,
                placeholder="Choose a recommendation",
                missing="Choose the recommendation.",
            ),
            FormField(
                "text",
                "Action",
                FieldKind.TEXT,
                max_length=PLAN_TEXT_LENGTH,
                placeholder="Audit plans for contingency monthly",
                missing="Say what the action is.",
            ),
            owner,
            FormField(
                "owner_name",
                f"Or a named owner not on {where}",
                FieldKind.TEXT,
                required=False,
                max_length=NAME_LENGTH,
                placeholder="Head of Service",
            ),
            FormField(
                "agency",
                "Agency",
                FieldKind.TEXT,
                required=False,
                max_length=NAME_LENGTH,
                placeholder="YJS",
            ),
            FormField(
                "due",
                "Due date",
                FieldKind.DATE,
                initial=today.isoformat(),
                missing="Choose the due date.",
            ),
        ),
    )


def progress_form(choices: list[tuple[str, str]], chosen: str | None) -> FormSpec:
    """The progress form: the action (``choices`` are (ref, text) pairs, ``chosen`` the
    one the button was for), what was done, and where it stands."""
    return FormSpec(
        FormKind.PROGRESS,
        "Record progress",
        "Record",
        (
            _choice(
                "action",
                "Action",
                choices,
                chosen,
                placeholder="Choose an action",
                missing="Choose the action.",
            ),
            FormField(
                "note",
                "What was done",
                FieldKind.MULTILINE,
                max_length=NOTE_LENGTH,
                placeholder="Dip sample of ten reviews done",
                missing="Say what was done (for done: the evidence).",
                hint=PRIVACY_HINT,
            ),
            FormField(
                "state",
                "Where it stands",
                FieldKind.CHOICE,
                choices=((PROGRESS, "Still in progress"), (DONE, "Done: this is the evidence")),
                initial=PROGRESS,
            ),
        ),
    )


def spec_for(
    kind: FormKind,
    ctx: Context,
    platform: Platform,
    *,
    linked: bool = False,
    prefill: Mapping[str, Any] | None = None,
    again: bool = False,
) -> FormSpec | Reply:
    """The form ``kind`` for the asker of ``ctx``, or what to tell them instead (``again``:
    it is shown again after a submission, whatever it now offers)."""
    prefill = prefill or {}
    inspection = ctx.home_inspection()
    if kind is FormKind.AUDIT:
        recs = [(r.ref, r.text) for r in ctx.queries.recommendations(inspection)]
        return audit_form(recs, ctx.today, prefill, linked)
    if kind is FormKind.ADD_ACTION:
        return action_form(rec_choices(ctx, inspection), ctx.today, platform, ctx.user.name)
    choices = progress_choices(ctx, inspection)
    if not choices and not again:
        return Reply(title="Record progress", headline=NOBODY)
    chosen = prefill.get("action")
    return progress_form(choices, chosen if isinstance(chosen, str) else None)
