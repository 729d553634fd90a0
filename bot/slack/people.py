"""Display names for the people who record evidence, so histories read as names."""

from __future__ import annotations

import logging
import threading

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

logger = logging.getLogger(__name__)

_names: dict[str, str] = {}
_lock = threading.Lock()


def display_name(client: WebClient, user_id: str | None) -> str | None:
    """The person's display name (or real name), remembered for the life of the process."""
    if not user_id:
        return None
    with _lock:
        if user_id in _names:
            return _names[user_id]
    try:
        user = client.users_info(user=user_id).get("user") or {}
    except SlackApiError as error:
        logger.warning("could not look up %s: %s", user_id, error.response.get("error"))
        return None
    profile = user.get("profile") or {}
    name = profile.get("display_name") or profile.get("real_name") or user.get("name")
    if name:
        with _lock:
            _names[user_id] = name
    return name
