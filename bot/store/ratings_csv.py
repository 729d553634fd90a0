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
from typing import Any
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
    name = str(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        table.problems.append(f"{name}: not UTF-8 text: {error}")
        return table
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        table.problems.append(
            f"{name}: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(a ratings table needs {', '.join(REQUIRED)})"
        )
        return table
    standard_columns = [c for c in reader.fieldnames or [] if c not in REQUIRED]
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        where = f"{name}: line {line}"
        la_name = (row.get("la_name") or "").strip()
        if not la_name:
            table.problems.append(f"{where}: la_name: is empty")
            continue
        try:
            published = datetime.strptime(row["publication_date"].strip(), "%d/%m/%y").date()
        except ValueError:
            table.problems.append(
                f"{where}: publication_date: {row['publication_date']!r} is not a date "
                "written dd/mm/yy"
            )
            continue
        try:
            score = float(row["score_%"])
        except ValueError:
            table.problems.append(f"{where}: score_%: {row['score_%']!r} is not a number")
            continue
        service_id = slugify(la_name)
        inspection_id = _inspection_id(row, service_id, published)
        if inspection_id in seen:
            table.problems.append(f"{where}: {la_name} appears twice")
            continue
        seen.add(inspection_id)

        published_label = " ".join(row["overall_rating"].split())
        label = labels.get(published_label.lower())
        points_exact = score * MAX_POINTS / 100
        points = round(points_exact)
        whole = abs(points_exact - points) <= WHOLE and 0 <= points <= MAX_POINTS
        reasons = []
        by_points = overall_band(points, overall_bands) if whole else None
        if label is None:
            shown = published_label if len(published_label) <= 60 else published_label[:59] + "…"
            reason = f"published rating “{shown}” is not a rating"
            if by_points:
                reason += f"; {points}/{MAX_POINTS} points would be {by_points}"
            reasons.append(reason)
        if not whole:
            reasons.append(
                f"{points_exact:.2f} points (score {score:g}%) is not a whole number "
                f"from 0 to {MAX_POINTS}"
            )
        elif label is not None and by_points and by_points != label:
            reasons.append(f"published: {label}; {points}/{MAX_POINTS} points would be {by_points}")
        note = "; ".join(reasons) or None
        if note:
            table.flagged.append(f"{la_name}: {note}")

        table.services.append(
            {
                "id": service_id,
                "name": la_name,
                "short_name": la_name,
                "local_authority": la_name,
                "reference": row["la_ref"].strip() or None,
            }
        )
        table.inspections.append(
            {
                "id": inspection_id,
                "service_id": service_id,
                "framework_id": FRAMEWORK,
                "inspectorate": "HM Inspectorate of Probation",
                "programme": PROGRAMME,
                "published": published.isoformat(),
                "overall_points": points if whole else None,
                "overall_rating": label or published_label,
                "published_score": score,
                "quality_note": note,
                "report_url": row["report_url"].strip() or None,
                "source": f"HMIP published ratings ({path.name})",
                "data_file": path.name,
            }
        )
        standards = []
        for position, column in enumerate(standard_columns, start=1):
            value = " ".join((row.get(column) or "").split())
            if not value:
                continue
            standards.append(
                {
                    "inspection_id": inspection_id,
                    "slug": column.replace("_", "-"),
                    "name": standard_names.get(column) or column.replace("_", " ").capitalize(),
                    "score": None,
                    "rating": labels.get(value.lower(), value),
                    "position": position,
                }
            )
        table.standards[inspection_id] = standards
    return table


def _inspection_id(row: Mapping[str, str], service_id: str, published: date) -> str:
    """The report's own name where the URL has one (readingyjs2024), else service and date."""
    path = urlparse(row.get("report_url") or "").path.rstrip("/")
    tail = path.rsplit("/", 1)[-1] if path else ""
    return tail or f"{service_id}-{published.isoformat()}"
