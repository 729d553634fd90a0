"""The Bolt app factory."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.app import RetryPolicy, Sender, StorePool
from bot.app.policy import is_group
from bot.config import Settings
from bot.runtime import application
from bot.slack.deps import Deps
from bot.slack.directory import SlackDirectory
from bot.slack.listeners import actions, commands, events, forms, home
from bot.slack.platform import SLACK
from bot.slack.transport import SlackTransport, outbox_client

logger = logging.getLogger(__name__)


def web_client(settings: Settings) -> WebClient:
    """A Web API client aimed at SLACK_API_URL, for calls made while answering (opening a
    form, publishing the Home tab): it retries rate limits and server errors itself."""
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def create_deps(settings: Settings, store: StorePool) -> Deps:
    client = web_client(settings)
    groups = tuple(a for a in settings.auditors if is_group(a))
    directory = SlackDirectory(client, groups)
    app = application(settings, store, directory)
    sender = Sender(
        store,
        SLACK.name,
        SlackTransport(outbox_client(settings)),
        app.draw_chart,
        retry=RetryPolicy(
            base_seconds=settings.outbox_retry_seconds,
            lease_seconds=settings.outbox_lease_seconds,
        ),
    )
    return Deps(settings, app, sender, directory)


def create_app(settings: Settings, deps: Deps, *, verified_by_server: bool = False) -> App:
    """Build the Bolt app with every listener registered.

    ``process_before_response`` runs listeners in the request thread: a /yos query
    is answered inside the acknowledgement, and a mention is recorded (and its answer
    queued in the outbox) before Slack is told it arrived. ``verified_by_server`` says the
    HTTP server has checked every request's signature on its raw bytes already
    (``bot.slack.serve``), so Bolt need not compute it a second time.
    """
    bolt_logger = logging.getLogger("bot.slack.bolt")
    bolt_logger.addFilter(_expected_client_warning)
    # Bolt copies this logger's own level to the loggers it makes per request and builds
    # its debug messages whenever that level is unset: set it, so they are not made for
    # nothing on every request.
    bolt_logger.setLevel(settings.log_level)
    app = App(
        # Named, or Bolt names the app after its caller's file with inspect.stack(), which
        # looks up every loaded module's source path: some 30 ms of every worker's start.
        name="yos-bot",
        client=deps.directory.client,
        signing_secret=settings.slack_signing_secret,
        process_before_response=True,
        logger=bolt_logger,
        request_verification_enabled=not verified_by_server,
    )
    commands.register(app, deps)
    events.register(app, deps)
    actions.register(app, deps)
    forms.register(app, deps)
    home.register(app, deps)

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        deps.failed("a Slack request")

    return app


def _expected_client_warning(record: logging.LogRecord) -> bool:
    # Bolt also reads SLACK_BOT_TOKEN from the environment and warns that the client we
    # pass (the one aimed at SLACK_API_URL) wins. That is the intent, so keep logs quiet.
    return record.getMessage() != warning_client_prioritized_and_token_skipped()
