"""/yos reply times: the bot against a truly bare Bolt app answering a constant.

Both are served with the bot's gunicorn settings and one worker (the bare app imports
nothing of the bot: ``bench/bare_server.py``), and sent correctly signed slash commands at
concurrency 1 and 16, in rounds that alternate between the servers so drift on the
machine hits both alike. Targets (issue 14) for ``/yos score protecting-public`` on the
seed store: p50 at concurrency 1 within 1.5x of the bare app's; throughput at concurrency
16 at least 0.85x the bare app's. ``summary`` is shown for reference.
"""

from __future__ import annotations

import statistics
from pathlib import Path

from bench.results import record
from bench.served import command_body, load, serving, start_bare, start_bot
from tests.fake_slack import FakeSlack

REQUESTS = {1: 400, 16: 1600}
ROUNDS = 5
WARMUP = 50
SCORE = "score protecting-public"


def _p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000


def main(seed: Path) -> bool:
    fake = FakeSlack().start()
    ok = True
    try:
        with (
            serving(lambda: start_bare(fake)) as bare,
            serving(lambda: start_bot(fake, seed)) as bot,
        ):
            for port in (bot.port, bare.port):
                load(port, lambda c, n: command_body(SCORE), concurrency=1, per_client=WARMUP)
            cases = (
                ("bare Bolt (constant)", bare.port, "anything"),
                (f"bot: {SCORE}", bot.port, SCORE),
                ("bot: summary", bot.port, "summary"),
            )
            print(f"{'':36}{'p50 ms':>9}{'p99 ms':>9}{'req/s':>9}   (median of {ROUNDS} rounds)")
            for concurrency, total in REQUESTS.items():
                rounds: dict[str, list[tuple[float, float, float]]] = {n: [] for n, *_ in cases}
                for _ in range(ROUNDS):
                    for name, port, text in cases:
                        body = command_body(text)
                        result = load(
                            port,
                            lambda c, n, body=body: body,
                            concurrency=concurrency,
                            per_client=total // concurrency,
                        )
                        assert not result.failures, f"{name}: {result.failures} failures"
                        rounds[name].append(
                            (_p(result.latencies, 50), _p(result.latencies, 99), result.rate)
                        )
                results = {
                    name: tuple(statistics.median(r[i] for r in runs) for i in range(3))
                    for name, runs in rounds.items()
                }
                for name, (p50, p99, rps) in results.items():
                    print(f"c={concurrency:<3}{name:33}{p50:9.2f}{p99:9.2f}{rps:9.0f}")
                bare_p50, _, bare_rps = results["bare Bolt (constant)"]
                p50, _, rps = results[f"bot: {SCORE}"]
                if concurrency == 1:
                    ratio = p50 / bare_p50
                    print(f"    {SCORE}: p50 {ratio:.2f}x bare (target <= 1.5x)")
                    ok &= record(
                        "served score p50 c=1: bot / bare",
                        f"{p50:.2f} / {bare_p50:.2f} ms = {ratio:.2f}x",
                        "<= 1.5x",
                        ratio <= 1.5,
                    )
                else:
                    ratio = rps / bare_rps
                    print(f"    {SCORE}: throughput {ratio:.2f}x bare (target >= 0.85x)")
                    ok &= record(
                        "served score req/s c=16: bot / bare",
                        f"{rps:.0f} / {bare_rps:.0f} = {ratio:.2f}x",
                        ">= 0.85x",
                        ratio >= 0.85,
                    )
    finally:
        fake.stop()
    return ok
