"""A published ratings table (CSV) in a load: checked against the standards framework.

The framework's bands and standards come from the same load when it carries them,
otherwise from the store; the table's rows join the batch like any file's. A table is
read from a file (``yos-bot load``) or from bytes already downloaded
(``yos-bot update-ratings``), by the same rules.
"""

from __future__ import annotations

import hashlib

from bot.store.db import Store
from bot.store.loader.readers import Batch
from bot.store.loader.schema import Row


def read_table(
    db: Store,
    where: str,
    raw: bytes,
    batch: Batch,
    cited_as: str | None = None,
) -> list[str]:
    """Read one ratings table (``raw``, from ``where``; replies cite it as ``cited_as``,
    by default its file name) into ``batch``; the problems found."""
    from bot.store.loader.ratings_csv import FRAMEWORK, read_ratings

    bands = batch.bands.get(FRAMEWORK) or _framework_rows(db, "rating_bands", FRAMEWORK)
    if not bands:
        return [
            f"{where}: the {FRAMEWORK} framework is not in the store; "
            "load data/frameworks.toml first"
        ]
    standards = batch.standards.get(FRAMEWORK) or _framework_rows(
        db, "framework_standards", FRAMEWORK
    )
    overall = [b for b in bands if b["applies_to"] == "overall"]
    table = read_ratings(
        where,
        raw,
        labels={b["label"].lower(): b["label"] for b in overall},
        overall_bands=[(b["label"], b["lower"]) for b in overall],
        standard_names={s["key"]: s["name"] for s in standards},
        cited_as=cited_as,
    )
    if table.problems:
        return table.problems
    batch.rated_services.extend(table.services)
    batch.inspections.extend(table.inspections)
    for row in table.inspections:
        batch.origin[row["id"]] = where
        batch.children[row["id"]] = {"themes": table.standards[row["id"]]}
    batch.rows_imported += len(table.inspections)
    batch.flagged.extend(table.flagged)
    batch.files.append((where, hashlib.sha256(raw).hexdigest()))
    return []


def _framework_rows(db: Store, table: str, framework_id: str) -> list[Row]:
    return list(db.table(table).rows_where("framework_id = ?", [framework_id]))
