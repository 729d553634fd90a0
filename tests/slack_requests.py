"""Sending requests to the served app exactly as Slack sends them."""

from __future__ import annotations

import itertools
import json
import os
import secrets
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bot.config import PROJECT_ROOT
from tests import launch
from tests.slack_signing import SIGNING_SECRET, sign

__all__ = ["SIGNING_SECRET", "sign"]  # where the other tests have always found them
BOT_TOKEN = "xoxb-test-token"
TEAM_ID = "T0001"
APP_ID = "A0001"
_TRIGGERS = itertools.count(1)


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServedApp:
    """``yos-bot serve`` started for real, in its own process, on a free local port."""

    def __init__(self, db_path: Path, api_url: str, *, workers: int = 1, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db_path = db_path
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "YOS_"))},
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": api_url,
            "YOS_DB": str(db_path),
            "YOS_LOG_LEVEL": "INFO",
            **env,
        }
        self.workers = workers
        self.process: launch.BotProcess | None = None
        self.log_path = db_path.with_suffix(".log")

    def start(self, timeout: float = 30.0) -> ServedApp:
        log = self.log_path.open("w")
        self.process = launch.start(
            [
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
            ],
            cwd=PROJECT_ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()}")
            try:
                if self.get("/healthz").status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not start:\n{self.log()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    # --- HTTP ----------------------------------------------------------------------

    def get(self, path: str) -> Response:
        return self._send(urllib.request.Request(self.url + path))

    def post(self, body: str | bytes, content_type: str, headers: dict[str, str]) -> Response:
        request = urllib.request.Request(
            self.url + "/slack/events",
            data=body.encode() if isinstance(body, str) else body,
            headers={"Content-Type": content_type, **headers},
            method="POST",
        )
        return self._send(request)

    @staticmethod
    def _send(request: urllib.request.Request) -> Response:
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return Response(answer.status, answer.read(), dict(answer.headers))
        except urllib.error.HTTPError as error:
            return Response(error.code, error.read(), dict(error.headers))

    # --- Slack's request shapes ----------------------------------------------------

    def command(
        self,
        text: str,
        *,
        user: str = "U0MANAGER",
        channel: str = "C0YOS",
        response_url: str = "http://127.0.0.1:9/unused",
        headers: dict[str, str] | None = None,
    ) -> Response:
        body = urlencode(
            {
                "token": "legacy-verification-token",
                "team_id": TEAM_ID,
                "team_domain": "example",
                "channel_id": channel,
                "channel_name": "yos-board",
                "user_id": user,
                "user_name": user.lower(),
                "command": "/yos",
                "text": text,
                "api_app_id": APP_ID,
                "is_enterprise_install": "false",
                "response_url": response_url,
                "trigger_id": f"{int(time.time())}.{next(_TRIGGERS)}.{secrets.token_hex(8)}",
            }
        )
        return self.post(
            body,
            "application/x-www-form-urlencoded",
            headers if headers is not None else sign(body),
        )

    def event(self, event: dict[str, Any], *, event_id: str, retry: int | None = None) -> Response:
        envelope = {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "api_app_id": APP_ID,
            "event": {"event_ts": event.get("ts", "1700000000.000100"), **event},
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": TEAM_ID,
                    "user_id": "UBOT0001",
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": "4-eyJldCI6ImFwcF9tZW50aW9uIn0",
        }
        body = json.dumps(envelope)
        headers = sign(body)
        if retry is not None:
            headers["X-Slack-Retry-Num"] = str(retry)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        return self.post(body, "application/json", headers)

    def interaction(self, payload: dict[str, Any]) -> Response:
        body = urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded", sign(body))

    def wait_until_outbox_idle(self, timeout: float = 15.0) -> None:
        """Wait until the server has nothing left to send (or has given it up)."""
        import sqlite3

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with sqlite3.connect(self.db_path) as conn:
                busy = conn.execute(
                    "SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')"
                ).fetchone()[0]
            if not busy:
                return
            time.sleep(0.02)
        raise AssertionError("the outbox did not empty")

    def mention(
        self, text: str, *, event_id: str, channel: str = "C0YOS", **extra: Any
    ) -> Response:
        event = {
            "type": "app_mention",
            "user": "U0MANAGER",
            "text": f"<@UBOT0001> {text}",
            "ts": "1700000000.000100",
            "channel": channel,
            **extra,
        }
        return self.event(event, event_id=event_id)
