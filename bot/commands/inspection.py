"""Answers about the inspection: summary, scores, bands, recommendations, strengths, timeline.

Which inspection a question is about is ``resolve``; how things are shown is ``present``.
"""

from __future__ import annotations

from bot.commands.absent import not_recorded, rec_not_recorded, recs_not_recorded
from bot.commands.present import (
    caveat_sections,
    count_word,
    overall_said,
    overall_text,
    quality_sections,
    score_range,
    source_line,
    standards_note,
    status_of,
    theme_value,
)
from bot.commands.registry import Commands, Context, PrivateContext
from bot.commands.resolve import (
    about_inspection,
    rec_ref,
    residual_words,
    target,
    theme_by_name,
    theme_mentioned,
)
from bot.commands.standards import (
    counting_rule,
    domain_lines,
    merged_note,
    standard_field,
)
from bot.domain.inspections.model import Band, Inspection, Recommendation, Theme, TimelineEntry
from bot.domain.wording import date_range, long_date, percent
from bot.reply import Field, Reply, Section, problem, share_action
from bot.text import plain_words, words

COMMANDS = Commands()  # this module's, in the order help lists them
command = COMMANDS.command


@command(
    "summary",
    "summary [service]",
    "the latest inspection at a glance",
    aliases=("latest", "inspection", "overview"),
    examples=("summary",),
    cacheable=False,  # its statuses read audit evidence
)
@about_inspection()
def summary_command(ctx: PrivateContext, inspection: Inspection, args: str) -> Reply:
    themes = ctx.queries.themes(inspection)
    heading = "Standards rated" if inspection.scale.measure == "points" else "Scores by theme"
    sections = [
        Section(fields=tuple(_summary_facts(inspection))),
        *quality_sections(inspection),
        Section(heading=heading, fields=tuple(Field(t.name, theme_value(t)) for t in themes)),
        *_held_sections(ctx, inspection, themes),
        *caveat_sections(inspection),
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
    headline = f"{inspection.service.name}: overall {overall_said(inspection)}"
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


def _held_sections(ctx: Context, inspection: Inspection, themes: list[Theme]) -> list[Section]:
    note = standards_note(ctx, inspection, len(themes))
    return [Section(text=note)] if note else []


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
    match = theme_by_name(ctx, inspection, args)
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
    sections = [Section(fields=tuple(facts)), *caveat_sections(inspection)]
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
    "overall",
    "overall [service]",
    "the overall score or rating, and the range of scores",
    aliases=("range", "average"),
    examples=("overall", "range", "overall Reading"),
)
@about_inspection(trailing=True)
def overall_command(ctx: Context, inspection: Inspection, args: str) -> Reply:
    """The overall result first; asked for the range ("range", "lowest", "highest"), the
    range first."""
    name = inspection.service.name
    band = inspection.overall_band
    range_of_scores = score_range(inspection)
    facts = [Field("Overall", overall_text(inspection))]
    if inspection.scale.measure == "percent" and band:
        range_text = band.range_text(inspection.scale.top)
        facts.append(Field("Band", f"{band.label}: {range_text}" if range_text else band.label))
    if range_of_scores:
        facts.append(Field("Range of scores", range_of_scores))
    if inspection.published_score is not None:
        facts.append(Field("Published score", f"{inspection.published_score:g}%"))
    sections = [Section(fields=tuple(facts)), *quality_sections(inspection)]
    sections += _held_sections(ctx, inspection, ctx.queries.themes(inspection))
    sections += caveat_sections(inspection)
    if inspection.comparison:
        sections.append(Section(text=inspection.comparison))
    asked = set(words(args))
    if range_of_scores and asked & {"range", "lowest", "highest"}:
        headline = (
            f"{name}: scores ranged from {range_of_scores}, overall {overall_said(inspection)}."
        )
    else:
        headline = f"{name}: overall {overall_said(inspection)}"
        headline += f", scores ranging from {range_of_scores}." if range_of_scores else "."
    return Reply(
        title=f"Overall: {name}",
        headline=headline,
        sections=tuple(sections),
        source=source_line(inspection),
        actions=(share_action("overall", name),),
    )


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
    facts = [Field(*standard_field(ctx, inspection, t)) for t in themes]
    sections = [Section(fields=tuple(facts))]
    for note in (counting_rule(ctx, inspection.scale), merged_note(ctx, inspection, themes)):
        if note:
            sections.append(Section(text=note))
    domains, questions = domain_lines(ctx, inspection)
    if domains:
        sections.append(Section(heading="Domains", items=tuple(domains)))
    if questions:
        sections.append(Section(heading="Key questions", items=tuple(questions)))
    overall = [Field("Overall", overall_text(inspection))]
    range_of_scores = score_range(inspection)
    if range_of_scores:
        overall.append(Field("Range of scores", range_of_scores))
    sections.append(Section(fields=tuple(overall)))
    sections += _held_sections(ctx, inspection, themes)
    sections += quality_sections(inspection)
    sections += caveat_sections(inspection)
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
        counting = counting_rule(ctx, scale)
        if counting:
            lines.append(counting)
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
    cacheable=False,  # its statuses read audit evidence
)
@about_inspection()
def recs_command(ctx: PrivateContext, inspection: Inspection, args: str) -> Reply:
    recs = ctx.queries.recommendations(inspection)
    if not recs:
        if not inspection.recommendations_listed:
            return not_recorded(inspection, "recommendations", "Recommendations")
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
            facts.append(Field("Target", status_of(rec, ctx).target_text))
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
    "target",
    "target [rec] [service]",
    "the target each recommendation is monitored against",
    examples=("target", "target R1"),
    cacheable=False,  # its statuses read audit evidence
)
@about_inspection(trailing=True)
def target_command(ctx: PrivateContext, inspection: Inspection, args: str) -> Reply:
    recs = ctx.queries.recommendations(inspection)
    asked = rec_ref(words(args))
    shown = [r for r in recs if r.ref == asked] if asked else recs
    if recs_not_recorded(inspection, recs):
        return rec_not_recorded(inspection, asked or "", "Target")
    if asked and not shown:
        known = ", ".join(r.ref for r in recs) or "none"
        return problem(
            "Which recommendation?",
            f"{asked} is not a recommendation of this inspection; it has {known}.",
            Section(text=f"See them all with {ctx.cmd('recs')}."),
        )
    if not recs:
        return Reply(
            title="Target",
            headline=f"The {inspection.programme.lower()} of {inspection.service.name} "
            "made no recommendations, so there is no target to monitor.",
            source=source_line(inspection),
        )
    sections: list[Section] = []
    for rec in shown:
        sections += _target_sections(ctx, inspection, rec)
    sections += caveat_sections(inspection)
    return Reply(
        title="Target" if len(shown) == 1 else "Targets",
        headline=" ".join(_target_sentence(ctx, inspection, rec) for rec in shown),
        sections=tuple(sections),
        source=source_line(inspection),
        actions=(share_action("target", " ".join(r.ref for r in shown)),),
    )


def _target_sentence(ctx: PrivateContext, inspection: Inspection, rec: Recommendation) -> str:
    """R1's target: 80% or more in every monthly audit of its monitoring window, ..."""
    target = status_of(rec, ctx).target
    sentence = f"{rec.ref}'s target: {percent(target)} or more of the cases audited"
    if rec.monitor_months:
        sentence += f" {status_of(rec, ctx).rule.words} of its monitoring window"
    if rec.monitor_start and rec.window_end:
        sentence += f", {long_date(rec.monitor_start)} to {long_date(rec.window_end)}"
    good = inspection.scale.good_threshold
    if good is not None and target == good:
        sentence += f" (the threshold for Good on the {inspection.scale.name})"
    return sentence + "."


def _target_sections(
    ctx: PrivateContext, inspection: Inspection, rec: Recommendation
) -> list[Section]:
    status = status_of(rec, ctx)
    facts = [Field("Target", status.target_text)]
    if rec.baselines:
        facts.append(
            Field("Baseline", ", ".join(f"{b.label} {percent(b.score)}" for b in rec.baselines))
        )
    facts.append(Field("Status", status.line))
    sections = [Section(heading=rec.ref, text=rec.text, fields=tuple(facts))]
    if rec.monitoring_text:
        sections.append(Section(text=rec.monitoring_text))
    return sections


@command(
    "strengths",
    "strengths [service]",
    "the key strengths the inspectors identified",
    examples=("strengths",),
)
@about_inspection()
def strengths_command(ctx: Context, inspection: Inspection, args: str) -> Reply:
    strengths = ctx.queries.strengths(inspection)
    if not strengths and not inspection.strengths_listed:
        return not_recorded(inspection, "strengths", "Key strengths")
    noun = "key strength" if len(strengths) == 1 else "key strengths"
    return Reply(
        title="Key strengths",
        headline=f"The inspectors identified {count_word(len(strengths))} {noun}.",
        sections=(Section(items=tuple(strengths)),) if strengths else (),
        source=source_line(inspection),
        actions=(share_action("strengths", f"{inspection.service.name}"),),
    )


@command(
    "quote",
    "quote [theme] [service]",
    "what the inspectors said, in their own words; on one theme when the data has it",
    aliases=("said", "feedback"),
    examples=("quote", "quote protecting the public", "what did they say about safeguarding"),
)
def quote_command(ctx: Context, args: str) -> Reply:
    found = target(ctx, args, trailing=True)
    if isinstance(found, Reply):
        return found
    inspection, rest = found
    theme = theme_mentioned(ctx, inspection, rest)
    if theme is None and rest.strip() and len(residual_words(rest)) == len(plain_words(rest)):
        # Nothing but a name that is not a theme: a service named on its own ("quote Slou").
        found = target(ctx, args)
        if isinstance(found, Reply):
            return found
        inspection, _ = found
    if theme is not None and theme.quote:
        return Reply(
            title=f"What the inspectors said on {theme.name}",
            headline=f"On {theme.name}, the inspectors said: “{_first_sentence(theme.quote)}”",
            sections=(Section(text=theme.quote, quote=True),),
            source=source_line(inspection),
            actions=(share_action("quote", f"{theme.slug} {inspection.service.name}"),),
        )
    said = inspection.summary_quote
    if not said:
        return not_recorded(inspection, "quote", "What the inspectors said")
    headline = f"The inspectors said: “{_first_sentence(said)}”"
    if theme is not None:
        headline = (
            f"No words of the inspectors on {theme.name} are recorded for "
            f"{inspection.service.name}'s {inspection.programme.lower()}; overall they said: "
            f"“{_first_sentence(said)}”"
        )
    return Reply(
        title="What the inspectors said",
        headline=headline,
        sections=(Section(text=said, quote=True),),
        source=source_line(inspection),
        actions=(share_action("quote", inspection.service.name),),
    )


def _first_sentence(text: str) -> str:
    """Up to the first full stop followed by a space, or all of it."""
    flat = " ".join(text.split())
    end = flat.find(". ")
    return flat if end < 0 else flat[: end + 1]


# Events asked for by name, in the order they are tried: "when was the record of the
# cabinet decision signed" asks for the record, "when was the inspection published" for
# the publication.
EVENTS: tuple[tuple[str, frozenset[str]], ...] = (
    ("call-in-deadline", frozenset({"call", "callin", "deadline"})),
    ("record-published", frozenset({"record", "signed", "proper", "officer"})),
    ("monitoring-window-end", frozenset({"monitoring", "window", "monitored"})),
    ("cabinet-decision", frozenset({"cabinet", "decision", "decided", "resolved", "noted"})),
    ("board-report", frozenset({"board", "management"})),
    ("published", frozenset({"published", "publication", "publish"})),
    (
        "fieldwork",
        frozenset({"fieldwork", "inspected", "inspection", "visit", "visited", "screening"}),
    ),
)
EVENT_NAMES = {
    "call-in-deadline": "call-in deadline",
    "record-published": "signed record of the decision",
    "monitoring-window-end": "end of a monitoring window",
    "cabinet-decision": "cabinet decision",
    "board-report": "report to the board",
    "published": "publication date",
    "fieldwork": "fieldwork",
}


def event_asked(text: str) -> str | None:
    """The kind of timeline event a question names, if it names one."""
    said = set(words(text))
    return next((kind for kind, names in EVENTS if said & names), None)


@command(
    "timeline",
    "timeline [event] [service]",
    "from fieldwork to the board: dates, decisions and deadlines",
    aliases=("dates", "governance"),
    examples=("timeline", "timeline published", "timeline call-in"),
    details="Name an event to have its date first: published, fieldwork, board, cabinet, "
    "record, call-in, monitoring.",
)
@about_inspection(trailing=True)
def timeline_command(ctx: Context, inspection: Inspection, args: str) -> Reply:
    entries = ctx.queries.timeline(inspection)
    items = tuple(_timeline_line(entry) for entry in entries)
    kind = event_asked(args)
    asked = [e for e in entries if e.kind == kind]
    sections = []
    if asked:
        headline = " ".join(_event_sentence(e) for e in asked)
        sections += [Section(text=e.detail) for e in asked if e.detail]
    elif kind:
        headline = (
            f"No {EVENT_NAMES[kind]} is recorded for {inspection.service.name}'s "
            f"{inspection.programme.lower()}; here is what is."
        )
    elif len(entries) == 1:
        headline = f"One date is recorded: {_event_sentence(entries[0])}"
    else:
        headline = (
            f"{len(entries)} dates, from {long_date(entries[0].date)} "
            f"to {long_date(entries[-1].date)}."
        )
    sections.append(Section(heading="Timeline" if kind else None, items=items))
    share = f"{kind or ''} {inspection.service.name}"
    return Reply(
        title="Timeline",
        headline=headline,
        sections=tuple(sections),
        source=source_line(inspection),
        actions=(share_action("timeline", share),),
    )


def _timeline_line(entry: TimelineEntry) -> str:
    line = f"{long_date(entry.date)}: {entry.title}"
    if entry.body:
        line += f" ({entry.body})"
    if entry.detail:
        line += f". {entry.detail}"
    return line


def _event_sentence(entry: TimelineEntry) -> str:
    """18 December 2013 (HM Inspectorate of Probation): Inspection report published."""
    when = long_date(entry.date) + (f" ({entry.body})" if entry.body else "")
    sentence = f"{when}: {entry.title}"
    return sentence if sentence.endswith(".") else sentence + "."
