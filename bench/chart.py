"""The monitoring chart's warm render time for 3 audits and for 3,000.

Each store is the seed data with R1's audits spread over its monitoring window; the chart
is what the bot draws for ``report R1`` (``chart_spec``, then ``render_chart``). Target:
3,000 audits render within 2x the time of 3.
"""

from __future__ import annotations

import statistics
import time
from datetime import date, timedelta
from pathlib import Path

from bench.bigstore import R1, TODAY, seed_store
from bench.results import record

RUNS = 7
WINDOW_START = date(2014, 1, 14)


def _store_with(audits: int, path: Path) -> Path:
    """The seed store with ``audits`` updates on R1, spread over its window to today."""
    import sqlite3

    seed_store(path)
    days = (TODAY - WINDOW_START).days + 1
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM audit_updates")
        conn.executemany(
            "INSERT INTO audit_updates (recommendation_id, audit_date, audited, compliant, "
            "percent, via, delivery_key, recorded_at) VALUES (?, ?, 20, ?, ?, 'command', ?, "
            "'2014-02-20T10:00:00+00:00')",
            [
                (
                    R1,
                    (WINDOW_START + timedelta(days=(n * days) // audits)).isoformat(),
                    12 + n % 9,
                    (12 + n % 9) * 5.0,
                    f"chart.{n}",
                )
                for n in range(audits)
            ],
        )
    return path


def _spec(path: Path):  # -> ChartSpec
    from bot.commands.papers import chart_spec
    from bot.config import settings_from
    from bot.reply import Chart
    from bot.runtime import make_context
    from bot.store import open_db

    settings = settings_from({"YOS_DB": str(path), "YOS_TODAY": TODAY.isoformat()})
    ctx = make_context(open_db(path), settings, via="console")
    return chart_spec(ctx, Chart("stockton-on-tees", "R1"))


def main(folder: Path) -> bool:
    from bot.render.chart import render_chart

    warm: dict[int, float] = {}
    for audits in (3, 3000):
        spec = _spec(_store_with(audits, folder / f"chart-{audits}.db"))
        assert spec is not None
        render_chart(spec)  # the first render imports matplotlib and loads fonts
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            render_chart(spec)
            times.append(time.perf_counter() - started)
        warm[audits] = statistics.median(times)
        points = sum(len(s.points) for s in spec.series)
        print(
            f"  {audits:5} audits in the window: {points:4} points drawn, warm render "
            f"{warm[audits] * 1000:7.1f} ms (median of {RUNS})"
        )
    ratio = warm[3000] / warm[3]
    print(f"  3,000 / 3 audits: {ratio:.2f}x")
    return record(
        "chart warm render: 3,000 / 3 audits",
        f"{warm[3000] * 1000:.0f} / {warm[3] * 1000:.0f} ms = {ratio:.2f}x",
        "<= 2x",
        ratio <= 2.0,
    )
