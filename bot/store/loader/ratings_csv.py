"""Reading HMIP's published table of youth justice ratings (one row per service).

Each row becomes a service and its latest inspection under the 2018+ standards
framework. A row whose figures do not add up is still imported as published, marked
as questionable with the reason, so a reply can show both; rows are judged by rule,
never by name.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlparse

from bot.text import slugify

FRAMEWORK = "hmip-youth-standards-2018"
PROGRAMME = "Youth justice inspection"
REQUIRED = ("la_name", "la_ref", "score_%", "overall_rating", "publication_date", "report_url")
MAX_POINTS = 36
# score_% is published to two decimals, so whole points come back within a hundredth.
WHOLE = 0.02


@dataclass
class RatingsTable:
    services: list[dict[str, Any]] = field(default_factory=list)
    inspections: list[dict[str, Any]] = field(default_factory=list)
    standards: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    flagged: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Rules:
    """What a row is judged against: the framework's labels, bands and standards."""

    path: Path
    labels: Mapping[str, str]  # lower-case label -> its proper form
    overall_bands: list[tuple[str, float]]
    standard_names: Mapping[str, str]
    standard_columns: list[str]


class _Published(NamedTuple):
    """The facts a row must have before anything else is read from it."""

    la_name: str
    published: date
    score: float


class _Judgement(NamedTuple):
    label: str  # the proper label, or the published text when it is not a rating
    points: int | None  # whole points, None when the score does not give them
    note: str | None  # why the row is questionable, if it is


def overall_band(points: int, bands: list[tuple[str, float]]) -> str | None:
    """The overall label for whole points under ``bands`` of (label, lower)."""
    reached = [(lower, label) for label, lower in bands if points >= lower]
    return max(reached)[1] if reached else None


def read_ratings(
    path: Path,
    raw: bytes,
    *,
    labels: Mapping[str, str],
    overall_bands: list[tuple[str, float]],
    standard_names: Mapping[str, str],
) -> RatingsTable:
    """Parse the table. ``labels`` maps lower-case rating labels to their proper form."""
    table = RatingsTable()
    reader = _open(path, raw, table.problems)
    if reader is None:
        return table
    rules = _Rules(
        path,
        labels,
        overall_bands,
        standard_names,
        standard_columns=[c for c in reader.fieldnames or [] if c not in REQUIRED],
    )
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        _read_row(rules, row, f"{path}: line {line}", seen, table)
    return table


def _open(path: Path, raw: bytes, problems: list[str]) -> csv.DictReader[str] | None:
    """A reader over the rows, or None with the problem when the file is not a table."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems.append(f"{path}: not UTF-8 text: {error}")
        return None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        problems.append(
            f"{path}: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(a ratings table needs {', '.join(REQUIRED)})"
        )
        return None
    return reader


def _read_row(
    rules: _Rules, row: Mapping[str, str], where: str, seen: set[str], table: RatingsTable
) -> None:
    """One service and its inspection, or the problem that refuses the table."""
    published = _published(row, where)
    if isinstance(published, str):
        table.problems.append(published)
        return
    service_id = slugify(published.la_name)
    inspection_id = _inspection_id(row, service_id, published.published)
    if inspection_id in seen:
        table.problems.append(f"{where}: {published.la_name} appears twice")
        return
    seen.add(inspection_id)
    judged = _judge(rules, row["overall_rating"], published.score)
    if judged.note:
        table.flagged.append(f"{published.la_name}: {judged.note}")
    table.services.append(_service_row(service_id, published.la_name, row))
    table.inspections.append(
        _inspection_row(rules.path, inspection_id, service_id, published, judged, row)
    )
    table.standards[inspection_id] = _standard_rows(rules, inspection_id, row)


def _published(row: Mapping[str, str], where: str) -> _Published | str:
    """The service's name, publication date and score, or what is wrong with them."""
    la_name = (row.get("la_name") or "").strip()
    if not la_name:
        return f"{where}: la_name: is empty"
    try:
        published = datetime.strptime(row["publication_date"].strip(), "%d/%m/%y").date()
    except ValueError:
        return (
            f"{where}: publication_date: {row['publication_date']!r} is not a date written dd/mm/yy"
        )
    try:
        score = float(row["score_%"])
    except ValueError:
        return f"{where}: score_%: {row['score_%']!r} is not a number"
    return _Published(la_name, published, score)


def _judge(rules: _Rules, published_rating: str, score: float) -> _Judgement:
    """The overall rating as stored, the whole points, and why the row is questionable."""
    published_label = " ".join(published_rating.split())
    label = rules.labels.get(published_label.lower())
    points_exact = score * MAX_POINTS / 100
    points = round(points_exact)
    whole = abs(points_exact - points) <= WHOLE and 0 <= points <= MAX_POINTS
    by_points = overall_band(points, rules.overall_bands) if whole else None
    reasons = []
    if label is None:
        reasons.append(_not_a_rating(published_label, points, by_points))
    if not whole:
        reasons.append(
            f"{points_exact:.2f} points (score {score:g}%) is not a whole number "
            f"from 0 to {MAX_POINTS}"
        )
    elif label is not None and by_points and by_points != label:
        reasons.append(f"published: {label}; {points}/{MAX_POINTS} points would be {by_points}")
    return _Judgement(
        label=label or published_label,
        points=points if whole else None,
        note="; ".join(reasons) or None,
    )


def _not_a_rating(published_label: str, points: int, by_points: str | None) -> str:
    shown = published_label if len(published_label) <= 60 else published_label[:59] + "…"
    reason = f"published rating “{shown}” is not a rating"
    if by_points:
        reason += f"; {points}/{MAX_POINTS} points would be {by_points}"
    return reason


def _service_row(service_id: str, la_name: str, row: Mapping[str, str]) -> dict[str, Any]:
    return {
        "id": service_id,
        "name": la_name,
        "short_name": la_name,
        "local_authority": la_name,
        "reference": row["la_ref"].strip() or None,
    }


def _inspection_row(
    path: Path,
    inspection_id: str,
    service_id: str,
    published: _Published,
    judged: _Judgement,
    row: Mapping[str, str],
) -> dict[str, Any]:
    return {
        "id": inspection_id,
        "service_id": service_id,
        "framework_id": FRAMEWORK,
        "inspectorate": "HM Inspectorate of Probation",
        "programme": PROGRAMME,
        "published": published.published.isoformat(),
        "overall_points": judged.points,
        "overall_rating": judged.label,
        "published_score": published.score,
        "quality_note": judged.note,
        "report_url": row["report_url"].strip() or None,
        "source": f"HMIP published ratings ({path.name})",
        "data_file": path.name,
    }


def _standard_rows(
    rules: _Rules, inspection_id: str, row: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The standards the row rates, in column order; an empty cell is not rated."""
    standards = []
    for position, column in enumerate(rules.standard_columns, start=1):
        value = " ".join((row.get(column) or "").split())
        if not value:
            continue
        standards.append(
            {
                "inspection_id": inspection_id,
                "slug": column.replace("_", "-"),
                "name": rules.standard_names.get(column) or column.replace("_", " ").capitalize(),
                "score": None,
                "rating": rules.labels.get(value.lower(), value),
                "position": position,
            }
        )
    return standards


def _inspection_id(row: Mapping[str, str], service_id: str, published: date) -> str:
    """The report's own name where the URL has one (readingyjs2024), else service and date."""
    path = urlparse(row.get("report_url") or "").path.rstrip("/")
    tail = path.rsplit("/", 1)[-1] if path else ""
    return tail or f"{service_id}-{published.isoformat()}"
