"""The ``yos-bot`` command line."""

from __future__ import annotations

import csv
import getpass
import json
import logging
import sys
from pathlib import Path
from typing import Any

import click
import sqlite_utils

from bot.commands import Context, dispatch
from bot.config import ConfigError, Settings, load_settings
from bot.console import run_console
from bot.domain.audits import all_audits
from bot.domain.queries import InspectionQueries
from bot.render.text import render_text
from bot.runtime import make_context, prepare_store
from bot.store.loader import LoadError, load_files

SLACK_HINT = (
    "Slack is not configured, so this is the local console. To connect Slack, set "
    "SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP) "
    "in .env: see README.md."
)


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


def _store(settings: Settings) -> sqlite_utils.Database:
    try:
        db, report = prepare_store(settings)
    except LoadError as error:
        raise click.ClickException(f"the bundled data could not be loaded:\n{error}") from None
    if report is not None:
        click.echo(f"Loaded bundled data into {settings.db_path}: {report.describe()}", err=True)
    return db


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="yos-bot")
def main() -> None:
    """Answer questions about HMIP inspection results and track their recommendations.

    Settings come from the environment and .env (see .env.example).
    """


@main.command()
def run() -> None:
    """Start in the mode the environment allows.

    Socket Mode when SLACK_APP_TOKEN and SLACK_BOT_TOKEN are set, HTTP when
    SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN are, otherwise the local console.
    """
    settings = _settings()
    if settings.mode == "console":
        click.echo(SLACK_HINT, err=True)
        _console(settings)
    else:
        from bot.slack.serve import start

        _configure_logging(settings)
        start(settings, settings.mode)


@main.command()
@click.option("--host", help="Interface to listen on.  [default: YOS_HOST or 0.0.0.0]")
@click.option("--port", type=int, help="Port to listen on.  [default: YOS_PORT or 3000]")
@click.option(
    "--workers", type=click.IntRange(1, 64), help="Worker processes.  [default: YOS_WORKERS or 2]"
)
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Serve Slack over HTTP at POST /slack/events (health check: GET /healthz).

    Needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET.
    """
    from bot.slack.serve import serve_http

    settings = _settings()
    _configure_logging(settings)
    serve_http(settings, host or settings.host, port or settings.port, workers or settings.workers)


@main.command()
def socket() -> None:
    """Connect to Slack over Socket Mode. Needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN."""
    from bot.slack.serve import serve_socket

    settings = _settings()
    _configure_logging(settings)
    serve_socket(settings)


@main.command()
def console() -> None:
    """Ask questions at a prompt; reads standard input until it ends, so it can be piped.

    Type a command with or without /yos, e.g. "score public" or "/yos recs".
    """
    _console(_settings())


def _console(settings: Settings) -> None:
    db = _store(settings)
    interactive = sys.stdin.isatty()
    if interactive:
        click.echo("Type a question, `help`, or `quit`.", err=True)

    def answer(text: str) -> Any:
        return dispatch(text, _console_context(db, settings))

    run_console(answer, sys.stdin, sys.stdout, interactive=interactive)


def _console_context(db: sqlite_utils.Database, settings: Settings) -> Context:
    # At the terminal the operator is trusted: records carry their login name.
    return make_context(
        db, settings, via="console", user_name=getpass.getuser(), channel_id="console"
    )


@main.command()
@click.argument("question", nargs=-1, required=True)
def ask(question: tuple[str, ...]) -> None:
    """Answer one question and exit, e.g. yos-bot ask "score protecting-public"."""
    settings = _settings()
    db = _store(settings)
    reply = dispatch(" ".join(question), _console_context(db, settings))
    click.echo(render_text(reply))
    if not reply.ok:
        sys.exit(1)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def load(files: tuple[Path, ...]) -> None:
    """Load data files into the store (all or nothing; loading twice changes nothing)."""
    settings = _settings()
    db = _store(settings)
    try:
        report = load_files(db, list(files))
    except LoadError as error:
        for line in error.problems:
            click.echo(line, err=True)
        raise click.ClickException("nothing was loaded; fix the file and try again") from None
    click.echo(report.describe())


@main.command()
@click.argument("what", type=click.Choice(["inspections", "audits"]), default="inspections")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True
)
@click.option(
    "--out", type=click.Path(path_type=Path, dir_okay=False), help="Write here, not to stdout."
)
def export(what: str, fmt: str, out: Path | None) -> None:
    """Export inspections (nested JSON, or CSV with one row per theme score) or audit updates.

    \b
    yos-bot export --format json
    yos-bot export audits --format csv --out audits.csv
    """
    settings = _settings()
    db = _store(settings)
    stream = out.open("w", newline="", encoding="utf-8") if out else sys.stdout
    try:
        if what == "audits":
            rows = audit_rows(db)
            if fmt == "json":
                json.dump(rows, stream, indent=2, ensure_ascii=False)
                stream.write("\n")
            else:
                writer = csv.DictWriter(stream, fieldnames=AUDIT_COLUMNS)
                writer.writeheader()
                writer.writerows(rows)
        elif fmt == "json":
            json.dump(export_inspections(db), stream, indent=2, ensure_ascii=False)
            stream.write("\n")
        else:
            write_scores_csv(db, stream)
    finally:
        if out:
            stream.close()


AUDIT_COLUMNS = [
    "id",
    "recommendation",
    "audit_date",
    "compliant",
    "audited",
    "percent",
    "note",
    "user_id",
    "user_name",
    "channel_id",
    "message_ts",
    "via",
    "recorded_at",
    "retracted",
]


def audit_rows(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    return [
        {
            "id": a.id,
            "recommendation": a.recommendation_id,
            "audit_date": a.audit_date.isoformat(),
            "compliant": a.compliant,
            "audited": a.audited,
            "percent": round(a.percent, 1),
            "note": a.note,
            "user_id": a.user_id,
            "user_name": a.user_name,
            "channel_id": a.channel_id,
            "message_ts": a.message_ts,
            "via": a.via,
            "recorded_at": a.recorded_at,
            "retracted": a.retracted,
        }
        for a in all_audits(db)
    ]


@main.command()
@click.argument("rec", required=False)
@click.option(
    "--format",
    "formats",
    type=click.Choice(["md", "csv", "png"]),
    multiple=True,
    help="Repeat for several; default: all three.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("reports"),
    show_default=True,
    help="Folder to write into (created if missing).",
)
def report(rec: str | None, formats: tuple[str, ...], out: Path) -> None:
    """Write the management board monitoring report: Markdown, CSV and the chart.

    \b
    yos-bot report --format md --out board-pack/
    yos-bot report R1 --format png
    """
    from bot.domain.report import board_report, to_csv, to_markdown

    settings = _settings()
    db = _store(settings)
    ctx = _console_context(db, settings)
    built = board_report(ctx.queries, ctx.home_inspection(), ctx.today, rec)
    if not built.recs:
        raise click.ClickException(f"no recommendation {rec!r} in the latest inspection")
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{(rec or 'recommendations').lower()}-monitoring-{ctx.today.isoformat()}"
    for fmt in formats or ("md", "csv", "png"):
        path = out / f"{stem}.{fmt}"
        if fmt == "md":
            path.write_text(to_markdown(built), encoding="utf-8")
        elif fmt == "csv":
            path.write_text(to_csv(built), encoding="utf-8", newline="")
        else:
            from bot.render.chart import render_chart

            path.write_bytes(render_chart(built))
        click.echo(str(path))


@main.command()
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Act as if it were this day.  [default: YOS_TODAY or today]",
)
@click.option("--dry-run", is_flag=True, help="Show what is due; send and record nothing.")
def remind(today: Any, dry_run: bool) -> None:
    """Send the reminders that are due to YOS_CHANNEL, each once (safe to run from cron)."""
    from bot.domain.reminders import due_reminders
    from bot.runtime import today as today_for

    settings = _settings()
    db = _store(settings)
    day = today.date() if today else today_for(settings)
    if dry_run:
        ctx = _console_context(db, settings)
        for reminder in due_reminders(ctx.queries, ctx.home_inspection(), day):
            click.echo(f"{reminder.key}: {reminder.text}")
        return
    if not (settings.slack_bot_token and settings.channel):
        raise click.ClickException("sending reminders needs SLACK_BOT_TOKEN and YOS_CHANNEL")
    from bot.slack.app import web_client
    from bot.slack.auditors import Auditors
    from bot.slack.deps import Deps
    from bot.slack.reports import send_reminders
    from bot.store import StorePool

    deps = Deps(settings, StorePool(settings.db_path), Auditors(settings.auditors))
    sent = send_reminders(deps, web_client(settings), day)
    click.echo(
        f"{len(sent)} reminder{'' if len(sent) == 1 else 's'} sent"
        + "".join(f"\n  {key}" for key in sent)
    )


def export_inspections(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    queries = InspectionQueries(db)
    result = []
    for inspection in queries.all_inspections():
        themes = [
            {"slug": t.slug, "name": t.name, "score": t.score, "rating": t.rating}
            for t in queries.themes(inspection)
        ]
        recs = [
            {
                "ref": r.ref,
                "text": r.text,
                "baselines": [{"label": b.label, "score": b.score} for b in r.baselines],
                "target": r.target,
                "monitoring": r.monitoring_text,
                "window_start": r.monitor_start.isoformat() if r.monitor_start else None,
                "window_end": r.window_end.isoformat() if r.window_end else None,
            }
            for r in queries.recommendations(inspection)
        ]
        events = [
            {"date": e.date.isoformat(), "title": e.title, "body": e.body, "detail": e.detail}
            for e in queries.timeline(inspection)
        ]
        result.append(
            {
                **db["inspections"].get(inspection.id),
                "service": inspection.service.name,
                "themes": themes,
                "strengths": queries.strengths(inspection),
                "recommendations": recs,
                "timeline": events,
            }
        )
    return result


def write_scores_csv(db: sqlite_utils.Database, stream: Any) -> None:
    queries = InspectionQueries(db)
    writer = csv.writer(stream)
    writer.writerow(
        ["service", "inspection", "programme", "published", "theme", "score", "rating", "stars"]
    )
    for inspection in queries.all_inspections():
        for theme in queries.themes(inspection):
            band = theme.band
            writer.writerow(
                [
                    inspection.service.name,
                    inspection.id,
                    inspection.programme,
                    inspection.published,
                    theme.name,
                    "" if theme.score is None else f"{theme.score:g}",
                    theme.rating or "",
                    band.value if band and band.unit == "stars" else "",
                ]
            )
