"""``write_audits``'s own peak memory for 10x the rows, against 1x measured in this run.

The seed store is given 2,000 audit updates, then 20,000; each format is written to a
stream that keeps nothing, under ``tracemalloc``, so only what the exporter itself holds is
counted. A streamed export holds a row at a time whatever the count; a list of the rows
would take about ten times the memory. Target: 10x the rows within 1.25x the peak memory
of 1x (ratio), and within 64 KiB more (what a row or two at a time may add).
"""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

from bench.bigstore import R1, seed_store
from bench.results import record

BASE_ROWS = 2_000
GROWTH = 10
FORMATS = ("csv", "jsonl", "json")
RATIO_LIMIT = 1.25
EXTRA_LIMIT = 64 * 1024


class _Sink(io.TextIOBase):
    """A stream that keeps nothing, so only the exporter's own memory is measured."""

    def __init__(self) -> None:
        self.written = 0

    def write(self, text: str) -> int:
        self.written += len(text)
        return len(text)


def _add_audits(path: Path, count: int, first: int) -> None:
    import sqlite3

    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO audit_updates (recommendation_id, audit_date, audited, compliant, "
            "percent, note, user_id, user_name, via, delivery_key, recorded_at, platform) "
            "VALUES (?, ?, 20, 17, 85.0, ?, 'U0AUD', 'Ann Auditor', 'command', ?, "
            "'2014-02-20T10:00:00+00:00', 'slack')",
            [
                (R1, f"2014-02-0{1 + n % 9}", f"note {n}" if n % 2 else None, f"growth.{n}")
                for n in range(first, first + count)
            ],
        )


def _peak(path: Path, fmt: str) -> tuple[int, int]:
    """Peak bytes traced while exporting ``fmt``, and the rows written."""
    from bot.export import write_audits
    from bot.store import open_db

    db = open_db(path)
    try:
        write_audits(db, _Sink(), fmt)  # warm: statements prepared, modules imported
        tracemalloc.start()
        try:
            rows = write_audits(db, _Sink(), fmt)
            return tracemalloc.get_traced_memory()[1], rows
        finally:
            tracemalloc.stop()
    finally:
        db.close()


def main(folder: Path) -> bool:
    path = seed_store(folder / "export-growth.db")
    _add_audits(path, BASE_ROWS, first=1)
    small = {fmt: _peak(path, fmt) for fmt in FORMATS}
    _add_audits(path, BASE_ROWS * (GROWTH - 1), first=BASE_ROWS + 1)
    large = {fmt: _peak(path, fmt) for fmt in FORMATS}
    ok = True
    for fmt in FORMATS:
        (small_peak, small_rows), (large_peak, large_rows) = small[fmt], large[fmt]
        ratio = large_peak / small_peak
        extra = large_peak - small_peak
        print(
            f"  {fmt:6} {small_rows:6,} rows: {small_peak / 1024:7.1f} KiB peak; "
            f"{large_rows:6,} rows: {large_peak / 1024:7.1f} KiB peak; {ratio:.2f}x"
        )
        ok &= record(
            f"export {fmt}: peak memory, {GROWTH}x / 1x rows",
            f"{large_peak / 1024:.0f} / {small_peak / 1024:.0f} KiB = {ratio:.2f}x",
            f"<= {RATIO_LIMIT}x and < +{EXTRA_LIMIT // 1024} KiB",
            ratio <= RATIO_LIMIT and extra < EXTRA_LIMIT,
        )
    return ok
