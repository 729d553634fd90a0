"""The Bolt app factory."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.config import Settings
from bot.slack.auditors import Auditors
from bot.slack.deps import Deps, new_reference
from bot.slack.listeners import actions, commands, events, home, views
from bot.store import StorePool

logger = logging.getLogger(__name__)


def web_client(settings: Settings) -> WebClient:
    """A Web API client aimed at SLACK_API_URL that retries rate limits and server errors."""
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def create_app(settings: Settings, store: StorePool) -> App:
    """Build the Bolt app with every listener registered.

    ``process_before_response`` runs listeners in the request thread: a /yos query
    is answered inside the acknowledgement with no thread hand-off, and events are
    acknowledged at once with their work done in lazy listeners.
    """
    bolt_logger = logging.getLogger("bot.slack.bolt")
    bolt_logger.addFilter(_expected_client_warning)
    app = App(
        client=web_client(settings),
        signing_secret=settings.slack_signing_secret,
        process_before_response=True,
        logger=bolt_logger,
    )
    deps = Deps(settings, store, Auditors(settings.auditors))
    commands.register(app, deps)
    events.register(app, deps)
    actions.register(app, deps)
    views.register(app, deps)
    home.register(app, deps)

    @app.error
    def on_error(error: Exception, body: dict) -> None:
        reference = new_reference()
        logger.error("unhandled error (reference %s)", reference, exc_info=error)

    return app


def _expected_client_warning(record: logging.LogRecord) -> bool:
    # Bolt also reads SLACK_BOT_TOKEN from the environment and warns that the client we
    # pass (the one aimed at SLACK_API_URL) wins. That is the intent, so keep logs quiet.
    return record.getMessage() != warning_client_prioritized_and_token_skipped()
