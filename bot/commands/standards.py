"""How a framework's standards are shown beside their ratings: which count towards the
overall rating and which are rated but not counted (resettlement since 2021), and the
published table's columns that stand for a court and an out-of-court standard at once."""

from __future__ import annotations

from bot.commands.present import theme_value
from bot.commands.registry import Context
from bot.domain.inspections.model import Inspection, Scale, Standard, Theme

NOT_COUNTED = "rated, not counted"
MERGED = "court or out-of-court"


def standards_of(ctx: Context, framework_id: str) -> dict[str, Standard]:
    """The framework's standards by the slug their themes carry."""
    return ctx.queries.standards(framework_id)


def standard_field(ctx: Context, inspection: Inspection, theme: Theme) -> tuple[str, str]:
    """(name, value) of a theme as scores shows it, marked when it does not count or
    stands for two standards."""
    standard = standards_of(ctx, inspection.scale.framework_id).get(theme.slug)
    name, value = theme.name, theme_value(theme)
    if standard is None:
        return name, value
    if not standard.counts:
        value = f"{theme.rating or value} ({NOT_COUNTED})"
    if standard.merged:
        name = f"{name} ({MERGED})"
    return name, value


def merged_note(ctx: Context, inspection: Inspection, themes: list[Theme]) -> str | None:
    """Which shown standards the published table merges, said once."""
    standards = standards_of(ctx, inspection.scale.framework_id)
    merged = [t.name for t in themes if (s := standards.get(t.slug)) is not None and s.merged]
    if not merged:
        return None
    names = merged[0] if len(merged) == 1 else ", ".join(merged[:-1]) + " and " + merged[-1]
    return (
        f"{names}: the published ratings table has one column for the court and the "
        "out-of-court standard of that name, so which one it rates is not known."
    )


def domain_lines(ctx: Context, inspection: Inspection) -> tuple[list[str], list[str]]:
    """The domains' ratings and the key questions' percentages an inspection file holds."""
    domains = [
        f"{found.name}: {found.rating or 'not rated'}"
        for found in ctx.queries.domain_ratings(inspection.id)
    ]
    questions = [
        found.question
        + (f" ({found.standard})" if found.standard else "")
        + (f": {found.percent:g}% of cases" if found.percent is not None else "")
        for found in ctx.queries.key_questions(inspection.id)
    ]
    return domains, questions


def counting_rule(ctx: Context, scale: Scale) -> str | None:
    """ "The overall rating counts 12 standards of 3 points each (36 in all); Resettlement
    policy and provision is rated but not counted." for a framework of points."""
    standards = standards_of(ctx, scale.framework_id)
    if scale.measure != "points" or not scale.max_points or not standards:
        return None
    top = max((b.value or 0 for b in scale.of("standard")), default=0)
    if not top:
        return None
    counted = scale.max_points // top
    text = (
        f"The overall rating counts {counted} standards of {top} points each "
        f"({scale.max_points} in all)"
    )
    apart = [s.name for s in standards.values() if not s.counts]
    if apart:
        verb = "is" if len(apart) == 1 else "are"
        text += f"; {' and '.join(apart)} {verb} rated but not counted"
    return text + "."
