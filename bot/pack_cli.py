"""`yos-bot plan export`: the live improvement plan as councils file it (.xlsx, .csv or
.docx), in a file only its owner can read."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.cli_setup import prepared
from bot.runtime import make_context

if TYPE_CHECKING:
    from bot.commands.registry import Context


@click.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "csv", "docx"]),
    default="xlsx",
    show_default=True,
    help="An Excel workbook, a CSV file or a Word table.",
)
@click.option(
    "--out",
    type=click.Path(),
    help="A folder to write into (ending in / or existing), or the file to write.  "
    "[default: improvement-plan-<date>.<format> here]",
)
@click.option("--service", help="The service whose latest inspection's plan to export.")
def plan_export(fmt: str, out: str | None, service: str | None) -> None:
    """Export the live plan: a row per recommendation and per action, with its owner,
    agency, due date, state, latest progress, the rule's RAG, any override and the RAG
    reported to the board. Cells a spreadsheet would run as formulas are written as text.

    \b
    yos-bot plan export --format xlsx --out board-pack/
    """
    from bot.commands.pack import plan_table
    from bot.domain.inspections.queries import NotFound
    from bot.sheets import render
    from bot.store.files import output_file, write_private

    settings, db = prepared()
    ctx = make_context(db, settings, via="cli", conversation="console")
    try:
        if service:
            match = ctx.queries.match_service(service)
            if match.service is None:
                raise click.ClickException(f"no service matches {service!r}")
            inspection = ctx.queries.latest_inspection(match.service.id)
        else:
            inspection = ctx.home_inspection()
    except NotFound as missing:
        raise click.ClickException(str(missing)) from None
    table = plan_table(ctx, inspection)
    if not table.rows:
        raise click.ClickException(
            f"the {inspection.programme} of {inspection.service.name} has no plan to export"
        )
    name = f"improvement-plan-{ctx.today.isoformat()}.{fmt}"
    path = output_file(out, name) if out else Path(name)
    try:
        write_private(path, render(table, fmt))
    except OSError as error:
        raise click.ClickException(f"could not write the plan: {error}") from None
    click.echo(str(path))


def write_pack(
    ctx: Context,
    formats: list[str],
    folder: Path | None,
    single: Path | None,
    template: Path | None,
    prepared_by: str | None,
) -> bool:
    """Write the board pack in each format, naming each file; False when the latest
    inspection has no plan (no action, no coming board), for the monitoring report."""
    from datetime import datetime, time

    from bot.commands.board_pack import bars, board_pack, has_plan, pack_paper
    from bot.commands.pack import plan_table
    from bot.render.bars import render_bars
    from bot.render.docx import TemplateProblem, render_paper
    from bot.render.paper_md import paper_markdown
    from bot.sheets import to_csv
    from bot.store.files import private_dir, write_private

    inspection = ctx.home_inspection()
    if not has_plan(ctx, inspection):
        if template is not None:
            raise click.ClickException(
                "--template is for the board pack, and this inspection has no plan yet"
            )
        return False
    pack = board_pack(ctx, inspection, prepared_by)
    spec = pack_paper(pack)
    day = pack.board.on_date if pack.board else ctx.today
    stem = f"board-pack-{day.isoformat()}"
    try:
        if folder is not None:
            private_dir(folder)
        for fmt in formats:
            if fmt == "docx":
                prepared = datetime.combine(ctx.today, time(9))
                data = render_paper(spec, prepared, template)
            elif fmt == "md":
                data = paper_markdown(spec).encode("utf-8")
            elif fmt == "csv":
                data = to_csv(plan_table(ctx, inspection)).encode("utf-8")
            else:
                data = render_bars(bars(pack))
            path = single or (folder or Path()) / f"{stem}.{fmt}"
            write_private(path, data)
            click.echo(str(path))
    except TemplateProblem as wrong:
        raise click.ClickException(str(wrong)) from None
    except OSError as error:
        raise click.ClickException(f"could not write the board pack: {error}") from None
    if pack.board is None:
        click.echo(
            "No coming board meeting is recorded: the pack says so. Record one with "
            "`board add 12/03/2027` in chat."
        )
    return True
