"""`yos-bot plan import` and `yos-bot new-inspection`: the improvement plan's command line."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli_setup import prepared
from bot.runtime import today


@click.group("plan")
def plan() -> None:
    """The improvement plan: import one as councils keep it."""


@plan.command("import")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--service", help="The service whose latest inspection the plan is for.")
@click.option("--dry-run", is_flag=True, help="Say what would change; change nothing.")
def plan_import(file: Path, service: str | None, dry_run: bool) -> None:
    """Import an action plan (.xlsx or .csv): all of it, or nothing."""
    from bot.domain.inspections.queries import InspectionQueries, NotFound
    from bot.store.plan_import import PlanImportError, import_plan

    settings, db = prepared()
    queries = InspectionQueries(db, settings.service)
    try:
        if service:
            match = queries.match_service(service)
            if match.service is None:
                names = ", ".join(s.name for s in (match.candidates or match.suggestions)[:5])
                raise click.ClickException(
                    f"no service matches {service!r}"
                    + (f" (did you mean {names}?)" if names else "")
                )
            inspection = queries.latest_inspection(match.service.id)
        else:
            inspection = queries.latest_inspection()
    except NotFound as missing:
        raise click.ClickException(str(missing)) from None
    try:
        report = import_plan(
            db,
            inspection.id,
            file,
            today=today(settings),
            dry_run=dry_run,
        )
    except PlanImportError as refused:
        raise click.ClickException(
            "the plan was not imported; nothing changed:\n" + "\n".join(refused.problems)
        ) from None
    click.echo(f"{inspection.service.name}, {inspection.programme}: {report.describe()}")


@click.command("new-inspection")
@click.option("--service", required=True, help="The service's name, as it is known.")
@click.option(
    "--framework", "framework_id", required=True, help="hmip-2018, hmip-2021 or hmip-2025."
)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Where to write it.")
def new_inspection(service: str, framework_id: str, out: Path | None) -> None:
    """Write a commented inspection file to fill in and `load`."""
    from bot.store.loader.template import TemplateProblem, inspection_template

    _, db = prepared()
    try:
        text = inspection_template(db, service, framework_id)
    except TemplateProblem as wrong:
        raise click.ClickException(str(wrong)) from None
    if out is None:
        click.echo(text)
        return
    if out.exists():
        raise click.ClickException(f"{out} exists already; choose another --out")
    out.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {out}: fill in every TODO, then yos-bot load {out}")
