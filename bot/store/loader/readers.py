"""Reading TOML data files into rows, checked field by field (see ``schema``).

Each section of a file has its reader: frameworks (with their bands and standards),
services, and inspections (with their themes, strengths, recommendations, baselines
and governance events). Readers only collect rows and problems into a :class:`Batch`;
nothing is written until every file of a load has been read.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bot.store.loader.schema import (
    APPLIES_TO,
    MEASURES,
    REF_PATTERN,
    WINDOW_ENDS_BEFORE,
    Checker,
    Row,
)
from bot.text import slugify

SECTIONS = ("frameworks", "services", "inspections")
MAX_FILE_BYTES = 10_000_000  # a data file of one service's inspections is a few kilobytes


@dataclass
class Batch:
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


def read_toml(path: Path, batch: Batch) -> list[str]:
    """Read one TOML data file into ``batch``; the problems found, if any."""
    name = str(path)
    if path.stat().st_size > MAX_FILE_BYTES:
        return [
            f"{name}: is {path.stat().st_size:,} bytes; a data file is at most {MAX_FILE_BYTES:,}"
        ]
    raw = path.read_bytes()
    try:
        # UTF-8, with or without the byte-order mark some Windows editors write.
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        return [_not_utf8(name, raw, error)]
    except tomllib.TOMLDecodeError as error:
        return [f"{name}: not valid TOML: {error}"]
    check = Checker(name)
    for key in data:
        if key not in SECTIONS:
            check.problem(
                key, f"is not a known section (expected one of {', '.join(sorted(SECTIONS))})"
            )
    for i, item in enumerate(check.table(data, "frameworks", "")):
        _read_framework(check, item, f"frameworks[{i}]", batch)
    for i, item in enumerate(check.table(data, "services", "")):
        _read_service(check, item, f"services[{i}]", batch)
    for i, item in enumerate(check.table(data, "inspections", "")):
        _read_inspection(check, item, f"inspections[{i}]", batch, name)
    batch.files.append((name, hashlib.sha256(raw).hexdigest()))
    return check.problems


# --- frameworks -----------------------------------------------------------------


def _read_framework(check: Checker, item: Mapping[str, Any], where: str, batch: Batch) -> None:
    framework_id = check.text(item, "id", where, required=True)
    measure = check.text(item, "measure", where, required=True)
    check.one_of(measure, MEASURES, f"{where}.measure")
    row = {
        "id": framework_id,
        "name": check.text(item, "name", where, required=True),
        "period": check.text(item, "period", where),
        "measure": measure,
        "unit": check.text(item, "unit", where),
        "max_points": check.number(item, "max_points", where, low=1, high=1000, whole=True),
        "description": check.text(item, "description", where),
    }
    bands = _read_bands(check, item, where, framework_id)
    standards = _read_standards(check, item, where, framework_id)
    batch.frameworks.append(row)
    if framework_id:
        batch.bands[framework_id] = bands
        batch.standards[framework_id] = standards


def _read_bands(
    check: Checker, item: Mapping[str, Any], where: str, framework_id: str | None
) -> list[Row]:
    bands: list[Row] = []
    seen: set[tuple[str, str]] = set()
    for j, band in enumerate(check.table(item, "bands", f"{where}.")):
        at = f"{where}.bands[{j}]"
        bands.append(_read_band(check, band, at, framework_id, j + 1, seen))
    if not bands:
        check.problem(f"{where}.bands", "a framework needs at least one band")
    return bands


def _read_band(
    check: Checker,
    band: Mapping[str, Any],
    at: str,
    framework_id: str | None,
    position: int,
    seen: set[tuple[str, str]],
) -> Row:
    """One band; ``seen`` holds the (applies_to, label) pairs of the bands before it."""
    applies_to = check.text(band, "applies_to", at, required=True)
    check.one_of(applies_to, APPLIES_TO, f"{at}.applies_to")
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
    return {
        "framework_id": framework_id,
        "applies_to": applies_to,
        "label": label,
        "lower": lower,
        "upper": upper,
        "value": check.number(band, "value", at, low=0, high=100, whole=True),
        "position": position,
    }


def _read_standards(
    check: Checker, item: Mapping[str, Any], where: str, framework_id: str | None
) -> list[Row]:
    standards: list[Row] = []
    for j, standard in enumerate(check.table(item, "standards", f"{where}.")):
        at = f"{where}.standards[{j}]"
        counts = standard.get("counts", True)
        if not isinstance(counts, bool):
            check.problem(f"{at}.counts", f"must be true or false, got {counts!r}")
        merged = standard.get("merged", False)
        if not isinstance(merged, bool):
            check.problem(f"{at}.merged", f"must be true or false, got {merged!r}")
        standards.append(
            {
                "framework_id": framework_id,
                "key": check.text(standard, "key", at, required=True),
                "name": check.text(standard, "name", at, required=True),
                "domain": check.text(standard, "domain", at),
                "counts": 1 if counts is not False else 0,
                "position": j + 1,
                "number": check.text(standard, "number", at),
                # A published table's column that stands for two standards of the same name
                # (court and out-of-court): shown as such, never as one or the other.
                "merged": "1" if merged is True else None,
            }
        )
    return standards


# --- services -------------------------------------------------------------------


def _read_service(check: Checker, item: Mapping[str, Any], where: str, batch: Batch) -> None:
    batch.services.append(
        {
            "id": check.text(item, "id", where, required=True),
            "name": check.text(item, "name", where, required=True),
            "short_name": check.text(item, "short_name", where),
            "local_authority": check.text(item, "local_authority", where),
            "reference": check.text(item, "reference", where),
        }
    )


# --- inspections ----------------------------------------------------------------


def _read_inspection(
    check: Checker, item: Mapping[str, Any], where: str, batch: Batch, filename: str
) -> None:
    row = _inspection_row(check, item, where, filename)
    _check_inspection(check, row, where)
    inspection_id = row["id"]
    batch.inspections.append(row)
    key = inspection_id or ""
    batch.origin[key] = filename
    children = batch.children.setdefault(key, {})
    children["themes"] = _read_themes(check, item, where, inspection_id)
    children["strengths"] = [
        {"inspection_id": inspection_id, "position": j + 1, "text": text}
        for j, text in enumerate(check.texts(item, "strengths", where))
    ]
    children["recommendations"] = _read_recommendations(check, item, where, inspection_id, batch)
    children["governance_events"] = _read_events(check, item, where, inspection_id)
    children["inspection_domains"] = _read_domains(check, item, where, inspection_id)
    children["key_questions"] = _read_key_questions(check, item, where, inspection_id)


def _inspection_row(check: Checker, item: Mapping[str, Any], where: str, filename: str) -> Row:
    return {
        "id": check.text(item, "id", where, required=True),
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
        # Listed, even as an empty list (`recommendations = []`): the inspection made none.
        # Left out: not recorded here.
        "recommendations_listed": int("recommendations" in item),
        "strengths_listed": int("strengths" in item),
    }


def _check_inspection(check: Checker, row: Row, where: str) -> None:
    """Dates in order (fieldwork, then publication) and a score range that is a range."""
    start, end = row["fieldwork_start"], row["fieldwork_end"]
    if start and end and end < start:
        check.problem(f"{where}.fieldwork_end", f"is before fieldwork_start ({start})")
    if end and row["published"] and row["published"] < end:
        check.problem(f"{where}.published", f"is before the fieldwork ended ({end})")
    low, high = row["score_min"], row["score_max"]
    if low is not None and high is not None and high < low:
        check.problem(f"{where}.score_max", f"is below score_min ({low:g})")


def _read_themes(
    check: Checker, item: Mapping[str, Any], where: str, inspection_id: str | None
) -> list[Row]:
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
        quote = check.text(theme, "quote", at)
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
                "quote": quote,
            }
        )
    return themes


def _read_recommendations(
    check: Checker, item: Mapping[str, Any], where: str, inspection_id: str | None, batch: Batch
) -> list[Row]:
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
        row = _recommendation_row(check, rec, at, inspection_id, ref, j + 1)
        recommendations.append(row)
        batch.recommendation_children[row["id"]] = _read_baselines(check, rec, at, row["id"])
    return recommendations


def _recommendation_row(
    check: Checker,
    rec: Mapping[str, Any],
    at: str,
    inspection_id: str | None,
    ref: str | None,
    position: int,
) -> Row:
    months = check.number(rec, "monitor_months", at, low=1, high=60, whole=True)
    start = check.day(rec, "monitor_start", at)
    if start is not None and months is not None:
        _check_window_end(check, date.fromisoformat(start), int(months), f"{at}.monitor_start")
    standards = check.texts(rec, "standards", at)
    return {
        "id": f"{inspection_id}:{ref}",
        "inspection_id": inspection_id,
        "ref": ref,
        "position": position,
        "addressee": check.text(rec, "addressee", at),
        "standards": json.dumps(standards) if standards else None,
        "origin": "file",
        "text": check.text(rec, "text", at, required=True),
        "context": check.text(rec, "context", at),
        "response": check.text(rec, "response", at),
        "baseline_note": check.text(rec, "baseline_note", at),
        "monitor_months": months,
        "monitor_start": start,
        "monitored_by": check.text(rec, "monitored_by", at),
        "monitor_means": json.dumps(check.texts(rec, "monitor_means", at)),
        "report_to": check.text(rec, "report_to", at),
        "target": check.number(rec, "target", at, low=0, high=100),
        "target_rule": _target_rule(check, rec, at),
    }


# How a recommendation's target is judged over its monthly periods (the statuses each
# rule gives are monitoring.status.LATTICE); the first is what a file that names none gets.
TARGET_RULES = ("every period", "latest period", "average")


def _target_rule(check: Checker, rec: Mapping[str, Any], at: str) -> str | None:
    rule = check.text(rec, "target_rule", at)
    check.one_of(rule, TARGET_RULES, f"{at}.target_rule")
    return rule


def _check_window_end(check: Checker, start: date, months: int, where: str) -> None:
    """A monitoring window must end before 2100 (and so on a date the calendar can hold)."""
    if (start.year * 12 + start.month - 1 + months) // 12 >= WINDOW_ENDS_BEFORE.year:
        check.problem(
            where,
            f"a window of {months} months from {start.isoformat()} ends in "
            f"{WINDOW_ENDS_BEFORE.year} or later; a monitoring window must end before "
            f"{WINDOW_ENDS_BEFORE.isoformat()}",
        )


def _read_baselines(check: Checker, rec: Mapping[str, Any], at: str, rec_id: str) -> list[Row]:
    return [
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


def _read_events(
    check: Checker, item: Mapping[str, Any], where: str, inspection_id: str | None
) -> list[Row]:
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
    return events


def _read_domains(
    check: Checker, item: Mapping[str, Any], where: str, inspection_id: str | None
) -> list[Row]:
    """Domain ratings: [[inspections.domains]] name = "Organisational delivery", rating."""
    return [
        {
            "inspection_id": inspection_id,
            "position": j + 1,
            "name": check.text(domain, "name", f"{where}.domains[{j}]", required=True),
            "rating": check.text(domain, "rating", f"{where}.domains[{j}]"),
        }
        for j, domain in enumerate(check.table(item, "domains", f"{where}."))
    ]


def _read_key_questions(
    check: Checker, item: Mapping[str, Any], where: str, inspection_id: str | None
) -> list[Row]:
    """Key questions with the percentage of cases the inspectors judged sufficient, where
    the report publishes one: [[inspections.key_questions]] standard, question, percent."""
    return [
        {
            "inspection_id": inspection_id,
            "position": j + 1,
            "standard": check.text(question, "standard", f"{where}.key_questions[{j}]"),
            "question": check.text(
                question, "question", f"{where}.key_questions[{j}]", required=True
            ),
            "percent": check.number(
                question, "percent", f"{where}.key_questions[{j}]", low=0, high=100
            ),
        }
        for j, question in enumerate(check.table(item, "key_questions", f"{where}."))
    ]


def _not_utf8(name: str, raw: bytes, error: UnicodeDecodeError) -> str:
    """Where a file stops being UTF-8, by line and column, and what to do about it."""
    before = raw[: error.start]
    line = before.count(b"\n") + 1
    column = error.start - (before.rfind(b"\n") + 1) + 1
    return (
        f"{name}: line {line}, column {column}: not UTF-8 (byte 0x{raw[error.start]:02x}); "
        "save the file as UTF-8"
    )
