"""Serving the bot and the bare Bolt app for the benchmarks, and loading them over HTTP.

Both run on 127.0.0.1 under the bot's gunicorn settings (``gunicorn_options``) against the
test suite's fake Slack Web API; requests are signed slash commands sent over keep-alive
connections (``http.client``) from threads, in bounded loops.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from bench.bigstore import TODAY
from bot.config import PROJECT_ROOT
from tests.fake_slack import FakeSlack
from tests.slack_requests import BOT_TOKEN, SIGNING_SECRET, free_port, sign

BARE_SCRIPT = PROJECT_ROOT / "bench" / "bare_server.py"
EVENTS = "/slack/events"
_TRIGGERS = itertools.count(1)


def command_body(text: str, *, user: str = "U0BENCH", trigger: str | None = None) -> str:
    return urlencode(
        {
            "team_id": "T0001",
            "channel_id": "C0YOS",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/yos",
            "text": text,
            "api_app_id": "A0001",
            "response_url": "http://127.0.0.1:9/x",
            "trigger_id": trigger or f"{int(time.time())}.{next(_TRIGGERS)}.bench",
        }
    )


def _environment(fake: FakeSlack, **extra: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "YOS_", "BARE_"))},
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "YOS_LOG_LEVEL": "WARNING",
        "YOS_TODAY": TODAY.isoformat(),
        **extra,
    }


@dataclass
class Server:
    """One served app: the bot (``yos-bot serve``) or the bare Bolt app."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    started_at: float
    first_reply: float = 0.0  # seconds from start to the first answered /yos
    log: Path | None = None

    def worker_pids(self) -> list[int]:
        """The gunicorn workers: the master's children."""
        pids: list[int] = []
        task = Path(f"/proc/{self.process.pid}/task")
        for thread in task.iterdir() if task.exists() else ():
            children = (thread / "children").read_text().split()
            pids += [int(p) for p in children]
        return pids

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def _wait_for_reply(server: Server, timeout: float = 60.0) -> Server:
    """Send a signed /yos until the first 200 answer; note how long it took from start."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            log = server.log.read_text() if server.log and server.log.exists() else ""
            raise RuntimeError(f"{server.name} exited early:\n{log[-3000:]}")
        try:
            status, _ = post_once(server.port, command_body("score protecting-public"))
            if status == 200:
                server.first_reply = time.perf_counter() - server.started_at
                return server
        except OSError:
            pass
        time.sleep(0.01)
    server.stop()
    raise RuntimeError(f"{server.name} did not answer within {timeout:.0f} s")


def start_bot(
    fake: FakeSlack, db: Path, *, workers: int = 1, threads: int | None = None, **env: str
) -> Server:
    port = free_port()
    log = db.with_suffix(f".{port}.log")
    extra = {"YOS_DB": str(db), **env}
    if threads is not None:
        extra["YOS_THREADS"] = str(threads)
    args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        cwd=PROJECT_ROOT,
        env=_environment(fake, **extra),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    return _wait_for_reply(Server("bot", port, process, started, log=log))


def start_bare(
    fake: FakeSlack, *, workers: int = 1, threads: int | None = None, reply: Path | None = None
) -> Server:
    """The bare Bolt app, under exactly the bot's gunicorn settings; answering with the
    message in ``reply`` (JSON: text and blocks), when given, instead of a word."""
    from bot.config import settings_from
    from bot.slack.serve import gunicorn_options

    port = free_port()
    settings = settings_from(
        {"YOS_LOG_LEVEL": "WARNING", **({"YOS_THREADS": str(threads)} if threads else {})}
    )
    options = gunicorn_options(settings, "127.0.0.1", port, workers)
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(BARE_SCRIPT)],
        cwd=PROJECT_ROOT,
        env=_environment(
            fake,
            BARE_GUNICORN_OPTIONS=json.dumps(options),
            **({"BARE_REPLY_FILE": str(reply)} if reply else {}),
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return _wait_for_reply(Server("bare Bolt", port, process, started))


@contextmanager
def serving(start: Callable[[], Server]) -> Iterator[Server]:
    server = start()
    try:
        yield server
    finally:
        server.stop()


def post_once(port: int, body: str, timeout: float = 30.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        return _post(conn, body)
    finally:
        conn.close()


def _post(conn: http.client.HTTPConnection, body: str) -> tuple[int, bytes]:
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
    conn.request("POST", EVENTS, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    answers: list[bytes] = field(default_factory=list)
    failures: int = 0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0


def load(
    port: int,
    bodies: Callable[[int, int], str],
    *,
    concurrency: int,
    per_client: int | None = None,
    seconds: float | None = None,
    keep_answers: bool = False,
) -> LoadResult:
    """``concurrency`` clients, each on one keep-alive connection, sending ``bodies(client,
    n)`` until it has sent ``per_client`` or ``seconds`` have passed (both bounded)."""
    result = LoadResult()
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds if seconds is not None else None
    limit = per_client if per_client is not None else 1_000_000

    def client(number: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        answers: list[bytes] = []
        failures = 0
        for n in range(limit):
            if stop_at is not None and time.perf_counter() >= stop_at:
                break
            body = bodies(number, n)
            started = time.perf_counter()
            try:
                status, answer = _post(conn, body)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                failures += 1
                continue
            mine.append(time.perf_counter() - started)
            if status != 200:
                failures += 1
            if keep_answers:
                answers.append(answer)
        conn.close()
        with lock:
            result.latencies.extend(mine)
            result.answers.extend(answers)
            result.failures += failures

    threads = [threading.Thread(target=client, args=(c,)) for c in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.elapsed = time.perf_counter() - started
    return result


def rss_kib(pid: int) -> int:
    """Resident memory of a process, from /proc/<pid>/status (VmRSS, KiB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0
