"""Who may record audit evidence: YOS_AUDITORS, with user groups resolved through Slack."""

from __future__ import annotations

import logging
import threading
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

logger = logging.getLogger(__name__)

# Group membership changes rarely; a short cache spares a Slack call per update
# while a newly added auditor waits at most this long.
GROUP_CACHE_SECONDS = 120.0


class Auditors:
    def __init__(self, ids: tuple[str, ...], *, ttl: float = GROUP_CACHE_SECONDS) -> None:
        self.users = {i for i in ids if not i.startswith("S")}
        self.groups = [i for i in ids if i.startswith("S")]
        self.ttl = ttl
        self._members: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()

    @property
    def anyone(self) -> bool:
        """With YOS_AUDITORS unset, any member of the workspace may record."""
        return not (self.users or self.groups)

    def allows(self, user_id: str | None, client: WebClient) -> bool:
        if self.anyone:
            return True
        if not user_id:
            return False
        if user_id in self.users:
            return True
        return any(user_id in self._group(group, client) for group in self.groups)

    def _group(self, group: str, client: WebClient) -> frozenset[str]:
        now = time.monotonic()
        with self._lock:
            held = self._members.get(group)
        if held and now - held[0] < self.ttl:
            return held[1]
        try:
            users = frozenset(client.usergroups_users_list(usergroup=group).get("users") or ())
        except SlackApiError as error:
            logger.warning("could not list user group %s: %s", group, error.response.get("error"))
            return held[1] if held else frozenset()
        with self._lock:
            self._members[group] = (now, users)
        return users
