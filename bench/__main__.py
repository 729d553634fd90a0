"""Run every benchmark: python -m bench [name ...].

The national-scale store is built once and cached under the temp folder
(``bench/bigstore.py``); each run works on a copy of it and on a fresh seed store, and ends
with a table of every figure, its target from issue 14 and PASS/FAIL.
"""

from __future__ import annotations

import compileall
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench import (
    announce_once,
    bigstore,
    chart,
    commands,
    export_growth,
    export_rss,
    reply_latency,
    report_path,
    screen,
    serving,
    teams_latency,
)
from bench import board_pack as board_pack_bench
from bench import plan as plan_bench
from bench.results import print_table
from bot.config import PROJECT_ROOT


def _benchmarks(seed: Path, big: Path, folder: Path) -> dict[str, Callable[[], bool]]:
    return {
        "commands": lambda: commands.main(seed, big),
        "chart": lambda: chart.main(folder),
        "export": lambda: export_rss.main(big, folder),
        "export_growth": lambda: export_growth.main(folder),
        "serving": lambda: serving.main(seed, big),
        "reply_latency": lambda: reply_latency.main(seed),
        "report_path": report_path.main,
        "screen": screen.main,
        "plan": plan_bench.main,
        "board_pack": board_pack_bench.main,
        "teams": teams_latency.main,
        "announce_once": lambda: announce_once.main(folder),
    }


def main(names: list[str]) -> int:
    started = time.perf_counter()
    # The bot's processes start from compiled bytecode, as the bare app's installed
    # packages do, even where PYTHONDONTWRITEBYTECODE stops Python writing it: otherwise
    # every start timed would compile every changed module of the bot again.
    compileall.compile_dir(PROJECT_ROOT / "bot", quiet=1)
    folder = Path(tempfile.mkdtemp(prefix="yos-bench-run-"))
    try:
        cached = bigstore.ensure_big_store()
        big = bigstore.working_copy(cached, folder / "big.db")
        seed = bigstore.seed_store(folder / "seed.db")
        print(f"stores ready in {time.perf_counter() - started:.1f} s ({cached})")
        benchmarks = _benchmarks(seed, big, folder)
        unknown = [n for n in names if n not in benchmarks]
        if unknown:
            print(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(benchmarks)}")
            return 2
        for name in names or list(benchmarks):
            print(f"\n== {name}")
            benchmarks[name]()
        all_met = print_table()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"make bench took {time.perf_counter() - started:.0f} s")
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
