"""Serving Teams: ``yos-bot teams`` (and ``yos-bot run`` when only Teams is configured).

One process, one event loop: uvicorn serves the SDK's FastAPI application, handlers
call the (synchronous) application in worker threads, and the outbox sender, the
reminder schedule and the daily backup run on threads of their own, the first two
sending through the server's loop.

Slack and Teams can serve the same store at once as two processes (``yos-bot serve``
or ``socket``, and ``yos-bot teams``): SQLite in WAL mode with immediate write
transactions lets both write, deliveries and outbox items are keyed by platform, and
each process's sender claims only its own platform's items.
"""

from __future__ import annotations

import asyncio
import logging

import click
import uvicorn

from bot.app import StorePool
from bot.app.schedule import start_backups, start_purge
from bot.app.sender import FIRST_OUTBOX_LOOK_SECONDS
from bot.config import ConfigError, Settings
from bot.runtime import prepare_to_serve

logger = logging.getLogger(__name__)


def _prepare(settings: Settings) -> None:
    prepare_to_serve(
        settings,
        everyone="anyone who can message the bot",
        channel_setting="YOS_TEAMS_CHANNEL",
        channel=settings.teams_channel,
    )


def serve(settings: Settings, host: str, port: int) -> None:
    """Serve ``POST /api/messages`` and ``GET /healthz`` on ``host``:``port`` until stopped."""
    try:
        settings.require_teams()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    _prepare(settings)
    asyncio.run(_serve(settings, host, port))


async def _serve(settings: Settings, host: str, port: int) -> None:
    from bot.teams import logs
    from bot.teams.app import MESSAGES_PATH, build
    from bot.teams.sdk import drop_generic_environment

    logs.install()
    for name in drop_generic_environment():
        logger.warning(
            "ignoring %s from the environment: the bot's Teams settings are TEAMS_*", name
        )
    if not settings.teams_public_url:
        logger.warning(
            "TEAMS_PUBLIC_URL is not set: charts are sent inside their cards as data URLs, "
            "which some Teams clients (desktop and web) do not show; set it to the bot's "
            "https:// address so the bot serves them"
        )
    built = build(settings, StorePool(settings.db_path))
    await built.teams.initialize()
    deps = built.deps
    deps.transport.attach(asyncio.get_running_loop())
    server = uvicorn.Server(
        uvicorn.Config(
            built.asgi,
            host=host,
            port=port,
            log_level=settings.log_level.lower(),
            access_log=False,
            server_header=False,
            lifespan="off",
        )
    )
    logs.install()  # uvicorn's own handlers exist once its Config has been made
    deps.sender.start(first_look_after=FIRST_OUTBOX_LOOK_SECONDS)
    deps.reminders.start()
    start_backups(settings)  # daily, when YOS_BACKUP_DIR is set; safe beside Slack's
    start_purge(settings)  # notes past YOS_NOTE_RETENTION_DAYS, old sent messages
    logger.info(
        "serving Microsoft Teams app %s on http://%s:%d%s",
        settings.teams_app_id,
        host,
        port,
        MESSAGES_PATH,
    )
    try:
        await server.serve()
    finally:
        deps.reminders.stop()
        deps.sender.stop()
