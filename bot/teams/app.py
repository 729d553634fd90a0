"""Building the Teams app: the SDK's ``App`` with every option given explicitly, our
FastAPI application (``POST /api/messages``, ``GET /healthz``), and what the handlers
share (:class:`~bot.teams.deps.Deps`).

Incoming requests are checked by :class:`~bot.teams.ingress.Ingress` before the SDK
sees them: the Bot Framework's token (keys from TEAMS_OPENID_METADATA_URL, endorsed for
Teams), a well-formed activity, from TEAMS_TENANT_ID, from Teams, from someone with an
Azure AD object ID. Outgoing calls carry the bot's own token from msal
(:class:`~bot.teams.token.BotToken`), always from the tenant's own authority.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp

from bot.app import RetryPolicy, Sender, StorePool, store_ready
from bot.app.chart_links import ChartStore
from bot.app.conversations import SavedConversations
from bot.app.schedule import Reminders
from bot.config import Settings
from bot.runtime import application
from bot.teams import handlers
from bot.teams.chart import CHART_FOLDER
from bot.teams.conversations import People, channel_of
from bot.teams.deps import Deps
from bot.teams.ingress import Ingress, SigningKeys, TokenCheck, keys_url
from bot.teams.platform import TEAMS
from bot.teams.sdk import (
    PUBLIC,
    ApiClientSettings,
    App,
    ClientOptions,
    FastAPIAdapter,
    TokenCredentials,
    drop_generic_environment,
    quiet_sdk_loggers,
    with_overrides,
)
from bot.teams.token import BotToken
from bot.teams.transport import TeamsTransport

logger = logging.getLogger(__name__)

MESSAGES_PATH = "/api/messages"
HEALTH_PATH = "/healthz"
# Where the SDK would send without a service URL, and where user sign-in tokens live;
# given so the SDK never reads SERVICE_URL or OAUTH_URL. Every send names its own.
DEFAULT_SERVICE_URL = "https://smba.trafficmanager.net/teams"
# The SDK's HTTP client has no timeout unless given one.
HTTP_TIMEOUT_SECONDS = 10.0


@dataclass
class Built:
    teams: App
    web: FastAPI
    asgi: ASGIApp
    deps: Deps


def build(settings: Settings, store: StorePool) -> Built:
    settings.require_teams()
    assert settings.teams_app_id is not None and settings.teams_app_password is not None
    assert settings.teams_tenant_id is not None
    token = BotToken(
        settings.teams_login_url,
        settings.teams_tenant,
        settings.teams_app_id,
        settings.teams_app_password,
    )
    web = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    cloud = with_overrides(
        PUBLIC,
        openid_metadata_url=settings.teams_openid_metadata_url,
        login_endpoint=settings.teams_login_url,
    )
    drop_generic_environment()  # however late the environment was given
    teams = App(
        client_id=settings.teams_app_id,
        tenant_id=settings.teams_tenant_id,
        token=token,
        cloud=cloud,
        service_url=DEFAULT_SERVICE_URL,
        api_client_settings=ApiClientSettings(oauth_url=cloud.token_service_url),
        client=ClientOptions(timeout=HTTP_TIMEOUT_SECONDS),
        http_server_adapter=FastAPIAdapter(app=web),
        messaging_endpoint=MESSAGES_PATH,
        dangerously_allow_unauthenticated_requests=False,
        state=False,
        telemetry={"agent365": False},
    )
    # With CLIENT_SECRET in the environment the SDK would log in by itself instead;
    # bot.teams.sdk removes it, and this makes sure.
    if not isinstance(teams.credentials, TokenCredentials):
        raise RuntimeError("the Teams SDK is not using the bot's own token provider")
    quiet_sdk_loggers()

    app = application(settings, store)
    conversations = SavedConversations(store, TEAMS.name, own_id=channel_of)
    people = People()
    charts = chart_store(settings)
    transport = TeamsTransport(
        teams, conversations, people, share_channel=settings.teams_channel, charts=charts
    )
    sender = Sender(
        store,
        TEAMS.name,
        transport,
        app.draw_chart,
        # Microsoft's guidance for bots: exponential back-off with random jitter.
        retry=RetryPolicy(
            base_seconds=settings.outbox_retry_seconds,
            jitter=True,
            lease_seconds=settings.outbox_lease_seconds,
        ),
    )

    def channel_service_url(conversation: str) -> str | None:
        found = conversations.find(conversation)
        return found.service_url if found else None

    # Reminders and board reports for YOS_TEAMS_CHANNEL: a proactive message needs the
    # channel's saved reference (its service URL), so nothing is queued until there is
    # one, and the first reference wakes the check (Deps.save).
    reminders = Reminders(
        app,
        TEAMS,
        settings.teams_channel,
        sender,
        reachable=channel_service_url,
        unreachable=(
            "no reminders for YOS_TEAMS_CHANNEL yet: the bot has not heard from "
            "that channel; add the bot to its team, or mention it there once"
        ),
        first=settings.first_reminder_check_seconds,
    )
    deps = Deps(settings, app, sender, transport, conversations, people, reminders)
    handlers.register(teams, deps)

    @web.api_route(HEALTH_PATH, methods=["GET", "HEAD"])
    async def healthz() -> JSONResponse:
        def ready() -> bool:
            return store_ready(store)

        try:
            ok = await asyncio.to_thread(ready)
        except Exception as error:
            logger.warning("health check: the store is not ready: %s", error)
            ok = False
        return JSONResponse({"ok": ok}, status_code=200 if ok else 503)

    tokens = TokenCheck(
        settings.teams_app_id, SigningKeys(keys_url(settings.teams_openid_metadata_url))
    )
    ingress = Ingress(
        web,
        path=MESSAGES_PATH,
        tokens=tokens,
        tenant=settings.teams_tenant_id,
        process=lambda: teams.server.on_request,
        charts=charts,
    )
    return Built(teams, web, ingress, deps)


def chart_store(settings: Settings) -> ChartStore | None:
    """Where charts are served from: beside the store, at TEAMS_PUBLIC_URL (None: unset)."""
    if not settings.teams_public_url or not settings.teams_app_password:
        return None
    return ChartStore(
        settings.db_path.parent / CHART_FOLDER,
        settings.teams_public_url,
        settings.teams_app_password,
        platform=TEAMS.name,
        lifetime_seconds=settings.teams_chart_days * 86_400.0,
    )
