"""Announcements exactly once through crashes (issue 23), at scale.

3,200 audits sent by 16 clients to the real server (4 gunicorn workers), every 10th request
a repeat of an earlier delivery as Slack's retries are, against the fake Slack Web API,
which kills with SIGKILL the worker whose sender posted every 250th message, after Slack has
kept it and before the worker hears back (up to 12 kills). A client whose request dies
with its worker sends it again, as Slack would. When the outbox is empty, every audit
recorded must have been announced exactly once: 0 duplicates, 0 missing.

    python -m bench announce_once      # with the other benchmarks' table
    python -m bench.announce_once      # on its own
"""

from __future__ import annotations

import http.client
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

from bench.bigstore import seed_store
from bench.results import record
from bench.served import _post, command_body, start_bot
from tests.crashing_senders import Killer, count
from tests.fake_slack import FakeSlack

AUDITS = 3200
CLIENTS = 16
WORKERS = 4
REPEAT_EVERY = 10
KILL_EVERY = 250
MOST_KILLS = 12


def _send(
    port: int, client: int, per_client: int, answers: list[bytes], lock: threading.Lock
) -> int:
    """One client's audits, each sent until it is answered; returns how many it resent."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    bodies: list[str] = []
    resent = 0
    for n in range(per_client + per_client // (REPEAT_EVERY - 1)):
        if n % REPEAT_EVERY == REPEAT_EVERY - 1 and bodies:
            body = bodies[max(0, len(bodies) - 5)]  # a retried delivery
        else:
            text = f"audit R1 {n % 20 + 1}/20 crash bench {client}-{n}"
            body = command_body(text, user=f"U0WRITER{client}", trigger=f"ab{client}.{n}")
            bodies.append(body)
        for _ in range(20):
            try:
                status, answer = _post(conn, body)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                resent += 1
                time.sleep(0.05)
                continue
            if status == 200:
                with lock:
                    answers.append(answer)
                break
            resent += 1
    conn.close()
    return resent


def main(folder: Path | None = None) -> bool:
    folder = folder or Path(tempfile.mkdtemp(prefix="yos-announce-"))
    db = seed_store(folder / "announce.db")
    fake = FakeSlack().start()
    killer = Killer(every=KILL_EVERY, most=MOST_KILLS)
    fake.on_post = killer
    auditors = ",".join(f"U0WRITER{c}" for c in range(CLIENTS))
    answers: list[bytes] = []
    lock = threading.Lock()
    resent: list[int] = []
    started = time.perf_counter()
    server = start_bot(
        fake,
        db,
        workers=WORKERS,
        YOS_AUDITORS=auditors,
        YOS_OUTBOX_LEASE_SECONDS="2",
        YOS_OUTBOX_RETRY_SECONDS="0.2",
    )
    try:
        per_client = AUDITS // CLIENTS

        def client(number: int) -> None:
            made = _send(server.port, number, per_client, answers, lock)
            with lock:
                resent.append(made)

        threads = [threading.Thread(target=client, args=(c,)) for c in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            with sqlite3.connect(db, timeout=30) as conn:
                busy = conn.execute(
                    "SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')"
                ).fetchone()[0]
            if not busy:
                break
            time.sleep(0.2)
    finally:
        server.stop()
        fake.stop()
    elapsed = time.perf_counter() - started
    with sqlite3.connect(db) as conn:
        recorded = conn.execute(
            "SELECT count(*), count(DISTINCT delivery_key) FROM audit_updates "
            "WHERE delivery_key LIKE 'slack:command:ab%'"
        ).fetchone()
        keys = [
            row[0] for row in conn.execute("SELECT key FROM outbox WHERE key LIKE 'announce:%'")
        ]
        retried = conn.execute(
            "SELECT count(*) FROM outbox WHERE key LIKE 'announce:%' AND attempts > 1"
        ).fetchone()[0]
        unsent = conn.execute("SELECT count(*) FROM outbox WHERE state <> 'sent'").fetchone()[0]
    counted = count(fake, keys)
    print(
        f"announcements through crashes: {recorded[0]} audits recorded ({recorded[1]} distinct "
        f"deliveries, {AUDITS} sent), {len(keys)} announcements queued, {killer.kills} workers "
        f"killed after posting, {sum(resent)} requests resent; {counted.posted} posted, "
        f"{counted.duplicates} duplicates, {counted.missing} missing, {retried} taken over "
        f"after a kill, {unsent} unsent; {elapsed:.0f} s"
    )
    ok = record(
        "announcements with worker kills",
        f"{counted.duplicates} dup, {counted.missing} missing of {len(keys)} "
        f"({killer.kills} kills)",
        "0 duplicates, 0 missing",
        counted.duplicates == 0
        and counted.missing == 0
        and recorded[0] == recorded[1] == AUDITS
        and len(keys) == AUDITS
        and killer.kills > 0,
    )
    return ok


if __name__ == "__main__":
    import sys

    from bench.results import print_table

    main()
    sys.exit(0 if print_table() else 1)
