"""A published ratings table (CSV) in a load: checked against the standards framework.

The framework's bands and standards come from the same load when it carries them,
otherwise from the store; the table's rows join the batch like any file's.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import sqlite_utils

from bot.store.loader.readers import Batch
from bot.store.loader.schema import Row


def read_table(db: sqlite_utils.Database, path: Path, batch: Batch) -> list[str]:
    """Read one ratings table into ``batch``; the problems found, if any."""
    from bot.store.loader.ratings_csv import FRAMEWORK, read_ratings

    bands = batch.bands.get(FRAMEWORK) or _framework_rows(db, "rating_bands", FRAMEWORK)
    if not bands:
        return [
            f"{path}: the {FRAMEWORK} framework is not in the store; "
            "load data/frameworks.toml first"
        ]
    standards = batch.standards.get(FRAMEWORK) or _framework_rows(
        db, "framework_standards", FRAMEWORK
    )
    overall = [b for b in bands if b["applies_to"] == "overall"]
    raw = path.read_bytes()
    table = read_ratings(
        path,
        raw,
        labels={b["label"].lower(): b["label"] for b in overall},
        overall_bands=[(b["label"], b["lower"]) for b in overall],
        standard_names={s["key"]: s["name"] for s in standards},
    )
    if table.problems:
        return table.problems
    batch.rated_services.extend(table.services)
    batch.inspections.extend(table.inspections)
    for row in table.inspections:
        batch.origin[row["id"]] = str(path)
        batch.children[row["id"]] = {"themes": table.standards[row["id"]]}
    batch.rows_imported += len(table.inspections)
    batch.flagged.extend(table.flagged)
    batch.files.append((str(path), hashlib.sha256(raw).hexdigest()))
    return []


def _framework_rows(db: sqlite_utils.Database, table: str, framework_id: str) -> list[Row]:
    return list(db.table(table).rows_where("framework_id = ?", [framework_id]))
