"""The forms, described once for every platform: which words open them, who may open
them, what they ask, and what each submission stands for.

The audit form is checked and recorded by :func:`bot.commands.audits.submit_form`; the
improvement plan's forms stand for the command typed by hand (``action add ...``,
``action R3.1 progress ...``, ``action R3.1 done ...``), so the checks, permissions,
history and announcements are the commands' own, and what they refuse goes back to
the form beside the field.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.app.requests import Outcome, Platform
from bot.commands import Context, Permission
from bot.commands.my_actions import progress_choices, rec_choices
from bot.forms import PRIVACY_HINT, FieldKind, FormField, FormKind, FormSpec, FormValues
from bot.reply import Reply

# What typed on its own asks for a form rather than being a command.
FORM_WORDS: dict[str, FormKind] = {
    "audit": FormKind.AUDIT,
    "audit form": FormKind.AUDIT,
    "record": FormKind.AUDIT,
    "record audit": FormKind.AUDIT,
}
# The command each form stands for, typed: what a platform without forms answers with.
TYPED: dict[FormKind, str] = {
    FormKind.AUDIT: "audit",
    FormKind.ADD_ACTION: "action add",
    FormKind.PROGRESS: "actions",
}
# What opening each form needs, and the command it stands for (for the refusal); the
# progress form offers only the actions the asker may update, so anyone may open it.
NEEDS: dict[FormKind, tuple[Permission, str]] = {
    FormKind.AUDIT: (Permission.RECORD, "audit"),
    FormKind.ADD_ACTION: (Permission.EDIT_PLAN, "action add"),
}
# The field a command's refusal is shown beside.
ANSWERED_BY: dict[FormKind, str] = {
    FormKind.AUDIT: "note",
    FormKind.ADD_ACTION: "text",
    FormKind.PROGRESS: "note",
}
ME = "me"
PROGRESS, DONE = "progress", "done"
NOTE_LENGTH = 1000
PLAN_TEXT_LENGTH = 500
NAME_LENGTH = 120
NOBODY = "No open action of the plan is yours to update."
_CURLY = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})


def form_asked_for(text: str) -> FormKind | None:
    """The form ``text`` asks for, when it is only that ("audit", "record audit")."""
    return FORM_WORDS.get(" ".join(text.lower().split()))


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


# --- what a plan form stands for -------------------------------------------------------


def quoted(text: str) -> str:
    """User text as one word of a command (curly quotes straightened, as typed ones are)."""
    return shlex.quote(text.translate(_CURLY).strip())


@dataclass(frozen=True)
class Typed:
    """The command a plan form stands for, or the problems with what was entered."""

    command: str | None
    errors: dict[str, str]


def _given(values: FormValues, name: str) -> str:
    return (values.get(name) or "").strip()


def progress_command(values: FormValues) -> Typed:
    ref, note = _given(values, "action"), _given(values, "note")
    errors = {}
    if not ref:
        errors["action"] = "Choose the action."
    if not note:
        errors["note"] = "Say what was done (for done: the evidence)."
    if errors:
        return Typed(None, errors)
    verb = DONE if _given(values, "state") == DONE else PROGRESS
    return Typed(f"action {quoted(ref)} {verb} {quoted(note)}", {})


def action_command(values: FormValues, platform: Platform, owner: str | None) -> Typed:
    """The ``action add`` command; ``owner`` is the chosen owner as the command reads it
    (a neutral mention, or ``me``), None when nobody was chosen."""
    rec, text = _given(values, "recommendation"), _given(values, "text")
    named, agency = _given(values, "owner_name"), _given(values, "agency")
    where = platform.title
    errors = {}
    if not rec:
        errors["recommendation"] = "Choose the recommendation."
    if not text:
        errors["text"] = "Say what the action is."
    if platform.people_picker:
        if not owner and not named:
            errors["owner"] = (
                f"Choose its owner, or name one below (a role, or someone not on {where})."
            )
        if owner and named:
            errors["owner_name"] = f"Choose an owner on {where} or name one here, not both."
    else:
        if not owner and not named:
            errors["owner"] = (
                f"Choose yourself, or name its owner below (a role, or someone not on {where})."
            )
        if owner and named:
            errors["owner_name"] = "Choose yourself or name an owner here, not both."
    day = None
    try:
        day = date.fromisoformat(_given(values, "due"))
    except ValueError:
        errors["due"] = "Choose the due date."
    if errors or day is None:
        return Typed(None, errors)
    command = (
        f"action add {quoted(rec)} {quoted(text)} owner {owner or quoted(named)} due {day:%d/%m/%Y}"
    )
    if agency:
        command += f" agency {quoted(agency)}"
    return Typed(command, {})


def problem_text(reply: Reply) -> str:
    """A refusal as the one line a form shows beside a field."""
    said = " ".join([reply.headline, *(s.text or "" for s in reply.sections)])
    return " ".join(said.split())


@dataclass(frozen=True)
class FormOutcome:
    """A form's result: the problems to show in it (by field name), with the form to
    show again holding what was entered (none when ``closed``: the form is not the
    asker's to use, and the problems say why); or, when it was taken, the outcome."""

    errors: dict[str, str]
    outcome: Outcome | None = None
    form: FormSpec | None = None
    closed: bool = False
