"""The permission table: each permission, who holds it, and what needs it.

Who holds each is decided by the application's policy (``bot/app/policy.py``); what needs
each is declared on the commands (``requires=`` and their parts). ``help permissions``
and the README's table are both written from here, so neither can drift from the code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
    Permission.OWN_ACTION: "anyone the platform identifies",
}
AUDITORS = (
    "Auditors are listed in YOS_AUDITORS; while it is empty everyone is one. "
    "Anyone may ask questions."
)
# What the permissions no command requires decide, in words.
DECIDES: dict[Permission, str] = {
    Permission.RETRACT_ANY: "retracting someone else's audit update (audit undo 3)",
    Permission.POST_REPORT: "posting the board report for everyone (its Post button)",
    Permission.READ_NOTES: "whether a reply shows what notes say",
}


@dataclass(frozen=True)
class Row:
    permission: Permission
    held_by: str
    needed_for: tuple[tuple[str, str], ...]  # (what is asked, the condition), declared

    def needs(self, quoted: Callable[[str], str]) -> str:
        if not self.needed_for:
            return DECIDES.get(self.permission, "nothing")
        return ", ".join(
            quoted(what) + (f" ({but})" if but else "") for what, but in self.needed_for
        )


def rows(registry: Registry) -> list[Row]:
    """One row per permission, in the order they are declared."""
    needed: dict[Permission, list[tuple[str, str]]] = {p: [] for p in Permission}
    for cmd in registry.commands.values():
        for need in cmd.needs():
            for permission in need.requires:
                others = [f"or {p.value}" for p in need.requires if p is not permission]
                needed[permission].append(
                    (need.name, "; ".join([*others, *filter(None, [need.note])]))
                )
    return [Row(p, HELD_BY[p], tuple(needed[p])) for p in Permission]


def permissions_reply(registry: Registry, ctx: Context) -> Reply:
    """``help permissions``."""
    return Reply(
        title="Permissions",
        headline="Who may do what. " + AUDITORS,
        sections=tuple(
            Section(
                heading=row.permission.value,
                text=f"Held by {row.held_by}. Needed for: {row.needs(ctx.cmd)}.",
            )
            for row in rows(registry)
        ),
    )


def markdown(registry: Registry) -> str:
    """The README's table."""
    lines = ["| Permission | Held by | Needed for |", "| --- | --- | --- |"]
    lines += [
        f"| `{row.permission.value}` | {row.held_by} | {row.needs(lambda w: f'`{w}`')} |"
        for row in rows(registry)
    ]
    return "\n".join(lines) + "\n"
