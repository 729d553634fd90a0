"""Every command in-process, cold and warm, on the seed store and the national-scale store.

Each command goes through ``bot.app.Application.handle`` with the console platform, as
the console and the chat adapters call it. *Cold* empties every answer cache before each
call (the process and SQLite's own page cache stay warm, as in a running worker); *warm*
asks the same question again. p50 and p99 per command and store, and the ratio of the big
store's cold p50 to the seed store's (target <= 2x); ``services`` and ``compare`` must
also answer within 10 ms at 200 services.

Each (command, store, mode) runs at most ``COLD_RUNS``/``WARM_RUNS`` times and stops
early once it has spent ``BUDGET_SECONDS``, so a slow command cannot hold up the run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.bigstore import COMPARE_SERVICE, TODAY
from bench.results import percentile, record

COLD_RUNS = 40
WARM_RUNS = 200
BUDGET_SECONDS = 4.0
MIN_RUNS = 3
ABSOLUTE_MS = 10.0  # services and compare at 200 services


@dataclass(frozen=True)
class Case:
    name: str
    seed_text: str
    big_text: str


def _cases(seed: Path) -> tuple[Case, ...]:
    """The commands, with ``compare`` about the same service in both stores: one of the
    bundled national ratings when there are any (ranked among them in the seed store and
    among every service in the big one), else the bundled service."""
    import sqlite3

    with sqlite3.connect(seed) as conn:
        row = conn.execute(
            "SELECT s.name FROM services s JOIN inspections i ON i.service_id = s.id "
            "WHERE i.data_file LIKE '%.csv' AND i.quality_note IS NULL "
            "ORDER BY length(s.name), s.name LIMIT 1"
        ).fetchone()
    compare = f"compare {row[0]}" if row else "compare"
    return tuple(Case(c.name, compare, compare) if c.name == "compare" else c for c in CASES)


CASES = (
    Case("summary", "summary", "summary"),
    Case("scores", "scores", "scores"),
    Case("score", "score protecting-public", "score protecting-public"),
    Case("recs", "recs", "recs"),
    Case("rec R1", "rec R1", "rec R1"),
    Case("audits R1", "audits R1", "audits R1"),
    Case("report R1", "report R1", "report R1"),
    Case("home", "home", "home"),
    Case("compare", "compare", f"compare {COMPARE_SERVICE}"),
    Case("services", "services", "services"),
)


def drop_caches() -> None:
    """Empty every answer cache of this process, whichever the bot has."""
    from bot.domain.inspections import cache

    clear = getattr(cache, "clear", None)
    if callable(clear):
        clear()
    held = getattr(cache, "_CACHES", None)
    if held is not None:
        held.clear()


def _application(path: Path):  # -> bot.app.Application
    from bot.app import Application, Policy
    from bot.store import StorePool

    return Application(StorePool(path), Policy(()), today=TODAY)


def _ask(app, text: str) -> Callable[[], object]:
    from bot.app import Request
    from bot.app.requests import CONSOLE
    from bot.reply import Person

    user = Person("U0BENCH", "bench", CONSOLE.name)

    def once() -> object:
        outcome = app.handle(Request(CONSOLE, text=text, user=user, conversation="console"))
        assert outcome.reply.ok, (text, outcome.reply.headline)
        return outcome

    return once


def _timed(call: Callable[[], object], runs: int, cold: bool) -> list[float]:
    times: list[float] = []
    spent = time.perf_counter()
    for _ in range(runs):
        if cold:
            drop_caches()
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
        if len(times) >= MIN_RUNS and time.perf_counter() - spent > BUDGET_SECONDS:
            break
    return times


def main(seed: Path, big: Path) -> bool:
    ok = True
    apps = {"seed": _application(seed), "big": _application(big)}
    print(
        f"{'command':12}{'store':6}{'cold p50':>11}{'cold p99':>11}{'warm p50':>11}"
        f"{'warm p99':>11}{'runs':>9}  big/seed cold p50"
    )
    for case in _cases(seed):
        cold_p50: dict[str, float] = {}
        for store, app in apps.items():
            call = _ask(app, case.seed_text if store == "seed" else case.big_text)
            if store == "seed" and case.name == "compare":
                print(f"  (compare: {case.seed_text!r} in both stores)")
            call()  # the first call of a command in a process imports and warms code paths
            cold = _timed(call, COLD_RUNS, cold=True)
            warm = _timed(call, WARM_RUNS, cold=False)
            cold_p50[store] = percentile(cold, 50)
            line = (
                f"{case.name:12}{store:6}{cold_p50[store] * 1000:11.2f}"
                f"{percentile(cold, 99) * 1000:11.2f}{percentile(warm, 50) * 1000:11.2f}"
                f"{percentile(warm, 99) * 1000:11.2f}{len(cold):>4}/{len(warm):<4}"
            )
            if store == "big":
                ratio = cold_p50["big"] / cold_p50["seed"]
                line += f"  {ratio:6.2f}x"
            print(line)
        ratio = cold_p50["big"] / cold_p50["seed"]
        big_ms = cold_p50["big"] * 1000
        ok &= record(
            f"{case.name}: cold p50 big / seed",
            f"{big_ms:.2f} / {cold_p50['seed'] * 1000:.2f} ms = {ratio:.2f}x",
            "<= 2x",
            ratio <= 2.0,
        )
        if case.name in ("services", "compare"):
            ok &= record(
                f"{case.name}: cold p50 at 200 services",
                f"{big_ms:.2f} ms",
                f"<= {ABSOLUTE_MS:.0f} ms",
                big_ms <= ABSOLUTE_MS,
            )
    print("  cold: every answer cache emptied before each call; ms")
    return ok
