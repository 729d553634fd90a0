"""Turning what someone typed into a reply.

One registry holds every subcommand with its usage and help, so ``help`` can never
drift from what exists. The same dispatcher serves the console, ``/yos`` and
mentions in Slack.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from bot.domain.model import Band, Inspection, Recommendation, Theme
from bot.domain.queries import InspectionQueries, NotFound
from bot.domain.text import date_range, long_date, percent, words
from bot.reply import Field, Reply, Section, problem


@dataclass
class Context:
    """Who is asking, where, and when: everything a handler may need besides the text."""

    queries: InspectionQueries
    today: date
    user_id: str | None = None
    user_name: str | None = None
    channel_id: str | None = None
    via: str = "console"


Handler = Callable[[Context, str], Reply]


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    summary: str
    handler: Handler
    aliases: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    details: str | None = None


@dataclass
class Registry:
    commands: dict[str, Command] = field(default_factory=dict)
    _names: dict[str, str] = field(default_factory=dict)

    def command(
        self,
        name: str,
        usage: str,
        summary: str,
        *,
        aliases: tuple[str, ...] = (),
        examples: tuple[str, ...] = (),
        details: str | None = None,
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.commands[name] = Command(name, usage, summary, handler, aliases, examples, details)
            for word in (name, *aliases):
                self._names[word] = name
            return handler

        return register

    def find(self, word: str) -> Command | None:
        name = self._names.get(word.lower())
        return self.commands[name] if name else None


registry = Registry()
command = registry.command


# --- reading what was typed ---------------------------------------------------

# A Slack user mention such as the bot's own: "<@U0123ABC> score public".
MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")

# Keywords that pick a command when a sentence does not start with one. Order matters:
# a theme named in the sentence is tried after these specific topics.
_TOPICS: tuple[tuple[str, frozenset[str]], ...] = (
    ("recs", frozenset({"recommendation", "recommendations", "recs", "rec", "recommend"})),
    ("strengths", frozenset({"strength", "strengths", "strong", "good at"})),
    ("bands", frozenset({"band", "bands", "descriptor", "descriptors", "stars", "scale"})),
    (
        "timeline",
        frozenset({"timeline", "when", "board", "cabinet", "call", "deadline", "resolved"}),
    ),
)
_SCORES_WORDS = frozenset({"score", "scores", "scored", "themes", "theme", "marks"})
_SUMMARY_WORDS = frozenset(
    {"summary", "latest", "inspection", "overall", "result", "results", "outcome", "how"}
)


def clean(text: str) -> str:
    """Drop a leading ``/yos`` and any Slack mention of the bot."""
    text = MENTION.sub(" ", text).strip()
    if text.lower().startswith("/yos"):
        text = text[4:]
    return text.strip()


def interpret(text: str, queries: InspectionQueries) -> tuple[Command | None, str]:
    """Pick the command a person meant, strictly first, then leniently from keywords."""
    text = clean(text)
    if not text:
        return registry.find("summary"), ""
    first, _, rest = text.partition(" ")
    found = registry.find(first.strip("?!.,:"))
    if found:
        return found, rest.strip()
    said = set(words(text))
    for name, keywords in _TOPICS:
        if said & keywords:
            return registry.find(name), ""
    try:
        theme = queries.theme_in_text(queries.latest_inspection(), text)
    except NotFound:
        theme = None
    if theme is not None:
        return registry.find("score"), theme.slug
    if said & _SCORES_WORDS:
        return registry.find("scores"), ""
    if said & _SUMMARY_WORDS:
        return registry.find("summary"), ""
    return None, text


def dispatch(text: str, ctx: Context) -> Reply:
    found, args = interpret(text, ctx.queries)
    if found is None:
        return _help_overview(not_understood=args)
    try:
        return found.handler(ctx, args)
    except NotFound as missing:
        return problem("Nothing to show yet", str(missing))


# --- help -------------------------------------------------------------------


def _help_overview(not_understood: str | None = None) -> Reply:
    lines = tuple(f"/yos {c.usage}: {c.summary}" for c in registry.commands.values())
    headline = "Ask about your latest HMIP inspection and the recommendations from it."
    if not_understood:
        headline = f"I didn't understand “{not_understood[:80]}”. Here is what I can answer:"
    return Reply(
        title="YOS inspection bot",
        headline=headline,
        sections=(
            Section(items=lines),
            Section(
                text="You can also mention me with a question, e.g. "
                "“how did we score on protecting the public?”. "
                "Type /yos help <command> for more on one command."
            ),
        ),
        ok=not_understood is None,
    )


@command(
    "help",
    "help [command]",
    "what I can answer, or more on one command",
    examples=("help", "help score"),
)
def help_command(ctx: Context, args: str) -> Reply:
    if not args:
        return _help_overview()
    found = registry.find(args.split()[0].removeprefix("/"))
    if found is None:
        return _help_overview(not_understood=args)
    sections = [Section(text=found.details)] if found.details else []
    if found.aliases:
        sections.append(Section(heading="Also", text=", ".join(found.aliases)))
    if found.examples:
        sections.append(
            Section(heading="Examples", items=tuple(f"/yos {e}" for e in found.examples))
        )
    return Reply(
        title=f"/yos {found.usage}",
        headline=found.summary.capitalize() + ".",
        sections=tuple(sections),
    )


# --- inspection answers ---------------------------------------------------------


def _source(inspection: Inspection) -> str:
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


def _overall(inspection: Inspection) -> str:
    band = inspection.overall_band
    if inspection.scale.measure == "points" and inspection.overall_points is not None:
        label = inspection.overall_rating or (band.label if band else "")
        return f"{label}, {inspection.overall_points}/{inspection.scale.max_points} points"
    score = percent(inspection.overall_score)
    return f"{score}  {band.badge}" if band else score


def _score_range(inspection: Inspection) -> str | None:
    if inspection.score_min is None or inspection.score_max is None:
        return None
    return f"{percent(inspection.score_min)} to {percent(inspection.score_max)}"


def _status_line(rec: Recommendation, ctx: Context) -> str:
    from bot.domain.status import describe_status

    return describe_status(ctx.queries.db, rec, ctx.today).line


@command(
    "summary",
    "summary",
    "the latest inspection at a glance",
    aliases=("latest", "inspection", "overview"),
    examples=("summary",),
)
def summary_command(ctx: Context, args: str) -> Reply:
    inspection = ctx.queries.latest_inspection()
    themes = ctx.queries.themes(inspection)
    facts = [
        Field("Inspection", f"{inspection.inspectorate or 'HMIP'} {inspection.programme}"),
        Field(
            "Fieldwork", date_range(inspection.fieldwork_start, inspection.fieldwork_end) or "n/a"
        ),
        Field("Published", long_date(inspection.published)),
        Field("Overall", _overall(inspection)),
    ]
    score_range = _score_range(inspection)
    if score_range:
        facts.append(Field("Range of scores", score_range))
    sections = [
        Section(fields=tuple(facts)),
        Section(
            heading="Scores by theme", fields=tuple(Field(t.name, _theme_value(t)) for t in themes)
        ),
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
    headline = f"{inspection.service.name}: overall {_overall(inspection)}"
    if score_range:
        headline += f", scores ranging from {score_range}"
    return Reply(
        title=f"{inspection.service.name}: {inspection.programme}",
        headline=headline + ".",
        sections=tuple(sections),
        source=_source(inspection),
        share="summary",
    )


@command(
    "score",
    "score <theme>",
    "one theme's score with its rating band",
    examples=("score protecting-public", "score child", "score reoffending"),
    details="Name a theme by its short name (protecting-public), its full name, "
    "or any word that only it has (public, child, sentence).",
)
def score_command(ctx: Context, args: str) -> Reply:
    inspection = ctx.queries.latest_inspection()
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
    facts = [Field("Score", theme.score_text)]
    if band:
        facts.append(Field("Rating", band.badge))
        range_text = band.range_text(inspection.scale.top)
        if range_text:
            facts.append(Field("Band", f"{band.label}: {range_text}"))
    facts.append(Field("Overall", _overall(inspection)))
    sections = [Section(fields=tuple(facts))]
    if inspection.bands_note:
        sections.append(Section(text=inspection.bands_note))
    verdict = (
        f"{band.label} ({band.stars})" if band and band.stars else (band.label if band else "")
    )
    return Reply(
        title=theme.name,
        headline=f"{theme.name}: {theme.score_text}, {verdict}.".replace(", .", "."),
        sections=tuple(sections),
        source=_source(inspection),
        share=f"score {theme.slug}",
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
    sections.append(Section(text=f"Try /yos score {example}"))
    return problem("Which theme?", headline, *sections)


@command(
    "scores",
    "scores",
    "every theme's score with its band",
    aliases=("themes",),
    examples=("scores",),
)
def scores_command(ctx: Context, args: str) -> Reply:
    inspection = ctx.queries.latest_inspection()
    themes = ctx.queries.themes(inspection)
    facts = [Field(t.name, _theme_value(t)) for t in themes]
    sections = [Section(fields=tuple(facts))]
    overall = [Field("Overall", _overall(inspection))]
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
        source=_source(inspection),
        share="scores",
    )


@command(
    "bands",
    "bands",
    "the rating bands that give a score its meaning",
    aliases=("ratings", "descriptors"),
    examples=("bands",),
)
def bands_command(ctx: Context, args: str) -> Reply:
    inspection = ctx.queries.latest_inspection()
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
        share="bands",
    )


def _points(band: Band) -> str:
    if band.applies_to == "standard" and band.value is not None:
        return f"{band.value} point" + ("" if band.value == 1 else "s")
    return ""


@command(
    "recs",
    "recs",
    "the recommendations, their baseline and their status",
    aliases=("recommendations", "recommendation"),
    examples=("recs",),
)
def recs_command(ctx: Context, args: str) -> Reply:
    inspection = ctx.queries.latest_inspection()
    recs = ctx.queries.recommendations(inspection)
    if not recs:
        return Reply(
            title="Recommendations",
            headline=f"The {inspection.programme} made no recommendations.",
            source=_source(inspection),
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
        source=_source(inspection),
        share="recs",
    )


def _count_word(n: int) -> str:
    return ("no", "one", "two", "three", "four", "five", "six")[n] if n < 7 else str(n)


@command(
    "strengths",
    "strengths",
    "the key strengths the inspectors identified",
    examples=("strengths",),
)
def strengths_command(ctx: Context, args: str) -> Reply:
    inspection = ctx.queries.latest_inspection()
    strengths = ctx.queries.strengths(inspection)
    return Reply(
        title="Key strengths",
        headline=f"The inspectors identified {_count_word(len(strengths))} key strengths.",
        sections=(Section(items=tuple(strengths)),),
        source=_source(inspection),
        share="strengths",
    )


@command(
    "timeline",
    "timeline",
    "from fieldwork to the board: dates, decisions and deadlines",
    aliases=("dates", "governance"),
    examples=("timeline",),
)
def timeline_command(ctx: Context, args: str) -> Reply:
    inspection = ctx.queries.latest_inspection()
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
        source=_source(inspection),
        share="timeline",
    )


_STRAIGHT_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})


def split_args(args: str) -> list[str]:
    """Split like a shell, tolerating curly quotes and an unbalanced quote."""
    normal = args.translate(_STRAIGHT_QUOTES)
    try:
        return shlex.split(normal)
    except ValueError:
        return normal.split()
