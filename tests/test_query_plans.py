"""Every query the bot issues finds its rows through an index.

The SQL is collected, not listed by hand: ``sqlite3.Connection.set_trace_callback`` records
each statement while every command runs through ``Application.handle`` (and the audit
form, the message shortcut, sharing, posting the report, reminders, the outbox sender and
start-up) on a migrated store with some audits. Then ``EXPLAIN QUERY PLAN`` is asked of
each distinct statement, and a full ``SCAN`` of a table that grows with use (audit updates
and their retractions, inspections and their themes, recommendations, deliveries, the
outbox) fails the test with the statement and its plan; so does a search of the outbox by
platform alone, which reads every row ever sent. ``SEARCH … USING INDEX`` is what every one
should do; a scan of a small lookup table (frameworks, bands) or of a partial index (which
holds only the few rows it is for) is fine.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import replace
from datetime import date

import pytest

from bot.app import Application, Delivery, Policy, Request, Sender
from bot.app.requests import Platform
from bot.commands import default_registry
from bot.forms import FormKind
from bot.reply import Person
from bot.runtime import prepare_store
from bot.store import StorePool
from bot.store.deliveries import prune_deliveries

# Tables whose size grows with the history or with the number of services.
GROWING = frozenset(
    {
        "audit_updates",
        "audit_retractions",
        "inspections",
        "themes",
        "recommendations",
        "deliveries",
        "outbox",
        "recommendation_history",
        "reminders",
    }
)
TODAY = date(2014, 2, 20)
CHAT = Platform("chat", invocation="/yos ", charts=True)
AUDITOR = Person("U0AUDITOR", "Ann Auditor", CHAT.name)

# Every command with the arguments that take it down its main paths.
ASKED = (
    "help",
    "help score",
    "summary",
    "summary Stockton",
    "scores",
    "score protecting-public",
    "score public Stockton",
    "bands",
    "recs",
    "strengths",
    "timeline",
    "compare",
    "compare Hull",  # ranked: level with others, neighbours
    "compare West Sussex",  # questionable as published: not ranked
    "services",
    "services good",
    "services inadequate",  # the questionable rows' published ratings are read
    "services 5",  # the last page: earlier programmes
    "use Stockton",
    "how did we score on protecting the public",
    'audit R1 17/20 2014-01-28 January audit --late "from the paper log"',
    "audit R1 18/20 2014-02-18 February audit",
    "audit R1 19/20 2014-02-19",
    "audit R1 60% 2014-01-10 --outside",
    "audit R1 21/20",
    "audits R1",
    "audits R1 2",
    "rec R1",
    "report",
    "report R1",
    "home",
    "audit undo",
    "audit undo 1",
    'rec R1 close "Reported to the board" --early "the board asked early"',
    "rec R1",
    'rec R1 reopen "More audits to come"',
    "nonsense words",
)
COMMANDS_COVERED = {
    "help",
    "summary",
    "scores",
    "score",
    "bands",
    "recs",
    "strengths",
    "timeline",
    "compare",
    "services",
    "use",
    "audit",
    "audits",
    "rec",
    "report",
    "home",
}


class _Accepting:
    def __init__(self) -> None:
        self.delivered: list[Delivery] = []

    def deliver(self, delivery: Delivery) -> None:
        self.delivered.append(delivery)


def _collect(tmp_path) -> list[str]:
    """Every statement the bot issued while doing everything it does, in order."""
    from bot.config import settings_from

    path = tmp_path / "plans.db"
    settings = settings_from({"YOS_DB": str(path), "YOS_TODAY": TODAY.isoformat()})
    statements: list[str] = []
    db, _ = prepare_store(settings)  # migrated, bundled data loaded
    db.close()
    store = StorePool(path)
    store.db.conn.set_trace_callback(statements.append)
    prune_deliveries(store.db)
    prepare_store(settings)[0].close()  # start-up again, on a store with data
    app = Application(store, Policy(("U0AUDITOR",)), today=TODAY)
    n = 0

    def request(text: str = "", **options: object) -> Request:
        nonlocal n
        n += 1
        return Request(
            CHAT,
            text=text,
            user=AUDITOR,
            conversation="C0YOS",
            delivery_id=f"plan.{n}",
            **options,  # type: ignore[arg-type]
        )

    for text in ASKED:
        app.handle(request(text))
    app.handle(request("audits R1", answer_in_conversation=True))
    app.handle(replace(request("audit R1 16/20 2014-02-17 from a message"), message_ref="m.1"))
    app.handle(replace(request("audit R1 16/20 2014-02-17 again"), message_ref="m.1"))
    app.handle(request("audit R1 15/20 2014-02-16 retried"))
    app.handle(replace(request("audit R1 15/20 2014-02-16 retried"), delivery_id=f"plan.{n}"))
    app.submit_form(
        request(),
        FormKind.AUDIT,
        {"recommendation": "R1", "audit_date": "2014-02-15", "audited": "20", "compliant": "18"},
    )
    app.submit_form(
        request(), FormKind.AUDIT, {"recommendation": "R1", "audit_date": "", "audited": "x"}
    )
    app.share(request(), "scores", "")
    app.share(request(), "rec", "R1")
    app.post_report(request(), "R1")
    app.open_form(request(), FormKind.AUDIT)
    app.claim(request(), "form")
    app.queue_reminders(CHAT, "C0YOS")
    app.due_reminder_texts(CHAT, "C0YOS")
    Sender(store, CHAT.name, _Accepting(), lambda chart: None).drain()
    store.db.conn.set_trace_callback(None)
    asked = {default_registry().find(t.split()[0]) for t in ASKED}
    assert {c.name for c in asked if c} >= COMMANDS_COVERED
    return statements


_SKIP = re.compile(
    r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA|ANALYZE|CREATE|DROP|ALTER)\b", re.I
)
_TABLE = re.compile(r"\b(?:FROM|JOIN|UPDATE|INTO)\s+\[?(\w+)\]?(?:\s+(?:AS\s+)?(\w+))?", re.I)
_NOT_ALIAS = frozenset(
    {"where", "join", "left", "inner", "cross", "on", "order", "group", "limit", "set", "using"}
    | {"values", "select", "natural", "as", "union", "default"}
)


_LITERAL = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")


def _shape(sql: str) -> str:
    """The statement with its values taken out: one plan per query, whatever it was asked."""
    return _LITERAL.sub("?", sql)


def _aliases(sql: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for table, alias in _TABLE.findall(sql):
        names[table.lower()] = table.lower()
        if alias and alias.lower() not in _NOT_ALIAS:
            names[alias.lower()] = table.lower()
    return names


# A search of these tables must narrow by more than its first column: the outbox's
# (platform, state, due_at) index searched by platform alone reads every row ever sent.
NARROWED = {"outbox": "state="}


def _partial_indexes(conn: sqlite3.Connection) -> set[str]:
    """Indexes with a WHERE clause: scanning one reads only the few rows it holds."""
    return {
        name.lower()
        for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'")
        if sql and " WHERE " in sql.upper()
    }


def _scans(conn: sqlite3.Connection, sql: str) -> list[str]:
    """The growing tables ``sql`` reads in full, from its query plan."""
    try:
        plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]
    except sqlite3.OperationalError as error:
        # sqlite-utils probes SQLite's features with a throwaway table of its own.
        if "no such table: t" in str(error):
            return []
        raise
    aliases = _aliases(sql)
    partial = _partial_indexes(conn)
    found = []
    for step in plan:
        read = re.match(r"(SCAN|SEARCH) (\w+)(?: USING (?:COVERING )?INDEX (\w+))?", step)
        if not read:
            continue
        table = aliases.get(read[2].lower(), read[2].lower())
        if table not in GROWING:
            continue
        full_scan = read[1] == "SCAN" and (read[3] or "").lower() not in partial
        too_wide = (
            read[1] == "SEARCH"
            and table in NARROWED
            and "PRIMARY KEY" not in step
            and NARROWED[table] not in step
        )
        if full_scan or too_wide:
            found.append(step)
    return found


@pytest.fixture(scope="module")
def issued(tmp_path_factory) -> tuple[list[str], sqlite3.Connection]:
    folder = tmp_path_factory.mktemp("plans")
    statements = _collect(folder)
    return statements, sqlite3.connect(folder / "plans.db")


def test_the_commands_were_traced(issued):
    statements, _ = issued
    text = "\n".join(statements)
    for table in ("audit_updates", "inspections", "deliveries", "outbox", "themes"):
        assert table in text, f"no statement touched {table}"


def test_no_statement_scans_a_growing_table(issued):
    statements, conn = issued
    scanning: dict[str, list[str]] = {}
    shapes = {_shape(sql): sql for sql in statements}
    for sql in shapes.values():
        if _SKIP.match(sql):
            continue
        scans = _scans(conn, sql)
        if scans:
            scanning[sql] = scans
    report = "\n\n".join(f"{sql}\n  -> {'; '.join(scans)}" for sql, scans in scanning.items())
    assert not scanning, f"{len(scanning)} statements scan a growing table:\n\n{report}"


# --- the work a reply takes, against the length of the history ------------------------

HISTORY_ASKED = (
    "summary",
    "recs",
    "rec R1",
    "audits R1",
    "report R1",
    "home",
    "audit R1 17/20 2014-02-19 one more",
    "audit undo",
)


def _store_with_history(folder, audits: int) -> StorePool:
    """The bundled data with ``audits`` updates on R1: a third before its window, a third
    in it, a third after (every list a reply shows is full at either size)."""
    from bot.config import settings_from

    path = folder / f"history-{audits}.db"
    db, _ = prepare_store(settings_from({"YOS_DB": str(path)}))
    days = ("2013-12-02", "2014-01-20", "2014-02-18", "2014-03-20", "2014-05-02")
    db.conn.executemany(
        "INSERT INTO audit_updates (recommendation_id, audit_date, audited, compliant, percent, "
        "user_id, via, recorded_at) VALUES ('stockton-on-tees-sqs-2013:R1', ?, 20, ?, ?, "
        "'U0AUDITOR', 'console', '2014-02-20T09:00:00')",
        [(days[n % len(days)], 10 + n % 11, (10 + n % 11) * 5.0) for n in range(audits)],
    )
    db.conn.executemany(
        "INSERT INTO audit_retractions (audit_id, retracted_at) VALUES (?, 'now')",
        [(n,) for n in range(7, audits, 13)],
    )
    db.conn.commit()
    db.close()
    return StorePool(path)


def _steps(app: Application, text: str) -> int:
    """SQLite's virtual-machine steps (in hundreds) to answer ``text``, every cache empty."""
    from bot.domain.inspections import cache

    cache.clear()
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    conn = app.store.db.conn
    conn.set_progress_handler(count, 100)
    try:
        app.handle(Request(CHAT, text=text, user=AUDITOR, conversation="C0YOS", delivery_id=text))
    finally:
        conn.set_progress_handler(None, 0)
    return steps


def test_no_reply_reads_more_as_the_history_grows(tmp_path):
    """The same questions against 300 and 6,000 audits on one recommendation: each answer
    (and the acknowledgement of a write) does the same work, give or take."""
    work = {}
    for audits in (300, 6000):
        app = Application(_store_with_history(tmp_path, audits), Policy(()), today=TODAY)
        work[audits] = {text: _steps(app, text) for text in HISTORY_ASKED}
    grown = {
        text: (work[300][text], work[6000][text])
        for text in HISTORY_ASKED
        if work[6000][text] > 1.25 * work[300][text] + 20
    }
    assert not grown, f"work (100s of VM steps) at 300 and 6,000 audits: {grown}"
