"""Building the Teams app: the SDK's ``App`` with every option given explicitly, our
FastAPI application (``POST /api/messages``, ``GET /healthz``), and what the handlers
share (:class:`~bot.teams.deps.Deps`).

Incoming requests are authenticated by the SDK: an RS256 token from the Bot Connector,
whose keys come from the OpenID metadata at TEAMS_OPENID_METADATA_URL, for our app ID
(audience), from the Bot Framework (issuer), naming the same service URL as the
activity. Anything else is answered 401 before a handler runs. Outgoing calls carry
the bot's own token from msal (:class:`~bot.teams.token.BotToken`).
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.app import RetryPolicy, Sender
from bot.config import Settings
from bot.runtime import application
from bot.store import StorePool
from bot.teams import handlers
from bot.teams.conversations import Conversations, People
from bot.teams.deps import Deps
from bot.teams.platform import TEAMS
from bot.teams.reminders import Reminders
from bot.teams.sdk import (
    PUBLIC,
    ApiClientSettings,
    App,
    ClientOptions,
    FastAPIAdapter,
    TokenCredentials,
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
# The Bot Connector's activities are a few kilobytes; refuse anything absurd unread.
MAX_BODY_BYTES = 256 * 1024


@dataclass
class Built:
    teams: App
    web: FastAPI
    asgi: ASGIApp
    deps: Deps


def build(settings: Settings, store: StorePool) -> Built:
    settings.require_teams()
    assert settings.teams_app_id is not None and settings.teams_app_password is not None
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
    conversations = Conversations(store)
    people = People()
    transport = TeamsTransport(teams, conversations, people, share_channel=settings.teams_channel)
    sender = Sender(
        store,
        TEAMS.name,
        transport,
        app.draw_chart,
        retry=RetryPolicy(
            base_seconds=settings.outbox_retry_seconds,
            lease_seconds=settings.outbox_lease_seconds,
        ),
    )

    def channel_service_url(conversation: str) -> str | None:
        found = conversations.find(conversation)
        return found.service_url if found else None

    reminders = Reminders(app, sender, settings.teams_channel, channel_service_url)
    deps = Deps(settings, app, sender, transport, conversations, people, reminders)
    handlers.register(teams, deps)

    @web.api_route(HEALTH_PATH, methods=["GET", "HEAD"])
    async def healthz() -> JSONResponse:
        def ready() -> bool:
            row = store.db.execute("SELECT count(*) FROM schema_migrations").fetchone()
            return bool(row and row[0])

        try:
            ok = await asyncio.to_thread(ready)
        except Exception as error:
            logger.warning("health check: the store is not ready: %s", error)
            ok = False
        return JSONResponse({"ok": ok}, status_code=200 if ok else 503)

    return Built(teams, web, BodyGuard(web, MESSAGES_PATH, MAX_BODY_BYTES), deps)


class BodyGuard:
    """Answers a POST to the messaging endpoint whose body is not a JSON object (or is
    too big) with 400 (413) before the SDK reads it: the SDK would answer a body that
    is not JSON with a 500 and a traceback in the log."""

    def __init__(self, app: ASGIApp, path: str, limit: int) -> None:
        self.app = app
        self.path = path
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > self.limit:
                await _answer(send, 413, {"error": "Request too large"})
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        try:
            parsed: Any = json.loads(body)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            await _answer(send, 400, {"error": "Bad request"})
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


async def _answer(send: Send, status: int, body: dict[str, str]) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
