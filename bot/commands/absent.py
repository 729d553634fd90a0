"""What the store does not hold, said as such: never "none" where the truth is "not recorded".

An inspection imported from HMIP's published ratings table has its ratings and nothing
else; one from a data file has what the file lists. Its recommendations or key strengths
are "none" only when a data file lists them as an empty list (``recommendations = []``,
``strengths = []``); otherwise a reply says they are not recorded, where they are (the
published report, with its link when the store has one) and how to add them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from bot.commands.present import source_line
from bot.domain.inspections.model import Inspection
from bot.domain.wording import long_date
from bot.reply import Reply, Section


class Missing(NamedTuple):
    noun: str  # how a reply names it
    plural: bool
    key: str  # how a data file records it


WHAT = {
    "recommendations": Missing("recommendations", True, "[[inspections.recommendations]]"),
    "strengths": Missing("key strengths", True, "strengths = [...]"),
    "quote": Missing("summary in the inspectors' own words", False, 'summary_quote = "..."'),
}


def from_ratings_table(inspection: Inspection) -> bool:
    """Whether the inspection came from a published ratings table (its ratings only)."""
    return inspection.published_score is not None


def not_recorded_sections(inspection: Inspection, what: str) -> list[Section]:
    """Where the missing facts are, and how to add them."""
    missing = WHAT[what]
    them = "them" if missing.plural else "it"
    if inspection.report_url:
        where = f"In the published report: {inspection.report_url}"
    else:
        by = inspection.inspectorate or "the inspectorate"
        where = f"In the inspection report, published by {by} on {long_date(inspection.published)}."
    how = (
        f"Add {them} to the inspection in a data file ({missing.key}; see “The data” in the "
        f"README) and load it with `yos-bot load FILE`."
    )
    if missing.plural:
        how += " An empty list there records that there were none."
    return [
        Section(heading="Where they are" if missing.plural else "Where it is", text=where),
        Section(heading=f"To add {them}", text=how),
    ]


def not_recorded(
    inspection: Inspection, what: str, title: str, *, ok: bool = True, asked: str = ""
) -> Reply:
    """The answer when the store does not hold the inspection's ``what`` (``ok`` False
    where the question asked for something that cannot be made without it; ``asked``, the
    one asked for, "R1", leads the headline)."""
    missing = WHAT[what]
    held = (
        "it holds the ratings HMIP published for this inspection and nothing else"
        if from_ratings_table(inspection)
        else f"the data file it came from does not {'list them' if missing.plural else 'give it'}"
    )
    return Reply(
        title=title,
        headline=(f"There is no {asked} to show: " if asked else "")
        + f"{inspection.service.name}'s {missing.noun} from the "
        f"{inspection.programme.lower()} of {long_date(inspection.published)} "
        f"{'are' if missing.plural else 'is'} not recorded in the store: {held}.",
        sections=tuple(not_recorded_sections(inspection, what)),
        source=source_line(inspection),
        ok=ok,
    )


def recs_not_recorded(inspection: Inspection, recs: Sequence[object]) -> bool:
    """Whether the store has none of the inspection's recommendations because they were
    never recorded (not because a data file says it made none)."""
    return not recs and not inspection.recommendations_listed


def rec_not_recorded(
    inspection: Inspection, ref: str, title: str = "Which recommendation?"
) -> Reply:
    """The answer to a question about one recommendation (``rec R1``, ``audits R1``, ...)
    of an inspection whose recommendations are not recorded: said as ``recs`` says it."""
    return not_recorded(inspection, "recommendations", title, ok=False, asked=ref)
