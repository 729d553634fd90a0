"""Services in the store and how they compare: compare, services, use."""

from __future__ import annotations

from bot.commands.present import overall_text, source_line
from bot.commands.registry import Context, Permission, command, paginate
from bot.commands.resolve import about_inspection, service_problem
from bot.domain.compare import same_programme, set_channel_service, standing
from bot.domain.model import Inspection
from bot.domain.wording import long_date, percent
from bot.reply import Field, Reply, Section, problem, share_action
from bot.text import words

PAGE_SIZE = 20


def _line(inspection: Inspection) -> str:
    line = f"{inspection.service.name}: {overall_text(inspection)}"
    if inspection.quality_note:
        line += " (questionable as published)"
    return line


@command(
    "compare",
    "compare [service]",
    "where a service stands among all the services in the store",
    examples=("compare", "compare Reading"),
)
@about_inspection()
def compare_command(ctx: Context, inspection: Inspection, args: str) -> Reply:
    if inspection.scale.measure == "percent":
        return _compare_percentages(ctx, inspection)
    place = standing(ctx.queries, inspection)
    total = len(place.ranked)
    rank = f"{place.rank} of {total}" + (f" (level with {place.tied} others)" if place.tied else "")
    facts = [
        Field("Overall", overall_text(inspection)),
        Field("Rank by points", rank),
        Field("Percentile", f"{place.percentile}th"),
    ]
    above, below = place.neighbours()
    sections = [
        Section(fields=tuple(facts)),
        Section(
            heading=f"Overall ratings of {total} services",
            fields=tuple(Field(label, str(count)) for label, count in place.distribution),
        ),
    ]
    if above:
        sections.append(Section(heading="Just above", items=tuple(_line(i) for i in above)))
    if below:
        sections.append(Section(heading="Just below", items=tuple(_line(i) for i in below)))
    if inspection.quality_note:
        sections.append(Section(heading="Questionable as published", text=inspection.quality_note))
    return Reply(
        title=f"How {inspection.service.name} compares",
        headline=f"{inspection.service.name} is {overall_text(inspection)}: "
        f"{_ordinal(place.rank)} of {total} services by points, "
        f"the {_ordinal(place.percentile)} percentile.",
        sections=tuple(sections),
        source=f"Each service's latest inspection under the {inspection.scale.name} in the store",
        actions=(share_action("compare", f"{inspection.service.name}"),),
    )


def _compare_percentages(ctx: Context, inspection: Inspection) -> Reply:
    others = same_programme(ctx.queries, inspection)
    themes = ctx.queries.themes(inspection)
    if not others:
        text = f"No other {inspection.programme} results are in the store to compare with."
        if inspection.comparison:
            text += f" The record says: “{inspection.comparison}”"
        return Reply(
            title=f"How {inspection.service.name} compares",
            headline=text,
            sections=(
                Section(fields=tuple(Field(t.name, t.score_text) for t in themes)),
                Section(text="Load other services' results with yos-bot load to compare."),
            ),
            source=source_line(inspection),
            actions=(share_action("compare", f"{inspection.service.name}"),),
        )
    rows = []
    for theme in themes:
        scores = [
            t.score
            for other in others
            for t in ctx.queries.themes(other)
            if t.slug == theme.slug and t.score is not None
        ]
        if theme.score is None or not scores:
            continue
        average = sum(scores) / len(scores)
        rows.append(
            Field(
                theme.name,
                f"{theme.score_text} against an average of {percent(average)} "
                f"across {len(scores)} other services",
            )
        )
    return Reply(
        title=f"How {inspection.service.name} compares",
        headline=f"{inspection.service.name} against {len(others)} other "
        f"{inspection.programme} results in the store.",
        sections=(Section(fields=tuple(rows)),),
        source=source_line(inspection),
        actions=(share_action("compare", f"{inspection.service.name}"),),
    )


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@command(
    "services",
    "services [rating] [page]",
    "the services in the store, best first, optionally with one overall rating",
    examples=("services", "services outstanding", "services requires improvement 2"),
)
def services_command(ctx: Context, args: str) -> Reply:
    typed = words(args)
    page = 1
    if typed and typed[-1].isdigit():
        page = max(1, int(typed.pop()))
    wanted = " ".join(typed)
    inspections = [ctx.queries.latest_inspection(s.id) for s in ctx.queries.services()]
    labels = {b.label.lower(): b.label for i in inspections for b in i.scale.of("overall")}
    if wanted and wanted not in labels:
        return problem(
            "Which rating?",
            f"“{args.strip()[:40]}” is not an overall rating.",
            Section(text="Try one of: " + ", ".join(sorted(set(labels.values()))) + "."),
        )
    if wanted:
        inspections = [i for i in inspections if (i.rating_label or "").lower() == wanted]
    ranked = sorted(
        inspections,
        key=lambda i: (i.scale.measure != "points", -(i.points or 0), i.service.name),
    )
    shown, page, pages = paginate(ranked, page, PAGE_SIZE)
    items = tuple(
        (_line(i) if i.scale.measure == "points" else f"{_line(i)} ({i.programme})")
        + f", published {long_date(i.published)}"
        for i in shown
    )
    what = labels.get(wanted, "")
    noun = "service" if len(ranked) == 1 else "services"
    headline = (
        f"{len(ranked)} {noun} rated {what}" if what else f"{len(ranked)} {noun} in the store"
    )
    sections = (
        [Section(heading=f"Best first (page {page} of {pages})", items=items)] if items else []
    )
    if page < pages:
        more = f"{wanted} {page + 1}".strip()
        sections.append(Section(text=f"More: {ctx.cmd('services ' + more)}"))
    return Reply(
        title=f"Services rated {what}" if what else "Services",
        headline=headline + ".",
        sections=tuple(sections),
        actions=(share_action("services", f"{wanted} {page}"),),
    )


@command(
    "use",
    "use <service>",
    "make a service this channel's default for every question",
    examples=("use Reading", "use Stockton"),
    details="Auditors only: it changes the answers, and where reminders go, for everyone "
    "in the channel.",
    writes=True,
)
def use_command(ctx: Context, args: str) -> Reply:
    if not args.strip():
        current = ctx.queries.service(ctx.home_service())
        return problem(
            "Which service?",
            f"This channel's questions are about {current.name}. Name another, "
            f"e.g. {ctx.cmd('use Reading')}.",
        )
    match = ctx.queries.match_service(args)
    if match.service is None:
        return service_problem(ctx, args, match)
    if not ctx.conversation:
        return problem("Not in a channel", "A default service belongs to a channel.")
    if not ctx.may(Permission.USE):
        return ctx.refused("Only auditors can change which service this channel is about.")
    set_channel_service(ctx.db, ctx.conversation, match.service.id, ctx.user.id)
    latest = ctx.queries.latest_inspection(match.service.id)
    return Reply(
        title=f"Now answering about {match.service.name}",
        headline=f"Questions in this channel are now about {match.service.name} "
        f"(latest inspection: {latest.programme}, published {long_date(latest.published)}).",
        sections=(Section(text="Name a service after any question to ask about another."),),
    )
