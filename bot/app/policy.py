"""Who may do what: the one place that decides.

Anyone may ask questions. Recording and retracting audit updates, closing and
reopening recommendations, changing a conversation's service and posting the board
report for everyone are auditor actions, and so is editing the improvement plan (adding
and changing actions, recording supervision and measure evidence, RAG overrides, board
dates); an action's owner may record progress on it and complete it. Auditors are
listed in YOS_AUDITORS by platform ID: Slack users and user groups, Teams (Azure AD)
users. With the list empty, everyone is an auditor (the servers log a warning at start).

Audit notes may be about children, so reading them is an auditor's too: everyone else
sees the figures, the dates and that a note was recorded. YOS_NOTES_VISIBLE_TO=everyone
shows notes to everyone, in posts for a whole conversation (announcements, shared
answers) as well.
"""

from __future__ import annotations

from typing import Protocol

from bot.commands import Permission
from bot.reply import Person

NOTES_TO_AUDITORS, NOTES_TO_EVERYONE = "auditors", "everyone"


class Directory(Protocol):
    """Group membership, from the platform (Slack user groups). Must answer from memory:
    it is asked on the path that acknowledges a request."""

    def members(self, group_id: str) -> frozenset[str] | None:
        """The group's members, or None when not known (yet)."""
        ...


class Policy:
    def __init__(
        self,
        auditors: tuple[str, ...],
        directory: Directory | None = None,
        *,
        notes_visible_to: str = NOTES_TO_AUDITORS,
    ) -> None:
        self.users = frozenset(a for a in auditors if not is_group(a))
        self.groups = tuple(a for a in auditors if is_group(a))
        self.directory = directory
        if notes_visible_to not in (NOTES_TO_AUDITORS, NOTES_TO_EVERYONE):
            raise ValueError(f"notes are visible to auditors or everyone, not {notes_visible_to}")
        self.notes_public = notes_visible_to == NOTES_TO_EVERYONE

    @property
    def anyone(self) -> bool:
        return not (self.users or self.groups)

    def is_auditor(self, person: Person) -> bool:
        if self.anyone:
            return True
        if not person.id:
            return False
        if person.id in self.users or person.id.lower() in self.users:
            return True
        if self.directory is None:
            return False
        return any(
            person.id in (self.directory.members(group) or frozenset()) for group in self.groups
        )

    def allows(self, person: Person, permission: Permission) -> bool:
        # Every permission is an auditor's; reading notes is everyone's when the setting
        # says so. The parameter keeps the question specific, so a finer rule lands here
        # and nowhere else.
        if permission is Permission.READ_NOTES and self.notes_public:
            return True
        if permission is Permission.OWN_ACTION:
            # Anyone the platform identifies may update an action they own; the command
            # checks the ownership against the plan.
            return self.anyone or bool(person.id)
        return self.is_auditor(person)

    def allows_everyone(self, permission: Permission) -> bool:
        """Whether everyone in a conversation may: what a post for all of them may show.
        Only reading notes can be everyone's (YOS_NOTES_VISIBLE_TO=everyone); even with no
        auditors listed, an announcement in a channel never shows a note by default."""
        return permission is Permission.READ_NOTES and self.notes_public


def is_group(auditor_id: str) -> bool:
    """Slack user-group IDs start with S; users start with U or W; Teams IDs are GUIDs."""
    return auditor_id.startswith("S") and "-" not in auditor_id
