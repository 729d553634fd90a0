"""One load of data files, all or nothing.

Every file is read and checked before anything is written, and the writes happen in
one transaction: TOML data files (``readers``) and published ratings tables
(``ratings``) fill one batch, cross-file references are checked, then ``sync``
writes it.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.store.db import Store, write_transaction
from bot.store.loader.ratings import read_table
from bot.store.loader.readers import Batch, read_toml
from bot.store.loader.schema import LoadError
from bot.store.loader.sync import write_batch


@dataclass
class LoadReport:
    files: list[str] = field(default_factory=list)
    changes: Counter[str] = field(default_factory=Counter)
    # From ratings tables: rows imported, and one line per questionable row.
    rows_imported: int = 0
    flagged: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(self.changes.values())

    def describe(self) -> str:
        names = ", ".join(self.files)
        if not self.changed:
            summary = f"{names}: already up to date, nothing changed"
        else:
            parts = [f"{count} {what}" for what, count in sorted(self.changes.items()) if count]
            summary = f"{names}: " + ", ".join(parts)
        if not (self.rows_imported or self.flagged):
            return summary
        lines = [f"questionable: {line}" for line in self.flagged]
        lines.append(
            f"{self.rows_imported} rating rows imported, "
            f"{len(self.flagged)} flagged as questionable"
        )
        return "\n".join([*lines, summary])


def load_files(db: Store, paths: Sequence[Path]) -> LoadReport:
    """Load data files into the store, all or nothing. Raises LoadError on any problem."""
    batch = Batch()
    return _load(db, batch, _read_all(db, paths, batch))


def load_ratings(db: Store, where: str, raw: bytes, cited_as: str | None = None) -> LoadReport:
    """Load a ratings table already in memory (downloaded from ``where``, cited in
    replies as ``cited_as``) by the rules of :func:`load_files`, all or nothing. Raises
    LoadError on any problem."""
    batch = Batch()
    return _load(db, batch, read_table(db, where, raw, batch, cited_as))


def _load(db: Store, batch: Batch, problems: list[str]) -> LoadReport:
    """Check the batch's references, then write it in one transaction."""
    problems.extend(_rating_problems(db, batch))  # listed with any others, all at once
    if not problems:
        problems.extend(_check_references(db, batch))
    if problems:
        raise LoadError(problems)
    report = LoadReport(
        files=[name for name, _ in batch.files],
        rows_imported=batch.rows_imported,
        flagged=batch.flagged,
    )
    try:
        with write_transaction(db):
            write_batch(db, batch, report.changes)
    except sqlite3.IntegrityError as error:
        raise LoadError([f"{', '.join(report.files)}: refused by the store: {error}"]) from error
    return report


def bundled_files(data_dir: Path) -> list[Path]:
    """The data files shipped in ``data_dir``: the TOML files and the published ratings
    tables (CSV), in name order (a load reads TOML first, so a table finds its framework)."""
    return sorted([*data_dir.glob("*.toml"), *data_dir.glob("*.csv")])


def _read_all(db: Store, paths: Sequence[Path], batch: Batch) -> list[str]:
    """Read every file into ``batch``: TOML files first, then ratings tables, which may
    rely on a framework defined in the same load."""
    problems: list[str] = []
    csv_paths: list[Path] = []
    for path in paths:
        if not path.is_file():
            problems.append(f"{path}: no such file")
        elif path.suffix.lower() == ".csv":
            csv_paths.append(path)
        elif path.suffix.lower() != ".toml":
            problems.append(f"{path}: not a data file this bot reads (expected .toml or .csv)")
        else:
            problems.extend(read_toml(path, batch))
    for path in csv_paths:
        problems.extend(read_table(db, str(path), path.read_bytes(), batch))
    return problems


def _labels(db: Store, batch: Batch) -> dict[tuple[str, str], set[str]]:
    """The rating labels of each framework's bands, by (framework, what they rate)."""
    labels: dict[tuple[str, str], set[str]] = {}
    rows = [
        (row["framework_id"], row["applies_to"], row["label"])
        for row in db.query("SELECT framework_id, applies_to, label FROM rating_bands")
    ]
    rows += [
        (framework_id, band["applies_to"], band["label"])
        for framework_id, bands in batch.bands.items()
        for band in bands
    ]
    for framework_id, applies_to, label in rows:
        if label:
            labels.setdefault((framework_id, applies_to), set()).add(str(label))
    return labels


def _rating_problems(db: Store, batch: Batch) -> list[str]:
    labels = _labels(db, batch)
    problems: list[str] = []
    for row in batch.inspections:
        origin = str(batch.origin.get(str(row["id"] or ""), ""))
        if origin.endswith(".toml"):
            where = f"{origin}: inspection {row['id']}"
            problems.extend(_check_ratings(where, row, batch, labels))
            problems.extend(_unfilled(where, row, batch))
    return problems


def _unfilled(where: str, row: dict[str, object], batch: Batch) -> list[str]:
    """Values of a template (yos-bot new-inspection) still to fill in: they read TODO."""
    found = [f"{where}: {key}" for key, value in row.items() if _todo(value)]
    for part, rows in batch.children.get(str(row["id"]), {}).items():
        if part == "themes":
            continue  # their ratings are checked against the framework's
        for position, child in enumerate(rows):
            found += [
                f"{where}: {part}[{position}].{key}" for key, value in child.items() if _todo(value)
            ]
    return [f"{place}: still reads TODO: fill it in from the report" for place in found]


def _todo(value: object) -> bool:
    return isinstance(value, str) and value.lstrip().upper().startswith("TODO")


def _check_ratings(
    where: str, row: dict[str, object], batch: Batch, labels: dict[tuple[str, str], set[str]]
) -> list[str]:
    """An inspection file's overall rating and standards' ratings must be ratings of its
    framework (when the framework names them)."""
    problems: list[str] = []
    framework = str(row["framework_id"])
    known = labels.get((framework, "overall"), set()) | labels.get((framework, "standard"), set())
    rating = row.get("overall_rating")
    if rating and known and str(rating).lower() not in {k.lower() for k in known}:
        problems.append(
            f"{where}: overall_rating: {str(rating)[:60]!r} is not a rating of {framework} "
            f"(one of {', '.join(sorted(known))})"
        )
    standard = labels.get((framework, "standard"), set())
    themes = batch.children.get(str(row["id"]), {}).get("themes", [])
    for position, theme in enumerate(themes):
        given = theme.get("rating")
        if given and standard and str(given).lower() not in {k.lower() for k in standard}:
            problems.append(
                f"{where}: themes[{position}].rating: {str(given)[:60]!r} is not a standard's "
                f"rating (one of {', '.join(sorted(standard))})"
            )
    return problems


def _check_references(db: Store, batch: Batch) -> list[str]:
    """Cross-file checks: every inspection names a framework and service that exist."""
    problems: list[str] = []
    frameworks = {row["id"] for row in batch.frameworks} | {
        row[0] for row in db.execute("SELECT id FROM frameworks")
    }
    services = {row["id"] for row in batch.services + batch.rated_services} | {
        row[0] for row in db.execute("SELECT id FROM services")
    }
    for row in batch.inspections:
        where = f"{batch.origin[row['id']]}: inspection {row['id']}"
        if row["framework_id"] and row["framework_id"] not in frameworks:
            problems.append(
                f"{where}: framework "
                f"{row['framework_id']!r} is not defined (known: {', '.join(sorted(frameworks))})"
            )
        if row["service_id"] and row["service_id"] not in services:
            problems.append(
                f"{where}: service {row['service_id']!r} is not defined in this file or the store"
            )
    return problems
