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
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from bot.app.form_specs import DONE, ME, PROGRESS, spec_for
from bot.app.requests import Outcome, Platform, Request, Via
from bot.commands import Permission
from bot.commands.audits import FORM_FIELDS, FormEntry, submit_form
from bot.domain.monitoring.audits import prefill_from_text
from bot.forms import FormKind, FormSpec, FormValues
from bot.mentions import mention
from bot.reply import Action, ActionKind, Person, Reply

if TYPE_CHECKING:
    from bot.app.core import Application

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
_CURLY = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})


def form_asked_for(text: str) -> FormKind | None:
    """The form ``text`` asks for, when it is only that ("audit", "record audit")."""
    return FORM_WORDS.get(" ".join(text.lower().split()))


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


# Opening a form: the form to show, or what to tell the asker instead (a refusal).
FormOpening = FormSpec | Reply
# The button each form is opened with, where typed text cannot open one.
OPENED_BY: dict[FormKind, ActionKind] = {
    FormKind.AUDIT: ActionKind.AUDIT_FORM,
    FormKind.ADD_ACTION: ActionKind.ACTION_FORM,
    FormKind.PROGRESS: ActionKind.PROGRESS_FORM,
}


class FormDesk:
    """Opening and taking forms for the application (its ``open_form``, ``offer_form``
    and ``submit_form``): who may, what each shows, what a submission records."""

    def __init__(self, app: Application) -> None:
        self.app = app

    def open(
        self,
        request: Request,
        kind: FormKind,
        prefill_text: str | None = None,
        values: FormValues | None = None,
    ) -> FormOpening:
        """The form to show the asker, or what to tell them instead. ``prefill_text`` is a
        message the audit form is filled in from; ``values`` are fields already chosen
        (the action a progress button was for)."""
        refused = self.refusal(request, kind)
        if refused is not None:
            return refused
        return self._form(request, kind, prefill_text, values)

    def _form(
        self,
        request: Request,
        kind: FormKind,
        prefill_text: str | None = None,
        values: FormValues | None = None,
        *,
        again: bool = False,
    ) -> FormOpening:
        prefill: dict[str, object] = dict(values or {})
        if prefill_text is not None:
            prefill.update(prefill_from_text(prefill_text))
        return spec_for(
            kind,
            self.app.context(request),
            request.platform,
            linked=bool(request.message_ref and request.via in LINKING),
            prefill=prefill,
            again=again,
        )

    def refusal(self, request: Request, kind: FormKind) -> Reply | None:
        """What the asker is told if the form is not theirs to open; None when it is."""
        need = NEEDS.get(kind)
        return self.app.refusal(request, *need) if need else None

    def offer(self, request: Request, kind: FormKind) -> Outcome:
        """The answer to a form asked for in words where words cannot open one: the
        button that does, or the refusal; where there are no forms, what the form's
        command says typed on its own (how to type it)."""
        if not request.platform.forms:
            return self.app.handle(replace(request, text=TYPED[kind]))
        refused = self.refusal(request, kind)
        if refused is not None:
            return Outcome(refused, False)
        audit = kind is FormKind.AUDIT
        title = "Record audit update" if audit else "Change the improvement plan"
        said = "record a case-file audit result" if audit else "change the improvement plan"
        offer = Reply(
            title=title,
            headline=f"Open the form to {said}.",
            actions=(Action(OPENED_BY[kind], title, primary=True),),
        )
        return Outcome(offer, True)

    def submit(self, request: Request, kind: FormKind, values: FormValues) -> FormOutcome:
        """Take what was entered in a form: the problems to show in it (and nothing
        recorded), or the outcome, as for the command the form stands for."""
        if kind is FormKind.AUDIT:
            result = self._submit_audit(request, values)
        else:
            result = self._submit_plan(request, kind, values)
        if result.outcome is not None or not result.errors or result.closed:
            return result
        return FormOutcome(result.errors, None, self.again(request, kind, values, result.errors))

    def again(
        self, request: Request, kind: FormKind, values: FormValues, errors: dict[str, str]
    ) -> FormSpec | None:
        """The form shown again with what was entered and what was wrong with it."""
        form = self._form(request, kind, again=True)
        return form.again(values, errors) if isinstance(form, FormSpec) else None

    def _submit_audit(self, request: Request, values: FormValues) -> FormOutcome:
        ctx = self.app.context(request)
        entry = FormEntry(**{name: values.get(name) for name in FORM_FIELDS})
        errors: dict[str, str] = {}

        def record() -> Reply | None:
            result = submit_form(ctx, entry)
            errors.update(result.errors)
            return result.reply

        outcome = self.app._write(request, ctx, record)
        return FormOutcome(errors, outcome)

    def _submit_plan(self, request: Request, kind: FormKind, values: FormValues) -> FormOutcome:
        mentions = request.mentions
        if kind is FormKind.PROGRESS:
            typed = progress_command(values)
        else:
            owner, mentions = _owner(request, values.get("owner"))
            typed = action_command(values, request.platform, owner)
        if typed.command is None:
            return FormOutcome(typed.errors)
        outcome = self.app.handle(replace(request, text=typed.command, mentions=mentions))
        if not outcome.reply.ok and not outcome.duplicate:
            # Refused to someone the form is not for (it was opened before they lost the
            # permission, say): nothing to show again.
            closed = self.refusal(request, kind) is not None
            said = problem_text(outcome.reply)
            return FormOutcome({ANSWERED_BY[kind]: said}, closed=closed)
        return FormOutcome({}, outcome)


# How a form opened from a message arrives: the update is linked to that message.
LINKING = frozenset({Via.SHORTCUT, Via.MESSAGE_ACTION})


def _owner(request: Request, chosen: str | None) -> tuple[str | None, tuple[Person, ...]]:
    """The add-action form's owner as the command reads it, and the people the command's
    text then mentions: the asker ("me"), or the person picked (named as the adapter
    listed them in the request's mentions)."""
    if not chosen:
        return None, request.mentions
    if chosen == ME:
        return ME, request.mentions
    person = next(
        (p for p in request.mentions if p.id == chosen),
        Person(chosen, None, request.platform.name),
    )
    return mention(person), (*request.mentions, person)
