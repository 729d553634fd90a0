"""Loading hand-edited TOML data files into the store.

A load is all or nothing: every file is parsed and checked before anything is
written, and the writes happen in one transaction. Rows are compared before they
are written, so loading the same files twice changes nothing, and rows that only
exist at run time (audit updates) are never touched.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from bot.store.db import write_transaction
from bot.text import slugify

Row = dict[str, Any]

REF_PATTERN = re.compile(r"^R[1-9][0-9]*$")
MEASURES = ("percent", "points")
APPLIES_TO = ("score", "standard", "overall")


class LoadError(Exception):
    """A data file was refused; ``problems`` name the file, the field and what is wrong."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


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


@dataclass
class _Batch:
    """Everything parsed from the files of one load, ready to write."""

    frameworks: list[Row] = field(default_factory=list)
    bands: dict[str, list[Row]] = field(default_factory=dict)
    services: list[Row] = field(default_factory=list)
    inspections: list[Row] = field(default_factory=list)
    children: dict[str, dict[str, list[Row]]] = field(default_factory=dict)
    recommendation_children: dict[str, list[Row]] = field(default_factory=dict)
    files: list[tuple[str, str]] = field(default_factory=list)
    origin: dict[str, str] = field(default_factory=dict)  # inspection id -> file it came from
    standards: dict[str, list[Row]] = field(default_factory=dict)  # by framework
    rated_services: list[Row] = field(default_factory=list)  # added, never overwritten
    rows_imported: int = 0
    flagged: list[str] = field(default_factory=list)


# --- reading and checking -------------------------------------------------


class _Checker:
    """Reads typed fields out of parsed TOML, collecting every problem it finds."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{self.filename}: {where}: {message}")

    def table(self, data: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problem(f"{where}{key}", "must be a list of tables ([[" + key + "]])")
            return []
        return value

    def _get(self, data: Mapping[str, Any], key: str, where: str, required: bool) -> Any:
        value = data.get(key)
        if value is None and required:
            self.problem(f"{where}.{key}", "is required")
        return value

    def text(
        self, data: Mapping[str, Any], key: str, where: str, *, required: bool = False
    ) -> str | None:
        value = self._get(data, key, where, required)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(f"{where}.{key}", f"must be non-empty text, got {value!r}")
            return None
        return value.strip()

    def number(
        self,
        data: Mapping[str, Any],
        key: str,
        where: str,
        *,
        low: float | None = None,
        high: float | None = None,
        required: bool = False,
        whole: bool = False,
    ) -> float | None:
        value = self._get(data, key, where, required)
        if value is None:
            return None
        kind = int if whole else (int, float)
        if isinstance(value, bool) or not isinstance(value, kind):
            noun = "a whole number" if whole else "a number"
            self.problem(f"{where}.{key}", f"must be {noun}, got {value!r}")
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            self.problem(f"{where}.{key}", f"must be from {low:g} to {high:g}, got {value:g}")
            return None
        return value

    def day(
        self, data: Mapping[str, Any], key: str, where: str, *, required: bool = False
    ) -> str | None:
        value = self._get(data, key, where, required)
        if value is None:
            return None
        if isinstance(value, datetime) or not isinstance(value, date):
            self.problem(f"{where}.{key}", f"must be a date written as YYYY-MM-DD, got {value!r}")
            return None
        return value.isoformat()

    def texts(self, data: Mapping[str, Any], key: str, where: str) -> list[str]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.problem(f"{where}.{key}", "must be a list of non-empty texts")
            return []
        return [v.strip() for v in value]


def _read_file(path: Path, batch: _Batch) -> list[str]:
    raw = path.read_bytes()
    name = str(path)
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        return [f"{name}: not valid TOML: {error}"]
    check = _Checker(name)
    known = {"frameworks", "services", "inspections"}
    for key in data:
        if key not in known:
            check.problem(
                key, f"is not a known section (expected one of {', '.join(sorted(known))})"
            )
    for i, item in enumerate(check.table(data, "frameworks", "")):
        _read_framework(check, item, f"frameworks[{i}]", batch)
    for i, item in enumerate(check.table(data, "services", "")):
        _read_service(check, item, f"services[{i}]", batch)
    for i, item in enumerate(check.table(data, "inspections", "")):
        _read_inspection(check, item, f"inspections[{i}]", batch, name)
    batch.files.append((name, hashlib.sha256(raw).hexdigest()))
    return check.problems


def _read_framework(check: _Checker, item: Mapping[str, Any], where: str, batch: _Batch) -> None:
    framework_id = check.text(item, "id", where, required=True)
    measure = check.text(item, "measure", where, required=True)
    if measure is not None and measure not in MEASURES:
        check.problem(f"{where}.measure", f"must be one of {', '.join(MEASURES)}, got {measure!r}")
    row = {
        "id": framework_id,
        "name": check.text(item, "name", where, required=True),
        "period": check.text(item, "period", where),
        "measure": measure,
        "unit": check.text(item, "unit", where),
        "max_points": check.number(item, "max_points", where, low=1, high=1000, whole=True),
        "description": check.text(item, "description", where),
    }
    bands: list[Row] = []
    seen: set[tuple[str, str]] = set()
    for j, band in enumerate(check.table(item, "bands", f"{where}.")):
        at = f"{where}.bands[{j}]"
        applies_to = check.text(band, "applies_to", at, required=True)
        if applies_to is not None and applies_to not in APPLIES_TO:
            check.problem(
                f"{at}.applies_to", f"must be one of {', '.join(APPLIES_TO)}, got {applies_to!r}"
            )
        label = check.text(band, "label", at, required=True)
        lower = check.number(band, "lower", at, low=0, high=1000)
        upper = check.number(band, "upper", at, low=0, high=1000)
        if applies_to in ("score", "overall") and lower is None:
            check.problem(f"{at}.lower", f"is required for a band that rates a {applies_to}")
        if lower is not None and upper is not None and upper < lower:
            check.problem(f"{at}.upper", f"must not be below lower ({lower:g}), got {upper:g}")
        if (applies_to, label) in seen:
            check.problem(f"{at}.label", f"{label!r} appears twice for {applies_to}")
        seen.add((str(applies_to), str(label)))
        bands.append(
            {
                "framework_id": framework_id,
                "applies_to": applies_to,
                "label": label,
                "lower": lower,
                "upper": upper,
                "value": check.number(band, "value", at, low=0, high=100, whole=True),
                "position": j + 1,
            }
        )
    if not bands:
        check.problem(f"{where}.bands", "a framework needs at least one band")
    standards: list[Row] = []
    for j, standard in enumerate(check.table(item, "standards", f"{where}.")):
        at = f"{where}.standards[{j}]"
        counts = standard.get("counts", True)
        if not isinstance(counts, bool):
            check.problem(f"{at}.counts", f"must be true or false, got {counts!r}")
        standards.append(
            {
                "framework_id": framework_id,
                "key": check.text(standard, "key", at, required=True),
                "name": check.text(standard, "name", at, required=True),
                "domain": check.text(standard, "domain", at),
                "counts": 1 if counts is not False else 0,
                "position": j + 1,
            }
        )
    batch.frameworks.append(row)
    if framework_id:
        batch.bands[framework_id] = bands
        batch.standards[framework_id] = standards


def _read_service(check: _Checker, item: Mapping[str, Any], where: str, batch: _Batch) -> None:
    batch.services.append(
        {
            "id": check.text(item, "id", where, required=True),
            "name": check.text(item, "name", where, required=True),
            "short_name": check.text(item, "short_name", where),
            "local_authority": check.text(item, "local_authority", where),
            "reference": check.text(item, "reference", where),
        }
    )


def _read_inspection(
    check: _Checker, item: Mapping[str, Any], where: str, batch: _Batch, filename: str
) -> None:
    inspection_id = check.text(item, "id", where, required=True)
    row: Row = {
        "id": inspection_id,
        "service_id": check.text(item, "service", where, required=True),
        "framework_id": check.text(item, "framework", where, required=True),
        "inspectorate": check.text(item, "inspectorate", where),
        "programme": check.text(item, "programme", where, required=True),
        "programme_short": check.text(item, "programme_short", where),
        "fieldwork_start": check.day(item, "fieldwork_start", where),
        "fieldwork_end": check.day(item, "fieldwork_end", where),
        "published": check.day(item, "published", where, required=True),
        "overall_score": check.number(item, "overall_score", where, low=0, high=100),
        "score_min": check.number(item, "score_min", where, low=0, high=100),
        "score_max": check.number(item, "score_max", where, low=0, high=100),
        "overall_points": check.number(item, "overall_points", where, low=0, high=1000, whole=True),
        "overall_rating": check.text(item, "overall_rating", where),
        "summary_quote": check.text(item, "summary_quote", where),
        "scope": check.text(item, "scope", where),
        "method": check.text(item, "method", where),
        "previous_inspection": check.text(item, "previous_inspection", where),
        "outcome": check.text(item, "outcome", where),
        "comparison": check.text(item, "comparison", where),
        "bands_note": check.text(item, "bands_note", where),
        "report_url": check.text(item, "report_url", where),
        "source": check.text(item, "source", where),
        "data_file": Path(filename).name,
    }
    start, end = row["fieldwork_start"], row["fieldwork_end"]
    if start and end and end < start:
        check.problem(f"{where}.fieldwork_end", f"is before fieldwork_start ({start})")
    if end and row["published"] and row["published"] < end:
        check.problem(f"{where}.published", f"is before the fieldwork ended ({end})")
    low, high = row["score_min"], row["score_max"]
    if low is not None and high is not None and high < low:
        check.problem(f"{where}.score_max", f"is below score_min ({low:g})")
    batch.inspections.append(row)
    key = inspection_id or ""
    batch.origin[key] = filename
    children = batch.children.setdefault(key, {})

    themes: list[Row] = []
    slugs: set[str] = set()
    for j, theme in enumerate(check.table(item, "themes", f"{where}.")):
        at = f"{where}.themes[{j}]"
        name = check.text(theme, "name", at, required=True)
        slug = check.text(theme, "slug", at) or slugify(name or "")
        if slug in slugs:
            check.problem(f"{at}.name", f"another theme already has the short name {slug!r}")
        slugs.add(slug)
        score = check.number(theme, "score", at, low=0, high=100)
        rating = check.text(theme, "rating", at)
        if score is None and rating is None:
            check.problem(at, "needs a score, a rating or both")
        themes.append(
            {
                "inspection_id": inspection_id,
                "slug": slug,
                "name": name,
                "score": score,
                "rating": rating,
                "position": j + 1,
            }
        )
    children["themes"] = themes
    children["strengths"] = [
        {"inspection_id": inspection_id, "position": j + 1, "text": text}
        for j, text in enumerate(check.texts(item, "strengths", where))
    ]

    recommendations: list[Row] = []
    refs: set[str] = set()
    for j, rec in enumerate(check.table(item, "recommendations", f"{where}.")):
        at = f"{where}.recommendations[{j}]"
        ref = check.text(rec, "ref", at, required=True)
        if ref is not None and not REF_PATTERN.match(ref):
            check.problem(f"{at}.ref", f"must look like R1, R2…, got {ref!r}")
        if ref in refs:
            check.problem(f"{at}.ref", f"{ref} is used twice in this inspection")
        refs.add(str(ref))
        rec_id = f"{inspection_id}:{ref}"
        recommendations.append(
            {
                "id": rec_id,
                "inspection_id": inspection_id,
                "ref": ref,
                "position": j + 1,
                "text": check.text(rec, "text", at, required=True),
                "context": check.text(rec, "context", at),
                "response": check.text(rec, "response", at),
                "baseline_note": check.text(rec, "baseline_note", at),
                "monitor_months": check.number(
                    rec, "monitor_months", at, low=1, high=60, whole=True
                ),
                "monitor_start": check.day(rec, "monitor_start", at),
                "monitored_by": check.text(rec, "monitored_by", at),
                "monitor_means": json.dumps(check.texts(rec, "monitor_means", at)),
                "report_to": check.text(rec, "report_to", at),
                "target": check.number(rec, "target", at, low=0, high=100),
            }
        )
        batch.recommendation_children[rec_id] = [
            {
                "recommendation_id": rec_id,
                "position": k + 1,
                "label": check.text(base, "label", f"{at}.baselines[{k}]", required=True),
                "score": check.number(
                    base, "score", f"{at}.baselines[{k}]", low=0, high=100, required=True
                ),
            }
            for k, base in enumerate(check.table(rec, "baselines", f"{at}."))
        ]
    children["recommendations"] = recommendations

    events: list[Row] = []
    for j, event in enumerate(check.table(item, "events", f"{where}.")):
        at = f"{where}.events[{j}]"
        events.append(
            {
                "inspection_id": inspection_id,
                "position": j + 1,
                "date": check.day(event, "date", at, required=True),
                "kind": check.text(event, "kind", at, required=True),
                "body": check.text(event, "body", at),
                "title": check.text(event, "title", at, required=True),
                "detail": check.text(event, "detail", at),
            }
        )
    children["governance_events"] = events


def _check_references(db: sqlite_utils.Database, batch: _Batch) -> list[str]:
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


# --- writing --------------------------------------------------------------


def _sync(
    db: sqlite_utils.Database,
    table: str,
    pk: Sequence[str],
    rows: Iterable[Row],
    report: LoadReport,
    scope: Mapping[str, Any] | None = None,
) -> None:
    """Make ``table`` hold ``rows``: insert new, update changed, leave equal rows alone.

    With ``scope``, rows in that scope that are not in ``rows`` are removed (a
    theme deleted from the file goes from the store too).
    """
    new = {tuple(row[k] for k in pk): row for row in rows}
    where = " AND ".join(f"[{k}] = ?" for k in scope) if scope else None
    params = list(scope.values()) if scope else None
    existing = {
        tuple(row[k] for k in pk): row
        for row in db.table(table).rows_where(where, params)
        if scope or tuple(row[k] for k in pk) in new
    }
    for key, row in new.items():
        old = existing.get(key)
        if old is None:
            db.table(table).insert(row)
            report.changes[f"{table} added"] += 1
        elif any(old.get(k) != v for k, v in row.items()):
            db.table(table).update(key if len(key) > 1 else key[0], row)
            report.changes[f"{table} updated"] += 1
    if scope:
        for key in existing.keys() - new.keys():
            db.table(table).delete(key if len(key) > 1 else key[0])
            report.changes[f"{table} removed"] += 1


def load_files(db: sqlite_utils.Database, paths: Sequence[Path]) -> LoadReport:
    """Load data files into the store, all or nothing. Raises LoadError on any problem."""
    batch = _Batch()
    problems: list[str] = []
    tables: list[Path] = []
    for path in paths:
        if not path.is_file():
            problems.append(f"{path}: no such file")
        elif path.suffix.lower() == ".csv":
            tables.append(path)
        elif path.suffix.lower() != ".toml":
            problems.append(f"{path}: not a data file this bot reads (expected .toml or .csv)")
        else:
            problems.extend(_read_file(path, batch))
    for path in tables:
        problems.extend(_read_ratings(db, path, batch))
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
            _sync(db, "frameworks", ["id"], batch.frameworks, report)
            for framework_id, bands in batch.bands.items():
                _sync(
                    db,
                    "rating_bands",
                    ["framework_id", "applies_to", "label"],
                    bands,
                    report,
                    scope={"framework_id": framework_id},
                )
            for framework_id, standards in batch.standards.items():
                _sync(
                    db,
                    "framework_standards",
                    ["framework_id", "key"],
                    standards,
                    report,
                    scope={"framework_id": framework_id},
                )
            _sync(db, "services", ["id"], batch.services, report)
            known = {row[0] for row in db.execute("SELECT id FROM services")}
            _sync(
                db,
                "services",
                ["id"],
                [r for r in batch.rated_services if r["id"] not in known],
                report,
            )
            _sync(db, "inspections", ["id"], batch.inspections, report)
            for inspection_id, tables in batch.children.items():
                scope = {"inspection_id": inspection_id}
                _sync(db, "themes", ["inspection_id", "slug"], tables["themes"], report, scope)
                if "strengths" not in tables:
                    continue  # a rated inspection from a table has standards only
                _sync(
                    db,
                    "strengths",
                    ["inspection_id", "position"],
                    tables["strengths"],
                    report,
                    scope,
                )
                for rec_id in _removed_recommendations(db, inspection_id, tables):
                    if db.execute(
                        "SELECT 1 FROM audit_updates WHERE recommendation_id = ? LIMIT 1", [rec_id]
                    ).fetchone():
                        raise LoadError(
                            [
                                f"{batch.origin[inspection_id]}: recommendation "
                                f"{rec_id.rsplit(':', 1)[-1]} has audit updates recorded against "
                                "it, so it cannot be removed from the file"
                            ]
                        )
                    db.table("baselines").delete_where("recommendation_id = ?", [rec_id])
                _sync(db, "recommendations", ["id"], tables["recommendations"], report, scope)
                _sync(
                    db,
                    "governance_events",
                    ["inspection_id", "position"],
                    tables["governance_events"],
                    report,
                    scope,
                )
            for rec_id, baselines in batch.recommendation_children.items():
                _sync(
                    db,
                    "baselines",
                    ["recommendation_id", "position"],
                    baselines,
                    report,
                    scope={"recommendation_id": rec_id},
                )
            now = datetime.now(UTC).isoformat(timespec="seconds")
            for name, digest in batch.files:
                row = db.execute("SELECT sha256 FROM data_files WHERE path = ?", [name]).fetchone()
                if row is None or row[0] != digest:
                    db.table("data_files").upsert(
                        {"path": name, "sha256": digest, "loaded_at": now}, pk="path"
                    )
    except sqlite3.IntegrityError as error:
        raise LoadError([f"{', '.join(report.files)}: refused by the store: {error}"]) from error
    return report


def _read_ratings(db: sqlite_utils.Database, path: Path, batch: _Batch) -> list[str]:
    """A published ratings table (CSV), checked against the standards framework."""
    from bot.store.ratings_csv import FRAMEWORK, read_ratings

    bands = batch.bands.get(FRAMEWORK) or [
        dict(r) for r in db.query("SELECT * FROM rating_bands WHERE framework_id = ?", [FRAMEWORK])
    ]
    if not bands:
        return [
            f"{path}: the {FRAMEWORK} framework is not in the store; "
            "load data/frameworks.toml first"
        ]
    standards = batch.standards.get(FRAMEWORK) or [
        dict(r)
        for r in db.query("SELECT * FROM framework_standards WHERE framework_id = ?", [FRAMEWORK])
    ]
    raw = path.read_bytes()
    table = read_ratings(
        path,
        raw,
        labels={b["label"].lower(): b["label"] for b in bands if b["applies_to"] == "overall"},
        overall_bands=[(b["label"], b["lower"]) for b in bands if b["applies_to"] == "overall"],
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


def _removed_recommendations(
    db: sqlite_utils.Database, inspection_id: str, tables: Mapping[str, list[Row]]
) -> list[str]:
    keep = {row["id"] for row in tables["recommendations"]}
    return [
        row["id"]
        for row in db.table("recommendations").rows_where("inspection_id = ?", [inspection_id])
        if row["id"] not in keep
    ]


def bundled_files(data_dir: Path) -> list[Path]:
    """The data files shipped in ``data_dir``, in name order."""
    return sorted(data_dir.glob("*.toml"))
