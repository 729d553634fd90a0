"""The permission table: each permission, who holds it, and what needs it.

Who holds each is decided by the application's policy (``bot/app/policy.py``); what needs
each is declared on the commands (``requires=`` and their parts). ``help permissions``
and the README's table are both written from here, so neither can drift from the code.
"""

from __future__ import annotations

from bot.commands.registry import Context, Permission, Registry
from bot.reply import Reply, Section

# The policy's rules, in words.
HELD_BY: dict[Permission, str] = {
    Permission.RECORD: "auditors",
    Permission.RETRACT_ANY: "auditors",
    Permission.CLOSE: "auditors",
    Permission.USE: "auditors",
    Permission.POST_REPORT: "auditors",
    Permission.READ_NOTES: "auditors; everyone with YOS_NOTES_VISIBLE_TO=everyone",
    Permission.EDIT_PLAN: "auditors (the plan's editors)",
    Permission.OWN_ACTION: "anyone the platform identifies, for the actions they own",
}
AUDITORS = (
    "Auditors are listed in YOS_AUDITORS; while it is empty everyone is one. "
    "Anyone may ask questions."
)
# Permissions no command requires as a whole: what they decide, in words.
DECIDES: dict[Permission, str] = {
    Permission.RETRACT_ANY: "audit undo <number> of someone else's update",
    Permission.POST_REPORT: "the board report's Post button",
    Permission.READ_NOTES: "whether a reply shows notes",
}


def rows(registry: Registry) -> list[tuple[str, str, str]]:
    """(permission, who holds it, what needs it), in the order permissions are declared."""
    needed: dict[Permission, list[str]] = {p: [] for p in Permission}
    for cmd in registry.commands.values():
        for need in cmd.needs():
            for permission in need.requires:
                either = " or ".join(p.value for p in need.requires if p is not permission)
                needed[permission].append(f"{need.name} (or {either})" if either else need.name)
    return [
        (p.value, HELD_BY[p], ", ".join(needed[p]) or DECIDES.get(p, "nothing")) for p in Permission
    ]


def permissions_reply(registry: Registry, ctx: Context) -> Reply:
    return Reply(
        title="Permissions",
        headline="Who may do what. " + AUDITORS,
        sections=tuple(
            Section(heading=name, text=f"Held by {holders}. Needed for: {needed}.")
            for name, holders, needed in rows(registry)
        ),
    )


def markdown(registry: Registry) -> str:
    """The README's table."""
    lines = ["| Permission | Held by | Needed for |", "| --- | --- | --- |"]
    lines += [f"| `{name}` | {holders} | {needed} |" for name, holders, needed in rows(registry)]
    return "\n".join(lines) + "\n"
