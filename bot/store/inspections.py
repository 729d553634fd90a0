"""Reading the inspection data: services, inspections, rating scales, themes, strengths,
recommendations, governance events, and what a file records of standards, domains and key
questions.

Plain parameterised SQL, read only; each function returns the rows as the store holds
them (a dictionary per row, or a tuple where a caller builds a record from the values in
order). Turning them into records is the domain's (``bot.domain.inspections.rows``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.store.db import Store, placeholders

Row = dict[str, Any]


def _one(db: Store, sql: str, parameters: Sequence[Any]) -> Row | None:
    return next(iter(db.query(sql, parameters)), None)


# --- services -----------------------------------------------------------------------


def service(db: Store, service_id: str) -> Row | None:
    return _one(db, "SELECT * FROM services WHERE id = ?", [service_id])


def services_by_id(db: Store, ids: Sequence[str]) -> list[Row]:
    return list(db.query(f"SELECT * FROM services WHERE id IN ({placeholders(ids)})", ids))


def service_values(db: Store) -> list[tuple[str, str, str | None, str | None, str | None]]:
    """Every service's id, name, short name, local authority and reference, by name."""
    return db.execute(
        "SELECT id, name, short_name, local_authority, reference FROM services ORDER BY name"
    ).fetchall()


def latest_service_id(db: Store) -> str | None:
    """The service of the latest inspection loaded from a data file (TOML), else of the
    latest inspection of any kind; None when no inspection is loaded."""
    row = _one(
        db,
        "SELECT service_id FROM inspections WHERE data_file LIKE '%.toml' "
        "ORDER BY published DESC LIMIT 1",
        [],
    ) or _one(db, "SELECT service_id FROM inspections ORDER BY published DESC LIMIT 1", [])
    return None if row is None else str(row["service_id"])


# --- inspections ----------------------------------------------------------------------


def any_inspection(db: Store) -> bool:
    """Whether any inspection is loaded (a new store has none)."""
    return db.execute("SELECT 1 FROM inspections LIMIT 1").fetchone() is not None


def latest_by_framework(db: Store, framework_id: str) -> list[Row]:
    """Each service's latest inspection under one framework: one indexed look-up per
    service, however many inspections each has had."""
    return list(
        db.query(
            "SELECT i.* FROM services s JOIN inspections i ON i.id = "
            "(SELECT j.id FROM inspections j WHERE j.service_id = s.id "
            "AND j.framework_id = ? ORDER BY j.published DESC LIMIT 1) ORDER BY i.id",
            [framework_id],
        )
    )


# A placing's values: inspection id, service name, overall points, quality note, published.
PlacingValues = tuple[str, str, int | None, str | None, str | None]


def latest_placings(db: Store, framework_id: str) -> list[PlacingValues]:
    """Each service's latest inspection under one framework, read light: most points
    first, then by service name (then id)."""
    # By rowid: the index finds each latest without reading the table (same row).
    return db.execute(
        "SELECT i.id, s.name, i.overall_points, i.quality_note, i.published FROM services s "
        "JOIN inspections i ON i.rowid = "
        "(SELECT j.rowid FROM inspections j WHERE j.service_id = s.id "
        "AND j.framework_id = ? ORDER BY j.published DESC LIMIT 1) "
        "ORDER BY i.overall_points DESC, s.name, i.id",
        [framework_id],
    ).fetchall()


def latest_not_in_points(db: Store) -> list[PlacingValues]:
    """Each service's latest inspection (under any framework) when it is not rated in
    points, read light: by service name."""
    return db.execute(
        "SELECT i.id, s.name, i.overall_points, i.quality_note, i.published FROM services s "
        "JOIN inspections i ON i.rowid = "
        "(SELECT j.rowid FROM inspections j WHERE j.service_id = s.id "
        "ORDER BY j.published DESC LIMIT 1) "
        "JOIN frameworks f ON f.id = i.framework_id WHERE f.measure IS NOT 'points' "
        "ORDER BY s.name"
    ).fetchall()


def inspection(db: Store, inspection_id: str) -> Row | None:
    return _one(db, "SELECT * FROM inspections WHERE id = ?", [inspection_id])


def inspections_by_id(db: Store, ids: Sequence[str]) -> list[Row]:
    return list(db.query(f"SELECT * FROM inspections WHERE id IN ({placeholders(ids)})", ids))


def latest_inspection(db: Store, service_id: str) -> Row | None:
    return _one(
        db,
        "SELECT * FROM inspections WHERE service_id = ? ORDER BY published DESC LIMIT 1",
        [service_id],
    )


def all_inspections(db: Store) -> list[Row]:
    return list(db.query("SELECT * FROM inspections ORDER BY published, id"))


# --- rating scales --------------------------------------------------------------------


def framework(db: Store, framework_id: str) -> Row | None:
    return _one(db, "SELECT * FROM frameworks WHERE id = ?", [framework_id])


def bands(db: Store, framework_id: str) -> list[Row]:
    """The framework's rating bands, in its order."""
    return list(
        db.query(
            "SELECT * FROM rating_bands WHERE framework_id = ? ORDER BY position", [framework_id]
        )
    )


def framework_ids(db: Store) -> list[str]:
    return [r["id"] for r in db.query("SELECT id FROM frameworks ORDER BY id")]


def standard_count(db: Store, framework_id: str) -> int:
    """How many standards the framework rates (0 for one scored by themes)."""
    row = _one(
        db, "SELECT count(*) AS n FROM framework_standards WHERE framework_id = ?", [framework_id]
    )
    return int(row["n"]) if row else 0


def standards(db: Store, framework_id: str) -> list[Row]:
    """The framework's standards (key, name, counts, merged), in its order."""
    return list(
        db.query(
            "SELECT key, name, counts, merged FROM framework_standards "
            "WHERE framework_id = ? ORDER BY position",
            [framework_id],
        )
    )


# --- what an inspection found -----------------------------------------------------------


def themes(db: Store, inspection_id: str) -> list[Row]:
    return list(
        db.query("SELECT * FROM themes WHERE inspection_id = ? ORDER BY position", [inspection_id])
    )


def strengths(db: Store, inspection_id: str) -> list[str]:
    return [
        r["text"]
        for r in db.query(
            "SELECT text FROM strengths WHERE inspection_id = ? ORDER BY position",
            [inspection_id],
        )
    ]


def domains(db: Store, inspection_id: str) -> list[Row]:
    """The inspection's domains (name, rating), in the file's order."""
    return list(
        db.query(
            "SELECT name, rating FROM inspection_domains WHERE inspection_id = ? ORDER BY position",
            [inspection_id],
        )
    )


def key_questions(db: Store, inspection_id: str) -> list[Row]:
    """The inspection's key questions (standard, question, percent), in the file's order."""
    return list(
        db.query(
            "SELECT standard, question, percent FROM key_questions WHERE inspection_id = ? "
            "ORDER BY position",
            [inspection_id],
        )
    )


def recommendations(db: Store, inspection_id: str) -> list[Row]:
    return list(
        db.query(
            "SELECT * FROM recommendations WHERE inspection_id = ? ORDER BY position",
            [inspection_id],
        )
    )


def recommendation(db: Store, inspection_id: str, ref: str) -> Row | None:
    return _one(
        db,
        "SELECT * FROM recommendations WHERE inspection_id = ? AND ref = ?",
        [inspection_id, ref],
    )


def recommendation_by_id(db: Store, rec_id: str) -> Row | None:
    """The recommendation, with its inspection's framework as ``_framework_id``."""
    return _one(
        db,
        "SELECT r.*, i.framework_id AS _framework_id FROM recommendations r "
        "JOIN inspections i ON i.id = r.inspection_id WHERE r.id = ?",
        [rec_id],
    )


def baselines(db: Store, rec_id: str) -> list[Row]:
    return list(
        db.query(
            "SELECT label, score FROM baselines WHERE recommendation_id = ? ORDER BY position",
            [rec_id],
        )
    )


def governance_events(db: Store, inspection_id: str) -> list[Row]:
    return list(
        db.query(
            "SELECT * FROM governance_events WHERE inspection_id = ? ORDER BY position",
            [inspection_id],
        )
    )
