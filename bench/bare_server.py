"""A bare Bolt app answering /yos with a constant, on the same server as the bot.

It is the floor the bot's reply times are compared with: same gunicorn settings,
same Bolt configuration (inline ack), no store and no rendering.
"""

from __future__ import annotations

import logging

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.config import Settings, load_settings
from bot.slack.app import web_client
from bot.slack.serve import EVENTS_PATH, WsgiApp, serve_http


def bare_wsgi(settings: Settings) -> WsgiApp:
    app = App(
        client=web_client(settings),
        signing_secret=settings.slack_signing_secret,
        process_before_response=True,
    )

    @app.command("/yos")
    def constant(ack: Ack) -> None:
        ack(response_type="ephemeral", text="constant")

    return SlackRequestHandler(app, path=EVENTS_PATH)


if __name__ == "__main__":
    import sys

    logging.basicConfig(level="WARNING")
    settings = load_settings()
    serve_http(settings, "127.0.0.1", int(sys.argv[1]), int(sys.argv[2]), wsgi_factory=bare_wsgi)
