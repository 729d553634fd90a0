"""A truly bare Bolt app answering /yos with a constant: the floor the bot is compared with.

It imports nothing of the bot (only slack_bolt, slack_sdk and gunicorn), so its start-up
and its replies measure Bolt on gunicorn alone. It is served with the bot's own gunicorn
settings, which the benchmark reads from ``bot.slack.serve.gunicorn_options`` and hands
over as JSON in ``BARE_GUNICORN_OPTIONS``; the Bolt configuration is the bot's too
(signature checked, ``process_before_response``, a Web API client aimed at
``SLACK_API_URL``, the answer inside the acknowledgement).

With ``BARE_REPLY_FILE`` set, it answers with the message in that JSON file instead (as a
constant, rendered once): the cost of the size of a real answer, apart from the work of
making it.

Run as a script, so not even the ``bench`` package is imported::

    BARE_GUNICORN_OPTIONS='{"bind": "127.0.0.1:3001", ...}' python bench/bare_server.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication
from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

OPTIONS_VARIABLE = "BARE_GUNICORN_OPTIONS"
REPLY_VARIABLE = "BARE_REPLY_FILE"


def create() -> SlackRequestHandler:
    app = App(
        name="bare",  # as the bot does: unnamed, Bolt inspects the call stack for a name
        client=WebClient(
            token=os.environ["SLACK_BOT_TOKEN"],
            base_url=os.environ.get("SLACK_API_URL", "https://slack.com/api/"),
        ),
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        process_before_response=True,
    )

    reply_file = os.environ.get(REPLY_VARIABLE)
    reply = json.loads(Path(reply_file).read_text()) if reply_file else {"text": "constant"}

    @app.command("/yos")
    def constant(ack: Ack) -> None:
        ack(response_type="ephemeral", **reply)

    return SlackRequestHandler(app, path="/slack/events")


class Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self) -> SlackRequestHandler:
        return create()


if __name__ == "__main__":
    Server(json.loads(os.environ[OPTIONS_VARIABLE])).run()
