"""The Microsoft Teams SDK (``microsoft-teams-apps`` 2.1), imported here and only here.

Importing the SDK has side effects this module switches off first:

* ``microsoft_teams.apps`` calls ``load_dotenv(find_dotenv(usecwd=True))`` at import,
  which would walk up from the working directory and load the first ``.env`` it finds
  into the process environment. ``PYTHON_DOTENV_DISABLED`` (python-dotenv 1.2+) stops
  it; the bot reads ``.env`` itself (:func:`bot.config.load_settings`).
* ``App`` fills any option it is not given from generic environment variables
  (``CLIENT_ID``, ``CLIENT_SECRET``, ``TENANT_ID``, ``SERVICE_URL``, ``CLOUD``, ``PORT``…).
  Every option is passed explicitly (:mod:`bot.teams.app`), but ``CLIENT_SECRET`` beats
  an explicit ``token=`` (the SDK would then log in by itself, with a client that cannot
  use a non-Microsoft login host), so those are removed from the environment here.
  ``MSAL_FORCE_REGION`` would make msal rewrite the login host, so it goes too.
* Importing emits an ``ExperimentalWarning`` about HTML widgets, which the bot does not
  use.
"""

from __future__ import annotations

import logging
import os
import warnings

os.environ["PYTHON_DOTENV_DISABLED"] = "1"

# Generic names the SDK (and msal) read from the environment; the bot's own settings
# are TEAMS_* and are passed explicitly.
IGNORED_ENVIRONMENT = (
    "CLIENT_ID",
    "CLIENT_SECRET",
    "TENANT_ID",
    "MANAGED_IDENTITY_CLIENT_ID",
    "MSAL_FORCE_REGION",
)
_ignored: list[str] = []


def drop_generic_environment() -> list[str]:
    """Remove the generic variables from the environment; every one removed so far, set
    or not now, is returned (to warn about once).

    Done as this module is imported, before the SDK is, and again before the SDK's
    ``App`` is made: a process may be given its environment after it imported this
    module (one forked from a process that had).
    """
    for name in IGNORED_ENVIRONMENT:
        if os.environ.pop(name, None) is not None and name not in _ignored:
            _ignored.append(name)
    return list(_ignored)


drop_generic_environment()

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    # From the modules that define them: mypy cannot follow the package's star exports.
    from microsoft_teams.api.activities import ActivityTypeAdapter
    from microsoft_teams.api.activities.conversation.conversation_update import (
        ConversationUpdateActivity,
    )
    from microsoft_teams.api.activities.install_update import InstallUpdateActivity
    from microsoft_teams.api.activities.invoke.message_extension.fetch_task import (
        MessageExtensionFetchTaskInvokeActivity,
    )
    from microsoft_teams.api.activities.invoke.message_extension.submit_action import (
        MessageExtensionSubmitActionInvokeActivity,
    )
    from microsoft_teams.api.activities.invoke.task.task_fetch import TaskFetchInvokeActivity
    from microsoft_teams.api.activities.invoke.task.task_submit import TaskSubmitInvokeActivity
    from microsoft_teams.api.activities.message.message import (
        MessageActivity,
        MessageActivityInput,
    )
    from microsoft_teams.api.activities.utils import StripMentionsTextOptions
    from microsoft_teams.api.auth.cloud_environment import PUBLIC, CloudEnvironment, with_overrides
    from microsoft_teams.api.auth.credentials import TokenCredentials
    from microsoft_teams.api.auth.json_web_token import JsonWebToken
    from microsoft_teams.api.clients.api_client import ApiClient
    from microsoft_teams.api.clients.api_client_settings import ApiClientSettings
    from microsoft_teams.api.models.account import Account, ConversationAccount
    from microsoft_teams.api.models.activity import Activity as ActivityBase
    from microsoft_teams.api.models.attachment.attachment import Attachment
    from microsoft_teams.api.models.entity.mention_entity import MentionEntity
    from microsoft_teams.api.models.messaging_extension.messaging_extension_action_response import (
        MessagingExtensionActionResponse,
    )
    from microsoft_teams.api.models.task_module.task_module_continue_response import (
        TaskModuleContinueResponse,
    )
    from microsoft_teams.api.models.task_module.task_module_message_response import (
        TaskModuleMessageResponse,
    )
    from microsoft_teams.api.models.task_module.task_module_response import TaskModuleResponse
    from microsoft_teams.api.models.task_module.task_module_task_info import (
        CardTaskModuleTaskInfo,
    )
    from microsoft_teams.apps import ActivityContext, App, FastAPIAdapter
    from microsoft_teams.apps.events import ActivityEvent, CoreActivity
    from microsoft_teams.common import ClientOptions


def _warnings_only(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.WARNING


def quiet_sdk_loggers() -> None:
    """Every SDK HTTP client sets the ``httpx`` logger's level to its own (everything),
    so each call would log a line; a filter keeps outgoing calls out of the log."""
    httpx_logger = logging.getLogger("httpx")
    if _warnings_only not in httpx_logger.filters:
        httpx_logger.addFilter(_warnings_only)


__all__ = [
    "PUBLIC",
    "Account",
    "ActivityBase",
    "ActivityContext",
    "ActivityEvent",
    "ActivityTypeAdapter",
    "ApiClient",
    "ApiClientSettings",
    "App",
    "Attachment",
    "CardTaskModuleTaskInfo",
    "ClientOptions",
    "CloudEnvironment",
    "ConversationAccount",
    "ConversationUpdateActivity",
    "CoreActivity",
    "FastAPIAdapter",
    "InstallUpdateActivity",
    "JsonWebToken",
    "MentionEntity",
    "MessageActivity",
    "MessageActivityInput",
    "MessageExtensionFetchTaskInvokeActivity",
    "MessageExtensionSubmitActionInvokeActivity",
    "MessagingExtensionActionResponse",
    "StripMentionsTextOptions",
    "TaskFetchInvokeActivity",
    "TaskModuleContinueResponse",
    "TaskModuleMessageResponse",
    "TaskModuleResponse",
    "TaskSubmitInvokeActivity",
    "TokenCredentials",
    "drop_generic_environment",
    "quiet_sdk_loggers",
    "with_overrides",
]
