"""/yos reply times: the bot against a truly bare Bolt app answering a constant.

Both are served with the bot's gunicorn settings and one worker (the bare app imports
nothing of the bot: ``bench/bare_server.py``), and sent correctly signed slash commands at
concurrency 1 and 16, in rounds that alternate between the servers (in the opposite order
every other round) so drift on the machine hits both alike. A second bare app sends the
bot's own reply to that command as a constant, to show how much of the difference is the
size of a real answer.

Targets (issue 14) for ``/yos score protecting-public`` on the seed store: p50 at
concurrency 1 within 1.5x of the bare app's; throughput at concurrency 16 at least 0.85x
the bare app's, each the median of the rounds' own ratios (a round's runs are back to
back). ``summary`` is shown for reference, and the worker's CPU time per request, which
other work on the machine moves less than it moves throughput.
"""

from __future__ import annotations

import json
import os
import statistics
from pathlib import Path

from bench.results import record
from bench.served import Server, command_body, load, post_once, serving, start_bare, start_bot
from tests.fake_slack import FakeSlack

REQUESTS = {1: 400, 16: 1600}
ROUNDS = 9
WARMUP = 50
SCORE = "score protecting-public"


def _worker_cpu(server: Server, text: str, total: int = 2400) -> float:
    """CPU seconds the server's worker spends per request (from /proc), a figure the other
    work on the machine does not move as it moves throughput."""
    [worker] = server.worker_pids()
    body = command_body(text)

    def used() -> float:
        fields = Path(f"/proc/{worker}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    before = used()
    result = load(server.port, lambda c, n: body, concurrency=16, per_client=total // 16)
    return (used() - before) / len(result.latencies)


_REPLY_BYTES = [0]  # the size of the bot's reply, once read


def _bots_reply(port: int, seed: Path) -> Path:
    """The bot's answer to SCORE, as a message file for the bare app to send as a constant."""
    status, answer = post_once(port, command_body(SCORE))
    assert status == 200, status
    message = json.loads(answer)
    _REPLY_BYTES[0] = len(answer)
    path = seed.with_name("bots-reply.json")
    path.write_text(json.dumps({"text": message["text"], "blocks": message["blocks"]}))
    return path


def _p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000


def main(seed: Path) -> bool:
    fake = FakeSlack().start()
    ok = True
    try:
        with (
            serving(lambda: start_bare(fake)) as bare,
            serving(lambda: start_bot(fake, seed)) as bot,
            serving(lambda: start_bare(fake, reply=_bots_reply(bot.port, seed))) as bare_reply,
        ):
            for port in (bot.port, bare.port, bare_reply.port):
                load(port, lambda c, n: command_body(SCORE), concurrency=1, per_client=WARMUP)
            cpu = {
                name: _worker_cpu(server, SCORE) for name, server in (("bare", bare), ("bot", bot))
            }
            print(
                f"worker CPU per request at concurrency 16: bare {cpu['bare'] * 1e6:.0f} us, "
                f"bot {cpu['bot'] * 1e6:.0f} us ({cpu['bare'] / cpu['bot']:.2f}x)"
            )
            cases = (
                ("bare Bolt (constant)", bare.port, "anything"),
                (f"bot: {SCORE}", bot.port, SCORE),
                ("bare Bolt (the bot's reply)", bare_reply.port, "anything"),
                ("bot: summary", bot.port, "summary"),
            )
            print(f"{'':36}{'p50 ms':>9}{'p99 ms':>9}{'req/s':>9}   (median of {ROUNDS} rounds)")
            for concurrency, total in REQUESTS.items():
                rounds: dict[str, list[tuple[float, float, float]]] = {n: [] for n, *_ in cases}
                for number in range(ROUNDS):
                    # Every other round runs them in the opposite order, so whatever favours
                    # the first (or the last) run of a round favours each alike.
                    for name, port, text in cases if number % 2 == 0 else cases[::-1]:
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
                # Each round's bot and bare runs are back to back, so their ratio is what
                # other work on the machine moves least: the median of the rounds' ratios.
                pairs = list(
                    zip(rounds[f"bot: {SCORE}"], rounds["bare Bolt (constant)"], strict=True)
                )
                p50_ratios = [b[0] / a[0] for b, a in pairs]
                rps_ratios = [b[2] / a[2] for b, a in pairs]
                if concurrency == 1:
                    ratio = statistics.median(p50_ratios)
                    print(f"    {SCORE}: p50 {ratio:.2f}x bare (target <= 1.5x)")
                    ok &= record(
                        "served score p50 c=1: bot / bare",
                        f"{p50:.2f} / {bare_p50:.2f} ms; median ratio {ratio:.2f}x",
                        "<= 1.5x",
                        ratio <= 1.5,
                    )
                else:
                    ratio = statistics.median(rps_ratios)
                    print(f"    {SCORE}: throughput {ratio:.2f}x bare (target >= 0.85x)")
                    same = statistics.median(
                        b[2] / a[2]
                        for b, a in zip(
                            rounds["bare Bolt (the bot's reply)"],
                            rounds["bare Bolt (constant)"],
                            strict=True,
                        )
                    )
                    print(
                        f"    (the bare app sending the bot's {_REPLY_BYTES[0]:,}-byte reply: "
                        f"{same:.2f}x itself sending a word; the rest of the gap is the "
                        "bot's work)"
                    )
                    ok &= record(
                        "served score req/s c=16: bot / bare",
                        f"{rps:.0f} / {bare_rps:.0f}; median ratio {ratio:.2f}x",
                        ">= 0.85x",
                        ratio >= 0.85,
                    )
    finally:
        fake.stop()
    return ok
