"""How inspections, themes and statuses are shown, shared by every command module."""

from __future__ import annotations

from bot.commands.registry import Context, PrivateContext
from bot.domain.inspections.model import Inspection, Recommendation, Theme
from bot.domain.monitoring.status import Monitoring, monitoring
from bot.domain.wording import date_range, long_date, percent
from bot.reply import Reply, Section


def source_line(inspection: Inspection) -> str:
    """HMIP Short Quality Screening of <service> · fieldwork … · published … · source: …"""
    parts = [f"HMIP {inspection.programme} of {inspection.service.name}"]
    fieldwork = date_range(inspection.fieldwork_start, inspection.fieldwork_end)
    if fieldwork:
        parts.append(f"fieldwork {fieldwork}")
    parts.append(f"published {long_date(inspection.published)}")
    if inspection.source:
        parts.append(f"source: {inspection.source}")
    return " · ".join(parts)


NOT_A_RATING = "not published as a rating"


def published_rating(inspection: Inspection) -> str:
    """The overall rating as published; for a row whose rating cell held no rating,
    "not published as a rating" (what it held is in the quality note), never a label
    worked out from its points."""
    if inspection.overall_rating:
        return inspection.overall_rating
    if inspection.published_score is not None:
        return NOT_A_RATING
    band = inspection.overall_band
    return band.label if band else "unrated"


def overall_text(inspection: Inspection) -> str:
    """91%  ★★★★ Good, or Good, 26/36 points (the published rating as published)."""
    band = inspection.overall_band
    if inspection.scale.measure == "points":
        label = published_rating(inspection)
        if inspection.overall_points is not None:
            return f"{label}, {inspection.overall_points}/{inspection.scale.max_points} points"
        if inspection.published_score is not None:
            return f"{label} (published score {inspection.published_score:g}%)"
        return label
    score = percent(inspection.overall_score)
    return f"{score}  {band.badge}" if band else score


def overall_said(inspection: Inspection) -> str:
    """91%, Good (★★★★) as a sentence says it; a points rating as ``overall_text``."""
    band = inspection.overall_band
    if inspection.scale.measure == "percent" and band and inspection.overall_score is not None:
        stars = f" ({band.stars})" if band.stars else ""
        return f"{percent(inspection.overall_score)}, {band.label}{stars}"
    return overall_text(inspection)


def theme_value(theme: Theme) -> str:
    """87%  ★★★ Satisfactory, or the badge alone for a standard that is rated, not scored."""
    badge = theme.band.badge if theme.band else (theme.rating or "")
    return f"{theme.score_text}  {badge}".strip() if theme.score is not None else badge


def score_range(inspection: Inspection) -> str | None:
    """80% to 100%, when the file gives the range of scores."""
    if inspection.score_min is None or inspection.score_max is None:
        return None
    return f"{percent(inspection.score_min)} to {percent(inspection.score_max)}"


def caveat(inspection: Inspection) -> str | None:
    """The record's own caveat on the bands a percentage is read against, once, for any
    reply that shows a percentage with its band (the SQS: descriptors "not directly
    applied to the SQS process")."""
    if inspection.scale.measure != "percent" or not inspection.bands_note:
        return None
    return " ".join(inspection.bands_note.split())


def caveat_sections(inspection: Inspection) -> list[Section]:
    note = caveat(inspection)
    return [Section(text=note)] if note else []


def standards_note(ctx: Context, inspection: Inspection, held: int) -> str | None:
    """ "The published row holds 9 of the 12 standards", when it does not hold them all."""
    total = ctx.queries.standard_count(inspection.scale.framework_id)
    if inspection.scale.measure != "points" or not total or held >= total:
        return None
    what = "published row" if inspection.published_score is not None else "record"
    note = f"The {what} holds {held} of the {total} standards"
    if inspection.overall_points is not None:
        note += (
            f"; the overall {inspection.overall_points}/{inspection.scale.max_points} "
            "points are HMIP's total, not the sum of the standards shown"
        )
    return note + "."


def quality_sections(inspection: Inspection) -> list[Section]:
    """Why an imported inspection is questionable as published, if it is."""
    if not inspection.quality_note:
        return []
    return [Section(heading="Questionable as published", text=inspection.quality_note)]


def count_word(n: int) -> str:
    """one, two … six, then digits."""
    return ("no", "one", "two", "three", "four", "five", "six")[n] if n < 7 else str(n)


def status_of(rec: Recommendation, ctx: PrivateContext) -> Monitoring:
    """The recommendation's monitoring status, worked out once per request: it reads audit
    evidence, so it is never kept longer (its queries are bounded however long the history)."""
    key = ("monitoring", rec.id, ctx.today)
    found = ctx.queries.known_this_request(key)
    if isinstance(found, Monitoring):
        return found
    worked_out = monitoring(ctx.db, rec, ctx.today)
    ctx.queries.know_this_request(key, worked_out)
    return worked_out


def announced(ctx: Context, *, title: str, headline: str) -> Reply:
    """A change to the record: said to the asker privately, and announced in the
    conversation with who made it."""
    news = Reply(title=title, headline=headline, recorded_by=ctx.user)
    return Reply(title=title, headline=headline, announcement=news, private=True)
