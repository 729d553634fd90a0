"""Exporting the store: inspections as nested JSON or one CSV row per theme, and audit
updates as CSV or JSON."""

from __future__ import annotations

import csv
from typing import Any, TextIO

import sqlite_utils

from bot.domain.audits import all_audits
from bot.domain.queries import InspectionQueries

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


def audit_rows(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    return [
        {
            "id": a.id,
            "recommendation": a.recommendation_id,
            "audit_date": a.audit_date.isoformat(),
            "compliant": a.compliant,
            "audited": a.audited,
            "percent": round(a.percent, 1),
            "note": a.note,
            "user_id": a.user_id,
            "user_name": a.user_name,
            "channel_id": a.channel_id,
            "message_ref": a.message_ref,
            "platform": a.platform,
            "via": a.via,
            "recorded_at": a.recorded_at,
            "retracted": a.retracted,
        }
        for a in all_audits(db)
    ]


def export_inspections(db: sqlite_utils.Database) -> list[dict[str, Any]]:
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
                **db.table("inspections").get(inspection.id),
                "service": inspection.service.name,
                "themes": themes,
                "strengths": queries.strengths(inspection),
                "recommendations": recs,
                "timeline": events,
            }
        )
    return result


def write_scores_csv(db: sqlite_utils.Database, stream: TextIO) -> None:
    queries = InspectionQueries(db)
    writer = csv.writer(stream)
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
