"""Start-up with and without the report path, and the chart's render time.

Baselines measured in the same run: a bare Python start for start-up, and building
the same report as a Block Kit message for the chart.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from bot.config import PROJECT_ROOT
from bot.domain.inspections.queries import store_behind

RUNS = 7
STARTUP = {
    "bare python": "pass",
    "bot app (no report path)": "import bot.slack.serve, bot.cli",
    "bot app + report path": "import bot.slack.serve, bot.cli; import bot.render.chart as c; "
    "import matplotlib.figure, matplotlib.backends.backend_agg",
}


def _startup(code: str) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _report_context():
    from bot.commands import dispatch
    from bot.config import settings_from
    from bot.runtime import make_context, prepare_store

    folder = Path(tempfile.mkdtemp(prefix="yos-bench-report-"))
    settings = settings_from({"YOS_DB": str(folder / "report.db"), "YOS_TODAY": "2014-04-20"})
    db, _ = prepare_store(settings)
    ctx = make_context(db, settings, via="console")
    for text in (
        "audit R1 17/20 2014-01-28",
        "audit R1 18/20 2014-02-25",
        "audit R1 19/20 2014-03-27",
    ):
        ctx.today = date.fromisoformat(text.split()[-1])  # each entered on time
        dispatch(text, ctx)
    ctx.today = date(2014, 4, 20)
    return ctx


def main() -> bool:
    results = {name: _startup(code) for name, code in STARTUP.items()}
    base = results["bare python"]
    print(f"start-up (median of {RUNS} runs)")
    for name, ms in results.items():
        print(f"  {name:28}{ms:8.0f} ms  {ms / base:5.2f}x bare python")
    extra = results["bot app + report path"] - results["bot app (no report path)"]
    print(f"  the report path adds {extra:.0f} ms, paid only when a chart is first drawn")

    from bot.commands import default_registry
    from bot.commands.papers import spec_of
    from bot.domain.monitoring.report import board_report
    from bot.slack.blocks import message

    ctx = _report_context()
    spec = spec_of(
        board_report(
            store_behind(ctx.queries), ctx.queries, ctx.home_inspection(), date(2014, 4, 20)
        )
    )
    started = time.perf_counter()
    from bot.render.chart import render_chart

    first_png = render_chart(spec)
    first = (time.perf_counter() - started) * 1000
    warm = []
    for _ in range(RUNS):
        started = time.perf_counter()
        render_chart(spec)
        warm.append((time.perf_counter() - started) * 1000)
    blocks = []
    for _ in range(RUNS * 10):
        started = time.perf_counter()
        # The handler itself, not dispatch: a reused reply would measure nothing.
        message(default_registry().find("report").run(ctx, "R1"))
        blocks.append((time.perf_counter() - started) * 1000)
    chart_ms, blocks_ms = statistics.median(warm), statistics.median(blocks)
    print("chart")
    print(f"  first render (imports matplotlib) {first:8.0f} ms, {len(first_png)} bytes")
    print(f"  warm render (median)              {chart_ms:8.1f} ms")
    print(f"  Block Kit report (median)         {blocks_ms:8.2f} ms")
    print(
        f"  chart / Block Kit report          {chart_ms / blocks_ms:8.0f}x  (why it is drawn "
        "after the acknowledgement)"
    )
    return True
