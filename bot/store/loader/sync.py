"""Writing a checked batch: make each table hold the rows the files describe.

Rows are compared before they are written, so loading the same files twice changes
nothing, and rows that only exist at run time (audit updates) are never touched.
The caller holds the write transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from bot.store.db import Store
from bot.store.loader.readers import Batch
from bot.store.loader.schema import LoadError, Row

Key = tuple[Any, ...]


def sync(
    db: Store,
    table: str,
    pk: Sequence[str],
    rows: Iterable[Row],
    changes: Counter[str],
    scope: Mapping[str, Any] | None = None,
) -> None:
    """Make ``table`` hold ``rows``: insert new, update changed, leave equal rows alone.

    New rows go in as one batch. With ``scope``, rows in that scope that are not in
    ``rows`` are removed (a theme deleted from the file goes from the store too).
    ``changes`` counts "<table> added", "<table> updated" and "<table> removed".
    """
    # A store not yet migrated to the latest schema (a test of an old version, say) is
    # given the columns it has.
    known = set(db.table(table).columns_dict)
    rows = [{k: v for k, v in row.items() if k in known} for row in rows]
    if scope:
        scope = {k: v for k, v in scope.items() if k in known}
    new = {tuple(row[k] for k in pk): row for row in rows}
    existing = _existing(db, table, pk, new, scope)
    added = [row for key, row in new.items() if key not in existing]
    if added:
        db.table(table).insert_all(added)
        changes[f"{table} added"] += len(added)
    for key, row in new.items():
        old = existing.get(key)
        if old is not None and any(old.get(k) != v for k, v in row.items()):
            db.table(table).update(_pk_value(key), row)
            changes[f"{table} updated"] += 1
    if scope:
        for key in existing.keys() - new.keys():
            db.table(table).delete(_pk_value(key))
            changes[f"{table} removed"] += 1


def _existing(
    db: Store,
    table: str,
    pk: Sequence[str],
    new: Mapping[Key, Row],
    scope: Mapping[str, Any] | None,
) -> dict[Key, Row]:
    """The stored rows: all of ``scope``, or without one only those ``new`` also has."""
    where = " AND ".join(f"[{k}] = ?" for k in scope) if scope else None
    params = list(scope.values()) if scope else None
    return {
        tuple(row[k] for k in pk): row
        for row in db.table(table).rows_where(where, params)
        if scope or tuple(row[k] for k in pk) in new
    }


def _pk_value(key: Key) -> Any:
    return key if len(key) > 1 else key[0]


def write_batch(db: Store, batch: Batch, changes: Counter[str]) -> None:
    """Write everything in ``batch``, parents before children."""
    _write_frameworks(db, batch, changes)
    _write_services(db, batch, changes)
    sync(db, "inspections", ["id"], batch.inspections, changes)
    for inspection_id, parts in batch.children.items():
        _write_inspection_parts(db, inspection_id, parts, batch.origin, changes)
    for rec_id, baselines in batch.recommendation_children.items():
        sync(
            db,
            "baselines",
            ["recommendation_id", "position"],
            baselines,
            changes,
            scope={"recommendation_id": rec_id},
        )
    _record_files(db, batch.files)


def _write_frameworks(db: Store, batch: Batch, changes: Counter[str]) -> None:
    sync(db, "frameworks", ["id"], batch.frameworks, changes)
    for framework_id, bands in batch.bands.items():
        sync(
            db,
            "rating_bands",
            ["framework_id", "applies_to", "label"],
            bands,
            changes,
            scope={"framework_id": framework_id},
        )
    for framework_id, standards in batch.standards.items():
        sync(
            db,
            "framework_standards",
            ["framework_id", "key"],
            standards,
            changes,
            scope={"framework_id": framework_id},
        )


def _write_services(db: Store, batch: Batch, changes: Counter[str]) -> None:
    """Services from data files, then those from ratings tables that are not there yet."""
    sync(db, "services", ["id"], batch.services, changes)
    known = {row[0] for row in db.execute("SELECT id FROM services")}
    rated = [r for r in batch.rated_services if r["id"] not in known]
    sync(db, "services", ["id"], rated, changes)


def _write_inspection_parts(
    db: Store,
    inspection_id: str,
    parts: Mapping[str, list[Row]],
    origin: Mapping[str, str],
    changes: Counter[str],
) -> None:
    scope = {"inspection_id": inspection_id}
    sync(db, "themes", ["inspection_id", "slug"], parts["themes"], changes, scope)
    if "strengths" not in parts:
        return  # a rated inspection from a table has standards only
    sync(db, "strengths", ["inspection_id", "position"], parts["strengths"], changes, scope)
    _drop_removed_recommendations(db, inspection_id, parts["recommendations"], origin)
    # A recommendation made by importing a plan is the plan's: a file leaves it alone.
    file_scope = {**scope, "origin": "file"}
    sync(db, "recommendations", ["id"], parts["recommendations"], changes, file_scope)
    sync(
        db,
        "governance_events",
        ["inspection_id", "position"],
        parts["governance_events"],
        changes,
        scope,
    )
    for table in ("inspection_domains", "key_questions"):
        if parts.get(table) or db.table(table).exists():
            sync(db, table, ["inspection_id", "position"], parts.get(table, []), changes, scope)


def _drop_removed_recommendations(
    db: Store,
    inspection_id: str,
    recommendations: list[Row],
    origin: Mapping[str, str],
) -> None:
    """Clear the baselines of recommendations gone from the file, so they can go too.

    One with audit evidence recorded against it refuses the whole load.
    """
    keep = {row["id"] for row in recommendations}
    planned = "origin" in db.table("recommendations").columns_dict
    removed = [
        row["id"]
        for row in db.table("recommendations").rows_where(
            "inspection_id = ?" + (" AND origin = 'file'" if planned else ""), [inspection_id]
        )
        if row["id"] not in keep
    ]
    tables = set(db.table_names())
    for rec_id in removed:
        held = [
            what
            for table, what in (
                ("audit_updates", "audit updates"),
                ("plan_actions", "plan actions"),
                ("plan_evidence", "plan evidence"),
            )
            if table in tables
            and db.execute(
                f"SELECT 1 FROM {table} WHERE recommendation_id = ? LIMIT 1", [rec_id]
            ).fetchone()
        ]
        if held:
            raise LoadError(
                [
                    f"{origin[inspection_id]}: recommendation {rec_id.rsplit(':', 1)[-1]} "
                    f"has {' and '.join(held)} recorded against it, so it cannot be "
                    "removed from the file"
                ]
            )
        db.table("baselines").delete_where("recommendation_id = ?", [rec_id])


def _record_files(db: Store, files: Sequence[tuple[str, str]]) -> None:
    """Remember each file's digest, touching only those that changed."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    for name, digest in files:
        row = db.execute("SELECT sha256 FROM data_files WHERE path = ?", [name]).fetchone()
        if row is None or row[0] != digest:
            db.table("data_files").upsert(
                {"path": name, "sha256": digest, "loaded_at": now}, pk="path"
            )
