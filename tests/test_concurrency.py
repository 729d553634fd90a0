"""Several writers at once, and a writer killed mid-write: nothing lost, nothing doubled."""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bot.config import PROJECT_ROOT
from tests.concurrent_clients import PER_PROCESS, RESENT, post_updates
from tests.conftest import IN_WINDOW

PROCESSES = 4


def test_several_workers_and_clients_record_every_update_exactly_once(
    fake_slack, tmp_path, bundled_store
):
    fake_slack.reset()
    from tests.slack_requests import ServedApp

    # The store as a first start leaves it (the bundled data loaded by the same loader),
    # so that the four workers share one store rather than race to load it.
    db_path = tmp_path / "yos.db"
    shutil.copy(bundled_store, db_path)
    app = ServedApp(db_path, fake_slack.api_url, workers=4, YOS_TODAY=IN_WINDOW.isoformat()).start()
    try:
        context = multiprocessing.get_context("spawn")
        clients = [
            context.Process(target=post_updates, args=(app.url, c)) for c in range(PROCESSES)
        ]
        started = time.perf_counter()
        for client in clients:
            client.start()
        for client in clients:
            client.join(180)
            assert client.exitcode == 0
        elapsed = time.perf_counter() - started
    finally:
        app.stop()
    with sqlite3.connect(app.db_path) as conn:
        notes = [r[0] for r in conn.execute("SELECT note FROM audit_updates")]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    expected = {f"client {c} update {n}" for c in range(PROCESSES) for n in range(PER_PROCESS)}
    assert len(notes) == len(expected) == PROCESSES * PER_PROCESS
    assert set(notes) == expected
    sent = PROCESSES * (PER_PROCESS + RESENT)
    print(
        f"\n{sent} deliveries, {len(notes)} updates recorded in {elapsed:.2f}s "
        f"({len(notes) / elapsed:.0f} updates/s, 4 workers)"
    )


WRITER = """
import os, sys, time
from datetime import date
from pathlib import Path
from bot.config import settings_from
from bot.runtime import prepare_store, make_context
from bot.domain.monitoring.audits import AuditDraft, Origin, record_audit
from bot.store.db import write_transaction

db_path, marker, mode = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
settings = settings_from({"YOS_DB": db_path, "YOS_TODAY": "2014-02-20"})
db, _ = prepare_store(settings)
ctx = make_context(db, settings, via="console")
if mode == "hold":
    db.execute("BEGIN IMMEDIATE")
    db.execute(
        "INSERT INTO audit_updates (recommendation_id, audit_date, percent, via, recorded_at) "
        "VALUES ('stockton-on-tees-sqs-2013:R1', '2014-02-20', 50, 'console', 'now')"
    )
    marker.write_text("inside")
    time.sleep(60)
else:
    n = 0
    while True:
        draft = AuditDraft(ref="R1", audit_date=date(2014, 2, 20), audited=20, compliant=n % 21)
        record_audit(db, ctx.queries, ctx.home_inspection(), draft,
                     Origin(via="console", delivery_key=f"k{n}"), ctx.today)
        n += 1
        # Replace, never truncate: the marker must hold a whole number when we are killed.
        marker.with_suffix(".tmp").write_text(str(n))
        os.replace(marker.with_suffix(".tmp"), marker)
"""


def _writer(tmp_path: Path, mode: str) -> tuple[subprocess.Popen[bytes], Path, Path]:
    db_path, marker = tmp_path / "killed.db", tmp_path / "marker"
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db_path), str(marker), mode],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    deadline = time.monotonic() + 60
    while not (marker.exists() and marker.read_text()) and time.monotonic() < deadline:
        time.sleep(0.02)
    return process, db_path, marker


def test_a_writer_killed_inside_a_transaction_leaves_the_store_consistent(tmp_path):
    process, db_path, _ = _writer(tmp_path, "hold")
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    with sqlite3.connect(db_path, timeout=5) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM audit_updates").fetchone()[0] == 0
        conn.execute(
            "INSERT INTO deliveries (platform, key, kind, received_at) "
            "VALUES ('slack', 'k', 'x', 'now')"
        )
        stockton = "SELECT count(*) FROM themes WHERE inspection_id = 'stockton-on-tees-sqs-2013'"
        assert conn.execute(stockton).fetchone()[0] == 4  # the loaded data is all there


def test_a_writer_killed_while_writing_loses_no_committed_update(tmp_path):
    process, db_path, marker = _writer(tmp_path, "loop")
    while int(marker.read_text() or 0) < 50:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    committed = int(marker.read_text())
    with sqlite3.connect(db_path, timeout=5) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count, keys = conn.execute(
            "SELECT count(*), count(DISTINCT delivery_key) FROM audit_updates"
        ).fetchone()
    assert committed <= count <= committed + 1  # at most the one committed before its marker
    assert keys == count


def _worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def test_a_worker_killed_holding_announcements_loses_none_and_sends_none_twice(
    fake_slack, tmp_path
):
    """Announcements queued by four audits are claimed by a worker that is killed while
    Slack is slow to answer; the worker that replaces it sends each exactly once."""
    from tests.slack_requests import ServedApp

    fake_slack.reset()
    app = ServedApp(
        tmp_path / "yos.db",
        fake_slack.api_url,
        YOS_TODAY=IN_WINDOW.isoformat(),
        YOS_OUTBOX_LEASE_SECONDS="1",
        YOS_OUTBOX_RETRY_SECONDS="0.05",
    ).start()
    try:
        # The first post hangs, so the worker is holding every claimed row when killed.
        fake_slack.script("chat.postMessage", 200, {"ok": True}, delay=30)
        for n in range(4):
            response = app.command(f"audit R1 {16 + n}/20 killed {n}", user="U0AUDITOR")
            assert b"Recorded audit update #" in response.body
        fake_slack.wait_for("chat.postMessage")
        with sqlite3.connect(app.db_path) as conn:
            held = conn.execute("SELECT count(*) FROM outbox WHERE state = 'sending'").fetchone()
        assert held[0] >= 1
        assert app.process is not None
        [worker] = _worker_pids(app.process.pid)
        os.kill(worker, signal.SIGKILL)
        app.wait_until_outbox_idle(timeout=30)
        answered = fake_slack.answered("chat.postMessage")
    finally:
        app.stop()
    announced = sorted(
        int(re.search(r"Audit update #(\d+)", call.params["text"]).group(1))  # type: ignore[union-attr]
        for call in answered
    )
    assert announced == [1, 2, 3, 4]  # every announcement, each exactly once
    with sqlite3.connect(app.db_path) as conn:
        states = conn.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall()
    assert states == [("sent", 4)]
