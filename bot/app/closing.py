"""What a form says as it closes, where a platform closes it with a line of text (a Teams
dialog): the problems that leave nothing to show again, a submission seen before, or
the answer to what was recorded, with where it will be announced as the asker sees it.
"""

from __future__ import annotations

from bot.app.core import ANNOUNCED
from bot.app.forms import FormOutcome
from bot.forms import FormKind

# Where a record submitted from a personal chat is announced: the reminders channel
# ("this conversation" would name the personal chat).
IN_THE_CHANNEL = "It will be announced in the channel where reminders and reports go."


def closing_words(result: FormOutcome, kind: FormKind, *, announced_elsewhere: bool) -> str:
    """The line a closing form shows for ``result`` (one whose form is not shown again).
    ``announced_elsewhere``: the asker is not in the conversation the record is announced
    in (they submitted from a personal chat, and it goes to the reminders channel)."""
    if result.outcome is None:
        return " ".join(result.errors.values()) or "Nothing was recorded."
    headline = result.outcome.reply.headline
    if result.outcome.duplicate:
        return "That update was already recorded." if kind is FormKind.AUDIT else headline
    if not (announced_elsewhere and headline.endswith(ANNOUNCED)):
        return headline
    return f"{headline.removesuffix(ANNOUNCED).rstrip()} {IN_THE_CHANNEL}"
