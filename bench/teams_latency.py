"""The Teams server against the Slack server: start-up time, reply latency, memory.

Both are started for real, as the test suite starts them, against local fakes (Teams:
the OpenID keys, the HTTPS login service and the Bot Connector of tests/teams_fakes.py;
Slack: tests/fake_slack.py), on one machine, and asked "score protecting-public" at
concurrency 1 and 16.

* start-up: process start to the first 200 from ``GET /healthz`` (median of 3);
* Teams: the HTTP answer to the activity (Teams' own timeout is 15 s), and the reply,
  which goes through the outbox, arriving at the Bot Connector;
* Slack: the answer to the slash command, which Slack shows from the HTTP response;
* RSS after the load: the Teams process; the Slack server's gunicorn master and its
  one worker.

Not part of the test suite: ``python -m bench.teams_latency``.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from tests.fake_slack import FakeSlack
from tests.slack_requests import ServedApp, sign
from tests.teams_fakes import ConnectorCall, FakeConnector, FakeLogin, FakeOpenID
from tests.teams_served import APP_ID, APP_SECRET, AUDITOR, TENANT, ServedTeams, personal

QUESTION = "score protecting-public"
REQUESTS = {1: 300, 16: 1600}
WARMUP = 50
STARTS = 3


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
    """What tests.teams_served.TeamsFakes holds, with the timed connector."""

    def __init__(self, workdir: Path) -> None:
        self.login = FakeLogin(APP_ID, APP_SECRET, TENANT, workdir=workdir).start()
        self.connector = TimedConnector(token_check=self.login.is_valid).start()
        self.openid = FakeOpenID(APP_ID, service_url=self.connector.url).start()

    def stop(self) -> None:
        for fake in (self.openid, self.connector, self.login):
            fake.stop()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.extend(int(child) for child in text)
    return found


def p50(values: list[float]) -> float:
    return statistics.median(values) * 1000


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] * 1000


# --- Teams -----------------------------------------------------------------------------------


def teams_load(
    served: ServedTeams, fakes: Fakes, concurrency: int, total: int
) -> tuple[list[float], list[float], float]:
    """(HTTP answer times, reply arrival times, requests per second)."""
    token = fakes.openid.token()
    acks: list[float] = []
    replies: list[float] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        conversation = f"a:1bench-{index}"
        client = httpx.Client(timeout=30)
        mine_ack, mine_reply = [], []
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
                f"{served.url}/api/messages",
                json=activity,
                headers={"Authorization": f"Bearer {token}"},
            )
            mine_ack.append(time.perf_counter() - started)
            assert answer.status_code == 200, answer.text
            if not arrived.wait(30):
                raise RuntimeError("no reply within 30 s")
            mine_reply.append(fakes.connector.at[conversation] - started)
        client.close()
        with lock:
            acks.extend(mine_ack)
            replies.extend(mine_reply)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return acks, replies, len(acks) / (time.perf_counter() - began)


# --- Slack -----------------------------------------------------------------------------------


def slack_load(served: ServedApp, concurrency: int, total: int) -> tuple[list[float], float]:
    from urllib.parse import urlencode

    body = urlencode(
        {
            "team_id": "T0001",
            "channel_id": "C0YOS",
            "user_id": "U0BENCH",
            "command": "/yos",
            "text": QUESTION,
            "api_app_id": "A0001",
            "response_url": "http://127.0.0.1:9/x",
            "trigger_id": "1.2.3",
        }
    )
    latencies: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        client = httpx.Client(timeout=30)
        mine = []
        for _ in range(total // concurrency):
            headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
            started = time.perf_counter()
            answer = client.post(f"{served.url}/slack/events", content=body, headers=headers)
            mine.append(time.perf_counter() - started)
            assert answer.status_code == 200, answer.text
        client.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, len(latencies) / (time.perf_counter() - began)


def main() -> bool:
    folder = Path(tempfile.mkdtemp(prefix="yos-teams-bench-"))
    fakes = Fakes(folder)
    slack = FakeSlack().start()
    env = {"YOS_LOG_LEVEL": "WARNING", "YOS_AUDITORS": AUDITOR.aad, "YOS_TODAY": "2014-02-20"}
    try:
        starts: dict[str, list[float]] = {"teams": [], "slack": []}
        for run in range(STARTS):
            teams = ServedTeams(folder / f"t{run}", fakes, **env)
            (folder / f"t{run}").mkdir()
            teams.start()
            starts["teams"].append(teams.started_in or 0.0)
            teams.stop()
            began = time.monotonic()
            (folder / f"s{run}").mkdir()
            bot = ServedApp(folder / f"s{run}" / "yos.db", slack.api_url, **env).start()
            starts["slack"].append(time.monotonic() - began)
            bot.stop()
        print("start-up to /healthz 200, a new store each time (median of 3):")
        for name, values in starts.items():
            print(
                f"  {name:6} {statistics.median(values) * 1000:7.0f} ms   runs: "
                + ", ".join(f"{v * 1000:.0f}" for v in values)
            )

        teams = ServedTeams(folder / "t0", fakes, **env).start()
        bot = ServedApp(folder / "s0" / "yos.db", slack.api_url, **env).start()
        try:
            teams_load(teams, fakes, 1, WARMUP)
            slack_load(bot, 1, WARMUP)
            print(f"\n'{QUESTION}'{'':9}{'p50 ms':>9}{'p99 ms':>9}{'req/s':>9}")
            for concurrency, total in REQUESTS.items():
                acks, replies, rate = teams_load(teams, fakes, concurrency, total)
                answers, slack_rate = slack_load(bot, concurrency, total)
                rows = (
                    ("Teams: HTTP answer", acks, rate),
                    ("Teams: reply at connector", replies, rate),
                    ("Slack: slash command", answers, slack_rate),
                )
                for name, values, per_second in rows:
                    print(
                        f"c={concurrency:<3}{name:28}{p50(values):9.2f}{p99(values):9.2f}"
                        f"{per_second:9.0f}"
                    )
            assert teams.process is not None and bot.process is not None
            workers = children(bot.process.pid)
            print("\nRSS after the load:")
            print(f"  teams  {rss_mb(teams.process.pid):6.0f} MB (one process)")
            total_slack = rss_mb(bot.process.pid) + sum(rss_mb(w) for w in workers)
            print(
                f"  slack  {total_slack:6.0f} MB (gunicorn master "
                f"{rss_mb(bot.process.pid):.0f} MB + {len(workers)} worker "
                + ", ".join(f"{rss_mb(w):.0f} MB" for w in workers)
                + ")"
            )
        finally:
            teams.stop()
            bot.stop()
    finally:
        fakes.stop()
        slack.stop()
    return True


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
