"""A bare Teams SDK app answering every message with a constant card: the floor the bot's
Teams front end is compared with.

It imports nothing of the bot: the same SDK (``microsoft-teams-apps``) configured as the
bot configures it (the Bot Framework's keys from ``BARE_OPENID_METADATA_URL``, the same
JWT validation the SDK does, a token from msal for the tenant's own authority, an HTTP
client with a timeout), served by uvicorn on the SDK's own FastAPI route, and a message
handler that sends one constant Adaptive Card into the conversation (``ctx.send``, to the
Bot Connector) before answering Teams.

Run as a script, so not even the ``bench`` package is imported::

    BARE_APP_ID=... BARE_APP_PASSWORD=... BARE_TENANT_ID=... BARE_LOGIN_URL=https://...
    BARE_OPENID_METADATA_URL=http://.../openidconfiguration BARE_PORT=3979 \\
        python bench/bare_teams.py
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
import warnings
from typing import Any

os.environ["PYTHON_DOTENV_DISABLED"] = "1"
for _name in ("CLIENT_ID", "CLIENT_SECRET", "TENANT_ID", "MSAL_FORCE_REGION"):
    os.environ.pop(_name, None)

import msal  # noqa: E402  (after the environment is cleaned, as the bot's bot.teams.sdk does)
import uvicorn  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from fastapi.responses import JSONResponse  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from microsoft_teams.api.activities.message.message import MessageActivityInput
    from microsoft_teams.api.auth.cloud_environment import PUBLIC, with_overrides
    from microsoft_teams.api.clients.api_client_settings import ApiClientSettings
    from microsoft_teams.apps import App, FastAPIAdapter
    from microsoft_teams.common import ClientOptions

CARD: dict[str, Any] = {
    "type": "message",
    "text": "Protecting the public: 91%, Good.",
    "attachments": [
        {
            "contentType": "application/vnd.microsoft.card.adaptive",
            "content": {
                "type": "AdaptiveCard",
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "version": "1.5",
                "body": [
                    {"type": "TextBlock", "text": "Protecting the public", "weight": "Bolder"},
                    {"type": "TextBlock", "text": "Score: 91%, Good", "wrap": True},
                ],
            },
        }
    ],
}


class Token:
    """msal's client credentials, the last token kept until five minutes before expiry."""

    def __init__(self, login_url: str, tenant: str, app_id: str, secret: str) -> None:
        self.client = msal.ConfidentialClientApplication(
            app_id,
            client_credential=secret,
            authority=f"{login_url.rstrip('/')}/{tenant}",
            instance_discovery=False,
        )
        self.fresh: dict[str, tuple[str, float]] = {}
        self.lock = threading.Lock()

    def acquire(self, scope: str) -> str:
        with self.lock:
            result = self.client.acquire_token_for_client([scope])
        token = str(result["access_token"])
        self.fresh[scope] = (token, time.monotonic() + float(result["expires_in"]) - 300)
        return token

    async def __call__(self, scope: str | list[str], tenant_id: str | None = None) -> str:
        wanted = scope if isinstance(scope, str) else scope[0]
        fresh = self.fresh.get(wanted)
        if fresh is not None and time.monotonic() < fresh[1]:
            return fresh[0]
        return await asyncio.to_thread(self.acquire, wanted)


def build() -> FastAPI:
    env = os.environ
    web = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    cloud = with_overrides(
        PUBLIC,
        openid_metadata_url=env["BARE_OPENID_METADATA_URL"],
        login_endpoint=env["BARE_LOGIN_URL"],
    )
    app = App(
        client_id=env["BARE_APP_ID"],
        tenant_id=env["BARE_TENANT_ID"],
        token=Token(
            env["BARE_LOGIN_URL"],
            env["BARE_TENANT_ID"],
            env["BARE_APP_ID"],
            env["BARE_APP_PASSWORD"],
        ),
        cloud=cloud,
        service_url="https://smba.trafficmanager.net/teams",
        api_client_settings=ApiClientSettings(oauth_url=cloud.token_service_url),
        client=ClientOptions(timeout=10.0),
        http_server_adapter=FastAPIAdapter(app=web),
        messaging_endpoint="/api/messages",
        dangerously_allow_unauthenticated_requests=False,
        state=False,
        telemetry={"agent365": False},
    )
    reply = MessageActivityInput.model_validate(CARD)

    @app.on_message
    async def constant(ctx: Any) -> None:
        await ctx.send(reply)

    @web.get("/healthz")
    async def healthz() -> JSONResponse:
        return JSONResponse({"ok": True})

    web.state.teams = app
    return web


async def main() -> None:
    web = build()
    await web.state.teams.initialize()
    server = uvicorn.Server(
        uvicorn.Config(
            web,
            host="127.0.0.1",
            port=int(os.environ["BARE_PORT"]),
            log_level="warning",
            access_log=False,
            server_header=False,
            lifespan="off",
        )
    )
    await server.serve()


if __name__ == "__main__":
    asyncio.run(main())
