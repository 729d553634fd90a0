"""Reading HMIP's published table of youth justice ratings (one row per service).

Each row becomes a service and its latest inspection under the 2018+ standards
framework. A row whose figures do not add up is still imported as published, marked
as questionable with the reason, so a reply can show both; rows are judged by rule,
never by name. A published label that is not a rating is never stored as the rating:
the rating is left empty ("not published as a rating") and the text is kept in the
note. A standard's cell that is not a rating is left out, and noted the same way.

A service's name is cleaned, by rule, of what the scrape took from the report's title
("An inspection of Tower Hamlets and City of London", "Dorset - JI"); its id stays the
slug of the name as published.

A row that cannot be read at all (cells missing or extra, no date, a score that is not
a finite number) refuses the whole table, as does a table with no rows.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any, NamedTuple
from urllib.parse import urlparse

from bot.text import slugify

FRAMEWORK = "hmip-youth-standards-2018"
PROGRAMME = "Youth justice inspection"
REQUIRED = ("la_name", "la_ref", "score_%", "overall_rating", "publication_date", "report_url")
MAX_POINTS = 36
# score_% is published to two decimals, so whole points come back within a hundredth.
WHOLE = 0.02
# How much of a published label that is not a rating the note keeps.
NOTE_TEXT = 160


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

    file_name: str  # how replies cite the table
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
    label: str | None  # the proper label; None when what was published is not a rating
    points: int | None  # whole points, None when the score does not give them
    note: str | None  # why the row is questionable, if it is


def overall_band(points: int, bands: list[tuple[str, float]]) -> str | None:
    """The overall label for whole points under ``bands`` of (label, lower)."""
    reached = [(lower, label) for label, lower in bands if points >= lower]
    return max(reached)[1] if reached else None


def file_name_of(where: str) -> str:
    """The last part of a path or URL: how replies cite a table."""
    try:
        path = urlparse(where).path or where
    except ValueError:
        path = where
    return PurePosixPath(path).name or where


def read_ratings(
    where: str,
    raw: bytes,
    *,
    labels: Mapping[str, str],
    overall_bands: list[tuple[str, float]],
    standard_names: Mapping[str, str],
    cited_as: str | None = None,
) -> RatingsTable:
    """Parse the table. ``where`` names it (a path or a URL) in problems; replies cite it
    as ``cited_as``, by default the last part of ``where``. ``labels`` maps lower-case
    rating labels to their proper form."""
    table = RatingsTable()
    reader = _open(where, raw, table.problems)
    if reader is None:
        return table
    columns = list(reader.fieldnames or [])
    rules = _Rules(
        cited_as or file_name_of(where),
        labels,
        overall_bands,
        standard_names,
        standard_columns=[c for c in columns if c not in REQUIRED],
    )
    seen: set[str] = set()
    rows = 0
    try:
        for line, row in enumerate(reader, start=2):
            rows += 1
            shape = _shape_problem(row, len(columns))
            if shape:
                table.problems.append(f"{where}: line {line}: {shape}")
            else:
                _read_row(rules, row, f"{where}: line {line}", seen, table)
    except csv.Error as error:
        table.problems.append(f"{where}: line {reader.line_num}: not a table row: {error}")
    if rows == 0:
        table.problems.append(f"{where}: has a header but no rows")
    return table


def _open(where: str, raw: bytes, problems: list[str]) -> csv.DictReader[str] | None:
    """A reader over the rows, or None with the problem when the file is not a table."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems.append(f"{where}: not UTF-8 text: {error}")
        return None
    if "\0" in text:
        problems.append(f"{where}: not a text table (it holds NUL characters)")
        return None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as error:
        problems.append(f"{where}: not a table: {error}")
        return None
    missing = [c for c in REQUIRED if c not in fieldnames]
    if missing:
        problems.append(
            f"{where}: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"(a ratings table needs {', '.join(REQUIRED)})"
        )
        return None
    return reader


def _shape_problem(row: Mapping[str | None, Any], columns: int) -> str | None:
    """Why a row is not one cell per column, if it is not (a short or cut-off row)."""
    missing = sum(1 for key, value in row.items() if key is not None and value is None)
    if missing:
        return f"{columns - missing} cells where the header has {columns} (a short or cut-off row)"
    extra = row.get(None)
    if extra:
        return f"{columns + len(extra)} cells where the header has {columns}"
    return None


def _read_row(
    rules: _Rules, row: Mapping[str, str], where: str, seen: set[str], table: RatingsTable
) -> None:
    """One service and its inspection, or the problem that refuses the table."""
    published = _published(row, where)
    if isinstance(published, str):
        table.problems.append(published)
        return
    service_id = slugify(published.la_name)
    if not service_id:
        table.problems.append(f"{where}: la_name: {published.la_name[:40]!r} has no letters")
        return
    inspection_id = _inspection_id(row, service_id, published.published)
    if inspection_id in seen or f"service:{service_id}" in seen:
        table.problems.append(f"{where}: {published.la_name[:60]} appears twice")
        return
    seen.update((inspection_id, f"service:{service_id}"))
    standards, unrated = _standard_rows(rules, inspection_id, row)
    judged = _judge(rules, row["overall_rating"], published.score)
    note = "; ".join(r for r in (judged.note, *unrated) if r) or None
    if note:
        table.flagged.append(f"{service_name(published.la_name)}: {note}")
    table.services.append(_service_row(service_id, published.la_name, row))
    table.inspections.append(
        _inspection_row(
            rules.file_name, inspection_id, service_id, published, judged._replace(note=note), row
        )
    )
    table.standards[inspection_id] = standards


# What the scrape sometimes takes from a report's title around the service's name: a
# leading "An inspection of" ("An inspection of Tower Hamlets and City of London", as if
# the service were called that) and a trailing abbreviation after a dash ("Dorset - JI",
# the scrape's mark of a joint inspection).
_TITLE_BEFORE = re.compile(
    r"^(?:an?\s+)?(?:joint\s+)?inspection\s+of\s+"
    r"(?:youth\s+(?:justice|offending)\s+(?:services?|work)\s+(?:in|at)\s+)?",
    re.IGNORECASE,
)
_TITLE_AFTER = re.compile(r"\s+[-\u2013\u2014]\s+[A-Z]{1,4}$")


def service_name(la_name: str) -> str:
    """The service's name in a row's la_name, without what the scrape took from the
    report's title around it (by rule, never by name); the name itself when nothing is
    left once that is taken away."""
    name = " ".join(la_name.split())
    cleaned = _TITLE_AFTER.sub("", _TITLE_BEFORE.sub("", name))
    return cleaned if any(c.isalpha() for c in cleaned) else name


def _published(row: Mapping[str, str], where: str) -> _Published | str:
    """The service's name as published, publication date and score, or what is wrong."""
    la_name = " ".join(row["la_name"].split())
    if not la_name:
        return f"{where}: la_name: is empty"
    written = row["publication_date"].strip()
    try:
        published = datetime.strptime(written, "%d/%m/%y").date()
    except ValueError:
        return f"{where}: publication_date: {written[:40]!r} is not a date written dd/mm/yy"
    typed = row["score_%"].strip()
    try:
        score = float(typed)
    except ValueError:
        return f"{where}: score_%: {typed[:40]!r} is not a number"
    if not math.isfinite(score):
        return f"{where}: score_%: {typed[:40]!r} is not a finite number"
    return _Published(la_name, published, score)


def _judge(rules: _Rules, published_rating: str, score: float) -> _Judgement:
    """The overall rating as stored, the whole points, and why the row is questionable."""
    published_label = " ".join(published_rating.split())
    label = rules.labels.get(published_label.lower())
    points = _whole_points(score)
    by_points = overall_band(points, rules.overall_bands) if points is not None else None
    reasons = []
    if label is None:
        reasons.append(_not_a_rating(published_label, points, by_points))
    if not 0 <= score <= 100:
        reasons.append(f"score {score:g}% is not a percentage from 0 to 100")
    elif points is None:
        reasons.append(
            f"{score * MAX_POINTS / 100:.2f} points (score {score:g}%) is not a whole number "
            f"from 0 to {MAX_POINTS}"
        )
    elif label is not None and by_points and by_points != label:
        reasons.append(f"published: {label}; {points}/{MAX_POINTS} points would be {by_points}")
    return _Judgement(label=label, points=points, note="; ".join(reasons) or None)


def _whole_points(score: float) -> int | None:
    """The whole points out of 36 a score (points / 36 x 100) stands for, if it stands for
    whole points at all."""
    if not 0 <= score <= 100:
        return None
    exact = score * MAX_POINTS / 100
    nearest = round(exact)
    return nearest if abs(exact - nearest) <= WHOLE else None


def _not_a_rating(published_label: str, points: int | None, by_points: str | None) -> str:
    """The note for a rating cell that holds no rating: its text as published, kept."""
    if not published_label:
        reason = "no overall rating published"
    else:
        shown = published_label
        if len(shown) > NOTE_TEXT:
            shown = shown[: NOTE_TEXT - 1] + "…"
        reason = f"the published rating cell reads “{shown}”, which is not a rating"
    if points is not None and by_points:
        reason += f"; {points}/{MAX_POINTS} points would be {by_points}"
    return reason


def _service_row(service_id: str, la_name: str, row: Mapping[str, str]) -> dict[str, Any]:
    """The service: its name cleaned of the report's title, its id the slug of the name
    as published (so a store loaded before keeps every reference to it)."""
    name = service_name(la_name)
    return {
        "id": service_id,
        "name": name,
        "short_name": name,
        "local_authority": name,
        "reference": row["la_ref"].strip() or None,
    }


def _inspection_row(
    file_name: str,
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
        "source": f"HMIP published ratings ({file_name})",
        "data_file": file_name,
    }


def _standard_rows(
    rules: _Rules, inspection_id: str, row: Mapping[str, str]
) -> tuple[list[dict[str, Any]], list[str]]:
    """The standards the row rates, in column order (an empty cell is not rated), and a
    reason for each cell that holds something other than a rating (left out)."""
    standards = []
    unrated = []
    for position, column in enumerate(rules.standard_columns, start=1):
        value = " ".join(row[column].split())
        if not value:
            continue
        name = rules.standard_names.get(column) or column.replace("_", " ").capitalize()
        rating = rules.labels.get(value.lower())
        if rating is None:
            shown = value if len(value) <= 40 else value[:39] + "…"
            unrated.append(f"{name}: “{shown}” is not a rating")
            continue
        standards.append(
            {
                "inspection_id": inspection_id,
                "slug": column.replace("_", "-"),
                "name": name,
                "score": None,
                "rating": rating,
                "position": position,
            }
        )
    return standards, unrated


def _inspection_id(row: Mapping[str, str], service_id: str, published: date) -> str:
    """The report's own name where the URL has one (readingyjs2024), else service and date."""
    try:
        path = urlparse(row["report_url"].strip()).path.rstrip("/")
    except ValueError:  # not a URL at all (an unclosed "[" in its host)
        path = ""
    tail = path.rsplit("/", 1)[-1] if path else ""
    return tail or f"{service_id}-{published.isoformat()}"
