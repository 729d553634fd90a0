"""Services in the store and how they compare: compare, services, use.

Only like is ranked with like (see ``bot.domain.compare``): services rated in points
under the 2018+ standards are ranked by whole points; a questionable published row is
shown with its flag and never ranked; a percentage from an earlier programme is listed
apart and never ranked against points.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NamedTuple

from bot.commands.present import (
    caveat,
    caveat_sections,
    overall_text,
    published_rating,
    source_line,
    standards_note,
)
from bot.commands.registry import Context, Permission, command, paginate
from bot.commands.resolve import about_inspection, find_service
from bot.domain.compare import (
    Peers,
    Standing,
    distribution,
    hydrated,
    level_span,
    peers,
    points_frameworks,
    same_programme,
    set_channel_service,
    standing,
)
from bot.domain.model import Inspection, Scale
from bot.domain.queries import Placing
from bot.domain.wording import long_date, ordinal, percent
from bot.reply import Field, Reply, Section, problem, share_action
from bot.text import words

PAGE_SIZE = 20
LEVEL_SHOWN = 10  # services listed as level with one, before "and N more"


def _line(inspection: Inspection) -> str:
    return f"{inspection.service.name}: {overall_text(inspection)}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


# --- compare ----------------------------------------------------------------------------


@command(
    "compare",
    "compare [service]",
    "where a service stands among the services inspected under the same framework",
    examples=("compare", "compare Reading"),
    details="Services inspected from 2018 are ranked by their overall points out of 36; "
    "services level on points share a rank. A service whose published row is questionable "
    "is shown with its flag and not ranked. An inspection from an earlier programme, "
    "scored in percentages, is not ranked against points.",
)
@about_inspection()
def compare_command(ctx: Context, inspection: Inspection, args: str) -> Reply:
    if inspection.scale.measure != "points":
        return _compare_earlier(ctx, inspection)
    place = standing(ctx.queries, inspection)
    if not place.is_ranked:
        return _not_ranked(ctx, place)
    total = len(place.ranked)
    level = place.level
    tie = f", level with {_plural(len(level), 'other')}" if level else ""
    facts = [
        Field("Overall", overall_text(inspection)),
        Field("Rank by points", f"{ordinal(place.rank)} of {total}{tie}"),
        Field("Percentile", ordinal(place.percentile)),
    ]
    sections = [Section(fields=tuple(facts))]
    sections += _held(ctx, inspection)
    sections.append(_distribution_section(place))
    level_shown, above, below = hydrated(ctx.queries, level[:LEVEL_SHOWN], *place.neighbours())
    if level:
        shown = [_line(i) for i in level_shown]
        if len(level) > LEVEL_SHOWN:
            shown.append(f"and {len(level) - LEVEL_SHOWN} more")
        sections.append(Section(heading="Level with", items=tuple(shown)))
    if above:
        sections.append(Section(heading="Just above", items=tuple(_line(i) for i in above)))
    if below:
        sections.append(Section(heading="Just below", items=tuple(_line(i) for i in below)))
    sections += _unranked_note(place)
    return Reply(
        title=f"How {inspection.service.name} compares",
        headline=f"{inspection.service.name} is {overall_text(inspection)}: "
        f"{ordinal(place.rank)} of {total} ranked services by points{tie}, "
        f"the {ordinal(place.percentile)} percentile.",
        sections=tuple(sections),
        source=f"Each service's latest inspection under the {inspection.scale.name} in the store",
        actions=(share_action("compare", inspection.service.name),),
    )


def _held(ctx: Context, inspection: Inspection) -> list[Section]:
    note = standards_note(ctx, inspection, len(ctx.queries.themes(inspection)))
    return [Section(text=note)] if note else []


def _distribution_section(place: Standing) -> Section:
    return Section(
        heading=f"Overall ratings of the {_plural(len(place.ranked), 'ranked service')}",
        fields=tuple(Field(label, str(count)) for label, count in place.distribution),
    )


def _unranked_note(place: Standing) -> list[Section]:
    others = [p for p in place.flagged if p.inspection_id != place.inspection.id]
    if not others:
        return []
    names = ", ".join(p.service_name for p in others)
    return [
        Section(
            text=f"Not ranked, as their published rows are questionable: {names} "
            "(ask about any of them for the reason)."
        )
    ]


def _not_ranked(ctx: Context, place: Standing) -> Reply:
    """A service whose published row is questionable: shown with its flag, not ranked."""
    inspection = place.inspection
    name = inspection.service.name
    note = inspection.quality_note or "its overall points are not a whole number"
    facts = [Field("Published", overall_text(inspection))]
    if inspection.published_score is not None and inspection.overall_points is not None:
        facts.append(Field("Published score", f"{inspection.published_score:g}%"))
    sections = [
        Section(fields=tuple(facts)),
        Section(heading="Questionable as published", text=note),
        *_held(ctx, inspection),
        _distribution_section(place),
        *_unranked_note(place),
    ]
    return Reply(
        title=f"How {name} compares",
        headline=f"{name} is not ranked: its published row is questionable ({note}). "
        f"Here is how the {_plural(len(place.ranked), 'ranked service')} are rated.",
        sections=tuple(sections),
        source=f"Each service's latest inspection under the {inspection.scale.name} in the store",
        actions=(share_action("compare", name),),
    )


def _compare_earlier(ctx: Context, inspection: Inspection) -> Reply:
    """An inspection scored in percentages: against others of its programme when the
    store has them; never ranked against points, with the national picture instead."""
    others = same_programme(ctx.queries, inspection)
    sections = _programme_sections(ctx, inspection, others) if others else []
    sections += caveat_sections(inspection)
    if inspection.comparison:
        sections.append(Section(text=f"The record says: “{inspection.comparison}”"))
    national = [peers(ctx.queries, fid) for fid in points_frameworks(ctx.queries)]
    national = [framework for framework in national if framework.ranked]
    sections += _national_sections(ctx, national)
    name = inspection.service.name
    if others:
        said = [
            f"{name} against {_plural(len(others), 'other')} {inspection.programme} "
            f"result{'s' if len(others) != 1 else ''} in the store."
        ]
    else:
        said = [f"No other {inspection.programme} results are in the store to compare with."]
    if national:
        ranked = sum(len(framework.ranked) for framework in national)
        scale = national[0].scale
        period = f" ({scale.period})" if scale.period else ""
        said.insert(
            0,
            f"{name}'s {inspection.programme} of {inspection.published[:4]} cannot be "
            f"ranked among the {_plural(ranked, 'service')} inspected under the "
            f"{scale.name}{period}: it was scored as percentages of cases "
            f"({percent(inspection.overall_score)} overall), while they are rated on "
            f"standards in points out of {scale.max_points}, a different measure.",
        )
    headline = " ".join(said)
    return Reply(
        title=f"How {name} compares",
        headline=headline,
        sections=tuple(sections),
        source=source_line(inspection),
        actions=(share_action("compare", name),),
    )


def _programme_sections(
    ctx: Context, inspection: Inspection, others: list[Inspection]
) -> list[Section]:
    """Each theme's score against the average of the same programme's other results."""
    rows = []
    for theme in ctx.queries.themes(inspection):
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
                f"across {_plural(len(scores), 'other service')}",
            )
        )
    return [Section(fields=tuple(rows))] if rows else []


def _national_sections(ctx: Context, national: list[Peers]) -> list[Section]:
    """The national distribution of overall ratings, and how to see the services."""
    if not national:
        return [
            Section(
                text="No services inspected from 2018 are in the store: "
                "`yos-bot update-ratings` loads HMIP's published ratings."
            )
        ]
    sections = []
    for framework in national:
        ranked, flagged = framework.ranked, framework.flagged
        heading = f"Nationally: overall ratings of the {_plural(len(ranked), 'ranked service')}"
        if flagged:
            heading += f" ({len(flagged)} more not ranked: questionable as published)"
        counts = distribution(framework.scale, ranked)
        sections.append(
            Section(
                heading=heading, fields=tuple(Field(label, str(count)) for label, count in counts)
            )
        )
    example = national[0].ranked[0].service_name
    sections.append(
        Section(
            text=f"See them with {ctx.cmd('services')} (one rating: "
            f"{ctx.cmd('services outstanding')}), or how one compares with "
            f"{ctx.cmd('compare ' + example)}."
        )
    )
    return sections


# --- services ---------------------------------------------------------------------------

Entry = tuple[str, str]  # (the group it is listed under, the line)
EARLIER = "Earlier programmes, in percentages: not ranked against points"
FLAGGED = "Not ranked: questionable as published"


class Group(NamedTuple):
    """Services listed under one heading, read light: only those on the page asked for
    are read in full."""

    heading: str
    kind: Literal["ranked", "flagged", "earlier"]  # how each line reads
    placings: Sequence[Placing]  # in the order listed
    ranked: Sequence[Placing] = ()  # every ranked service of the framework, for ranks


@command(
    "services",
    "services [rating] [page]",
    "the services in the store, frameworks apart, best first; optionally one overall rating",
    examples=("services", "services outstanding", "services requires improvement 2"),
)
def services_command(ctx: Context, args: str) -> Reply:
    frameworks = [peers(ctx.queries, fid) for fid in points_frameworks(ctx.queries)]
    labels = {b.label.lower(): b.label for f in frameworks for b in f.scale.of("overall")}
    asked = _rating_and_page(args, labels)
    if isinstance(asked, Reply):
        return asked
    wanted, page = asked
    groups: list[Group] = []
    for framework in frameworks:
        groups.append(_ranked_group(framework, wanted))
        groups.append(Group(FLAGGED, "flagged", _flagged_rated(ctx, framework.flagged, wanted)))
    earlier = Group(EARLIER, "earlier", [] if wanted else ctx.queries.latest_not_in_points())
    groups.append(earlier)
    on_page, page, pages = _page_of(ctx, groups, page)
    sections = _grouped([(g.heading, _entry_line(g, p, i)) for g, p, i in on_page], page, pages)
    notes = {note for g, _, i in on_page if g.kind == "earlier" and (note := caveat(i))}
    sections += [Section(text=note) for note in sorted(notes)]
    if page < pages:
        more = f"{wanted} {page + 1}".strip()
        sections.append(Section(text=f"More: {ctx.cmd('services ' + more)}"))
    what = labels.get(wanted, "")
    counts = {
        kind: sum(len(g.placings) for g in groups if g.kind == kind)
        for kind in ("ranked", "flagged")
    }
    return Reply(
        title=f"Services rated {what}" if what else "Services",
        headline=_services_headline(what, counts, len(earlier.placings)),
        sections=tuple(sections),
        actions=(share_action("services", f"{wanted} {page}"),),
    )


def _rating_and_page(args: str, labels: dict[str, str]) -> tuple[str, int] | Reply:
    """The overall rating asked for (lower case, "" for all) and the page."""
    typed = words(args)
    page = 1
    if typed and typed[-1].isdecimal():
        number = typed.pop()
        if len(number) > 6:
            return problem("Which page?", f"“{number[:12]}…” is not a page number.")
        page = max(1, int(number))
    wanted = " ".join(typed)
    if wanted and wanted not in labels:
        return problem(
            "Which rating?",
            f"“{args.strip()[:40]}” is not an overall rating.",
            Section(text="Try one of: " + ", ".join(sorted(set(labels.values()))) + "."),
        )
    return wanted, page


def _ranked_group(framework: Peers, wanted: str) -> Group:
    """The framework's ranked services, best first, filtered to one rating when asked."""
    scale = framework.scale
    heading = f"{scale.name} ({scale.period}), ranked by points" if scale.period else scale.name
    ranked = framework.ranked
    if wanted:
        rated = _ratings(scale, {p.points for p in ranked})
        ranked = tuple(p for p in ranked if rated[p.points] == wanted)
    return Group(heading, "ranked", ranked, framework.ranked)


def _ratings(scale: Scale, points: set[int | None]) -> dict[int | None, str]:
    """The overall rating (lower case, "" for none) of each number of points: one band
    look-up for each, not for each service."""
    bands = {n: scale.band_for(n, "overall") for n in points}
    return {n: band.label.lower() if band else "" for n, band in bands.items()}


def _flagged_rated(ctx: Context, flagged: Sequence[Placing], wanted: str) -> Sequence[Placing]:
    """Services whose published rows are questionable, filtered to one published rating
    when asked: their rating as published is read for that (they are few)."""
    if not wanted:
        return flagged
    read = ctx.queries.inspections_by_id([p.inspection_id for p in flagged])
    return [p for p in flagged if published_rating(read[p.inspection_id]).lower() == wanted]


def _page_of(
    ctx: Context, groups: Sequence[Group], page: int
) -> tuple[list[tuple[Group, Placing, Inspection]], int, int]:
    """The entries on ``page`` (clamped), each with its inspection read whole; that page,
    and how many there are."""
    total = sum(len(group.placings) for group in groups)
    positions, page, pages = paginate(range(total), page, PAGE_SIZE)
    shown = [_at(groups, position) for position in positions]
    read = ctx.queries.inspections_by_id([placing.inspection_id for _, placing in shown])
    return [(group, p, read[p.inspection_id]) for group, p in shown], page, pages


def _at(groups: Sequence[Group], position: int) -> tuple[Group, Placing]:
    """The entry at ``position`` when the groups are listed one after another."""
    for group in groups:
        if position < len(group.placings):
            return group, group.placings[position]
        position -= len(group.placings)
    raise IndexError(position)


def _entry_line(group: Group, placing: Placing, inspection: Inspection) -> str:
    if group.kind == "earlier":
        return _earlier_line(inspection)
    line = f"{_line(inspection)}, published {long_date(inspection.published)}"
    if group.kind == "flagged":
        return f"{line} ({inspection.quality_note})"
    # Its rank among all ranked, "8th=" when level with another.
    start, end = level_span(group.ranked, placing.points or 0)
    return f"{ordinal(1 + start)}{'=' if end - start > 1 else ''} {line}"


def _earlier_line(inspection: Inspection) -> str:
    return (
        f"{_line(inspection)} ({inspection.programme}, {inspection.scale.name}), "
        f"published {long_date(inspection.published)}"
    )


def _grouped(shown: list[Entry], page: int, pages: int) -> list[Section]:
    """One section per group on this page; the first says which page it is."""
    groups: list[tuple[str, list[str]]] = []
    for group, line in shown:
        if not groups or groups[-1][0] != group:
            groups.append((group, []))
        groups[-1][1].append(line)
    return [
        Section(heading=_paged(group, page, pages) if n == 0 else group, items=tuple(lines))
        for n, (group, lines) in enumerate(groups)
    ]


def _paged(group: str, page: int, pages: int) -> str:
    return f"{group} (page {page} of {pages})"


def _services_headline(what: str, counts: dict[str, int], earlier: int) -> str:
    ranked, flagged = counts["ranked"], counts["flagged"]
    if what:
        headline = f"{_plural(ranked + flagged, 'service')} rated {what}"
        if flagged:
            headline += f" ({flagged} of them not ranked: questionable as published)"
        return headline + "."
    total = ranked + flagged + earlier
    parts = [f"{ranked} ranked by points"]
    if flagged:
        parts.append(f"{flagged} not ranked (questionable as published)")
    if earlier:
        parts.append(f"{earlier} inspected under an earlier programme, in percentages")
    return f"{_plural(total, 'service')} in the store: " + ", ".join(parts) + "."


# --- use --------------------------------------------------------------------------------


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
    found = find_service(ctx, args) if args.strip() else None
    if found is None:
        current = ctx.queries.service(ctx.home_service())
        return problem(
            "Which service?",
            f"This channel's questions are about {current.name}. Name another, "
            f"e.g. {ctx.cmd('use Reading')}.",
        )
    if isinstance(found, Reply):
        return found
    if not ctx.conversation:
        return problem("Not in a channel", "A default service belongs to a channel.")
    if not ctx.may(Permission.USE):
        return ctx.refused("Only auditors can change which service this channel is about.")
    set_channel_service(ctx.db, ctx.conversation, found.id, ctx.user.id)
    latest = ctx.queries.latest_inspection(found.id)
    return Reply(
        title=f"Now answering about {found.name}",
        headline=f"Questions in this channel are now about {found.name} "
        f"(latest inspection: {latest.programme}, published {long_date(latest.published)}).",
        sections=(Section(text="Name a service after any question to ask about another."),),
    )
