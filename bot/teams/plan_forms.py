"""The improvement plan's forms as Teams dialogs: add an action, record progress on one.

Opened by the dashboard's buttons (``task/fetch`` with ``{"action": "action_form"}`` or
``{"action": "progress_form", "ref": "R1.1"}``) and submitted (``task/submit``) as the
typed command would be (``action add ...``, ``action R3.1 progress ...``, ``action R3.1
done ...``), through the application: the checks, permissions, history and
announcements are the commands' own. What they refuse comes back in the dialog beside
the field, with what was entered kept, and nothing is recorded. A redelivered submit
has the same activity ID, so the application records it once.

Everything here blocks (SQLite): the handlers call it in a worker thread.
"""

from __future__ import annotations

import shlex
from datetime import date
from typing import Any

from bot.app import Request
from bot.app.core import ANNOUNCED
from bot.commands.my_actions import progress_choices, rec_choices
from bot.commands.plan_common import allowed
from bot.reply import ActionKind, Reply
from bot.teams.cards import (
    CONTENT_TYPE,
    DONE,
    ME,
    PLAN_ACTION_SUBMIT,
    PLAN_PROGRESS_SUBMIT,
    action_form_card,
    clip,
    progress_form_card,
)
from bot.teams.deps import Deps
from bot.teams.platform import PERSONAL
from bot.teams.sdk import (
    ActivityBase,
    Attachment,
    CardTaskModuleTaskInfo,
    TaskModuleContinueResponse,
)

ACTION_TITLE = "Add an action"
PROGRESS_TITLE = "Record progress"
OPENS = frozenset({ActionKind.ACTION_FORM.value, ActionKind.PROGRESS_FORM.value})
SUBMITS = frozenset({PLAN_ACTION_SUBMIT, PLAN_PROGRESS_SUBMIT})
ACTION_FIELDS = ("recommendation", "text", "owner", "owner_name", "agency", "due")
PROGRESS_FIELDS = ("ref", "note", "state")
NOBODY = "No open action of the plan is yours to update."
AUDITORS_ONLY = "Changing the improvement plan is for auditors (action add)."
MAX_PROBLEM = 600
_CURLY = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})

Answer = TaskModuleContinueResponse | str


def _dialog(title: str, card: dict[str, Any]) -> TaskModuleContinueResponse:
    return TaskModuleContinueResponse(
        value=CardTaskModuleTaskInfo(
            title=title,
            width="medium",
            height="large",
            card=Attachment(content_type=CONTENT_TYPE, content=card),
        )
    )


def _plain(reply: Reply) -> str:
    said = " ".join([reply.headline, *(s.text or "" for s in reply.sections)])
    return clip(" ".join(said.split()), MAX_PROBLEM)


def _values(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, str | None]:
    """What the dialog's inputs held, by input id: text, or None when empty or not text."""
    found: dict[str, str | None] = {}
    for name in names:
        value = data.get(name)
        found[name] = value.strip() or None if isinstance(value, str) else None
    return found


def quoted(text: str) -> str:
    """User text as one word of a command (curly quotes straightened, as typed ones are)."""
    return shlex.quote(text.translate(_CURLY).strip())


def progress_command(values: dict[str, str | None]) -> tuple[str | None, dict[str, str]]:
    """The command the progress form stands for, or the fields' problems."""
    errors = {}
    if not values["ref"]:
        errors["ref"] = "Choose the action."
    if not values["note"]:
        errors["note"] = "Say what was done (for done: the evidence)."
    if errors:
        return None, errors
    verb = "done" if values["state"] == DONE else "progress"
    return f"action {values['ref']} {verb} {quoted(values['note'] or '')}", {}


def action_command(values: dict[str, str | None]) -> tuple[str | None, dict[str, str]]:
    """The ``action add`` command the form stands for, or the fields' problems."""
    errors = {}
    if not values["recommendation"]:
        errors["recommendation"] = "Choose the recommendation."
    if not values["text"]:
        errors["text"] = "Say what the action is."
    me, named = values["owner"] == ME, values["owner_name"]
    if not me and not named:
        errors["owner"] = (
            "Choose yourself, or name its owner below (a role, or someone not on Teams)."
        )
    if me and named:
        errors["owner_name"] = "Choose yourself or name an owner here, not both."
    day = None
    try:
        day = date.fromisoformat(values["due"] or "")
    except ValueError:
        errors["due"] = "Choose the due date."
    if errors or day is None:
        return None, errors
    owner = ME if me else quoted(named or "")
    command = (
        f"action add {values['recommendation']} {quoted(values['text'] or '')} "
        f"owner {owner} due {day:%d/%m/%Y}"
    )
    if values["agency"]:
        command += f" agency {quoted(values['agency'])}"
    return command, {}


class PlanForms:
    """The two dialogs, over the handlers' shared :class:`Deps`."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def request(self, activity: ActivityBase, text: str = "") -> Request:
        """The dialog's request: what it records is announced where a post "for everyone"
        goes from here (YOS_TEAMS_CHANNEL, from a personal chat)."""
        conversation, thread = self.deps.post_to(activity)
        return self.deps.request(
            activity,
            text=text,
            conversation=conversation,
            thread=thread,
            message_ref=None,
            via="dialog",
            service_url=self.deps.conversations.service_url(conversation) or activity.service_url,
        )

    # --- opening -----------------------------------------------------------------------

    def open(self, activity: ActivityBase, data: dict[str, Any]) -> Answer:
        if data.get("action") == ActionKind.ACTION_FORM.value:
            return self.open_action(activity)
        ref = data.get("ref")
        return self.open_progress(activity, ref if isinstance(ref, str) else None)

    def open_progress(self, activity: ActivityBase, ref: str | None) -> Answer:
        ctx = self.deps.app.context(self.request(activity))
        choices = progress_choices(ctx, ctx.home_inspection())
        if not choices:
            return NOBODY
        return _dialog(PROGRESS_TITLE, progress_form_card(choices, ref))

    def open_action(
        self,
        activity: ActivityBase,
        prefill: dict[str, str | None] | None = None,
        errors: dict[str, str] | None = None,
    ) -> Answer:
        request = self.request(activity)
        ctx = self.deps.app.context(request)
        if not allowed(ctx, "action add"):
            return _plain(ctx.refused(AUDITORS_ONLY))
        card = action_form_card(
            rec_choices(ctx, ctx.home_inspection()),
            self.deps.app.today().isoformat(),
            me_label=f"Me ({request.user.name})" if request.user.name else "Me",
            prefill=prefill,
            errors=errors,
        )
        return _dialog(ACTION_TITLE, card)

    def progress_again(
        self, activity: ActivityBase, prefill: dict[str, str | None], errors: dict[str, str]
    ) -> Answer:
        ctx = self.deps.app.context(self.request(activity))
        choices = progress_choices(ctx, ctx.home_inspection())
        chosen = prefill.get("ref")
        if chosen and chosen not in {ref for ref, _ in choices}:
            # Not theirs to update: still shown, so the refusal is beside their choice.
            choices = [(chosen, ""), *choices]
        card = progress_form_card(choices, chosen, prefill=prefill, errors=errors)
        return _dialog(PROGRESS_TITLE, card)

    # --- submitting --------------------------------------------------------------------

    def submit(self, activity: ActivityBase, data: dict[str, Any]) -> Answer:
        """Record what was entered: the dialog again with what was wrong, or what to say."""
        progress = data.get("action") == PLAN_PROGRESS_SUBMIT
        values = _values(data, PROGRESS_FIELDS if progress else ACTION_FIELDS)
        field = "note" if progress else "text"

        def again(errors: dict[str, str]) -> Answer:
            if progress:
                return self.progress_again(activity, values, errors)
            return self.open_action(activity, values, errors)

        command, errors = progress_command(values) if progress else action_command(values)
        if command is None:
            return again(errors)
        request = self.request(activity, command)
        try:
            outcome = self.deps.app.handle(request)
        except Exception:
            return again({field: self.deps.failed("the plan form").headline})
        if outcome.duplicate:
            return outcome.reply.headline
        if not outcome.reply.ok:
            return again({field: _plain(outcome.reply)})
        self.deps.sender.wake()
        return self.said(activity, outcome.reply.headline)

    def said(self, activity: ActivityBase, headline: str) -> str:
        """The closing message: where the record is announced, said as the asker sees it."""
        if not headline.endswith(ANNOUNCED):
            return headline
        if self.deps.kind(activity) == PERSONAL and self.deps.settings.teams_channel:
            where = "It will be announced in the channel where reminders and reports go."
            return f"{headline.removesuffix(ANNOUNCED).rstrip()} {where}"
        return headline
