"""Outbox senders killed with SIGKILL between Slack taking a message and the row being
marked sent, again and again, to count duplicate and missing announcements.

Used by tests/test_exactly_once.py (a short run in every `make test`) and by
bench/announce_once.py (3,200 audits through the real server, `make bench`).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sqlite3
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fake_slack import FakeSlack, process_of

BOT_TOKEN = "xoxb-test-token"


def send_until_done(db_path: str, api_url: str, lease_seconds: float) -> None:
    """One sender process: deliver the Slack outbox until nothing is left to send."""
    from slack_sdk import WebClient

    from bot.app.sender import RetryPolicy, Sender
    from bot.slack.transport import SlackTransport
    from bot.store import StorePool

    store = StorePool(db_path)
    client = WebClient(token=BOT_TOKEN, base_url=api_url, retry_handlers=[], timeout=10)
    sender = Sender(
        store,
        "slack",
        SlackTransport(client),
        lambda chart: None,
        retry=RetryPolicy(base_seconds=0.02, lease_seconds=lease_seconds),
    )
    while True:
        sender.run_once()
        if not unsent(Path(db_path)):
            return
        time.sleep(0.01)


def unsent(db_path: Path) -> int:
    with contextlib.closing(sqlite3.connect(db_path, timeout=30)) as conn:
        return int(
            conn.execute(
                "SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')"
            ).fetchone()[0]
        )


def wait_dead(pid: int, seconds: float = 5.0) -> None:
    """Until ``pid`` has gone (or is a zombie): it can read no answer any more."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return
        if state in ("Z", "X"):
            return
        time.sleep(0.002)


@dataclass
class Killer:
    """Kills whoever posted every ``every``-th message, up to ``most`` times, after Slack
    has kept the message and before the poster hears back."""

    every: int
    most: int
    kills: int = 0
    posts: int = 0
    killed: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, message: dict[str, Any], poster: tuple[str, int]) -> None:
        with self.lock:
            self.posts += 1
            if self.kills >= self.most or self.posts % self.every:
                return
            pid = process_of(poster)
            if pid is None:
                return
            self.kills += 1
            self.killed.append(pid)
        os.kill(pid, signal.SIGKILL)
        wait_dead(pid)


@dataclass
class Count:
    posted: int
    duplicates: int  # keys posted more than once
    missing: int  # announcements queued and never posted
    unkeyed: int  # posts without the metadata key


def count(fake: FakeSlack, keys: list[str]) -> Count:
    posted = fake.posted()
    seen = Counter(
        ((m.get("metadata") or {}).get("event_payload") or {}).get("key") for m in posted
    )
    return Count(
        posted=len(posted),
        duplicates=sum(n - 1 for key, n in seen.items() if key and n > 1),
        missing=sum(1 for key in keys if not seen.get(key)),
        unkeyed=seen.get(None, 0),
    )


def run_senders(
    db_path: Path, fake: FakeSlack, killer: Killer, *, lease_seconds: float, deadline: float
) -> int:
    """Start sender processes one after another, each replacing one killed, until the outbox
    is empty; returns how many were started."""
    context = multiprocessing.get_context("forkserver")
    started = 0
    while unsent(db_path) and time.monotonic() < deadline:
        worker = context.Process(
            target=send_until_done, args=(str(db_path), fake.api_url, lease_seconds)
        )
        worker.start()
        started += 1
        worker.join(max(0.1, deadline - time.monotonic()))
        if worker.is_alive():
            worker.kill()
            worker.join()
    return started


def preload() -> None:
    """Sender processes start from a server that has imported what they need."""
    with contextlib.suppress(ValueError):
        multiprocessing.get_context("forkserver")
    multiprocessing.set_forkserver_preload(
        [
            "slack_sdk",
            "bot.app.sender",
            "bot.slack.transport",
            "bot.store",
            "tests.crashing_senders",
        ]
    )
