"""/yos reply times: the bot against a bare Bolt app answering a constant.

Both are served by the same gunicorn configuration with one worker, and sent
correctly signed slash commands at concurrency 1 and 16. Targets: p50 at
concurrency 1 within 2x of the bare app; throughput at concurrency 16 at least
0.6x the bare app's.
"""

from __future__ import annotations

import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from bot.config import PROJECT_ROOT
from tests.fake_slack import FakeSlack
from tests.slack_requests import BOT_TOKEN, SIGNING_SECRET, ServedApp, free_port, sign

REQUESTS = {1: 400, 16: 1600}
ROUNDS = 5
WARMUP = 50


def _body(text: str) -> str:
    return urlencode(
        {
            "team_id": "T0001",
            "channel_id": "C0YOS",
            "user_id": "U0BENCH",
            "command": "/yos",
            "text": text,
            "api_app_id": "A0001",
            "response_url": "http://127.0.0.1:9/x",
            "trigger_id": "1.2.3",
        }
    )


def _start(args: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        args, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("POST", "/slack/events", body="")
            conn.getresponse().read()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server on port {port} did not start")


def _load(port: int, text: str, concurrency: int, total: int) -> tuple[list[float], float]:
    body = _body(text)
    latencies: list[float] = []
    lock = threading.Lock()
    per_worker = total // concurrency

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine = []
        for _ in range(per_worker):
            headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
            started = time.perf_counter()
            conn.request("POST", "/slack/events", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            assert response.status == 200, response.status
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return latencies, len(latencies) / elapsed


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1000


def main() -> bool:
    fake = FakeSlack().start()
    folder = Path(tempfile.mkdtemp(prefix="yos-bench-"))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "YOS_"))},
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "YOS_LOG_LEVEL": "WARNING",
        "YOS_AUDITORS": "U0BENCH",
    }
    bot = ServedApp(
        folder / "bench.db", fake.api_url, YOS_AUDITORS="U0BENCH", YOS_LOG_LEVEL="WARNING"
    ).start()
    bare_port = free_port()
    bare_server = _start(
        [sys.executable, "-m", "bench.bare_server", str(bare_port), "1"], env, bare_port
    )
    bot_port = bot.port
    ok = True
    try:
        for port in (bot_port, bare_port):
            _load(port, "score protecting-public", 1, WARMUP)
        cases = (
            ("bare Bolt (constant)", bare_port, "anything"),
            ("bot: score protecting-public", bot_port, "score protecting-public"),
            ("bot: summary", bot_port, "summary"),
        )
        print(f"{'':33}{'p50 ms':>9}{'p99 ms':>9}{'req/s':>9}   (median of {ROUNDS} rounds)")
        for concurrency, total in REQUESTS.items():
            # Rounds alternate between the servers so drift on the machine hits both alike.
            rounds: dict[str, list[tuple[float, float, float]]] = {name: [] for name, *_ in cases}
            for _ in range(ROUNDS):
                for name, port, text in cases:
                    latencies, rps = _load(port, text, concurrency, total)
                    rounds[name].append((_p(latencies, 50), _p(latencies, 99), rps))
            results = {
                name: tuple(statistics.median(r[i] for r in runs) for i in range(3))
                for name, runs in rounds.items()
            }
            for name, (p50, p99, rps) in results.items():
                print(f"c={concurrency:<3}{name:30}{p50:9.2f}{p99:9.2f}{rps:9.0f}")
            bare = results["bare Bolt (constant)"]
            for name in ("bot: score protecting-public", "bot: summary"):
                p50_ratio = results[name][0] / bare[0]
                rps_ratio = results[name][2] / bare[2]
                if concurrency == 1:
                    verdict = "ok" if p50_ratio <= 2.0 else "OVER TARGET"
                    ok &= p50_ratio <= 2.0
                    print(f"    {name}: p50 {p50_ratio:.2f}x bare (target <= 2.0x) {verdict}")
                else:
                    verdict = "ok" if rps_ratio >= 0.6 else "UNDER TARGET"
                    ok &= rps_ratio >= 0.6
                    print(
                        f"    {name}: throughput {rps_ratio:.2f}x bare (target >= 0.6x) {verdict}"
                    )
    finally:
        bot.stop()
        bare_server.terminate()
        bare_server.wait(15)
        fake.stop()
    return ok
