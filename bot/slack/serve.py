"""Running the Slack app: HTTP behind gunicorn, or Socket Mode."""

from __future__ import annotations

import gc
import io
import json
import logging
from collections.abc import Callable, Iterable, MutableMapping
from typing import Any, cast

import click
from slack_sdk.errors import SlackApiError

from bot.app import StorePool, store_ready
from bot.app.schedule import start_backups, start_purge, start_reminders
from bot.app.sender import FIRST_OUTBOX_LOOK_SECONDS
from bot.config import ConfigError, Settings
from bot.runtime import prepare_to_serve
from bot.slack.app import create_app, create_deps, web_client
from bot.slack.deps import Deps
from bot.slack.platform import SLACK
from bot.slack.verify import MAX_BODY_BYTES, SlackSignature

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"

WsgiApp = Callable[[MutableMapping[str, Any], Callable[..., Any]], Iterable[bytes]]


def check_slack(settings: Settings) -> dict[str, Any]:
    """Ask Slack who we are, so a bad token fails at start-up with one clear line."""
    try:
        identity = web_client(settings).auth_test()
    except SlackApiError as error:
        code = error.response.get("error", "unknown_error")
        raise click.ClickException(
            f"Slack refused SLACK_BOT_TOKEN ({code}): check the token in .env"
        ) from None
    except OSError as error:
        raise click.ClickException(
            f"could not reach Slack at {settings.slack_api_url} ({error}); "
            "check the network or SLACK_API_URL"
        ) from None
    return dict(identity.data) if isinstance(identity.data, dict) else {}


def _prepare(settings: Settings) -> None:
    prepare_to_serve(
        settings,
        everyone="any member of the workspace",
        channel_setting="YOS_CHANNEL",
        channel=settings.channel,
    )


def _start_background(deps: Deps) -> None:
    """The outbox sender, group refreshes and reminders of one serving process."""
    deps.sender.start(first_look_after=FIRST_OUTBOX_LOOK_SECONDS)
    deps.directory.start()
    if deps.settings.channel:
        start_reminders(
            deps.app,
            SLACK,
            deps.settings.channel,
            deps.sender,
            first=deps.settings.first_reminder_check_seconds,
        )
    start_backups(deps.settings)  # daily, when YOS_BACKUP_DIR is set
    start_purge(deps.settings)  # notes past YOS_NOTE_RETENTION_DAYS, old sent messages


def create_wsgi_app(settings: Settings) -> WsgiApp:
    """The WSGI application: Slack's requests at /slack/events, a health check at /healthz."""
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    signature = SlackSignature(settings.slack_signing_secret or "")
    store = StorePool(settings.db_path)
    deps = create_deps(settings, store)
    # Every request's signature is checked below (_verified), on the raw bytes, before
    # Bolt sees it: an unsigned body is refused with 401 before anything parses it. Bolt's
    # own check would compute the same HMAC of the same bytes with the same slack_sdk
    # verifier a second time for nothing, so it is off (verified_by_server).
    slack = SlackRequestHandler(
        create_app(settings, deps, verified_by_server=True), path=EVENTS_PATH
    )
    _start_background(deps)

    def application(
        environ: MutableMapping[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in (
            "GET",
            "HEAD",
        ):
            store_ready(store)
            body = json.dumps({"ok": True}).encode()
            start_response(
                "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
            )
            return [body]
        if environ.get("PATH_INFO") != EVENTS_PATH:
            return _plain(start_response, "404 Not Found", "not found")
        verified = _verified(environ, signature)
        if verified is not None:
            return _plain(start_response, *verified)
        answered: list[str] = []

        def bolt_response(status: str, headers: list[Any], *rest: Any) -> Any:
            answered.append(status)
            if status.startswith("5"):
                return None  # replaced below: Bolt could not make sense of the request
            return start_response(status, headers, *rest)

        try:
            content: Iterable[bytes] = slack(cast(dict[str, Any], environ), bolt_response)
        except Exception as error:
            content, answered = [], [f"500 {type(error).__name__}"]
        if answered and answered[0].startswith("5"):
            # Signed, but not a request Slack would send (our listeners answer every
            # failure themselves): one line, no traceback, and a 400.
            logger.warning("refused a malformed Slack request (%s)", answered[0])
            return _plain(start_response, "400 Bad Request", "malformed request")
        return content

    return application


def _verified(
    environ: MutableMapping[str, Any], signature: SlackSignature
) -> tuple[str, str] | None:
    """Read the body and check Slack's signature on its raw bytes; None when it holds (the
    body is put back for Bolt), else the status and text to refuse with."""
    if environ.get("REQUEST_METHOD") != "POST":
        return "405 Method Not Allowed", "POST only"
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return "400 Bad Request", "bad Content-Length"
    if not 0 <= length <= MAX_BODY_BYTES:
        return "413 Content Too Large", "too large"
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    if not signature.holds(
        environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"),
        environ.get("HTTP_X_SLACK_SIGNATURE"),
        body,
    ):
        return "401 Unauthorized", "invalid request signature"
    return None


def _plain(start_response: Callable[..., Any], status: str, text: str) -> list[bytes]:
    body = json.dumps({"ok": False, "error": text}).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def gunicorn_options(settings: Settings, host: str, port: int, workers: int) -> dict[str, Any]:
    """The server's gunicorn settings: also what the benchmarks' bare Bolt app is served
    with, so the two differ only in the application."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": settings.threads,
        "timeout": 30,
        "graceful_timeout": 10,
        "keepalive": 5,
        "loglevel": settings.log_level.lower(),
        "errorlog": "-",
        "proc_name": "yos-bot",
        # gunicorn 25+ opens a control socket in $HOME by default; several servers on one
        # machine would fight over it, and the bot does not use it.
        "control_socket_disable": True,
    }


def serve_http(
    settings: Settings,
    host: str,
    port: int,
    workers: int,
    wsgi_factory: Callable[[Settings], WsgiApp] = create_wsgi_app,
) -> None:
    """Serve the app with gunicorn: several worker processes, each with a thread pool.

    ``wsgi_factory`` lets another application be served on the identical server.
    """
    from gunicorn.app.base import BaseApplication

    try:
        settings.require_http()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    _prepare(settings)
    identity = check_slack(settings)
    logger.info(
        "serving %s on http://%s:%d%s with %d workers",
        identity.get("user", "the bot"),
        host,
        port,
        EVENTS_PATH,
        workers,
    )

    options = gunicorn_options(settings, host, port, workers)

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                # gunicorn 25+ has a control socket, turned off here; older ones do not.
                if key in self.cfg.settings:
                    self.cfg.set(key, value)

        def load(self) -> WsgiApp:
            # Runs in each worker after the fork, so every process has its own connections.
            return wsgi_factory(settings)

    # What the server has imported lives as long as it: the workers' collections skip it,
    # so they neither take longer for it nor copy the memory pages they share with it.
    gc.freeze()
    Server().run()


def serve_socket(settings: Settings) -> None:
    """Connect to Slack over Socket Mode: no public URL needed."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    try:
        settings.require_socket()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    _prepare(settings)
    identity = check_slack(settings)
    deps = create_deps(settings, StorePool(settings.db_path))
    app = create_app(settings, deps)
    _start_background(deps)
    logger.info("connecting to Slack over Socket Mode as %s", identity.get("user", "the bot"))
    try:
        SocketModeHandler(app, settings.slack_app_token).start()  # type: ignore[no-untyped-call]
    except SlackApiError as error:
        code = error.response.get("error", "unknown_error")
        raise click.ClickException(
            f"Slack refused SLACK_APP_TOKEN ({code}): it needs the connections:write scope"
        ) from None


def start(settings: Settings, mode: str) -> None:
    if mode == "socket":
        serve_socket(settings)
    else:
        serve_http(settings, settings.host, settings.port, settings.workers)
