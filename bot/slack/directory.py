"""What the Slack adapter remembers about people: user-group members and display names.

Both are answered from memory on the path that acknowledges a request, and refreshed
in the background: a Web API call must never hold up Slack's 3-second acknowledgement.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

logger = logging.getLogger(__name__)

# Group membership changes rarely; a newly added auditor waits at most this long.
GROUP_REFRESH_SECONDS = 120.0
# A name Slack would not give (no users:read scope, a deleted user, a rate limit) is asked
# again after this long, not on every request from that person.
NAME_RETRY_SECONDS = 600.0


class SlackDirectory:
    def __init__(
        self,
        client: WebClient,
        groups: tuple[str, ...],
        *,
        name_retry_seconds: float = NAME_RETRY_SECONDS,
    ) -> None:
        self.client = client
        self.groups = groups
        self.name_retry_seconds = name_retry_seconds
        self._members: dict[str, frozenset[str]] = {}
        self._names: dict[str, str] = {}
        self._ask_again_at: dict[str, float] = {}  # by user: when a name may be asked for
        self._lock = threading.Lock()
        self._lookups = ThreadPoolExecutor(max_workers=1, thread_name_prefix="slack-names")
        self._stop = threading.Event()

    # --- user groups -------------------------------------------------------------------

    def members(self, group_id: str) -> frozenset[str] | None:
        with self._lock:
            return self._members.get(group_id)

    def refresh_groups(self) -> None:
        for group in self.groups:
            try:
                users = self.client.usergroups_users_list(usergroup=group).get("users") or ()
            except (SlackApiError, OSError) as error:
                logger.warning("could not list user group %s: %s", group, _code(error))
                continue
            with self._lock:
                self._members[group] = frozenset(users)

    def start(self, interval: float = GROUP_REFRESH_SECONDS) -> SlackDirectory:
        """Keep group membership fresh while the process runs (nothing to do without groups)."""
        if not self.groups:
            return self

        def loop() -> None:
            while True:
                self.refresh_groups()
                if self._stop.wait(interval):
                    return

        threading.Thread(target=loop, name="slack-groups", daemon=True).start()
        return self

    # --- display names -------------------------------------------------------------------

    def name(self, user_id: str | None) -> str | None:
        """The person's display name if known; otherwise None now, and looked up for next time."""
        if not user_id:
            return None
        with self._lock:
            known = self._names.get(user_id)
            if known is not None or time.monotonic() < self._ask_again_at.get(user_id, 0.0):
                return known
            self._ask_again_at[user_id] = math.inf  # asked: once, unless it fails
        self._lookups.submit(self._look_up, user_id)
        return None

    def remember(self, user_id: str | None, name: str | None) -> None:
        if user_id and name:
            with self._lock:
                self._names.setdefault(user_id, name)

    def _look_up(self, user_id: str) -> None:
        try:
            user = self.client.users_info(user=user_id).get("user") or {}
        except (SlackApiError, OSError) as error:
            logger.warning("could not look up a user's name: %s", _code(error))
            with self._lock:
                self._ask_again_at[user_id] = time.monotonic() + self.name_retry_seconds
            return
        profile = user.get("profile") or {}
        self.remember(
            user_id, profile.get("display_name") or profile.get("real_name") or user.get("name")
        )


def _code(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error"))
    return type(error).__name__
