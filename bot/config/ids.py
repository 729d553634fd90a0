"""The platforms' identifiers a setting may hold, as types: Slack member and user-group
IDs, Microsoft Entra GUIDs (object IDs, the tenant, the bot's app) and Teams
conversation IDs.

Each check takes the value as set and returns it in the form the bot compares, or raises
ValueError saying what is wrong; ``base.Part`` puts the variable's name in front.
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import unquote

from pydantic import BeforeValidator

GUID_EXAMPLE = "00000000-0000-0000-0000-000000000000"
# Where an admin finds the tenant ID that TEAMS_TENANT_ID must be.
TENANT_ID_HINT = (
    "find it in the Microsoft Entra admin centre (entra.microsoft.com) under Identity, "
    "Overview: Tenant ID, or as App Tenant ID on the Azure Bot's Configuration page"
)

_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def is_guid(text: str) -> bool:
    """A GUID as Entra writes them (any case): object, tenant and app IDs."""
    return _GUID.fullmatch(text.lower()) is not None


def is_slack_member_or_group(text: str) -> bool:
    """A Slack user ID (U…, or W… on Enterprise Grid) or user-group ID (S…)."""
    return text[:1] in ("U", "W", "S") and text.isalnum() and text.isupper()


def auditor_ids(value: str) -> tuple[str, ...]:
    """Slack user and user-group IDs, and Teams users by their Entra object ID (a GUID,
    compared in lower case), mixed freely and separated by commas."""
    ids = []
    for part in value.split(","):
        auditor = part.strip()
        if not auditor:
            continue
        if is_guid(auditor):
            ids.append(auditor.lower())
        elif is_slack_member_or_group(auditor):
            ids.append(auditor)
        else:
            raise ValueError(
                "must list Slack user IDs (U…/W…), Slack user-group IDs (S…) "
                "or Teams users' Azure AD object IDs (GUIDs), separated by commas; "
                f"{auditor[:40]!r} is none of these"
            )
    return tuple(ids)


def microsoft_app_id(value: str) -> str:
    if not is_guid(value):
        raise ValueError(f"must be the bot's Microsoft App ID, a GUID such as {GUID_EXAMPLE}")
    return value


def tenant_id(value: str) -> str:
    """The bot's own tenant ID, a GUID. A domain name (contoso.onmicrosoft.com) is refused:
    activities carry the tenant's ID, never a domain, so no activity would match it."""
    if not is_guid(value):
        what = "a domain name" if "." in value else f"{value[:40]!r}"
        raise ValueError(
            "must be your Microsoft Entra tenant ID, a GUID such as "
            f"{GUID_EXAMPLE}, not {what}: {TENANT_ID_HINT}"
        )
    return value.lower()


def teams_conversation(value: str) -> str:
    """A Teams conversation ID, as copied from a channel link (percent-encoded) or not."""
    conversation = unquote(value).split(";", 1)[0]
    if ":" not in conversation or any(c.isspace() for c in conversation):
        raise ValueError(
            "must be a Teams conversation ID such as 19:abc123@thread.tacv2 "
            "(from the channel's link)"
        )
    return conversation


AuditorIds = Annotated[tuple[str, ...], BeforeValidator(auditor_ids)]
MicrosoftAppId = Annotated[str, BeforeValidator(microsoft_app_id)]
TenantId = Annotated[str, BeforeValidator(tenant_id)]
TeamsConversationId = Annotated[str, BeforeValidator(teams_conversation)]
