"""The SQLite store: migrations, pragmas and the data-file loader, on real files."""

from __future__ import annotations

import functools
import os
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from bot.store import SCHEMA_VERSION, WouldWait, migrate, open_db, write_transaction
from bot.store.loader import LoadError, bundled_files, load_files
from bot.store.migrations import current_version
from bot.store.writers import WritersLock
from tests import launch
from tests.conftest import DATA_DIR

SEED = DATA_DIR / "stockton-on-tees-sqs-2013.toml"
FRAMEWORKS = DATA_DIR / "frameworks.toml"
CONTENT_TABLES = (
    "frameworks",
    "rating_bands",
    "services",
    "inspections",
    "themes",
    "strengths",
    "recommendations",
    "baselines",
    "governance_events",
    "data_files",
)


def dump(db) -> dict[str, list[tuple]]:
    return {t: sorted(tuple(r) for r in db.execute(f"SELECT * FROM [{t}]")) for t in CONTENT_TABLES}


def schema(db) -> set[str]:
    return {
        row[0]
        for row in db.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL")
        if "schema_migrations" not in row[0]
    }


@functools.cache
def _migrated() -> Path:
    """A new store with every migration run, made once per test process."""
    path = Path(tempfile.mkdtemp(prefix="yos-empty-")) / "store.db"
    store = open_db(path)
    migrate(store)
    store.close()
    return path


@pytest.fixture
def empty(tmp_path):
    shutil.copy(_migrated(), tmp_path / "store.db")
    store = open_db(tmp_path / "store.db")
    migrate(store)  # nothing left to do: as a store that has been opened before
    yield store
    store.close()


@pytest.fixture
def data_copy(tmp_path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(FRAMEWORKS, folder)
    shutil.copy(SEED, folder)
    return folder


# --- migrations and pragmas ----------------------------------------------------


def test_fresh_and_old_files_end_on_the_same_schema(tmp_path):
    fresh = open_db(tmp_path / "fresh.db")
    migrate(fresh)
    old = open_db(tmp_path / "old.db")
    migrate(old, target=1)
    assert current_version(old) == 1
    assert "slack_deliveries" not in old.table_names()
    applied = migrate(old)
    assert applied == list(range(2, SCHEMA_VERSION + 1))
    assert current_version(old) == current_version(fresh) == SCHEMA_VERSION
    assert schema(old) == schema(fresh)
    assert migrate(old) == []


def test_wal_foreign_keys_and_busy_timeout(empty):
    assert empty.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert empty.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert empty.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    with pytest.raises(sqlite3.IntegrityError):
        empty.execute(
            "INSERT INTO themes (inspection_id, slug, name, score) VALUES ('nope', 'x', 'X', 1)"
        )


def test_a_new_store_is_switched_to_wal_in_the_writers_turn(tmp_path):
    """Processes opening a new store together each switch it to WAL unless another has.
    Two switching at once would each wait on the other's read lock, which SQLite refuses
    at once ("database is locked") rather than waiting; so a switch waits for the turn."""
    path = tmp_path / "new.db"
    other = WritersLock(path)
    opened: list[str] = []
    with other.turn(5):
        opener = threading.Thread(
            target=lambda: opened.append(open_db(path).execute("PRAGMA journal_mode").fetchone()[0])
        )
        opener.start()
        opener.join(0.3)
        assert opener.is_alive()  # waiting for its turn
        assert opened == []
    opener.join(10)
    assert opened == ["wal"]


def test_a_store_already_in_wal_opens_while_another_worker_is_writing(tmp_path):
    """Only the switch to WAL takes the writers' turn: a store opened before is opened at
    once, however long another worker's write lasts."""
    path = tmp_path / "old.db"
    open_db(path).close()
    other = WritersLock(path)
    with other.turn(5):
        began = time.monotonic()
        mode = open_db(path).execute("PRAGMA journal_mode").fetchone()[0]
        assert time.monotonic() - began < 1.0
    assert mode == "wal"


def test_three_bots_starting_together_load_once(tmp_path):
    """Each loads the bundled data into a new store unless another has: one does."""
    path = str(tmp_path / "race.db")
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SLACK_", "TEAMS_", "YOS_"))
    }
    environment["YOS_DB"] = path
    bots = [
        launch.start(["ask", "summary"], env=environment, cwd=tmp_path, stdout=subprocess.PIPE)
        for _ in range(3)
    ]
    for bot in bots:
        out, _ = bot.communicate(60)
        assert bot.returncode == 0
        assert "Stockton" in out
    db = open_db(path)
    assert current_version(db) == SCHEMA_VERSION
    assert db.table("inspections").count == 1 + 83  # the bundled SQS and the national table, once
    assert db.table("themes").count == 4 + 592


# --- the connection: plain SQL, with sqlite-utils for tables --------------------


def test_a_write_outside_a_transaction_is_committed_at_once(empty, tmp_path):
    empty.execute("INSERT INTO reminders (key, kind, sent_at) VALUES ('r1', 'monthly', 'now')")
    assert not empty.conn.in_transaction  # nothing left open to capture later writes
    other = open_db(tmp_path / "store.db")
    assert other.execute("SELECT key FROM reminders").fetchall() == [("r1",)]


def test_a_failed_write_leaves_nothing_behind(empty):
    with pytest.raises(sqlite3.IntegrityError):
        empty.execute(
            "INSERT INTO themes (inspection_id, slug, name, score) VALUES ('nope', 'x', 'X', 1)"
        )
    assert not empty.conn.in_transaction
    empty.execute("INSERT INTO reminders (key, kind, sent_at) VALUES ('r2', 'monthly', 'now')")
    assert empty.table("reminders").count == 1


def test_a_nested_write_that_fails_is_undone_alone(empty):
    with write_transaction(empty):
        empty.execute("INSERT INTO reminders (key, kind, sent_at) VALUES ('kept', 'm', 'now')")
        with pytest.raises(sqlite3.IntegrityError), write_transaction(empty):
            empty.execute("INSERT INTO reminders (key, kind, sent_at) VALUES ('gone', 'm', 'now')")
            empty.execute("INSERT INTO reminders (key, kind, sent_at) VALUES ('gone', 'm', 'now')")
    assert [r["key"] for r in empty.query("SELECT key FROM reminders")] == ["kept"]


def test_query_is_for_rows(empty):
    assert list(empty.query("SELECT 1 AS one, 'a' AS letter")) == [{"one": 1, "letter": "a"}]
    with pytest.raises(ValueError, match="execute"):
        empty.query("DELETE FROM reminders")


def test_answering_a_question_loads_only_what_answering_needs(tmp_path):
    """sqlite-utils (with dateutil and pluggy) is some 23 ms of a start: a serving process
    loads it for its first table-level write, never to answer a question; nor the loader,
    backups, the screening of notes, or what drawing a chart or a paper needs."""
    import subprocess
    import sys

    from bot.config import settings_from
    from bot.runtime import prepare_store

    path = tmp_path / "store.db"
    prepare_store(settings_from({"YOS_DB": str(path)}))[0].close()
    script = (
        "import sys\n"
        "from bot.config import settings_from\n"
        "from bot.runtime import application, prepare_store\n"
        "from bot.console import console_request\n"
        "from bot.store import StorePool\n"
        "import bot.slack.serve, bot.teams.serve\n"
        f"settings = settings_from({{'YOS_DB': {str(path)!r}}})\n"
        "prepare_store(settings)\n"
        "app = application(settings, StorePool(settings.db_path))\n"
        "for question in ('summary', 'score protecting-public', 'recs', 'audits R1', 'compare'):\n"
        "    assert app.handle(console_request(question)).reply.ok, question\n"
        "later = ('sqlite_utils', 'dateutil', 'numpy', 'matplotlib', 'docx', 'bot.paper',"
        " 'bot.store.loader', 'bot.store.backup', 'bot.domain.monitoring.privacy')\n"
        "print(sorted(m for m in later if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]", result.stderr


# --- loading -----------------------------------------------------------------------


def test_loading_twice_changes_nothing(empty):
    first = load_files(empty, bundled_files(DATA_DIR))
    assert first.changed
    before = dump(empty)
    second = load_files(empty, bundled_files(DATA_DIR))
    assert not second.changed
    assert "already up to date" in second.describe()
    assert dump(empty) == before


def test_an_edited_file_updates_the_store(empty, data_copy):
    load_files(empty, bundled_files(data_copy))
    seed = data_copy / SEED.name
    text = seed.read_text()
    text = text.replace(
        'name = "Protecting the public"\n  score = 91',
        'name = "Protecting the public"\n  score = 92',
    )
    text = text.replace(
        '  "The identification of diversity issues',
        '  "A new strength",\n  "The identification of diversity issues',
    )
    seed.write_text(text)
    report = load_files(empty, [seed])
    assert report.changes["themes updated"] == 1
    assert report.changes["strengths added"] == 1
    assert (
        empty.table("themes").get(("stockton-on-tees-sqs-2013", "protecting-public"))["score"] == 92
    )
    assert empty.table("strengths").count == 4


def test_a_theme_removed_from_the_file_leaves_the_store(empty, data_copy):
    load_files(empty, bundled_files(data_copy))
    seed = data_copy / SEED.name
    text = seed.read_text().replace(
        '  [[inspections.themes]]\n  name = "Protecting the public"\n  score = 91\n\n', ""
    )
    seed.write_text(text)
    report = load_files(empty, [seed])
    assert report.changes["themes removed"] == 1
    assert empty.table("themes").count == 3


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "score = 87",
            'score = "eighty-seven"',
            "inspections[0].themes[2].score: must be a number",
        ),
        (
            "score = 87",
            "score = 187",
            "inspections[0].themes[2].score: must be from 0 to 100, got 187",
        ),
        (
            "published = 2013-12-18",
            'published = "18/12/2013"',
            "inspections[0].published: must be a date",
        ),
        (
            "published = 2013-12-18",
            "published = 2013-11-01",
            "inspections[0].published: is before the fieldwork ended",
        ),
        (
            'ref = "R1"',
            'ref = "Rec one"',
            "inspections[0].recommendations[0].ref: must look like R1",
        ),
        (
            'framework = "hmip-case-assessment-2009"',
            'framework = "hmip-1066"',
            "framework 'hmip-1066' is not defined",
        ),
        ('programme = "Short Quality Screening"\n', "", "inspections[0].programme: is required"),
        ("[[services]]", "[[servces]]", "servces: is not a known section"),
        (
            "fieldwork_end = 2013-11-27",
            "fieldwork_end = 2013-11-27\nfieldwork_end = 2013-11-28",
            "not valid TOML",
        ),
    ],
)
def test_a_bad_file_is_refused_whole(empty, data_copy, old, new, expected):
    load_files(empty, [data_copy / FRAMEWORKS.name])
    before = dump(empty)
    seed = data_copy / SEED.name
    assert old in seed.read_text()
    seed.write_text(seed.read_text().replace(old, new, 1))
    with pytest.raises(LoadError) as refused:
        load_files(empty, [seed])
    message = str(refused.value)
    assert message.startswith(str(seed))
    assert expected in message
    assert dump(empty) == before


def test_nothing_is_loaded_when_any_file_of_a_batch_is_bad(empty, data_copy, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[services]]\nname = "No id"\n')
    with pytest.raises(LoadError, match=r"bad.toml: services\[0\].id: is required"):
        load_files(empty, [*bundled_files(data_copy), bad])
    assert empty.table("inspections").count == 0
    assert empty.table("frameworks").count == 0


def test_a_new_framework_is_data_not_code(empty, tmp_path):
    load_files(empty, bundled_files(DATA_DIR))
    extra = tmp_path / "framework-2030.toml"
    extra.write_text(
        """
[[frameworks]]
id = "hmip-2030"
name = "A later framework"
measure = "percent"
unit = "stars"
  [[frameworks.bands]]
  applies_to = "score"
  label = "Excellent"
  lower = 90
  upper = 100
  value = 5
  [[frameworks.bands]]
  applies_to = "score"
  label = "Fine"
  lower = 0
  upper = 89
  value = 2
"""
    )
    load_files(empty, [extra])
    from bot.domain.inspections.queries import InspectionQueries

    scale = InspectionQueries(empty).scale("hmip-2030")
    assert scale.band_for(91).badge == "★★★★★ Excellent"
    assert scale.band_for(89).label == "Fine"


def _record_one(db) -> None:
    from datetime import date

    from bot.domain.inspections.queries import InspectionQueries
    from bot.domain.monitoring.audits import AuditDraft, Origin, record_audit

    draft = AuditDraft(ref="R1", audit_date=date(2014, 2, 20), audited=20, compliant=17)
    queries = InspectionQueries(db)
    inspection = queries.latest_inspection()
    record_audit(db, queries, inspection, draft, Origin(via="console"), date(2014, 2, 20))


RUNTIME_TABLES = ("deliveries", "outbox", "conversations", "reminders", "audit_updates")


def test_reload_keeps_runtime_rows(empty, data_copy):
    from bot.store import outbox
    from bot.store.deliveries import claim

    load_files(empty, bundled_files(data_copy))
    _record_one(empty)
    assert claim(empty, "slack", "event:Ev1", "event")
    with write_transaction(empty):
        outbox.add(
            empty,
            key="announce:slack:event:Ev1",
            platform="slack",
            kind=outbox.MESSAGE,
            address=outbox.Address("C0YOS"),
            body="{}",
        )
    empty.table("conversations").insert({"platform": "teams", "conversation_id": "19:abc"})
    empty.table("reminders").insert({"key": "r1", "kind": "monthly-audit", "sent_at": "now"})
    before = {
        t: sorted(tuple(r) for r in empty.execute(f"SELECT * FROM {t}")) for t in RUNTIME_TABLES
    }
    seed = data_copy / SEED.name
    seed.write_text(seed.read_text().replace("monitor_months = 3", "monitor_months = 4"))
    report = load_files(empty, [seed])
    assert report.changes["recommendations updated"] == 1
    after = {
        t: sorted(tuple(r) for r in empty.execute(f"SELECT * FROM {t}")) for t in RUNTIME_TABLES
    }
    assert after == before
    assert all(after.values())
    [audit] = list(empty.table("audit_updates").rows)
    assert audit["percent"] == 85.0


def test_a_version_5_store_keeps_its_records_through_migration_6(tmp_path, data_copy):
    """Deliveries become platform-keyed; audit updates keep their message, now a message_ref."""
    old = open_db(tmp_path / "v5.db")
    migrate(old, target=5)
    load_files(old, bundled_files(data_copy))
    old.table("slack_deliveries").insert({"key": "event:Ev1", "kind": "event", "received_at": "t1"})
    common = {
        "recommendation_id": "stockton-on-tees-sqs-2013:R1",
        "audit_date": "2014-02-20",
        "percent": 85.0,
        "recorded_at": "t",
    }
    old.table("audit_updates").insert(
        {**common, "message_ts": "1.2", "channel_id": "C0YOS", "via": "shortcut", "user_id": "U1"}
    )
    old.table("audit_updates").insert({**common, "via": "console", "delivery_key": "k"})
    old.table("recommendation_history").insert(
        {"recommendation_id": common["recommendation_id"], "action": "close", "at": "t"}
    )

    assert migrate(old) == list(range(6, SCHEMA_VERSION + 1))
    assert "slack_deliveries" not in old.table_names()
    assert [(r["platform"], r["key"], r["kind"]) for r in old.table("deliveries").rows] == [
        ("slack", "event:Ev1", "event")
    ]
    rows = [(r["message_ref"], r["platform"], r["via"]) for r in old.table("audit_updates").rows]
    assert rows == [("1.2", "slack", "shortcut"), (None, None, "console")]
    [change] = old.table("recommendation_history").rows
    assert change["action"] == "close" and change["user_name"] is None
    assert old.table("outbox").count == 0
    fresh = open_db(tmp_path / "fresh.db")
    migrate(fresh)
    assert schema(old) == schema(fresh)


def test_the_outbox_queues_a_key_once_and_claims_due_items_of_one_platform(empty):
    from bot.store import outbox

    def add(key: str, platform: str = "slack", due_at: float = 100.0) -> bool:
        with write_transaction(empty):
            return outbox.add(
                empty,
                key=key,
                platform=platform,
                kind=outbox.MESSAGE,
                address=outbox.Address("C1", "t1"),
                body="{}",
                notify=outbox.Address("C1", user="U1"),
                due_at=due_at,
            )

    assert add("a") and not add("a")
    assert add("later", due_at=500.0) and add("teams", platform="teams")
    [item] = outbox.claim_due(empty, "slack", now=200.0, lease_seconds=30)
    assert (item.key, item.attempts, item.address, item.notify) == (
        "a",
        1,
        outbox.Address("C1", "t1"),
        outbox.Address("C1", user="U1"),
    )
    assert outbox.claim_due(empty, "slack", now=229.0, lease_seconds=30) == []  # leased
    [again] = outbox.claim_due(empty, "slack", now=231.0, lease_seconds=30)  # lease ran out
    assert (again.key, again.attempts) == ("a", 2)
    outbox.mark_sent(empty, again.id)
    assert outbox.next_due(empty, "slack") == 500.0
    assert outbox.counts(empty) == {"sent": 1, "pending": 2}


def test_an_idle_look_at_the_outbox_does_not_wait_for_the_write_lock(empty, tmp_path):
    """Every worker's sender looks often; with nothing due it only reads, so it never
    queues behind (or holds up) a worker recording an audit."""
    from bot.store import outbox

    writer = sqlite3.connect(tmp_path / "store.db", timeout=0.1)
    writer.execute("BEGIN IMMEDIATE")  # another process is writing
    try:
        empty.execute("PRAGMA busy_timeout = 100")
        assert outbox.claim_due(empty, "slack", now=200.0, lease_seconds=30) == []
    finally:
        writer.rollback()
        writer.close()


# --- a caller that must not wait (an event loop) ----------------------------------


def _remind(db, key: str) -> None:
    with write_transaction(db):
        db.execute("INSERT INTO reminders (key, kind, sent_at) VALUES (?, 'monthly', 'now')", [key])


def test_without_waiting_a_write_whose_turn_has_not_come_is_refused_at_once(empty, tmp_path):
    other = open_db(tmp_path / "store.db")  # another worker, mid-write: it has the turn
    try:
        with other.writers.turn(1.0):
            started = time.monotonic()
            with pytest.raises(WouldWait), empty.without_waiting():
                _remind(empty, "r1")
            assert time.monotonic() - started < 0.5
        assert empty.table("reminders").count == 0
        _remind(empty, "r2")  # waiting as before once the block is over
        assert empty.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    finally:
        other.close()
    assert [r[0] for r in empty.execute("SELECT key FROM reminders")] == ["r2"]


def test_without_waiting_a_store_locked_by_another_program_is_refused_at_once(empty, tmp_path):
    """A program that writes without taking turns (the sqlite3 shell, say) has SQLite's
    own lock: a statement that would wait on it is refused, and nothing is written."""
    writer = sqlite3.connect(tmp_path / "store.db", timeout=0.1)
    writer.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(WouldWait), empty.without_waiting():
            _remind(empty, "r1")
        assert not empty.conn.in_transaction
    finally:
        writer.rollback()
        writer.close()
    with empty.without_waiting():
        _remind(empty, "r1")  # free now: written at once
    assert empty.table("reminders").count == 1


def test_a_commit_that_fails_leaves_no_transaction_open(empty):
    empty.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
    empty.execute(
        "CREATE TABLE child (parent INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)"
    )
    with pytest.raises(sqlite3.IntegrityError), write_transaction(empty):
        empty.execute("INSERT INTO child VALUES (12345)")  # refused only at COMMIT
    assert not empty.conn.in_transaction
    _remind(empty, "after")
    assert empty.table("reminders").count == 1
    assert empty.table("child").count == 0


def test_a_recommendation_with_evidence_cannot_be_removed_from_the_file(empty, data_copy):
    load_files(empty, bundled_files(data_copy))
    _record_one(empty)
    before = dump(empty)
    seed = data_copy / SEED.name
    text = seed.read_text()
    start = text.index("  [[inspections.recommendations]]")
    end = text.index("  [[inspections.events]]")
    seed.write_text(text[:start] + text[end:])
    with pytest.raises(LoadError, match="recommendation R1 has audit updates recorded against it"):
        load_files(empty, [seed])
    assert dump(empty) == before
