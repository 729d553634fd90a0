"""The forms a person fills in, described once for every platform.

The application says what a form asks (a :class:`FormSpec`: its fields, their kinds,
choices, limits and what was entered); each adapter draws it in its platform's own
widgets (a Slack modal, a Teams dialog) and hands back what was entered as a plain
mapping from field name to text. Standard library only, as :mod:`bot.reply` is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

# What was entered in a form, by field name (None: left empty).
FormValues = Mapping[str, str | None]
PRIVACY_HINT = "Do not include names, dates of birth or other details that identify a child."


class FormKind(StrEnum):
    """Which form: the audit update, or the improvement plan's add-action and progress."""

    AUDIT = "audit"
    ADD_ACTION = "add_action"
    PROGRESS = "progress"


class FieldKind(StrEnum):
    CHOICE = "choice"  # one of ``choices``
    PERSON = "person"  # anyone on the platform (where it can pick people)
    DATE = "date"  # an ISO date
    NUMBER = "number"  # a whole number
    TEXT = "text"  # one line
    MULTILINE = "multiline"


@dataclass(frozen=True)
class FormField:
    """One thing a form asks. ``initial`` is what it holds when shown (an ISO date, a
    number or a choice's value, as text); ``choices`` are (value, title) pairs;
    ``minimum`` bounds a number, ``latest`` a date; ``missing`` is what to say when a
    required field is left empty; ``hint`` is a line shown with the field."""

    name: str
    label: str
    kind: FieldKind
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    initial: str | None = None
    minimum: int | None = None
    latest: str | None = None
    max_length: int | None = None
    placeholder: str = ""
    missing: str = ""
    hint: str = ""


@dataclass(frozen=True)
class FormSpec:
    """A form to show: its fields in order, the problems found with what was entered
    (by field name), and ``notes`` shown under it. ``problems_first`` lists the
    problems above the form, each with its field's label, rather than beside each field."""

    kind: FormKind
    title: str
    submit: str
    fields: tuple[FormField, ...]
    notes: tuple[str, ...] = ()
    errors: Mapping[str, str] = field(default_factory=dict)
    problems_first: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def again(self, values: FormValues, errors: Mapping[str, str]) -> FormSpec:
        """The form shown again with what was entered and what was wrong with it."""
        return replace(
            self,
            fields=tuple(_holding(f, values.get(f.name)) for f in self.fields),
            errors=dict(errors),
        )


def _holding(found: FormField, value: str | None) -> FormField:
    """``found`` holding ``value`` as entered (a date left empty keeps its default)."""
    if found.kind is FieldKind.DATE:
        return replace(found, initial=value or found.initial)
    if found.kind is FieldKind.CHOICE and value and value not in {v for v, _ in found.choices}:
        # Not one it offers (no longer theirs, say): still shown, so the problem is
        # beside what they chose.
        return replace(found, initial=value, choices=((value, value), *found.choices))
    return replace(found, initial=value)
