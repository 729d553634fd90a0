"""Answers about the inspection: summary, scores, bands, recommendations, strengths, timeline.

Which inspection a question is about is ``resolve``; how things are shown is ``present``.
"""

from __future__ import annotations

from bot.commands.present import (
    count_word,
    overall_text,
    quality_sections,
    score_range,
    source_line,
    status_of,
    theme_value,
)
from bot.commands.registry import Context, command
from bot.commands.resolve import about_inspection
from bot.domain.model import Band, Inspection, Theme
from bot.domain.wording import date_range, long_date, percent
from bot.reply import Field, Reply, Section, problem, share_action


@command(
    "summary",
    "summary [service]",
    "the latest inspection at a glance",
    aliases=("latest", "inspection", "overview"),
    examples=("summary",),
)
@about_inspection()
def summary_command(ctx: Context, inspection: Inspection, args: str) -> Reply:
    themes = ctx.queries.themes(inspection)
    heading = "Standards rated" if inspection.scale.measure == "points" else "Scores by theme"
    sections = [
        Section(fields=tuple(_summary_facts(inspection))),
        *quality_sections(inspection),
        Section(heading=heading, fields=tuple(Field(t.name, theme_value(t)) for t in themes)),
    ]
    if inspection.summary_quote:
        sections.append(
            Section(heading="What the inspectors said", text=inspection.summary_quote, quote=True)
        )
    recs = ctx.queries.recommendations(inspection)
    if recs:
        sections.append(
            Section(
                heading="Recommendations",
                items=tuple(f"{r.ref}: {r.text} ({status_of(r, ctx).line})" for r in recs),
            )
        )
    context = _summary_context(inspection)
    if context:
        sections.append(Section(text=context))
    headline = f"{inspection.service.name}: overall {overall_text(inspection)}"
    range_of_scores = score_range(inspection)
    if range_of_scores:
        headline += f", scores ranging from {range_of_scores}"
    if inspection.quality_note:
        headline += f" (questionable as published: {inspection.quality_note})"
    return Reply(
        title=f"{inspection.service.name}: {inspection.programme}",
        headline=headline + ".",
        sections=tuple(sections),
        source=source_line(inspection),
        actions=(share_action("summary", f"{inspection.service.name}"),),
    )


def _summary_facts(inspection: Inspection) -> list[Field]:
    """Programme, fieldwork, publication, overall result, range of scores, report link."""
    programme = inspection.programme
    if inspection.programme_short:
        programme += f" ({inspection.programme_short})"
    facts = [Field("Inspection", f"{inspection.inspectorate or 'HMIP'} {programme}")]
    fieldwork = date_range(inspection.fieldwork_start, inspection.fieldwork_end)
    if fieldwork:
        facts.append(Field("Fieldwork", fieldwork))
    facts += [
        Field("Published", long_date(inspection.published)),
        Field("Overall", overall_text(inspection)),
    ]
    range_of_scores = score_range(inspection)
    if range_of_scores:
        facts.append(Field("Range of scores", range_of_scores))
    if inspection.report_url:
        facts.append(Field("Report", inspection.report_url))
    return facts


def _summary_context(inspection: Inspection) -> str:
    """Scope, method and previous inspection, then the outcome and comparison notes."""
    scope = []
    if inspection.scope:
        scope.append(f"Scope: {inspection.scope}.")
    if inspection.method:
        scope.append(inspection.method)
    if inspection.previous_inspection:
        scope.append(f"Previous inspection: {inspection.previous_inspection}.")
    notes = [n for n in (inspection.outcome, inspection.comparison) if n]
    return " ".join(scope + notes)


@command(
    "score",
    "score <theme> [service]",
    "one theme's score with its rating band",
    examples=("score protecting-public", "score child", "score reoffending"),
    details="Name a theme by its short name (protecting-public), its full name, "
    "or any word that only it has (public, child, sentence).",
)
@about_inspection(trailing=True)
def score_command(ctx: Context, inspection: Inspection, args: str) -> Reply:
    if not args.strip():
        return _theme_problem(ctx, inspection, None, "Which theme? Add its name after score.")
    match = ctx.queries.find_theme(inspection, args)
    if match.theme is None:
        shown = args.strip()[:80]
        if match.candidates:
            names = ", ".join(t.slug for t in match.candidates)
            return _theme_problem(
                ctx, inspection, match.candidates, f"“{shown}” fits more than one theme: {names}."
            )
        return _theme_problem(ctx, inspection, match.suggestions, f"No theme matches “{shown}”.")
    theme = match.theme
    band = theme.band
    facts = [Field("Score", theme.score_text)] if theme.score is not None else []
    if band:
        facts.append(Field("Rating", band.badge))
        range_text = band.range_text(inspection.scale.top)
        if range_text:
            facts.append(Field("Band", f"{band.label}: {range_text}"))
    facts.append(Field("Overall", overall_text(inspection)))
    sections = [Section(fields=tuple(facts))]
    if inspection.bands_note:
        sections.append(Section(text=inspection.bands_note))
    if theme.score is None:  # a standard: rated, not scored
        headline = f"{theme.name}: {band.badge if band else theme.rating}."
    elif band and band.stars:
        headline = f"{theme.name}: {theme.score_text}, {band.label} ({band.stars})."
    else:
        headline = f"{theme.name}: {theme.score_text}" + (f", {band.label}." if band else ".")
    return Reply(
        title=theme.name,
        headline=headline,
        sections=tuple(sections),
        source=source_line(inspection),
        actions=(share_action("score", f"{theme.slug} {inspection.service.name}"),),
    )


def _theme_problem(
    ctx: Context, inspection: Inspection, suggestions: tuple[Theme, ...] | None, headline: str
) -> Reply:
    themes = ctx.queries.themes(inspection)
    sections = []
    if suggestions:
        sections.append(
            Section(
                heading="Did you mean",
                items=tuple(f"{t.name} (score {t.slug})" for t in suggestions),
            )
        )
    sections.append(Section(heading="Themes", items=tuple(f"{t.slug}: {t.name}" for t in themes)))
    example = themes[0].slug if themes else "protecting-public"
    sections.append(Section(text=f"Try {ctx.cmd('score ' + example)}"))
    return problem("Which theme?", headline, *sections)


@command(
    "scores",
    "scores [service]",
    "every theme's score with its band",
    aliases=("themes",),
    examples=("scores",),
)
@about_inspection()
def scores_command(ctx: Context, inspection: Inspection, args: str) -> Reply:
    themes = ctx.queries.themes(inspection)
    facts = [Field(t.name, theme_value(t)) for t in themes]
    sections = [Section(fields=tuple(facts))]
    overall = [Field("Overall", overall_text(inspection))]
    range_of_scores = score_range(inspection)
    if range_of_scores:
        overall.append(Field("Range of scores", range_of_scores))
    sections.append(Section(fields=tuple(overall)))
    if inspection.comparison:
        sections.append(Section(text=inspection.comparison))
    return Reply(
        title=f"Scores by theme: {inspection.service.short_name or inspection.service.name}",
        headline="; ".join(f"{t.name} {t.score_text}" for t in themes) + ".",
        sections=tuple(sections),
        source=source_line(inspection),
        actions=(share_action("scores", f"{inspection.service.name}"),),
    )


@command(
    "bands",
    "bands [service]",
    "the rating bands that give a score its meaning",
    aliases=("ratings", "descriptors"),
    examples=("bands",),
)
@about_inspection()
def bands_command(ctx: Context, inspection: Inspection, args: str) -> Reply:
    current = inspection.scale
    others = [s for s in ctx.queries.scales() if s.framework_id != current.framework_id]
    sections = []
    for position, scale in enumerate([current, *others]):
        heading = f"{scale.name} ({scale.period})" if scale.period else scale.name
        lines = []
        for applies_to in ("score", "standard", "overall"):
            for band in scale.of(applies_to):
                range_text = band.range_text(scale.top)
                prefix = "Overall: " if applies_to == "overall" else ""
                what = f"{prefix}{band.label}"
                detail = ", ".join(p for p in (range_text, band.stars or _points(band)) if p)
                lines.append(f"{what}: {detail}" if detail else what)
        sections.append(Section(heading=heading, items=tuple(lines)))
        note = inspection.bands_note if position == 0 else scale.description
        if note:
            sections.append(Section(text=note))
    return Reply(
        title="Rating bands",
        headline=f"{inspection.programme} scores are read against the {current.name}: "
        + ", ".join(
            f"{b.label} {b.range_text(current.top)}"
            for b in current.of("score") or current.of("overall")
        )
        + ".",
        sections=tuple(sections),
        actions=(share_action("bands", f"{inspection.service.name}"),),
    )


def _points(band: Band) -> str:
    if band.applies_to == "standard" and band.value is not None:
        return f"{band.value} point" + ("" if band.value == 1 else "s")
    return ""


@command(
    "recs",
    "recs [service]",
    "the recommendations, their baseline and their status",
    aliases=("recommendations", "recommendation"),
    examples=("recs",),
)
@about_inspection()
def recs_command(ctx: Context, inspection: Inspection, args: str) -> Reply:
    recs = ctx.queries.recommendations(inspection)
    if not recs:
        return Reply(
            title="Recommendations",
            headline=f"The {inspection.programme} made no recommendations.",
            source=source_line(inspection),
        )
    sections = []
    for rec in recs:
        facts = [Field("Status", status_of(rec, ctx).line)]
        if rec.baselines:
            facts.append(
                Field("Baseline", ", ".join(f"{b.label} {percent(b.score)}" for b in rec.baselines))
            )
        if rec.target is not None:
            facts.append(Field("Target", f"{percent(rec.target)} or more"))
        if rec.monitor_start and rec.window_end:
            facts.append(
                Field(
                    "Monitoring window",
                    f"{long_date(rec.monitor_start)} to {long_date(rec.window_end)}",
                )
            )
        sections.append(Section(heading=rec.ref, text=rec.text, fields=tuple(facts)))
        detail = [
            t for t in (rec.context, rec.baseline_note, rec.response, rec.monitoring_text) if t
        ]
        if detail:
            sections.append(Section(items=tuple(detail)))
    count = len(recs)
    noun = "recommendation" if count == 1 else "recommendations"
    return Reply(
        title="Recommendations",
        headline=f"The {inspection.programme} made {count_word(count)} {noun} for improvement.",
        sections=tuple(sections),
        source=source_line(inspection),
        actions=(share_action("recs", f"{inspection.service.name}"),),
    )


@command(
    "strengths",
    "strengths [service]",
    "the key strengths the inspectors identified",
    examples=("strengths",),
)
@about_inspection()
def strengths_command(ctx: Context, inspection: Inspection, args: str) -> Reply:
    strengths = ctx.queries.strengths(inspection)
    return Reply(
        title="Key strengths",
        headline=f"The inspectors identified {count_word(len(strengths))} key strengths.",
        sections=(Section(items=tuple(strengths)),),
        source=source_line(inspection),
        actions=(share_action("strengths", f"{inspection.service.name}"),),
    )


@command(
    "timeline",
    "timeline [service]",
    "from fieldwork to the board: dates, decisions and deadlines",
    aliases=("dates", "governance"),
    examples=("timeline",),
)
@about_inspection()
def timeline_command(ctx: Context, inspection: Inspection, args: str) -> Reply:
    entries = ctx.queries.timeline(inspection)
    items = []
    for entry in entries:
        line = f"{long_date(entry.date)}: {entry.title}"
        if entry.body:
            line += f" ({entry.body})"
        if entry.detail:
            line += f". {entry.detail}"
        items.append(line)
    return Reply(
        title="Timeline",
        headline=f"{len(entries)} dates, from {long_date(entries[0].date)} "
        f"to {long_date(entries[-1].date)}.",
        sections=(Section(items=tuple(items)),),
        source=source_line(inspection),
        actions=(share_action("timeline", f"{inspection.service.name}"),),
    )
