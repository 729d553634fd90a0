"""The bot's Teams front end against a bare Teams SDK app, side by side.

Both are served for real, one process each, against the same local fakes
(tests/teams_fakes.py: the Bot Framework's OpenID keys, the HTTPS login service and the
Bot Connector), and sent the same activity, a personal-chat message asking
"score protecting-public" with a valid token:

* the bot (``yos-bot teams``) checks it (tenant, channel, sender, the key's endorsement
  as well as the token), answers it from the store through the outbox, and sends the
  answer as a card to the Bot Connector;
* the bare app (bench/bare_teams.py) is the same SDK with the same JWT validation,
  answering with one constant card, sent with ``ctx.send`` before it answers Teams.

What is timed is what a person sees: from POSTing the activity to the answer arriving at
the Bot Connector. At concurrency 1 the medians are compared (target: the bot's p50 at
most 1.5x the bare app's); at concurrency 16, the answers delivered per second (target:
the bot at least 0.85x the bare app). The two are measured alternately, in the opposite
order every other round, and each figure is the median of the rounds' ratios. The HTTP
answer itself (Teams gives up after 15 s) is printed for reference.

``python -m bench teams`` (or ``python -m bench.teams_latency``).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench.results import ms, percentile, record
from bot.config import PROJECT_ROOT
from tests.slack_requests import free_port
from tests.teams_fakes import ConnectorCall, FakeConnector, FakeLogin, FakeOpenID
from tests.teams_served import APP_ID, APP_SECRET, AUDITOR, TENANT, ServedTeams, personal

QUESTION = "score protecting-public"
ROUNDS = 3
REQUESTS = {1: 200, 16: 800}
WARMUP = 40


class TimedConnector(FakeConnector):
    """The fake Bot Connector, noting when each conversation last got a message (and
    keeping no record of calls, which would grow with every request)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.arrived: dict[str, threading.Event] = {}
        self.at: dict[str, float] = {}

    def expect(self, conversation: str) -> threading.Event:
        event = self.arrived.setdefault(conversation, threading.Event())
        event.clear()
        return event

    def _record(self, call: ConnectorCall) -> None:
        if call.is_send and call.conversation_id:
            self.at[call.conversation_id] = time.perf_counter()
            event = self.arrived.get(call.conversation_id)
            if event is not None:
                event.set()


class Fakes:
    def __init__(self, workdir: Path) -> None:
        self.login = FakeLogin(APP_ID, APP_SECRET, TENANT, workdir=workdir).start()
        self.connector = TimedConnector(token_check=self.login.is_valid).start()
        self.openid = FakeOpenID(APP_ID, service_url=self.connector.url).start()

    def stop(self) -> None:
        for fake in (self.openid, self.connector, self.login):
            fake.stop()


class Bare:
    """bench/bare_teams.py, started as the bot is: its own process, on a free port."""

    def __init__(self, folder: Path, fakes: Fakes) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / "bare.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("TEAMS_", "BARE_"))},
            "BARE_APP_ID": APP_ID,
            "BARE_APP_PASSWORD": APP_SECRET,
            "BARE_TENANT_ID": TENANT,
            "BARE_LOGIN_URL": fakes.login.url,
            "BARE_OPENID_METADATA_URL": fakes.openid.metadata_url,
            "BARE_PORT": str(self.port),
            "REQUESTS_CA_BUNDLE": str(fakes.login.ca_path),
            "SSL_CERT_FILE": str(fakes.login.ca_path),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Bare:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(PROJECT_ROOT / "bench" / "bare_teams.py")],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the bare app exited:\n{self.log_path.read_text()}")
            try:
                if httpx.get(f"{self.url}/healthz").status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"the bare app did not start:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()


def load(
    base_url: str, fakes: Fakes, tag: str, concurrency: int, total: int
) -> tuple[list[float], list[float], float]:
    """(HTTP answer times, answer-at-connector times, answers per second)."""
    token = fakes.openid.token()
    acks: list[float] = []
    replies: list[float] = []
    lock = threading.Lock()
    failures: list[BaseException] = []

    def worker(index: int) -> None:
        conversation = f"a:1bench-{tag}-{index}"
        mine_ack: list[float] = []
        mine_reply: list[float] = []
        try:
            with httpx.Client(timeout=30) as client:
                for _ in range(total // concurrency):
                    activity = personal(
                        QUESTION,
                        fakes.connector.url,
                        conversation={
                            "id": conversation,
                            "conversationType": "personal",
                            "tenantId": TENANT,
                        },
                    )
                    arrived = fakes.connector.expect(conversation)
                    started = time.perf_counter()
                    answer = client.post(
                        f"{base_url}/api/messages",
                        json=activity,
                        headers={"Authorization": f"Bearer {token}"},
                    )
                    mine_ack.append(time.perf_counter() - started)
                    if answer.status_code != 200:
                        raise RuntimeError(f"{answer.status_code}: {answer.text[:200]}")
                    if not arrived.wait(30):
                        raise RuntimeError("no answer at the connector within 30 s")
                    mine_reply.append(fakes.connector.at[conversation] - started)
        except BaseException as error:
            failures.append(error)
        with lock:
            acks.extend(mine_ack)
            replies.extend(mine_reply)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if failures:
        raise failures[0]
    return acks, replies, len(replies) / elapsed


def main() -> bool:
    folder = Path(tempfile.mkdtemp(prefix="yos-teams-bench-"))
    fakes = Fakes(folder)
    (folder / "bot").mkdir()
    bot = ServedTeams(
        folder / "bot",
        fakes,  # what ServedTeams uses of TeamsFakes: login, connector, openid
        forked=False,  # a fresh interpreter, as the bare app is
        YOS_LOG_LEVEL="WARNING",
        YOS_AUDITORS=AUDITOR.aad,
        YOS_TODAY="2014-02-20",
    )
    bare = Bare(folder, fakes)
    try:
        bot.start()
        bare.start()
        servers: dict[str, Callable[[int, int, str], tuple[list[float], list[float], float]]] = {
            "bot": lambda c, n, tag: load(bot.url, fakes, f"bot{tag}", c, n),
            "bare": lambda c, n, tag: load(bare.url, fakes, f"bare{tag}", c, n),
        }
        for run in servers.values():  # warm both: imports, keys, the login token
            run(1, WARMUP, "warm")
            run(4, WARMUP, "warm4")
        results: dict[tuple[str, int], list[tuple[list[float], list[float], float]]] = {}
        for number in range(ROUNDS):
            order = list(servers) if number % 2 == 0 else list(servers)[::-1]
            for concurrency, total in REQUESTS.items():
                for name in order:
                    results.setdefault((name, concurrency), []).append(
                        servers[name](concurrency, total, f"{number}-{concurrency}")
                    )
        return report(results)
    finally:
        bot.stop()
        bare.stop()
        fakes.stop()


def report(results: dict[tuple[str, int], list[tuple[list[float], list[float], float]]]) -> bool:
    def p50_reply(name: str, c: int, round_: int) -> float:
        return statistics.median(results[(name, c)][round_][1])

    def rate(name: str, c: int, round_: int) -> float:
        return results[(name, c)][round_][2]

    print(f"'{QUESTION}' over {ROUNDS} rounds, alternately; answer at the Bot Connector")
    print(f"{'':26}{'HTTP p50':>10}{'answer p50':>12}{'answer p99':>12}{'answers/s':>11}")
    for (name, c), runs in sorted(results.items(), key=lambda item: (item[0][1], item[0][0])):
        acks = [t for run in runs for t in run[0]]
        replies = [t for run in runs for t in run[1]]
        per_second = statistics.median(run[2] for run in runs)
        print(
            f"c={c:<3}{'bot' if name == 'bot' else 'bare Teams SDK app':22}"
            f"{ms(percentile(acks, 50)):>10}{ms(percentile(replies, 50)):>12}"
            f"{ms(percentile(replies, 99)):>12}{per_second:>11.0f}"
        )
    latency_ratio = statistics.median(
        p50_reply("bot", 1, r) / p50_reply("bare", 1, r) for r in range(ROUNDS)
    )
    rate_ratio = statistics.median(rate("bot", 16, r) / rate("bare", 16, r) for r in range(ROUNDS))
    bot_p50 = statistics.median(p50_reply("bot", 1, r) for r in range(ROUNDS))
    bare_p50 = statistics.median(p50_reply("bare", 1, r) for r in range(ROUNDS))
    bot_rate = statistics.median(rate("bot", 16, r) for r in range(ROUNDS))
    bare_rate = statistics.median(rate("bare", 16, r) for r in range(ROUNDS))
    print(f"bot / bare: p50 at c=1 {latency_ratio:.2f}x, answers/s at c=16 {rate_ratio:.2f}x")
    latency_ok = record(
        "Teams answer p50, c=1: bot / bare SDK",
        f"{ms(bot_p50)} / {ms(bare_p50)}; median ratio {latency_ratio:.2f}x",
        "<= 1.5x",
        latency_ratio <= 1.5,
    )
    rate_ok = record(
        "Teams answers/s, c=16: bot / bare SDK",
        f"{bot_rate:.0f} / {bare_rate:.0f}; median ratio {rate_ratio:.2f}x",
        ">= 0.85x",
        rate_ratio >= 0.85,
    )
    return latency_ok and rate_ok


if __name__ == "__main__":
    ok = main()
    from bench.results import print_table

    print_table()
    sys.exit(0 if ok else 1)
