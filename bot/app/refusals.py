"""What someone is told when they ask for what only an auditor may do: said here, once,
for every platform and every way of asking (a command, a form, a button)."""

from __future__ import annotations

from bot.commands import Permission, RefusalWording
from bot.reply import Reply

# The headline of each refusal; ``{command}`` is what was asked for.
REFUSALS: dict[Permission, str] = {
    Permission.RECORD: "Recording audit updates is for auditors.",
    Permission.RETRACT_ANY: "Only auditors can retract audit updates.",
    Permission.CLOSE: "Only auditors can close or reopen a recommendation.",
    Permission.USE: "Only auditors can change which service this channel is about.",
    Permission.POST_REPORT: "Only auditors can post the board report.",
    Permission.READ_NOTES: "Only auditors can read audit notes.",
    Permission.EDIT_PLAN: "Changing the improvement plan is for auditors ({command}).",
    Permission.OWN_ACTION: "Only its owner or an auditor can change an action ({command}).",
}
TITLE = "Only auditors can do that"

# Where one permission guards several commands that deserve their own words, by the name
# the command declares its need under (see ``help permissions``).
BY_COMMAND: dict[str, str] = {
    "audit undo": "Only auditors can retract audit updates.",
    "rec R3 close": "Only auditors can close a recommendation.",
    "rec R3 reopen": "Only auditors can reopen a recommendation.",
    "use <service>": "Only auditors can change which service this channel is about.",
}


# Who to ask, after the headline; ``{admin_hint}`` is the platform's ("Ask your Slack admin").
HOW_TO_GET_ACCESS = "{admin_hint} to add you to YOS_AUDITORS. Anyone can still ask questions."

# Given to every command's context, so a command refused by the dispatcher says these
# words without asking the application back.
WORDING = RefusalWording(
    title=TITLE,
    by_permission=REFUSALS,
    by_command=BY_COMMAND,
    how_to_get_access=HOW_TO_GET_ACCESS,
)


def refusal_for(permission: Permission, command: str, admin_hint: str) -> Reply:
    """The private answer to someone refused ``permission`` for ``command``; the admin
    hint says who can add them to the auditors."""
    return WORDING.reply(permission, command, admin_hint)


def who_may_record(restricted: bool, admin_hint: str) -> str:
    """Who may record updates, said where people are told what the bot does (a welcome),
    in the same words as the refusals."""
    if restricted:
        return (
            "Only the auditors listed in the bot's YOS_AUDITORS setting may record updates "
            "or post the board report; anyone here may ask."
        )
    ask = admin_hint[:1].lower() + admin_hint[1:]
    return (
        "YOS_AUDITORS is not set, so anyone who can message the bot may record updates; "
        f"{ask} to limit it to auditors."
    )
