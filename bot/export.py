"""Exporting the store: inspections as nested JSON or one CSV row per theme, and audit
updates as CSV, JSON Lines or a JSON array.

Every CSV cell goes through :mod:`bot.csvsafe`, so no note, name or label can run as a
spreadsheet formula; numbers stay numbers.

Audit updates are streamed: rows come one at a time from a cursor and are written as they
come, so exporting a million takes no more memory than exporting ten.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, TextIO

from bot import csvsafe
from bot.domain.inspections.queries import InspectionQueries
from bot.store import audits
from bot.store import inspections as stored
from bot.store.db import Store

AUDIT_COLUMNS = [
    "id",
    "recommendation",
    "audit_date",
    "compliant",
    "audited",
    "percent",
    "note",
    "user_id",
    "user_name",
    "channel_id",
    "message_ref",
    "platform",
    "via",
    "recorded_at",
    "retracted",
]
AUDIT_FORMATS = ("csv", "jsonl", "json")

_PERCENT = AUDIT_COLUMNS.index("percent")
_RETRACTED = AUDIT_COLUMNS.index("retracted")


def _audit_values(db: Store) -> Iterator[list[Any]]:
    """Each update's values in AUDIT_COLUMNS order, read one row at a time."""
    for row in audits.exported(db):
        values = list(row)
        values[_PERCENT] = round(values[_PERCENT], 1)
        values[_RETRACTED] = bool(values[_RETRACTED])
        yield values


def audit_rows(db: Store) -> Iterator[dict[str, Any]]:
    """Every audit update as a dict of AUDIT_COLUMNS, oldest entry first, one at a time
    (retracted ones too, marked)."""
    for values in _audit_values(db):
        yield dict(zip(AUDIT_COLUMNS, values, strict=True))


def write_audits(db: Store, stream: TextIO, fmt: str) -> int:
    """Write every audit update to ``stream`` as ``csv``, ``jsonl`` (one object a line) or
    ``json`` (one array, written as it goes); returns how many. Memory stays constant."""
    if fmt not in AUDIT_FORMATS:
        raise ValueError(f"unknown audit export format {fmt!r}")
    count = 0
    if fmt == "csv":
        # A cell a spreadsheet would run (a note "=HYPERLINK(...)") is written as text.
        writer = csvsafe.writer(stream)
        writer.writerow(AUDIT_COLUMNS)
        for values in _audit_values(db):
            writer.writerow(values)
            count += 1
        return count
    separator = "" if fmt == "jsonl" else "\n  "
    if fmt == "json":
        stream.write("[")
    for row in audit_rows(db):
        stream.write(separator + json.dumps(row, ensure_ascii=False))
        if fmt == "jsonl":
            stream.write("\n")
        else:
            separator = ",\n  "
        count += 1
    if fmt == "json":
        stream.write("\n]\n" if count else "]\n")
    return count


def export_inspections(db: Store) -> list[dict[str, Any]]:
    queries = InspectionQueries(db)
    result = []
    for inspection in queries.all_inspections():
        themes = [
            {"slug": t.slug, "name": t.name, "score": t.score, "rating": t.rating}
            for t in queries.themes(inspection)
        ]
        recs = [
            {
                "ref": r.ref,
                "text": r.text,
                "baselines": [{"label": b.label, "score": b.score} for b in r.baselines],
                "target": r.target,
                "monitoring": r.monitoring_text,
                "window_start": r.monitor_start.isoformat() if r.monitor_start else None,
                "window_end": r.window_end.isoformat() if r.window_end else None,
            }
            for r in queries.recommendations(inspection)
        ]
        events = [
            {"date": e.date.isoformat(), "title": e.title, "body": e.body, "detail": e.detail}
            for e in queries.timeline(inspection)
        ]
        result.append(
            {
                **(stored.inspection(db, inspection.id) or {}),
                "service": inspection.service.name,
                "themes": themes,
                "strengths": queries.strengths(inspection),
                "recommendations": recs,
                "timeline": events,
            }
        )
    return result


def write_scores_csv(db: Store, stream: TextIO) -> None:
    queries = InspectionQueries(db)
    writer = csvsafe.writer(stream)  # a service named "=HYPERLINK(...)" is written as text
    writer.writerow(
        ["service", "inspection", "programme", "published", "theme", "score", "rating", "stars"]
    )
    for inspection in queries.all_inspections():
        for theme in queries.themes(inspection):
            band = theme.band
            writer.writerow(
                [
                    inspection.service.name,
                    inspection.id,
                    inspection.programme,
                    inspection.published,
                    theme.name,
                    "" if theme.score is None else f"{theme.score:g}",
                    theme.rating or "",
                    band.value if band and band.unit == "stars" else "",
                ]
            )
