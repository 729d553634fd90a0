"""The improvement plan's replies at scale: `plan` and `rec R3`, cold, on a plan of
8 recommendations x 10 actions x 5 years of weekly progress notes, against a plan of
1 recommendation with 1 action (target <= 2x). The service is FICTIONAL."""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import date, timedelta
from pathlib import Path

from bench.commands import _timed
from bench.results import percentile, record

TODAY = date(2027, 6, 1)
COLD_RUNS = 60
YEARS = 5


def _store(folder: Path, name: str, recs: int, actions: int, weeks: int) -> Path:
    from bot.config import settings_from
    from bot.runtime import prepare_store
    from bot.store.loader import load_files

    path = folder / f"{name}.db"
    data = folder / f"{name}.toml"
    lines = [
        '[[services]]\nid = "benchdale"\nname = "Benchdale Youth Justice Service (fictional)"\n',
        '[[inspections]]\nid = "benchdale-2026"\nservice = "benchdale"\nframework = "hmip-2021"',
        'programme = "Youth justice inspection"\npublished = 2026-11-20\n',
    ]
    for n in range(1, recs + 1):
        lines.append(
            f'  [[inspections.recommendations]]\n  ref = "R{n}"\n  text = "Recommendation {n}"\n'
        )
    data.write_text("\n".join(lines))
    db, _ = prepare_store(settings_from({"YOS_DB": str(path)}))
    load_files(db, [data])
    db.close()
    conn = sqlite3.connect(path)
    start = TODAY - timedelta(weeks=weeks)
    with conn:
        for n in range(1, recs + 1):
            for a in range(1, actions + 1):
                due = TODAY + timedelta(days=(a * 9) % 60 - 10)
                cursor = conn.execute(
                    "INSERT INTO plan_actions (recommendation_id, number, text, owner_name, "
                    "agency, due_date, state, created_on, created_at) VALUES "
                    "(?, ?, ?, 'Head of Service', 'YJS', ?, 'in progress', ?, 't')",
                    [
                        f"benchdale-2026:R{n}",
                        a,
                        f"Action {n}.{a}",
                        due.isoformat(),
                        start.isoformat(),
                    ],
                )
                conn.executemany(
                    "INSERT INTO plan_progress (action_id, on_date, text, user_id, via, "
                    "recorded_at) VALUES (?, ?, 'Weekly update', 'U0BENCH', 'command', 't')",
                    [
                        (cursor.lastrowid, (start + timedelta(weeks=w)).isoformat())
                        for w in range(weeks)
                    ],
                )
    conn.execute("ANALYZE")
    conn.close()
    return path


def main() -> bool:
    from bench.commands import _ask
    from bot.app import Application, Policy
    from bot.store import StorePool

    folder = Path(tempfile.mkdtemp(prefix="yos-bench-plan-"))
    small = _store(folder, "small", 1, 1, 1)
    big = _store(folder, "big", 8, 10, 52 * YEARS)
    ok = True
    apps = {
        name: Application(StorePool(path), Policy(()), service="benchdale", today=TODAY)
        for name, path in (("small", small), ("big", big))
    }
    for label, small_text, big_text in (("plan", "plan", "plan"), ("rec R3", "rec R1", "rec R3")):
        p50 = {}
        for name, app in apps.items():
            call = _ask(app, small_text if name == "small" else big_text)
            call()
            p50[name] = percentile(_timed(call, COLD_RUNS, cold=True), 50)
        ratio = p50["big"] / p50["small"]
        print(
            f"{label:8} 1x1 {p50['small'] * 1000:7.2f} ms   8x10x{52 * YEARS} weeks "
            f"{p50['big'] * 1000:7.2f} ms   {ratio:.2f}x"
        )
        ok &= record(
            f"{label}: cold p50 8 recs x 10 actions x 5 years of notes / 1 x 1",
            f"{p50['big'] * 1000:.2f} / {p50['small'] * 1000:.2f} ms = {ratio:.2f}x",
            "<= 2x",
            ratio <= 2.0,
        )
    return ok


if __name__ == "__main__":
    main()
