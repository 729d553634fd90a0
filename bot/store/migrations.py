"""Versioned schema migrations.

Each migration runs once, in order, inside the same write transaction that
records it, so a fresh file and a file from any earlier version end on the same
schema, and two processes starting together cannot both apply one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from bot.store.db import Store, write_transaction

Migration = Callable[[Store], None]


def _inspection_store(db: Store) -> None:
    db.table("frameworks").create(
        {
            "id": str,
            "name": str,
            "period": str,
            "measure": str,  # "percent" (case-assessment scores) or "points" (standards)
            "unit": str,  # what a band's value counts: "stars" or "points"
            "max_points": int,
            "description": str,
        },
        pk="id",
        not_null={"name", "measure"},
    )
    db.table("rating_bands").create(
        {
            "framework_id": str,
            "applies_to": str,  # "score", "standard" or "overall"
            "label": str,
            "lower": float,
            "upper": float,
            "value": int,
            "position": int,
        },
        pk=("framework_id", "applies_to", "label"),
        foreign_keys=[("framework_id", "frameworks", "id")],
    )
    db.table("services").create(
        {
            "id": str,
            "name": str,
            "short_name": str,
            "local_authority": str,
            "reference": str,
        },
        pk="id",
        not_null={"name"},
    )
    db.table("inspections").create(
        {
            "id": str,
            "service_id": str,
            "framework_id": str,
            "inspectorate": str,
            "programme": str,
            "programme_short": str,
            "fieldwork_start": str,
            "fieldwork_end": str,
            "published": str,
            "overall_score": float,
            "score_min": float,
            "score_max": float,
            "overall_points": int,
            "overall_rating": str,
            "summary_quote": str,
            "scope": str,
            "method": str,
            "previous_inspection": str,
            "outcome": str,
            "comparison": str,
            "bands_note": str,
            "report_url": str,
            "source": str,
            "data_file": str,
        },
        pk="id",
        not_null={"service_id", "framework_id"},
        foreign_keys=[
            ("service_id", "services", "id"),
            ("framework_id", "frameworks", "id"),
        ],
    )
    db.table("themes").create(
        {
            "inspection_id": str,
            "slug": str,
            "name": str,
            "score": float,
            "rating": str,
            "position": int,
        },
        pk=("inspection_id", "slug"),
        foreign_keys=[("inspection_id", "inspections", "id")],
    )
    db.table("strengths").create(
        {"inspection_id": str, "position": int, "text": str},
        pk=("inspection_id", "position"),
        foreign_keys=[("inspection_id", "inspections", "id")],
    )
    db.table("recommendations").create(
        {
            "id": str,
            "inspection_id": str,
            "ref": str,
            "position": int,
            "text": str,
            "context": str,
            "response": str,
            "baseline_note": str,
            "monitor_months": int,
            "monitor_start": str,
            "monitored_by": str,
            "monitor_means": str,  # JSON list
            "report_to": str,
            "target": float,
        },
        pk="id",
        not_null={"inspection_id", "ref", "text"},
        foreign_keys=[("inspection_id", "inspections", "id")],
    )
    db.table("recommendations").create_index(["inspection_id", "ref"], unique=True)
    db.table("baselines").create(
        {"recommendation_id": str, "position": int, "label": str, "score": float},
        pk=("recommendation_id", "position"),
        foreign_keys=[("recommendation_id", "recommendations", "id")],
    )
    db.table("governance_events").create(
        {
            "inspection_id": str,
            "position": int,
            "date": str,
            "kind": str,
            "body": str,
            "title": str,
            "detail": str,
        },
        pk=("inspection_id", "position"),
        foreign_keys=[("inspection_id", "inspections", "id")],
    )
    db.table("data_files").create(
        {"path": str, "sha256": str, "loaded_at": str}, pk="path", not_null={"sha256"}
    )


# The delivery log's name from when the bot served one platform; migration 6 renames it.
LEGACY_DELIVERIES = "slack_deliveries"


def _delivery_log(db: Store) -> None:
    # One row per platform delivery already handled (event ID, view ID, trigger ID),
    # so a retry is recognised across restarts and worker processes.
    db.table(LEGACY_DELIVERIES).create(
        {"key": str, "kind": str, "received_at": str}, pk="key", not_null={"kind"}
    )


def _audit_evidence(db: Store) -> None:
    # Append-only: an update is never changed or deleted; a retraction is its own row.
    db.table("audit_updates").create(
        {
            "id": int,
            "recommendation_id": str,
            "audit_date": str,
            "audited": int,
            "compliant": int,
            "percent": float,
            "note": str,
            "user_id": str,
            "user_name": str,
            "channel_id": str,
            "message_ts": str,
            "via": str,  # command, mention, modal, shortcut, console
            "delivery_key": str,  # the platform's delivery ID, unique: a retry finds it
            "recorded_at": str,
        },
        pk="id",
        not_null={"recommendation_id", "audit_date", "percent", "via", "recorded_at"},
        foreign_keys=[("recommendation_id", "recommendations", "id")],
    )
    db.table("audit_updates").create_index(["delivery_key"], unique=True)
    db.table("audit_updates").create_index(["recommendation_id", "audit_date"])
    db.table("audit_retractions").create(
        {"audit_id": int, "user_id": str, "reason": str, "retracted_at": str},
        pk="audit_id",
        not_null={"retracted_at"},
        foreign_keys=[("audit_id", "audit_updates", "id")],
    )
    db.table("recommendation_history").create(
        {
            "id": int,
            "recommendation_id": str,
            "action": str,  # close or reopen
            "reason": str,
            "user_id": str,
            "at": str,
            "on_date": str,
            "delivery_key": str,
        },
        pk="id",
        not_null={"recommendation_id", "action", "at"},
        foreign_keys=[("recommendation_id", "recommendations", "id")],
    )
    db.table("recommendation_history").create_index(["delivery_key"], unique=True)


def _national_comparison(db: Store) -> None:
    # A published rating is imported as published; when it does not add up, the reason
    # is kept here and shown with it.
    db.table("inspections").add_column("published_score", float)
    db.table("inspections").add_column("quality_note", str)
    db.table("framework_standards").create(
        {
            "framework_id": str,
            "key": str,
            "name": str,
            "domain": str,
            "counts": int,  # 1 when the standard counts towards the overall rating
            "position": int,
        },
        pk=("framework_id", "key"),
        foreign_keys=[("framework_id", "frameworks", "id")],
    )
    db.table("channel_settings").create(
        {"channel_id": str, "service_id": str, "set_by": str, "set_at": str},
        pk="channel_id",
        foreign_keys=[("service_id", "services", "id")],
    )


def _reminders(db: Store) -> None:
    # One row per reminder sent (per recommendation and period), so restarts and
    # several workers never send one twice.
    db.table("reminders").create(
        {"key": str, "kind": str, "channel_id": str, "sent_on": str, "sent_at": str},
        pk="key",
        not_null={"kind", "sent_at"},
    )


def _outbox(db: Store) -> None:
    # Deliveries are keyed by platform as well as the platform's own ID.
    db.table("deliveries").create(
        {"platform": str, "key": str, "kind": str, "received_at": str},
        pk=("platform", "key"),
        not_null={"kind", "received_at"},
    )
    db.execute(
        f"INSERT INTO deliveries (platform, key, kind, received_at) "
        f"SELECT 'slack', key, kind, coalesce(received_at, '') FROM {LEGACY_DELIVERIES}"
    )
    db.table(LEGACY_DELIVERIES).drop()
    db.table("deliveries").create_index(["received_at"])
    # What the bot must send, written in the same transaction as the record that caused
    # it: a sender claims due rows with a lease, so a killed worker's rows are sent by
    # another worker or after a restart, and the unique key means never twice.
    db.table("outbox").create(
        {
            "id": int,
            "key": str,
            "platform": str,
            "kind": str,  # "message", "private" (to one person) or "chart"
            "address": str,  # JSON: conversation, thread, user, service URL
            "body": str,  # JSON: the Reply, or the chart to draw
            "notify": str,  # JSON address of the person to tell if sending gives up
            "state": str,  # pending, sending, sent or failed
            "attempts": int,
            "due_at": float,  # Unix time
            "lease_until": float,
            "last_error": str,
            "created_at": str,
            "sent_at": str,
        },
        pk="id",
        not_null={"key", "platform", "kind", "address", "body", "state", "due_at"},
        defaults={"state": "pending", "attempts": 0},
    )
    db.table("outbox").create_index(["key"], unique=True)
    db.table("outbox").create_index(["platform", "state", "due_at"])
    # Where proactive messages go on platforms that need a saved address (Teams).
    db.table("conversations").create(
        {
            "platform": str,
            "conversation_id": str,
            "service_url": str,
            "kind": str,  # personal, channel or groupChat
            "team_id": str,
            "tenant_id": str,
            "name": str,
            "saved_at": str,
        },
        pk=("platform", "conversation_id"),
    )
    # Audit updates remember which platform recorded them, and which message they
    # came from in platform-neutral terms.
    db.execute("ALTER TABLE audit_updates RENAME COLUMN message_ts TO message_ref")
    db.table("audit_updates").add_column("platform", str)
    db.execute("UPDATE audit_updates SET platform = 'slack' WHERE via NOT IN ('console', 'cli')")
    db.table("recommendation_history").add_column("user_name", str)
    db.table("recommendation_history").add_column("platform", str)
    db.execute(
        "CREATE INDEX IF NOT EXISTS audit_updates_message ON audit_updates "
        "(channel_id, message_ref)"
    )


def _note_retention(db: Store) -> None:
    # A note is erased (set to NULL) after the retention period or on request; the update
    # keeps when, by whom (the operator's login, or "retention") and why, never what it said.
    for column in ("note_erased_at", "note_erased_by", "note_erased_reason"):
        db.table("audit_updates").add_column(column, str)
    # The daily purge finds the notes due for erasure, and the outbox rows whose text is due
    # to go, through these (partial) indexes rather than reading every row.
    db.execute(
        "CREATE INDEX IF NOT EXISTS audit_updates_note_age ON audit_updates (recorded_at) "
        "WHERE note IS NOT NULL"
    )
    db.execute(
        "CREATE INDEX IF NOT EXISTS outbox_finished_age ON outbox (created_at) "
        "WHERE state IN ('sent', 'failed') AND body <> ''"
    )


# The tables of inspection data: they change only when a data file is loaded (or a
# conversation chooses its service), never when audit evidence is recorded.
INSPECTION_DATA = (
    "frameworks",
    "rating_bands",
    "framework_standards",
    "services",
    "inspections",
    "themes",
    "strengths",
    "recommendations",
    "baselines",
    "governance_events",
    "channel_settings",
)


def _answers_at_scale(db: Store) -> None:
    """Every reply's cost independent of the history's size (issue 14)."""
    # Indexes for the queries each command issues (tests/test_query_plans.py checks that
    # none scans a growing table). audit_updates(recommendation_id, audit_date) and
    # (channel_id, message_ref), deliveries(received_at) and outbox(platform, state,
    # due_at) exist already; an index's last key is always the rowid (an audit's id), so
    # (user_id) orders one person's updates by id as (user_id, id) would.
    for name, table, columns, where in (
        ("inspections_published", "inspections", "published", ""),
        ("inspections_service_published", "inspections", "service_id, published", ""),
        (
            "inspections_service_framework_published",
            "inspections",
            "service_id, framework_id, published",
            "",
        ),
        # The few inspections from hand-edited data files, for the default service.
        ("inspections_from_data_files", "inspections", "published", "data_file LIKE '%.toml'"),
        ("audit_updates_user", "audit_updates", "user_id", ""),
        ("recommendation_history_rec", "recommendation_history", "recommendation_id", ""),
    ):
        db.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})"
            + (f" WHERE {where}" if where else "")
        )
    _audit_counts(db)
    _store_generation(db)


def _audit_counts(db: Store) -> None:
    # Per recommendation and audit date: how many audits were recorded, how many of those
    # were retracted, and the sum and sum of squares of the percentages of those in effect,
    # kept by triggers in the transaction that records or retracts. A monthly period's count
    # is a sum over at most 31 rows, however many audits it holds; the chart's daily spread
    # (mean and standard deviation) comes from the same rows.
    db.execute(
        "CREATE TABLE IF NOT EXISTS audit_counts ("
        "recommendation_id TEXT NOT NULL, audit_date TEXT NOT NULL, "
        "recorded INTEGER NOT NULL DEFAULT 0, retracted INTEGER NOT NULL DEFAULT 0, "
        "percent_sum REAL NOT NULL DEFAULT 0, percent_squares REAL NOT NULL DEFAULT 0, "
        "PRIMARY KEY (recommendation_id, audit_date))"
    )

    def retracted(audit_id: str) -> str:
        return f"(SELECT count(*) FROM audit_retractions WHERE audit_id = {audit_id})"

    def of_audit(column: str, audit_id: str) -> str:
        return f"(SELECT {column} FROM audit_updates WHERE id = {audit_id})"

    def part(sign: str, rec: str, day: str, percent: str, gone: str) -> str:
        """Add (+) or take away (-) one audit's part in its day's row; ``gone`` is 1 when
        it is retracted (counted, but not in the percentages)."""
        return (
            f"UPDATE audit_counts SET recorded = recorded {sign} 1, "
            f"retracted = retracted {sign} {gone}, "
            f"percent_sum = percent_sum {sign} (1 - {gone}) * {percent}, "
            f"percent_squares = percent_squares {sign} (1 - {gone}) * {percent} * {percent} "
            f"WHERE recommendation_id = {rec} AND audit_date = {day}; "
        )

    def day_row(rec: str, day: str) -> str:
        return (
            "INSERT INTO audit_counts (recommendation_id, audit_date) "
            f"VALUES ({rec}, {day}) ON CONFLICT DO NOTHING; "
        )

    def toggled(sign: str, audit_id: str) -> str:
        """A retraction made (+) or undone (-): the audit leaves (or rejoins) the figures."""
        percent = of_audit("percent", audit_id)
        unsign = "-" if sign == "+" else "+"
        return (
            f"UPDATE audit_counts SET retracted = retracted {sign} 1, "
            f"percent_sum = percent_sum {unsign} {percent}, "
            f"percent_squares = percent_squares {unsign} {percent} * {percent} "
            f"WHERE recommendation_id = {of_audit('recommendation_id', audit_id)} "
            f"AND audit_date = {of_audit('audit_date', audit_id)}; "
        )

    new = ("NEW.recommendation_id", "NEW.audit_date", "NEW.percent")
    old = ("OLD.recommendation_id", "OLD.audit_date", "OLD.percent")
    triggers = {
        "audit_counts_recorded": "AFTER INSERT ON audit_updates BEGIN "
        + day_row(*new[:2])
        + part("+", *new, "0")
        + "END",
        "audit_counts_retracted": "AFTER INSERT ON audit_retractions BEGIN "
        + toggled("+", "NEW.audit_id")
        + "END",
        # Updates are append-only; these keep the counts right should a row ever change.
        "audit_counts_unretracted": "AFTER DELETE ON audit_retractions BEGIN "
        + toggled("-", "OLD.audit_id")
        + "END",
        "audit_counts_removed": "AFTER DELETE ON audit_updates BEGIN "
        + part("-", *old, retracted("OLD.id"))
        + "END",
        "audit_counts_moved": "AFTER UPDATE OF recommendation_id, audit_date, percent "
        "ON audit_updates BEGIN "
        + part("-", *old, retracted("OLD.id"))
        + day_row(*new[:2])
        + part("+", *new, retracted("NEW.id"))
        + "END",
    }
    for name, body in triggers.items():
        db.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
    db.execute("DELETE FROM audit_counts")
    db.execute(
        "INSERT INTO audit_counts (recommendation_id, audit_date, recorded, retracted, "
        "percent_sum, percent_squares) "
        "SELECT a.recommendation_id, a.audit_date, count(*), count(r.audit_id), "
        "total(CASE WHEN r.audit_id IS NULL THEN a.percent END), "
        "total(CASE WHEN r.audit_id IS NULL THEN a.percent * a.percent END) "
        "FROM audit_updates a LEFT JOIN audit_retractions r ON r.audit_id = a.id "
        "GROUP BY a.recommendation_id, a.audit_date"
    )


def _store_generation(db: Store) -> None:
    # One row whose token changes, to a new random number, with every change to the
    # inspection data, from any process: answers read from that data are remembered under
    # the token (bot/domain/inspections/cache.py), so a load makes them unreachable at once and an
    # audit never does. Random rather than counted, so that no two states of any store
    # share a token (a store rebuilt at the same path, or a rolled-back load, included).
    db.execute(
        "CREATE TABLE IF NOT EXISTS store_generation "
        "(id INTEGER PRIMARY KEY CHECK (id = 1), token INTEGER NOT NULL)"
    )
    db.execute("INSERT OR IGNORE INTO store_generation (id, token) VALUES (1, random())")
    for table in INSPECTION_DATA:
        for event in ("INSERT", "UPDATE", "DELETE"):
            db.execute(
                f"CREATE TRIGGER IF NOT EXISTS {table}_{event.lower()}_generation "
                f"AFTER {event} ON {table} BEGIN "
                "UPDATE store_generation SET token = random() WHERE id = 1; END"
            )


def _improvement_plan(db: Store) -> None:
    """Recommendations of every programme with actions, evidence, RAG and history (issue 20).
    The plan's own tables are not inspection data: a write to them invalidates no answer
    (every reply that reads them is worked out afresh)."""
    for column in ("addressee", "standards", "origin", "reported_rag"):
        db.table("recommendations").add_column(column, str)
    # A recommendation from a data file is the file's; one made by importing a plan is the
    # plan's, and a later load of the file leaves it alone.
    db.execute("UPDATE recommendations SET origin = 'file'")
    for column in ("number", "merged"):
        db.table("framework_standards").add_column(column, str)
    db.execute(
        "CREATE TABLE inspection_domains (inspection_id TEXT NOT NULL REFERENCES "
        "inspections(id), position INTEGER NOT NULL, name TEXT NOT NULL, rating TEXT, "
        "PRIMARY KEY (inspection_id, position))"
    )
    db.execute(
        "CREATE TABLE key_questions (inspection_id TEXT NOT NULL REFERENCES inspections(id), "
        "position INTEGER NOT NULL, standard TEXT, question TEXT NOT NULL, percent REAL, "
        "PRIMARY KEY (inspection_id, position))"
    )
    for table in ("inspection_domains", "key_questions"):
        for event in ("INSERT", "UPDATE", "DELETE"):
            db.execute(
                f"CREATE TRIGGER IF NOT EXISTS {table}_{event.lower()}_generation "
                f"AFTER {event} ON {table} BEGIN "
                "UPDATE store_generation SET token = random() WHERE id = 1; END"
            )
    who = "user_id TEXT, user_name TEXT, platform TEXT, via TEXT"
    db.execute(
        "CREATE TABLE plan_actions (id INTEGER PRIMARY KEY, recommendation_id TEXT NOT NULL "
        "REFERENCES recommendations(id), number INTEGER NOT NULL, text TEXT NOT NULL, "
        "owner_id TEXT, owner_name TEXT, owner_platform TEXT, agency TEXT, due_date TEXT, "
        "state TEXT NOT NULL DEFAULT 'not started' CHECK (state IN "
        "('not started', 'in progress', 'done', 'dropped')), state_reason TEXT, "
        "evidence TEXT, done_on TEXT, due_moves INTEGER NOT NULL DEFAULT 0, "
        "reported_rag TEXT, created_on TEXT NOT NULL, created_at TEXT NOT NULL, "
        "UNIQUE (recommendation_id, number))"
    )
    db.execute("CREATE INDEX plan_actions_owner ON plan_actions (owner_id)")
    db.execute("CREATE INDEX plan_actions_due ON plan_actions (due_date)")
    db.execute(
        "CREATE TABLE plan_progress (id INTEGER PRIMARY KEY, action_id INTEGER NOT NULL "
        f"REFERENCES plan_actions(id), on_date TEXT NOT NULL, text TEXT, {who}, "
        "recorded_at TEXT NOT NULL, text_erased_at TEXT)"
    )
    db.execute("CREATE INDEX plan_progress_action ON plan_progress (action_id, on_date)")
    db.execute(
        "CREATE TABLE plan_evidence (id INTEGER PRIMARY KEY, recommendation_id TEXT NOT NULL "
        "REFERENCES recommendations(id), kind TEXT NOT NULL CHECK (kind IN "
        "('supervision', 'measure')), measure TEXT, numerator INTEGER NOT NULL, "
        "denominator INTEGER NOT NULL CHECK (denominator > 0), on_date TEXT NOT NULL, "
        f"note TEXT, {who}, recorded_at TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX plan_evidence_rec ON plan_evidence (recommendation_id, kind, on_date)")
    db.execute(
        "CREATE TABLE plan_measures (recommendation_id TEXT NOT NULL REFERENCES "
        "recommendations(id), name TEXT NOT NULL, target REAL, period TEXT, "
        "PRIMARY KEY (recommendation_id, name))"
    )
    db.execute(
        "CREATE TABLE plan_rag_overrides (id INTEGER PRIMARY KEY, recommendation_id TEXT "
        "NOT NULL REFERENCES recommendations(id), rag TEXT, reason TEXT, "
        f"{who}, on_date TEXT NOT NULL, at TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX plan_rag_overrides_rec ON plan_rag_overrides (recommendation_id)")
    db.execute(
        "CREATE TABLE board_dates (id INTEGER PRIMARY KEY, service_id TEXT NOT NULL, "
        f"on_date TEXT NOT NULL, title TEXT, {who}, at TEXT NOT NULL, "
        "UNIQUE (service_id, on_date))"
    )
    # Append-only: who changed what, when and how, before and after.
    db.execute(
        "CREATE TABLE plan_history (id INTEGER PRIMARY KEY, recommendation_id TEXT NOT NULL, "
        "action_id INTEGER, subject TEXT NOT NULL, what TEXT NOT NULL, before TEXT, "
        f"after TEXT, reason TEXT, {who}, on_date TEXT NOT NULL, at TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX plan_history_rec ON plan_history (recommendation_id)")
    db.execute("CREATE INDEX plan_history_action ON plan_history (action_id)")
    for event in ("UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER plan_history_no_{event.lower()} BEFORE {event} ON plan_history "
            "BEGIN SELECT RAISE(ABORT, 'the plan history is append-only'); END"
        )


def _what_files_record(db: Store) -> None:
    # Whether a data file lists an inspection's recommendations and key strengths (1), even
    # as an empty list, or says nothing of them (NULL, as a published ratings table does):
    # "made no recommendations" only in the first case, "not recorded" in the second. And
    # the inspectors' words on one theme, when a data file has them.
    db.table("inspections").add_column("recommendations_listed", int)
    db.table("inspections").add_column("strengths_listed", int)
    db.table("themes").add_column("quote", str)


_LOOKS_LIKE_A_DATE = "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'"


def _entry_dates(db: Store) -> None:
    """Every update's second date, and the reasons that go with the window (issue 19).

    ``entered_on`` is the day an update was entered by the application's clock (what
    YOS_TODAY pins), next to the day the audit was done; ``late_reason`` is why an update
    entered after its monthly period (or the window) had closed was entered then
    (``--late``). A retraction keeps its day the same way, so the evidence as it stood on
    any day (the verdict at the close of the window) can be read back. A close before the
    window has ended keeps why (``--early``). A recommendation's target may be "at or
    above N% in every monthly period" (the default), "in the latest period" or "on
    average" (``target_rule`` in its data file).

    Rows from before keep their day from the wall-clock timestamp they were written with.
    """
    db.table("audit_updates").add_column("entered_on", str)
    db.table("audit_updates").add_column("late_reason", str)
    db.execute(
        "UPDATE audit_updates SET entered_on = substr(recorded_at, 1, 10) "
        f"WHERE recorded_at GLOB {_LOOKS_LIKE_A_DATE}"
    )
    db.table("audit_retractions").add_column("retracted_on", str)
    db.execute(
        "UPDATE audit_retractions SET retracted_on = substr(retracted_at, 1, 10) "
        f"WHERE retracted_at GLOB {_LOOKS_LIKE_A_DATE}"
    )
    db.table("recommendation_history").add_column("early_reason", str)
    db.table("recommendations").add_column("target_rule", str)


MIGRATIONS: tuple[tuple[str, Migration], ...] = (
    ("inspection store", _inspection_store),
    ("delivery log", _delivery_log),
    ("audit evidence", _audit_evidence),
    ("national comparison", _national_comparison),
    ("reminders", _reminders),
    ("platform-neutral deliveries and outbox", _outbox),
    ("note retention and erasure", _note_retention),
    ("answers at scale: indexes, audit counts, data generation", _answers_at_scale),
    ("improvement plan: actions, evidence, RAG, board dates, history", _improvement_plan),
    ("what data files record: lists given, quotes on themes", _what_files_record),
    ("entry dates, late and early reasons, target rules", _entry_dates),
)
SCHEMA_VERSION = len(MIGRATIONS)


def current_version(db: Store) -> int:
    if "schema_migrations" not in db.table_names():
        return 0
    row = db.execute("SELECT max(version) FROM schema_migrations").fetchone()
    return row[0] or 0


def migrated(db: Store) -> bool:
    """Whether any migration has been applied: one indexed read, for a health check.
    Raises ``sqlite3.Error`` when the store cannot be read or has no schema at all."""
    return db.execute("SELECT 1 FROM schema_migrations LIMIT 1").fetchone() is not None


def migrate(db: Store, target: int = SCHEMA_VERSION) -> list[int]:
    """Bring the store up to ``target``; returns the versions applied."""
    applied: list[int] = []
    if current_version(db) >= target:
        return applied  # the usual start: nothing to do, and no write lock taken
    with write_transaction(db):
        if "schema_migrations" not in db.table_names():
            db.table("schema_migrations").create(
                {"version": int, "name": str, "applied_at": str}, pk="version"
            )
        for version in range(current_version(db) + 1, target + 1):
            name, step = MIGRATIONS[version - 1]
            step(db)
            db.table("schema_migrations").insert(
                {
                    "version": version,
                    "name": name,
                    "applied_at": datetime.now(UTC).isoformat(timespec="seconds"),
                }
            )
            applied.append(version)
    return applied
