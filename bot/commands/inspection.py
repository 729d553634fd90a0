"""Answers about the inspection: summary, scores, bands, recommendations, strengths, timeline."""

from __future__ import annotations

import functools
from collections.abc import Callable

from bot.commands.registry import Context, Handler, command
from bot.domain.model import Band, Inspection, Recommendation, ServiceMatch, Theme
from bot.domain.status import Monitoring, monitoring
from bot.domain.wording import date_range, long_date, percent
from bot.reply import Field, Reply, Section, problem, share_action
from bot.text import words as words_of

# --- which service -------------------------------------------------------------------


def service_problem(ctx: Context, typed: str, match: ServiceMatch) -> Reply:
    shown = typed.strip()[:60]
    if match.candidates:
        names = tuple(s.name for s in match.candidates)
        return problem(
            "Which service?",
            f"“{shown}” fits more than one service.",
            Section(heading="Did you mean", items=names),
        )
    sections = [Section(heading="Did you mean", items=tuple(s.name for s in match.suggestions))]
    sections.append(Section(text=f"See every service in the store with {ctx.cmd('services')}."))
    return problem("Which service?", f"No service in the store matches “{shown}”.", *sections)


# Words around a question that do not name a service.
FILLER = frozenset(
    [
        "please",
        "thanks",
        "thank",
        "you",
        "for",
        "our",
        "us",
        "we",
        "me",
        "the",
        "a",
        "an",
        "of",
        "in",
        "on",
        "show",
        "give",
        "what",
        "are",
        "is",
        "was",
        "were",
        "latest",
        "all",
        "any",
    ]
)


def target(ctx: Context, args: str, *, trailing: bool = False) -> tuple[Inspection, str] | Reply:
    """The inspection a question is about, and what is left of the question.

    With ``trailing``, a service may follow the command's own argument ("score public
    Reading"); otherwise everything typed names the service ("summary Reading").
    """
    args = args.strip()
    if not trailing and not set(words_of(args)) - FILLER:
        args = ""  # "recommendations please" asks about our own service
    if args and not trailing:
        match = ctx.queries.match_service(args)
        if match.service is None:
            return service_problem(ctx, args, match)
        return ctx.queries.latest_inspection(match.service.id), ""
    words = args.split()
    for cut in range(1, len(words)):
        match = ctx.queries.match_service(" ".join(words[cut:]), exact_only=True)
        if match.service is not None:
            return ctx.queries.latest_inspection(match.service.id), " ".join(words[:cut])
    return ctx.home_inspection(), args


InspectionHandler = Callable[[Context, Inspection, str], Reply]


def about_inspection(*, trailing: bool = False) -> Callable[[InspectionHandler], Handler]:
    """Resolve the inspection a question is about (see :func:`target`) before the handler."""

    def wrap(handler: InspectionHandler) -> Handler:
        @functools.wraps(handler)
        def run(ctx: Context, args: str) -> Reply:
            found = target(ctx, args, trailing=trailing)
            if isinstance(found, Reply):
                return found
            inspection, rest = found
            return handler(ctx, inspection, rest)

        return run

    return wrap


# --- inspection answers ---------------------------------------------------------


def source_line(inspection: Inspection) -> str:
    parts = [f"HMIP {inspection.programme}"]
    fieldwork = date_range(inspection.fieldwork_start, inspection.fieldwork_end)
    if fieldwork:
        parts.append(f"fieldwork {fieldwork}")
    parts.append(f"published {long_date(inspection.published)}")
    if inspection.source:
        parts.append(f"source: {inspection.source}")
    return " · ".join(parts)


def _theme_value(theme: Theme) -> str:
    badge = theme.band.badge if theme.band else (theme.rating or "")
    return f"{theme.score_text}  {badge}".strip() if theme.score is not None else badge


def overall_text(inspection: Inspection) -> str:
    """91%  ★★★★ Good, or Good, 26/36 points (the published rating as published)."""
    band = inspection.overall_band
    if inspection.scale.measure == "points":
        label = inspection.overall_rating or (band.label if band else "unrated")
        if inspection.overall_points is not None:
            return f"{label}, {inspection.overall_points}/{inspection.scale.max_points} points"
        if inspection.published_score is not None:
            return f"{label} (published score {inspection.published_score:g}%)"
        return label
    score = percent(inspection.overall_score)
    return f"{score}  {band.badge}" if band else score


def _quality(inspection: Inspection) -> list[Section]:
    if not inspection.quality_note:
        return []
    return [Section(heading="Questionable as published", text=inspection.quality_note)]


def _score_range(inspection: Inspection) -> str | None:
    if inspection.score_min is None or inspection.score_max is None:
        return None
    return f"{percent(inspection.score_min)} to {percent(inspection.score_max)}"


def status_of(rec: Recommendation, ctx: Context) -> Monitoring:
    """The recommendation's monitoring status, remembered until the store changes."""
    return ctx.queries.memo(
        ("monitoring", rec.id, ctx.today), lambda: monitoring(ctx.db, rec, ctx.today)
    )


def _status_line(rec: Recommendation, ctx: Context) -> str:
    return status_of(rec, ctx).line


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
    score_range = _score_range(inspection)
    if score_range:
        facts.append(Field("Range of scores", score_range))
    if inspection.report_url:
        facts.append(Field("Report", inspection.report_url))
    heading = "Standards rated" if inspection.scale.measure == "points" else "Scores by theme"
    sections = [
        Section(fields=tuple(facts)),
        *_quality(inspection),
        Section(heading=heading, fields=tuple(Field(t.name, _theme_value(t)) for t in themes)),
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
                items=tuple(f"{r.ref}: {r.text} ({_status_line(r, ctx)})" for r in recs),
            )
        )
    notes = [n for n in (inspection.outcome, inspection.comparison) if n]
    scope = []
    if inspection.scope:
        scope.append(f"Scope: {inspection.scope}.")
    if inspection.method:
        scope.append(inspection.method)
    if inspection.previous_inspection:
        scope.append(f"Previous inspection: {inspection.previous_inspection}.")
    if scope or notes:
        sections.append(Section(text=" ".join(scope + notes)))
    headline = f"{inspection.service.name}: overall {overall_text(inspection)}"
    if score_range:
        headline += f", scores ranging from {score_range}"
    if inspection.quality_note:
        headline += f" (questionable as published: {inspection.quality_note})"
    return Reply(
        title=f"{inspection.service.name}: {inspection.programme}",
        headline=headline + ".",
        sections=tuple(sections),
        source=source_line(inspection),
        actions=(share_action("summary", f"{inspection.service.name}"),),
    )


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
    facts = [Field(t.name, _theme_value(t)) for t in themes]
    sections = [Section(fields=tuple(facts))]
    overall = [Field("Overall", overall_text(inspection))]
    score_range = _score_range(inspection)
    if score_range:
        overall.append(Field("Range of scores", score_range))
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
        facts = [Field("Status", _status_line(rec, ctx))]
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
        headline=f"The {inspection.programme} made {_count_word(count)} {noun} for improvement.",
        sections=tuple(sections),
        source=source_line(inspection),
        actions=(share_action("recs", f"{inspection.service.name}"),),
    )


def _count_word(n: int) -> str:
    return ("no", "one", "two", "three", "four", "five", "six")[n] if n < 7 else str(n)


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
        headline=f"The inspectors identified {_count_word(len(strengths))} key strengths.",
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
