"""A small local stand-in for Slack's Web API, for tests.

It answers the methods the bot calls the way Slack does (``{"ok": true, ...}`` with
HTTP 200, errors as ``{"ok": false, "error": ...}``) and records every call, including
posts to ``response_url``s, so tests can assert on what the bot said.

It also keeps what was posted with ``chat.postMessage`` per conversation, message
``metadata`` included, and answers ``conversations.history`` and ``conversations.replies``
from it as Slack does (newest first, ``oldest``/``latest``, ``limit`` and a cursor; the
metadata only with ``include_all_metadata``). ``slow`` delays every Web API answer, as a
struggling Slack would; ``on_post`` is called with each message once it is posted and
before it is answered (a test may kill the poster there: :func:`process_of`).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlparse

BOT_USER_ID = "UBOT0001"
BAD_TOKEN = "xoxb-revoked"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    token: str | None
    at: float = field(default_factory=time.monotonic)
    answered: bool = False  # the answer reached the caller (it had not hung up)


@dataclass
class FakeSlack:
    calls: list[Call] = field(default_factory=list)
    # method -> scripted answers, used first in, first out: (status, body, headers, delay)
    scripted: dict[str, list[tuple[int, dict[str, Any], dict[str, str], float]]] = field(
        default_factory=dict
    )
    usergroups: dict[str, list[str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None
    # Seconds every Web API answer waits (Slack struggling); 0 for none.
    slow: float = 0.0
    # Set by release(): answers still waiting go at once (until the next reset).
    released: threading.Event = field(default_factory=threading.Event)
    # Messages posted, by conversation, oldest first: ts, text, thread_ts, metadata.
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Called with (message, the poster's address) after a message is posted and before
    # the answer goes back.
    on_post: Callable[[dict[str, Any], tuple[str, int]], None] | None = None
    _last_ts: float = 0.0

    # --- lifecycle -------------------------------------------------------------

    def start(self) -> FakeSlack:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                fake._handle(self)

            def do_GET(self) -> None:  # the Web API's reading methods (history)
                fake._handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    @property
    def url(self) -> str:
        assert self.server
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"{self.url}/response/{name}"

    # --- scripting and inspection --------------------------------------------------

    def script(
        self, method: str, status: int, body: dict[str, Any], delay: float = 0.0, **headers: str
    ) -> None:
        """Answer the next call of ``method`` this way, after ``delay`` seconds."""
        with self.lock:
            self.scripted.setdefault(method, []).append((status, body, headers, delay))

    def answered(self, method: str) -> list[Call]:
        """Calls of ``method`` whose answer reached the caller."""
        return [c for c in self.of(method) if c.answered]

    def reset(self) -> None:
        with self.lock:
            self.calls.clear()
            self.scripted.clear()
            self.messages.clear()
            self.slow = 0.0
            self.on_post = None
        self.released.clear()

    def release(self) -> None:
        """Send every answer still waiting out its delay now: a server stopped at the end
        of a slow test then need not wait for them."""
        self.released.set()

    def posted(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Messages posted (in ``channel``, or anywhere), oldest first."""
        with self.lock:
            if channel is not None:
                return list(self.messages.get(channel, []))
            return [m for found in self.messages.values() for m in found]

    def of(self, method: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Wait until ``method`` has been called ``count`` times (lazy listeners run late)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.of(method)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"{method} called {len(self.of(method))} times, wanted {count}")

    # --- answering -----------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        path = urlparse(request.path).path
        length = int(request.headers.get("Content-Length") or 0)
        data = request.rfile.read(length) if length else b""
        if path.startswith("/upload/"):
            # The file itself, sent to the URL files.getUploadURLExternal handed out.
            with self.lock:
                self.calls.append(Call(f"upload:{path.rsplit('/', 1)[-1]}", {"bytes": data}, None))
            self._send(request, 200, {"ok": True}, {})
            return
        raw = data.decode()
        if "json" in (request.headers.get("Content-Type") or ""):
            params = json.loads(raw or "{}")
        else:
            params = dict(parse_qsl(raw))
        params.update(parse_qsl(urlparse(request.path).query))  # GET methods' parameters
        for key in ("blocks", "view", "attachments"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        auth = request.headers.get("Authorization") or ""
        token = auth.removeprefix("Bearer ") if auth else params.get("token")
        if path.startswith("/response/"):
            method = f"response:{path.rsplit('/', 1)[-1]}"
        else:
            method = path.removeprefix("/api/")
        call = Call(method, params, token)
        with self.lock:
            self.calls.append(call)
            queued = self.scripted.get(method)
            scripted = queued.pop(0) if queued else None
        status, body, headers, delay = scripted or (
            200,
            self._answer(method, params, token),
            {},
            0.0,
        )
        if method == "chat.postMessage" and body.get("ok") and self.on_post is not None:
            self.on_post(body["message"], request.client_address[:2])
        if not method.startswith(("response:", "upload:")):
            delay = max(delay, self.slow)
        if delay:
            self.released.wait(delay)
            if _hung_up(request):
                return
        try:
            self._send(request, status, body, headers)
        except OSError:
            return
        call.answered = True

    @staticmethod
    def _send(
        request: BaseHTTPRequestHandler, status: int, body: dict[str, Any], headers: dict[str, str]
    ) -> None:
        data = json.dumps(body).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json; charset=utf-8")
        request.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            request.send_header(name.replace("_", "-"), value)
        request.end_headers()
        request.wfile.write(data)

    def _answer(self, method: str, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        if method.startswith("response:"):
            return {"ok": True}
        if token == BAD_TOKEN or (token is None and method != "apps.connections.open"):
            return {"ok": False, "error": "invalid_auth"}
        ts = f"{time.time():.6f}"
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://example.slack.com/",
                "team": "Example Council",
                "user": "yos",
                "team_id": "T0001",
                "user_id": BOT_USER_ID,
                "bot_id": "B0001",
            }
        if method == "chat.postMessage":
            return {
                "ok": True,
                "channel": params.get("channel"),
                "ts": ts,
                "message": self._keep(params),
            }
        if method in ("conversations.history", "conversations.replies"):
            return self._history(method, params)
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method in ("views.open", "views.update", "views.publish", "views.push"):
            view = params.get("view") or {}
            return {"ok": True, "view": {**view, "id": f"V{int(time.time() * 1000)}"}}
        if method == "usergroups.users.list":
            group = params.get("usergroup", "")
            if group not in self.usergroups:
                return {"ok": False, "error": "no_such_subteam"}
            return {"ok": True, "users": self.usergroups[group]}
        if method == "users.info":
            user = params.get("user", "")
            return {
                "ok": True,
                "user": {
                    "id": user,
                    "name": user.lower(),
                    "profile": {"display_name": f"{user} Name"},
                },
            }
        if method == "files.getUploadURLExternal":
            file_id = f"F{len(self.calls):06d}"
            return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = params.get("files")
            files = json.loads(files) if isinstance(files, str) else files or []
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        if method == "apps.connections.open":
            return {"ok": False, "error": "invalid_auth"}
        return {"ok": True}

    def _keep(self, params: dict[str, Any]) -> dict[str, Any]:
        """Keep a posted message in its conversation, with a ts later than any before."""
        metadata = params.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        with self.lock:
            self._last_ts = max(time.time(), self._last_ts + 0.000001)
            message = {
                "type": "message",
                "user": BOT_USER_ID,
                "bot_id": "B0001",
                "ts": f"{self._last_ts:.6f}",
                "text": params.get("text", ""),
                "thread_ts": params.get("thread_ts"),
                "metadata": metadata,
                "channel": params.get("channel"),
            }
            self.messages.setdefault(str(params.get("channel")), []).append(message)
        return message

    def _history(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel") or "")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        oldest = float(params.get("oldest") or 0)
        latest = float(params.get("latest") or time.time() + 1)
        limit = max(1, min(int(params.get("limit") or 100), 999))
        start = int(params.get("cursor") or 0)
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        thread = params.get("ts") if method == "conversations.replies" else None
        with self.lock:
            found = [
                m
                for m in self.messages.get(channel, [])
                if oldest <= float(m["ts"]) <= latest
                and (m.get("thread_ts") == thread if thread else not m.get("thread_ts"))
            ]
        found.sort(key=lambda m: float(m["ts"]), reverse=True)
        page = found[start : start + limit]
        more = start + limit < len(found)
        shown = [
            {k: v for k, v in m.items() if v is not None and (with_metadata or k != "metadata")}
            for m in page
        ]
        return {
            "ok": True,
            "messages": shown,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }


def process_of(address: tuple[str, int]) -> int | None:
    """The local process whose TCP connection comes from ``address`` (Linux: from
    /proc/net/tcp and each process's open sockets), or None."""
    port = address[1]
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                inode = fields[9]
                break
        if inode:
            break
    if not inode:
        return None
    target = f"socket:[{inode}]"
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                if os.readlink(fd) == target:
                    return int(entry.name)
        except OSError:
            continue
    return None


def _hung_up(request: BaseHTTPRequestHandler) -> bool:
    """Whether the caller has closed its connection (a killed process)."""
    import select

    sock = request.connection
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return False
    try:
        import socket

        return sock.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True
