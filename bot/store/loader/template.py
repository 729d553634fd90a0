"""A commented inspection file to fill in: `yos-bot new-inspection --service NAME
--framework ID [--out FILE]`.

The template names every standard of the framework, the domains, and room for key
questions and recommendations. Every value to fill in reads "TODO ...", which `yos-bot
load` refuses by field until it is filled in; nothing in it is a fact about the service.
"""

from __future__ import annotations

import json

from bot.store.db import Store
from bot.text import slugify

PROGRAMMES = {
    "hmip-2025": "Inspection of youth justice work with children and victims",
    "hmip-2021": "Youth justice inspection",
    "hmip-2018": "Youth offending services inspection",
}


class TemplateProblem(ValueError):
    pass


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def inspection_template(db: Store, service: str, framework_id: str) -> str:
    """The TOML text of a new inspection of ``service`` under ``framework_id``."""
    framework = db.execute(
        "SELECT name, period, description FROM frameworks WHERE id = ?", [framework_id]
    ).fetchone()
    if framework is None:
        known = [row[0] for row in db.execute("SELECT id FROM frameworks ORDER BY id")]
        raise TemplateProblem(
            f"framework {framework_id!r} is not in the store (known: {', '.join(known)})"
        )
    standards = list(
        db.query(
            "SELECT key, number, name, domain, counts FROM framework_standards "
            "WHERE framework_id = ? ORDER BY position",
            [framework_id],
        )
    )
    labels = [
        row[0]
        for row in db.execute(
            "SELECT label FROM rating_bands WHERE framework_id = ? AND applies_to = 'standard' "
            "ORDER BY position",
            [framework_id],
        )
    ]
    ratings = ", ".join(labels) or "the rating as published"
    service_id = slugify(service) or "service"
    lines = [
        f"# A new inspection of {service}, under the {framework[0]} ({framework[1]}).",
        "# Fill in every value that reads TODO, from the published report, then check and load",
        "# it with:  yos-bot load THIS-FILE   (a problem is named by its field; nothing is",
        "# loaded until there are none). Dates are written YYYY-MM-DD in this file.",
        "",
        "[[services]]",
        f"id = {_q(service_id)}",
        f"name = {_q(service)}",
        '# short_name = ""',
        '# local_authority = ""',
        "",
        "[[inspections]]",
        f"id = {_q(service_id + '-' + framework_id)}",
        f"service = {_q(service_id)}",
        f"framework = {_q(framework_id)}",
        'inspectorate = "HM Inspectorate of Probation"',
        f"programme = {_q(PROGRAMMES.get(framework_id, 'Youth justice inspection'))}",
        'published = "TODO: the publication date, as 2027-03-31 without quotes"',
        "# fieldwork_start = 2027-01-11",
        "# fieldwork_end = 2027-01-15",
        f'overall_rating = "TODO: {ratings}"',
        "# overall_points = 0   # the total out of 36 under the 2018 and 2021 frameworks",
        '# report_url = "https://..."',
        '# summary_quote = """The inspectors\' own words."""',
        "",
        "# One rating per standard, as the report's ratings table gives it. A standard that is",
        "# rated but does not count towards the overall rating says so in bands and scores.",
    ]
    for standard in standards:
        number = f"{standard['number']} " if standard["number"] else ""
        counted = "" if standard["counts"] else "  # rated, not counted"
        lines += [
            "  [[inspections.themes]]",
            f"  slug = {_q(standard['key'])}",
            f"  name = {_q(number + standard['name'])}{counted}",
            f'  rating = "TODO: {ratings}"',
            "",
        ]
    domains = list(dict.fromkeys(s["domain"] for s in standards if s["domain"]))
    if domains:
        lines.append("# Domain ratings, where the report gives them (delete those it does not).")
    for domain in domains:
        lines += [
            "  [[inspections.domains]]",
            f"  name = {_q(domain)}",
            f'  rating = "TODO: {ratings}"',
            "",
        ]
    lines += [
        "# Key questions with the percentage of cases judged sufficient, where published:",
        "#  [[inspections.key_questions]]",
        '#  standard = "court-assessment"',
        '#  question = "Does assessment sufficiently analyse how to support desistance?"',
        "#  percent = 0",
        "",
        "# Key strengths, as the report lists them:",
        '# strengths = ["..."]',
        "",
        "# Each recommendation, with whom it is addressed to and the standards it concerns.",
        "# Add as many as the report makes (usually 5 to 8), numbered R1, R2, ...",
        "  [[inspections.recommendations]]",
        '  ref = "R1"',
        '  text = "TODO: the recommendation as the report words it"',
        '  addressee = "TODO: The YJS manager, The management board, or a named partner"',
        f"  standards = [{_q(standards[0]['key']) if standards else ''}]",
        "",
    ]
    return "\n".join(lines)
