"""Services in the store and how they compare: compare, services, use.

Only like is ranked with like (see ``bot.domain.inspections.compare``): services rated in points
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
    overall_said,
    overall_text,
    published_rating,
    source_line,
    standards_note,
    theme_value,
)
from bot.commands.registry import Commands, Context, Permission, PrivateContext, paginate, part
from bot.commands.resolve import (
    find_service,
    is_vocabulary,
    mentions_in,
    residual_words,
    service_problem,
)
from bot.domain.inspections.compare import (
    PERCENTILE_RULE,
    Level,
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
from bot.domain.inspections.model import Inspection, Scale, Service
from bot.domain.inspections.queries import Placing
from bot.domain.wording import long_date, ordinal, percent
from bot.reply import Field, Reply, Section, problem, share_action
from bot.text import plain_words, words

COMMANDS = Commands()  # this module's, in the order help lists them
command = COMMANDS.command

PAGE_SIZE = 20
LEVEL_SHOWN = 10  # services listed as level with one, before "and N others level on …"
NEIGHBOURS_SHOWN = 5  # services listed of a level of points just above or below


def _line(inspection: Inspection) -> str:
    return f"{inspection.service.name}: {overall_text(inspection)}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


# --- compare ----------------------------------------------------------------------------


@command(
    "compare",
    "compare [service] [with service]",
    "where a service stands among the services inspected under the same framework, or "
    "services side by side",
    examples=("compare", "compare Reading", "compare us with Slough", "compare Slough and Reading"),
    details="Services inspected from 2018 are ranked by their overall points out of 36; "
    "services level on points share a rank, and every one level with the service asked "
    "about, or just above or below it, is shown or counted. "
    + PERCENTILE_RULE
    + " A service whose published row is questionable is shown with its flag and not "
    "ranked. An inspection from an earlier programme, scored in percentages, is not ranked "
    "against points. Name two services (“compare Slough and Reading”, “compare us with "
    "Slough”) to see them side by side.",
)
def compare_command(ctx: Context, args: str) -> Reply:
    compared = _compared(ctx, args)
    if isinstance(compared, Reply):
        return compared
    inspections = [ctx.queries.latest_inspection(s.id) for s in compared]
    if len(inspections) > 1:
        return _side_by_side(ctx, inspections)
    inspection = inspections[0]
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
    sections = [Section(fields=tuple(facts)), Section(text=PERCENTILE_RULE)]
    sections += _held(ctx, inspection)
    sections.append(_distribution_section(place))
    above, below = place.neighbours()
    groups = {
        "Level with": [_shown(Level(place.points, tuple(level)), LEVEL_SHOWN)],
        "Just above": [_shown(group) for group in above],
        "Just below": [_shown(group) for group in below],
    }
    # The inspections of every service named, read in one go, in the order shown.
    read = iter(hydrated(ctx.queries, *(named for parts in groups.values() for named, _ in parts)))
    for heading, parts in groups.items():
        items = [line for _, more in parts for line in [*map(_line, next(read)), *more]]
        if items:
            sections.append(Section(heading=heading, items=tuple(items)))
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


def _shown(level: Level, most: int = NEIGHBOURS_SHOWN) -> tuple[tuple[Placing, ...], list[str]]:
    """The services of a level of points a reply names, and the count of the rest."""
    shown = level.placings[:most]
    rest = len(level.placings) - len(shown)
    more = [f"and {_plural(rest, 'other')} level on {level.points} points"] if rest else []
    return shown, more


# Words that say who "us" is in a comparison, and words of a comparison that name nobody.
_US = frozenset({"us", "we", "our", "ours", "ourselves"})
_COMPARING = frozenset({"side", "alongside", "between", "neighbours", "neighbors", "peers"})
MOST_SIDE_BY_SIDE = 4


def _compared(ctx: Context, args: str) -> list[Service] | Reply:
    """The services a comparison is about, in the order named: those the question names
    ("compare Slough and Reading"), with the conversation's own first when it says "us"
    or names none ("compare us with Slough", "compare")."""
    mentions = mentions_in(ctx, args)
    named: list[Service] = []
    for mention in mentions:
        if mention.match.service is None:
            return service_problem(ctx, mention.typed, mention.match)
        named.append(mention.match.service)
    rest = mentions[0].rest if mentions else args
    residual = [w for w in residual_words(rest) if w not in _COMPARING]
    if residual:  # named on its own: by a prefix, a part or a close spelling
        found = find_service(ctx, " ".join(residual))
        if isinstance(found, Reply):
            return found
        if found is not None:
            named.append(found)
    if not named or _US & set(plain_words(args)):
        named.insert(0, ctx.queries.service(ctx.home_service()))
    unique = list({service.id: service for service in named}.values())
    if len(unique) > MOST_SIDE_BY_SIDE:
        return problem(
            "Too many to compare",
            f"I can put up to {MOST_SIDE_BY_SIDE} services side by side; you named {len(unique)}.",
        )
    return unique


def _side_by_side(ctx: Context, inspections: list[Inspection]) -> Reply:
    """Two or more services' latest inspections side by side: overall, rank and
    percentile where they can be ranked, and each theme or standard they share."""
    names = _listed([i.service.name for i in inspections])
    places = {i.id: standing(ctx.queries, i) for i in inspections if i.scale.measure == "points"}
    sections = [
        Section(heading=i.service.name, fields=tuple(_side_facts(i, places.get(i.id))))
        for i in inspections
    ]
    sections += _shared_themes(ctx, inspections)
    if any(place.is_ranked for place in places.values()):
        sections.append(Section(text=PERCENTILE_RULE))
    sections += [s for i in inspections for s in caveat_sections(i)][:1]
    share = " with ".join(i.service.name for i in inspections)
    return Reply(
        title=f"{names} side by side",
        headline=_side_headline(inspections, places),
        sections=tuple(sections),
        source="Each service's latest inspection in the store",
        actions=(share_action("compare", share),),
    )


def _listed(names: list[str]) -> str:
    """A, B and C."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _side_facts(inspection: Inspection, place: Standing | None) -> list[Field]:
    facts = [
        Field("Inspection", f"{inspection.programme}, published {long_date(inspection.published)}"),
        Field("Overall", overall_text(inspection)),
    ]
    if place is None:
        facts.append(Field("Rank by points", "not ranked: scored in percentages of cases"))
    elif not place.is_ranked:
        note = inspection.quality_note or "its overall points are not a whole number"
        facts.append(Field("Rank by points", f"not ranked: questionable as published ({note})"))
    else:
        tie = f", level with {_plural(len(place.level), 'other')}" if place.level else ""
        facts.append(Field("Rank by points", f"{ordinal(place.rank)} of {len(place.ranked)}{tie}"))
        facts.append(Field("Percentile", ordinal(place.percentile)))
    return facts


def _side_headline(inspections: list[Inspection], places: dict[str, Standing]) -> str:
    """Who stands where, best first, when all are ranked on the same points; otherwise
    why they cannot be ranked against each other."""
    said = [f"{i.service.name} is {overall_said(i)}" for i in inspections]
    frameworks = {i.scale.framework_id for i in inspections}
    ranked = [i for i in inspections if i.id in places and places[i.id].is_ranked]
    if len(frameworks) > 1:
        measures = _listed(
            sorted(
                {
                    "percentages of cases"
                    if i.id not in places
                    else f"points out of {i.scale.max_points}"
                    for i in inspections
                }
            )
        )
        return (
            "; ".join(said) + f". They were rated on different measures ({measures}), so "
            "they cannot be ranked against each other."
        )
    if not places:  # percentages of cases, as an earlier programme scored them
        return "; ".join(said) + ". Percentages are not ranked; each theme is side by side."
    if len(ranked) < len(inspections):
        flagged = _listed([i.service.name for i in inspections if i not in ranked])
        return "; ".join(said) + f". {flagged} cannot be ranked: questionable as published."
    best = sorted(ranked, key=lambda i: (-places[i.id].points, i.service.name))
    parts = [
        f"{i.service.name} is {overall_text(i)}, {ordinal(places[i.id].rank)} of "
        f"{len(places[i.id].ranked)}"
        for i in best
    ]
    top, second = places[best[0].id].points, places[best[1].id].points
    if len(best) == 2 and top == second:
        ends = f": level on {top} points."
    elif len(best) == 2:
        ends = f": {best[0].service.name} is {_plural(top - second, 'point')} ahead."
    else:
        ends = "."
    return "; ".join(parts) + ends


def _shared_themes(ctx: Context, inspections: list[Inspection]) -> list[Section]:
    """Each theme or standard rated in more than one of the inspections, side by side."""
    if len({i.scale.framework_id for i in inspections}) > 1:
        return []
    rated = [{t.slug: t for t in ctx.queries.themes(i)} for i in inspections]
    order = list(dict.fromkeys(slug for themes in rated for slug in themes))
    fields = []
    for slug in order:
        having = [
            (i, themes[slug])
            for i, themes in zip(inspections, rated, strict=True)
            if slug in themes
        ]
        if len(having) < 2:
            continue
        value = "; ".join(f"{i.service.name} {theme_value(t)}" for i, t in having)
        fields.append(Field(having[0][1].name, value))
    if not fields:
        return []
    heading = "Standards rated" if inspections[0].scale.measure == "points" else "Scores by theme"
    return [Section(heading=f"{heading} in more than one", fields=tuple(fields))]


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


class Asked(NamedTuple):
    """What a services question asks for: overall ratings (lower case, none for all), years
    of publication (none for all) and a page."""

    ratings: tuple[str, ...] = ()
    years: tuple[str, ...] = ()
    page: int = 1

    def typed(self, page: int | None = None) -> str:
        """The question as typed again, on another page: "good 2024 2"."""
        shown = page or self.page
        return " ".join([*self.ratings, *self.years, *([str(shown)] if shown > 1 else [])])


@command(
    "services",
    "services [rating] [year] [page]",
    "the services in the store, frameworks apart, best first; optionally one overall rating "
    "or the year their latest inspection was published",
    examples=(
        "services",
        "services outstanding",
        "services good 2024",
        "services requires improvement 2",
        "which services are outstanding",
    ),
    details="A rating (outstanding, good, requires improvement, inadequate; two with "
    "“or”) keeps the services whose latest inspection was rated so; a year from 2000 keeps "
    "those published that year; any other number is a page. A page beyond the last is "
    "refused with the number of pages.",
)
def services_command(ctx: Context, args: str) -> Reply:
    frameworks = [peers(ctx.queries, fid) for fid in points_frameworks(ctx.queries)]
    labels = {b.label.lower(): b.label for f in frameworks for b in f.scale.of("overall")}
    asked = _asked(args, labels)
    if isinstance(asked, Reply):
        return asked
    groups: list[Group] = []
    for framework in frameworks:
        groups.append(_ranked_group(framework, asked))
        flagged = _in_years(framework.flagged, asked.years)
        groups.append(Group(FLAGGED, "flagged", _flagged_rated(ctx, flagged, asked.ratings)))
    earlier_placings = [] if asked.ratings else ctx.queries.latest_not_in_points()
    earlier = Group(EARLIER, "earlier", _in_years(earlier_placings, asked.years))
    groups.append(earlier)
    what = _what(asked, labels)
    total = sum(len(group.placings) for group in groups)
    pages = max(1, -(-total // PAGE_SIZE))
    if asked.page > pages:
        return _beyond_the_last(ctx, asked, pages, what)
    on_page, page, pages = _page_of(ctx, groups, asked.page)
    sections = _grouped([(g.heading, _entry_line(g, p, i)) for g, p, i in on_page], page, pages)
    notes = {note for g, _, i in on_page if g.kind == "earlier" and (note := caveat(i))}
    sections += [Section(text=note) for note in sorted(notes)]
    if page < pages:
        sections.append(Section(text=f"More: {ctx.cmd(f'services {asked.typed(page + 1)}')}"))
    counts = {
        kind: sum(len(g.placings) for g in groups if g.kind == kind)
        for kind in ("ranked", "flagged")
    }
    return Reply(
        title=f"Services {what}" if what else "Services",
        headline=_services_headline(what, counts, len(earlier.placings)),
        sections=tuple(sections),
        actions=(share_action("services", asked.typed(page)),),
    )


# Words a services question may use besides ratings, years, a page and the words of any
# question (``is_vocabulary``: "which", "rated", "published"...).
_SERVICES_WORDS = frozenset({"page", "year", "years", "many", "number", "count"})
# A number read as a year rather than a page: data files hold dates from 2000 (the loader's
# bound), and no store has a thousand pages of services.
_YEARS = range(2000, 2101)
_PAGE_DIGITS = 6


def _asked(args: str, labels: dict[str, str]) -> Asked | Reply:
    """The ratings, years and page a services question asks for, in any order and with
    the words of a question around them ("list services rated good in 2024"); a problem
    naming what is neither."""
    typed = words(args)
    ratings = []
    for label in sorted(labels, key=lambda known: -len(known.split())):
        said = label.split()
        for start in range(len(typed) - len(said) + 1):
            if typed[start : start + len(said)] == said:
                ratings.append(label)
                typed[start : start + len(said)] = ["or"]  # a rating, now read
                break
    years: list[str] = []
    page = 1
    unknown: list[str] = []
    for word in typed:
        if word.isdecimal() and len(word) == 4 and int(word) in _YEARS:
            years.append(str(int(word)))
        elif word.isdecimal():
            if len(word.lstrip("0")) > _PAGE_DIGITS:
                return problem("Which page?", f"“{word[:12]}…” is not a page number.")
            page = max(1, int(word))
        elif word not in _SERVICES_WORDS and not is_vocabulary(word):
            unknown.append(word)
    if unknown:
        return problem(
            "Which rating?",
            f"“{' '.join(unknown)[:40]}” is not an overall rating.",
            Section(text="Try one of: " + ", ".join(sorted(set(labels.values()))) + "."),
            Section(
                text="Add a year to see the services published that year, e.g. services good 2024."
            ),
        )
    order = list(labels)
    return Asked(tuple(sorted(ratings, key=order.index)), tuple(sorted(set(years))), page)


def _what(asked: Asked, labels: dict[str, str]) -> str:
    """ "rated Good or Outstanding, published in 2024": what the list is of."""
    parts = []
    if asked.ratings:
        parts.append("rated " + " or ".join(labels[r] for r in asked.ratings))
    if asked.years:
        parts.append("published in " + " or ".join(asked.years))
    return ", ".join(parts)


def _in_years(placings: Sequence[Placing], years: tuple[str, ...]) -> Sequence[Placing]:
    """The placings whose inspection was published in one of ``years`` (all without)."""
    if not years:
        return placings
    return [p for p in placings if (p.published or "")[:4] in years]


def _beyond_the_last(ctx: Context, asked: Asked, pages: int, what: str) -> Reply:
    of = f"services {what}" if what else "services"
    return problem(
        "No such page",
        f"There {'is' if pages == 1 else 'are'} {_plural(pages, 'page')} of {of}; "
        f"page {asked.page} is beyond the last.",
        Section(text=f"The last page: {ctx.cmd(f'services {asked.typed(pages)}'.strip())}"),
    )


def _ranked_group(framework: Peers, asked: Asked) -> Group:
    """The framework's ranked services, best first, filtered to the ratings and years asked."""
    scale = framework.scale
    heading = f"{scale.name} ({scale.period}), ranked by points" if scale.period else scale.name
    ranked = _in_years(framework.ranked, asked.years)
    if asked.ratings:
        rated = _ratings(scale, {p.points for p in ranked})
        ranked = tuple(p for p in ranked if rated[p.points] in asked.ratings)
    return Group(heading, "ranked", ranked, framework.ranked)


def _ratings(scale: Scale, points: set[int | None]) -> dict[int | None, str]:
    """The overall rating (lower case, "" for none) of each number of points: one band
    look-up for each, not for each service."""
    bands = {n: scale.band_for(n, "overall") for n in points}
    return {n: band.label.lower() if band else "" for n, band in bands.items()}


def _flagged_rated(
    ctx: Context, flagged: Sequence[Placing], ratings: tuple[str, ...]
) -> Sequence[Placing]:
    """Services whose published rows are questionable, filtered to the published ratings
    asked: their rating as published is read for that (they are few)."""
    if not ratings:
        return flagged
    read = ctx.queries.inspections_by_id([p.inspection_id for p in flagged])
    return [p for p in flagged if published_rating(read[p.inspection_id]).lower() in ratings]


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
        found = ranked + flagged + earlier
        headline = f"{_plural(found, 'service') if found else 'No services'} {what}"
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
    parts=(part("use <service>", bool, Permission.USE),),  # ``use`` alone says which it is
)
def use_command(ctx: PrivateContext, args: str) -> Reply:
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
    set_channel_service(ctx.db, ctx.conversation, found.id, ctx.user.id)
    latest = ctx.queries.latest_inspection(found.id)
    return Reply(
        title=f"Now answering about {found.name}",
        headline=f"Questions in this channel are now about {found.name} "
        f"(latest inspection: {latest.programme}, published {long_date(latest.published)}).",
        sections=(Section(text="Name a service after any question to ask about another."),),
    )
