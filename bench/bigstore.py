"""A national-scale store for the benchmarks, built once and cached under the temp folder.

What it holds, on top of the bundled data (the frameworks and the Stockton-on-Tees
inspection with its recommendation R1):

* 200 services x 10 inspections in HMIP's published-ratings format: ten tables (one per
  round; a table holds each service once) written exactly like
  ``../shared/data/hmi-youth-justice-ratings.csv`` and loaded with the project's own loader
  (``load_files``, in one load), so they are what ``yos-bot load`` would make;
* three recommendations on each service's latest inspection (a ratings table carries no
  recommendations, so these are inserted directly, with monitoring windows);
* 1,000,000 audit updates: 400,000 on Stockton's R1 (100,000 before its window, 300,000 in
  it up to the benchmarks' "today", 20 February 2014), the rest spread over the other 600
  recommendations; one in 97 retracted; some linked to a message;
* 200,000 remembered deliveries (the last 30 days) and 100,000 sent outbox rows.

Rows go in with ``executemany`` in batches inside one transaction. The file is cached as
``<temp>/yos-bench-<VERSION>-<digest of bot/store/migrations.py>/big.db``: change
``VERSION`` when the generator changes; a change to the migrations builds it afresh (and
removes the stores built for other schemas).

``python -m bench.bigstore`` builds it (if needed) and prints where it is.
"""

from __future__ import annotations

import csv
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

VERSION = "2"
SERVICES = 200
INSPECTIONS_PER_SERVICE = 10
RECS_PER_SERVICE = 3
AUDITS = 1_000_000
R1_AUDITS = 400_000
R1_BEFORE_WINDOW = 100_000
DELIVERIES = 200_000
OUTBOX_SENT = 100_000
BATCH = 50_000
RETRACT_EVERY = 97
LINK_EVERY = 50  # one audit in 50 recorded from a message (the shortcut)

TODAY = date(2014, 2, 20)  # the benchmarks' pinned "today": inside R1's window
R1 = "stockton-on-tees-sqs-2013:R1"
R1_FIRST_DAY = date(2013, 11, 25)  # the inspection's fieldwork began
R1_WINDOW_START = date(2014, 1, 14)

STANDARD_COLUMNS = (
    "staff",
    "partnerships_and_services",
    "information_and_facilities",
    "assessment",
    "planning",
    "reviewing",
    "implementation_and_delivery",
    "resettlement_policy_and_provision",
    "governance_and_leadership",
    "outofcourt_disposal_policy_and_provision",
    "policy_and_provision",
    "joint_working",
)
COLUMNS = (
    "la_name",
    "la_ref",
    "score_%",
    "overall_rating",
    "publication_date",
    "report_url",
    *STANDARD_COLUMNS,
)
RATINGS = ("Inadequate", "Requires Improvement", "Good", "Outstanding")  # 0..3 points
_FIRST = ("Ash", "Bram", "Cald", "Dun", "Elm", "Fen", "Gar", "Hol", "Ink", "Kel")
_SECOND = ("bury", "combe", "ford", "ham", "ley", "mouth", "stead", "thorpe", "wick", "worth")
_SHIRE = ("", " Vale", " and District")

# One service the benchmarks ask `compare` about, one of 2,000 inspections.
COMPARE_SERVICE = "Elmford"


def cache_key() -> str:
    """The generator's VERSION and a digest of the schema's migrations: a store built by an
    older generator, or under migrations that have changed since, is never reused."""
    import hashlib

    from bot.store import migrations

    digest = hashlib.sha256(Path(migrations.__file__).read_bytes()).hexdigest()[:10]
    return f"{VERSION}-{digest}"


def folder() -> Path:
    return Path(tempfile.gettempdir()) / f"yos-bench-{cache_key()}"


def big_store_path() -> Path:
    return folder() / "big.db"


def service_names() -> list[str]:
    """200 distinct place names, none a prefix of another's first word."""
    names = [f"{a}{b}{c}" for c in _SHIRE for a in _FIRST for b in _SECOND]
    return names[:SERVICES]


def _overall(points: int) -> str:
    if points <= 6:
        return "Inadequate"
    if points <= 18:
        return "Requires Improvement"
    if points <= 30:
        return "Good"
    return "Outstanding"


def ratings_rows(rng: random.Random, k: int) -> Iterator[dict[str, str]]:
    """The ``k``-th round of inspections: one row per service, as HMIP's published table
    has them (score_% = points / 36)."""
    for number, name in enumerate(service_names()):
        ref = f"{name.lower().replace(' ', '')}yjs"
        year = 2015 + k
        ratings = [rng.choice((1, 2, 2, 2, 3)) for _ in STANDARD_COLUMNS]
        points = sum(ratings)
        published = date(year, 1 + (number + k) % 12, 1 + number % 28)
        yield {
            "la_name": name,
            "la_ref": ref,
            "score_%": f"{points * 100 / 36:.2f}",
            "overall_rating": _overall(points),
            "publication_date": published.strftime("%d/%m/%y"),
            "report_url": "https://www.justiceinspectorates.gov.uk/hmiprobation/"
            f"inspections/{ref}{year}/",
            **{c: RATINGS[r] for c, r in zip(STANDARD_COLUMNS, ratings, strict=True)},
        }


def write_ratings_csvs(folder: Path, rng: random.Random) -> list[Path]:
    """One published table per round of inspections (a table holds a service once)."""
    paths = []
    for k in range(INSPECTIONS_PER_SERVICE):
        path = folder / f"national-ratings-{2015 + k}.csv"
        with path.open("w", newline="", encoding="utf-8") as stream:
            writer = csv.DictWriter(stream, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(ratings_rows(rng, k))
        paths.append(path)
    return paths


def _recommendation_rows(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    """Three recommendations on each generated service's latest inspection."""
    latest = conn.execute(
        "SELECT i.id, i.published FROM inspections i WHERE i.data_file LIKE '%.csv' AND "
        "i.published = (SELECT max(published) FROM inspections j "
        "WHERE j.service_id = i.service_id) ORDER BY i.id"
    ).fetchall()
    rows = []
    for inspection_id, published in latest:
        start = date.fromisoformat(published) + timedelta(days=60)
        for n in range(1, RECS_PER_SERVICE + 1):
            rows.append(
                (
                    f"{inspection_id}:R{n}",
                    inspection_id,
                    f"R{n}",
                    n,
                    f"Improve practice area {n} so that every case meets the standard.",
                    6,
                    start.isoformat(),
                    "Service managers",
                    '["case-file audit"]',
                    "YOS Management Board",
                    80.0,
                )
            )
    return rows


def _audit_rows(rec_ids: list[str], rng: random.Random) -> Iterator[tuple[Any, ...]]:
    """1,000,000 audits: R1's first, then the rest round-robin over ``rec_ids``."""
    before_days = (R1_WINDOW_START - R1_FIRST_DAY).days
    in_window_days = (TODAY - R1_WINDOW_START).days + 1
    recorded = datetime(2014, 2, 20, 9, 0, tzinfo=UTC)
    for n in range(AUDITS):
        if n < R1_AUDITS:
            rec = R1
            if n < R1_BEFORE_WINDOW:
                day = R1_FIRST_DAY + timedelta(days=n % before_days)
            else:
                day = R1_WINDOW_START + timedelta(days=n % in_window_days)
        else:
            rec = rec_ids[n % len(rec_ids)]
            day = date(2016, 1, 1) + timedelta(days=n % 3000)
        audited = 10 + n % 11
        compliant = min(audited, int(audited * rng.uniform(0.55, 1.0) + 0.5))
        user = f"U0AUD{n % 400:03d}"
        linked = n % LINK_EVERY == 0
        yield (
            n + 1,
            rec,
            day.isoformat(),
            audited,
            compliant,
            compliant / audited * 100,
            "monthly case-file audit" if n % 3 == 0 else None,
            user,
            f"auditor {n % 400}",
            "C0YOS" if linked or n % 2 else None,
            f"{1_700_000_000 + n}.000100" if linked else None,
            "shortcut" if linked else "command",
            f"slack:command:bench.{n}",
            (recorded + timedelta(seconds=n)).isoformat(timespec="seconds"),
            "slack",
        )


def _batches(rows: Iterator[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert_history(conn: sqlite3.Connection, rng: random.Random) -> dict[str, int]:
    rec_ids = [
        r[0] for r in conn.execute("SELECT id FROM recommendations WHERE id != ? ORDER BY id", [R1])
    ]
    counts = {"audit_updates": 0, "audit_retractions": 0, "deliveries": 0, "outbox": 0}
    conn.execute("BEGIN IMMEDIATE")
    for batch in _batches(_audit_rows(rec_ids, rng), BATCH):
        conn.executemany(
            "INSERT INTO audit_updates (id, recommendation_id, audit_date, audited, compliant, "
            "percent, note, user_id, user_name, channel_id, message_ref, via, delivery_key, "
            "recorded_at, platform) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            batch,
        )
        counts["audit_updates"] += len(batch)
    retractions = (
        (n, f"U0AUD{n % 400:03d}", None, "2014-02-20T10:00:00+00:00")
        for n in range(RETRACT_EVERY, AUDITS + 1, RETRACT_EVERY)
    )
    for batch in _batches(retractions, BATCH):
        conn.executemany(
            "INSERT INTO audit_retractions (audit_id, user_id, reason, retracted_at) "
            "VALUES (?, ?, ?, ?)",
            batch,
        )
        counts["audit_retractions"] += len(batch)
    now = datetime.now(UTC)
    deliveries = (
        (
            "slack",
            f"event:bench.{n}",
            "event",
            (now - timedelta(seconds=n * 12)).isoformat(timespec="seconds"),
        )
        for n in range(DELIVERIES)
    )
    for batch in _batches(deliveries, BATCH):
        conn.executemany(
            "INSERT INTO deliveries (platform, key, kind, received_at) VALUES (?, ?, ?, ?)", batch
        )
        counts["deliveries"] += len(batch)
    outbox = (
        (
            f"announce:slack:bench:{n}",
            "slack",
            "message",
            '{"conversation": "C0YOS"}',
            '{"title": "sent"}',
            "sent",
            1,
            1_700_000_000.0 + n,
            "2014-02-20T09:00:00+00:00",
        )
        for n in range(OUTBOX_SENT)
    )
    for batch in _batches(outbox, BATCH):
        conn.executemany(
            "INSERT INTO outbox (key, platform, kind, address, body, state, attempts, due_at, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            batch,
        )
        counts["outbox"] += len(batch)
    conn.execute("COMMIT")
    return counts


def build(path: Path) -> dict[str, float]:
    """Build the big store at ``path`` (replacing it); returns the time of each stage."""
    from bot.config import settings_from
    from bot.runtime import prepare_store
    from bot.store.loader import load_files

    timings: dict[str, float] = {}
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    rng = random.Random(14)
    started = time.perf_counter()
    db, _ = prepare_store(settings_from({"YOS_DB": str(path)}))
    timings["bundled data"] = time.perf_counter() - started

    tables = write_ratings_csvs(path.parent, rng)
    started = time.perf_counter()
    load_files(db, tables)
    timings["load 10 ratings tables, 2,000 rows"] = time.perf_counter() - started

    conn = db.conn
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO recommendations (id, inspection_id, ref, position, text, monitor_months, "
        "monitor_start, monitored_by, monitor_means, report_to, target) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        _recommendation_rows(conn),
    )
    conn.execute("COMMIT")
    counts = _insert_history(conn, rng)
    timings["1M audits, deliveries, outbox"] = time.perf_counter() - started
    started = time.perf_counter()
    # No ANALYZE: a deployed store has no statistics, so neither does this one.
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    timings["checkpoint"] = time.perf_counter() - started
    db.close()
    print(
        "  built "
        + ", ".join(f"{n:,} {table}" for table, n in counts.items())
        + f" in {sum(timings.values()):.1f} s"
    )
    return timings


def ensure_big_store() -> Path:
    """The cached big store, built when missing and migrated to the current schema."""
    from bot.store import migrate, open_db

    path = big_store_path()
    if not path.exists():
        for stale in Path(tempfile.gettempdir()).glob("yos-bench-*/big.db"):
            if stale.parent != path.parent:
                shutil.rmtree(stale.parent, ignore_errors=True)  # built for another schema
        print(f"building the national-scale store at {path} (cached for later runs)")
        partial = path.with_name("big.partial.db")
        for stage, seconds in build(partial).items():
            print(f"    {stage:32}{seconds:8.2f} s")
        for suffix in ("-wal", "-shm"):
            Path(f"{partial}{suffix}").unlink(missing_ok=True)
        os.replace(partial, path)
    db = open_db(path)
    started = time.perf_counter()
    applied = migrate(db)
    if applied:
        print(
            f"  migrated the cached store to version {max(applied)} "
            f"in {time.perf_counter() - started:.1f} s"
        )
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


def working_copy(source: Path, target: Path) -> Path:
    """A copy the benchmarks may write to, so the cached store stays as built."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    os.chmod(target, 0o600)
    return target


def seed_store(target: Path) -> Path:
    """The bundled data alone, with one audit in each of R1's three monthly periods."""
    from bot.config import settings_from
    from bot.runtime import prepare_store

    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    db, _ = prepare_store(settings_from({"YOS_DB": str(target)}))
    db.conn.executemany(
        "INSERT INTO audit_updates (recommendation_id, audit_date, audited, compliant, percent, "
        "note, user_id, via, delivery_key, recorded_at, platform) "
        "VALUES (?, ?, 20, ?, ?, 'monthly audit', 'U0AUD000', 'command', ?, ?, 'slack')",
        [
            (R1, "2014-01-28", 17, 85.0, "slack:command:seed.1", "2014-01-28T10:00:00+00:00"),
            (R1, "2014-02-18", 18, 90.0, "slack:command:seed.2", "2014-02-18T10:00:00+00:00"),
            (R1, "2014-02-19", 19, 95.0, "slack:command:seed.3", "2014-02-19T10:00:00+00:00"),
        ],
    )
    db.conn.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return target


if __name__ == "__main__":
    if "--rebuild" in sys.argv:
        big_store_path().unlink(missing_ok=True)
    started = time.perf_counter()
    print(ensure_big_store(), f"({time.perf_counter() - started:.1f} s)")
