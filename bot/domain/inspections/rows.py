"""Turning store rows into the domain's records (see ``model``).

The only place that knows the columns of the inspection and audit tables; everything
above sees typed, frozen records.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from bot.domain.dates import add_months
from bot.domain.inspections.model import (
    Audit,
    Band,
    Baseline,
    Change,
    Inspection,
    Recommendation,
    Scale,
    Service,
    Theme,
    TimelineEntry,
)

Row = dict[str, Any]


def service_of(row: Row) -> Service:
    return Service(
        row["id"], row["name"], row["short_name"], row["local_authority"], row["reference"]
    )


def inspection_of(row: Row, service: Service, scale: Scale) -> Inspection:
    return Inspection(
        id=row["id"],
        service=service,
        scale=scale,
        inspectorate=row["inspectorate"],
        programme=row["programme"],
        programme_short=row["programme_short"],
        fieldwork_start=row["fieldwork_start"],
        fieldwork_end=row["fieldwork_end"],
        published=row["published"],
        overall_score=row["overall_score"],
        score_min=row["score_min"],
        score_max=row["score_max"],
        overall_points=row["overall_points"],
        overall_rating=row["overall_rating"],
        summary_quote=row["summary_quote"],
        scope=row["scope"],
        method=row["method"],
        previous_inspection=row["previous_inspection"],
        outcome=row["outcome"],
        comparison=row["comparison"],
        bands_note=row["bands_note"],
        report_url=row["report_url"],
        source=row["source"],
        published_score=row.get("published_score"),
        quality_note=row.get("quality_note"),
        recommendations_listed=bool(row.get("recommendations_listed")),
        strengths_listed=bool(row.get("strengths_listed")),
    )


def scale_of(row: Row, band_rows: Iterable[Row]) -> Scale:
    """A framework and its bands (``band_rows`` in the framework's order)."""
    bands = tuple(
        Band(
            applies_to=b["applies_to"],
            label=b["label"],
            lower=b["lower"],
            upper=b["upper"],
            value=b["value"],
            unit=row["unit"],
            measure=row["measure"],
        )
        for b in band_rows
    )
    return Scale(
        framework_id=row["id"],
        name=row["name"],
        period=row["period"],
        measure=row["measure"],
        unit=row["unit"],
        max_points=row["max_points"],
        description=row["description"],
        bands=bands,
    )


def theme_of(scale: Scale, row: Row) -> Theme:
    """A theme with its band: by the rating when it has one, else by its score."""
    if row["rating"]:
        band = scale.band_named(row["rating"], "standard") or scale.band_named(
            row["rating"], "score"
        )
    else:
        band = scale.band_for(row["score"], "score")
    return Theme(
        slug=row["slug"],
        name=row["name"],
        score=row["score"],
        rating=row["rating"] or (band.label if band else None),
        band=band,
        position=row["position"],
        quote=row.get("quote"),
    )


def recommendation_of(row: Row, scale: Scale, baseline_rows: Iterable[Row]) -> Recommendation:
    """A recommendation; its target is the scale's Good threshold unless the file set one."""
    start = date.fromisoformat(row["monitor_start"]) if row["monitor_start"] else None
    months = row["monitor_months"]
    return Recommendation(
        id=row["id"],
        inspection_id=row["inspection_id"],
        ref=row["ref"],
        text=row["text"],
        context=row["context"],
        response=row["response"],
        baseline_note=row["baseline_note"],
        baselines=tuple(Baseline(b["label"], b["score"]) for b in baseline_rows),
        monitored_by=row["monitored_by"],
        monitor_months=months,
        monitor_start=start,
        monitor_means=tuple(json.loads(row["monitor_means"] or "[]")),
        report_to=row["report_to"],
        target=row["target"] if row["target"] is not None else scale.good_threshold,
        window_end=add_months(start, months) if start and months else None,
        target_rule=row.get("target_rule"),
    )


def event_of(row: Row) -> TimelineEntry:
    """A governance event (board report, cabinet decision, call-in deadline...)."""
    return TimelineEntry(
        date.fromisoformat(row["date"]), row["title"], row["body"], row["detail"], kind=row["kind"]
    )


def audit_of(row: Row) -> Audit:
    """An audit update, as ``bot.store.audits`` reads it (with its ref and retraction)."""
    return Audit(
        id=row["id"],
        recommendation_id=row["recommendation_id"],
        ref=row["ref"],
        audit_date=date.fromisoformat(row["audit_date"]),
        audited=row["audited"],
        compliant=row["compliant"],
        percent=row["percent"],
        note=row["note"],
        user_id=row["user_id"],
        user_name=row["user_name"],
        channel_id=row["channel_id"],
        message_ref=row["message_ref"],
        via=row["via"],
        recorded_at=row["recorded_at"],
        platform=row["platform"],
        retracted=bool(row["retracted"]),
        note_erased_at=row.get("note_erased_at"),
        entered_on=date.fromisoformat(row["entered_on"]) if row.get("entered_on") else None,
        late_reason=row.get("late_reason"),
    )


def change_of(row: Row) -> Change:
    """A close or reopen from a recommendation's history."""
    return Change(
        id=row["id"],
        recommendation_id=row["recommendation_id"],
        action=row["action"],
        reason=row["reason"],
        user_id=row["user_id"],
        user_name=row.get("user_name"),
        platform=row.get("platform"),
        on_date=date.fromisoformat(row["on_date"]),
        at=row["at"],
        early_reason=row.get("early_reason"),
    )
