"""The ``yos-bot`` command line."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any, TextIO

import click

from bot.app import Application, Policy, Sender
from bot.app.requests import CONSOLE
from bot.cli_setup import open_store as _store
from bot.cli_setup import settings as _settings
from bot.config import ConfigError, Settings
from bot.render.text import render_text
from bot.runtime import application, make_context
from bot.store import StorePool
from bot.store.files import open_private, output_file, private_stdout

SLACK_HINT = (
    "Slack is not configured (no Slack or Teams setting is set), so this is the local "
    "console. To connect Slack, set SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode) or "
    "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (HTTP) in .env; for Microsoft Teams, "
    "TEAMS_APP_ID and TEAMS_APP_PASSWORD: see README.md."
)
MODE_LINES = {
    "socket": "Starting Slack in Socket Mode (SLACK_BOT_TOKEN and SLACK_APP_TOKEN are set).",
    "http": "Starting Slack over HTTP (SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set).",
}


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
    SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN are, Microsoft Teams when TEAMS_APP_ID and
    TEAMS_APP_PASSWORD are (and Slack is not configured), otherwise the local console.
    """
    settings = _settings()
    try:
        mode = settings.mode
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    if mode == "console":
        click.echo(SLACK_HINT, err=True)
        _console(settings)
    elif mode == "teams":
        from bot.teams.serve import serve as serve_teams

        _configure_logging(settings)
        serve_teams(settings, settings.host, settings.teams_port)
    else:
        if settings.teams_configured:
            click.echo(
                "Teams is configured too: serve it alongside with `yos-bot teams` "
                "(a second process, on the same store).",
                err=True,
            )
        from bot.slack.serve import start

        click.echo(MODE_LINES[mode], err=True)
        _configure_logging(settings)
        start(settings, mode)


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
@click.option("--host", help="Interface to listen on.  [default: YOS_HOST or 0.0.0.0]")
@click.option("--port", type=int, help="Port to listen on.  [default: TEAMS_PORT or 3978]")
def teams(host: str | None, port: int | None) -> None:
    """Serve Microsoft Teams at POST /api/messages (health check: GET /healthz).

    Needs TEAMS_APP_ID and TEAMS_APP_PASSWORD.
    """
    from bot.teams.serve import serve as serve_teams

    settings = _settings()
    _configure_logging(settings)
    serve_teams(settings, host or settings.host, port or settings.teams_port)


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
    from bot.console import run_console

    interactive = sys.stdin.isatty()
    if interactive:
        click.echo("Type a question, `help`, or `quit`.", err=True)
    run_console(_app(settings), sys.stdin, sys.stdout, interactive=interactive)


def _app(settings: Settings, *, trusted: bool = True) -> Application:
    """The application over the prepared store. The terminal's operator is trusted."""
    _store(settings).close()
    app = application(settings, StorePool(settings.db_path))
    if trusted:
        app.policy = Policy(())
    return app


@main.command()
@click.argument("question", nargs=-1, required=True)
def ask(question: tuple[str, ...]) -> None:
    """Answer one question and exit, e.g. yos-bot ask "score protecting-public"."""
    from bot.console import ConsoleTransport, console_request

    settings = _settings()
    app = _app(settings)
    outcome = app.handle(console_request(" ".join(question)))
    click.echo(render_text(outcome.reply))
    # What the answer caused (an announcement) is printed now, not left for later.
    Sender(app.store, CONSOLE.name, ConsoleTransport(sys.stdout), app.draw_chart).drain()
    if not outcome.reply.ok:
        sys.exit(1)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def load(files: tuple[Path, ...]) -> None:
    """Load data files into the store (all or nothing; loading twice changes nothing)."""
    from bot.store.loader import LoadError, load_files

    settings = _settings()
    db = _store(settings)
    try:
        report = load_files(db, list(files))
    except LoadError as error:
        for line in error.problems:
            click.echo(line, err=True)
        raise click.ClickException("nothing was loaded; fix the file and try again") from None
    click.echo(report.describe())


@main.command("update-ratings")
@click.option(
    "--url",
    help="Where to fetch the table.  [default: YOS_RATINGS_URL, or the data-to-insight "
    "scrape's published CSV]",
)
def update_ratings(url: str | None) -> None:
    """Fetch HMIP's latest published youth justice ratings and load them into the store.

    The table is checked by the same rules as `yos-bot load` and loaded all or nothing: a
    download that fails or does not check out changes nothing and says why.
    """
    from bot.store.loader import LoadError, load_ratings
    from bot.store.loader.fetch import RATINGS_FILE, FetchError, fetch_table

    settings = _settings()
    source = url or settings.ratings_url
    db = _store(settings)
    try:
        raw = fetch_table(source)
    except FetchError as error:
        raise click.ClickException(f"{error}; nothing was changed") from None
    try:
        report = load_ratings(db, source, raw, cited_as=RATINGS_FILE)
    except LoadError as error:
        for line in error.problems[:50]:
            click.echo(line, err=True)
        if len(error.problems) > 50:
            click.echo(f"… and {len(error.problems) - 50} more problems", err=True)
        raise click.ClickException(
            f"the table from {source} was not loaded; nothing was changed"
        ) from None
    click.echo(report.describe())


@main.command()
@click.argument("what", type=click.Choice(["inspections", "audits"]), default="inspections")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "jsonl", "csv"]),
    default="json",
    show_default=True,
    help="jsonl (one JSON object a line) is for audits.",
)
@click.option(
    "--out",
    type=click.Path(),
    help="Write here (a 0600 file), not to stdout; a folder (an existing one, or a path "
    "ending in /) gets the file inside it, named audits.csv, inspections.json and so on.",
)
def export(what: str, fmt: str, out: str | None) -> None:
    """Export inspections (nested JSON, or CSV with one row per theme score) or audit updates
    (CSV, JSON Lines or a JSON array, streamed: any number of rows in constant memory).

    \b
    yos-bot export --format json
    yos-bot export audits --format csv --out audits.csv
    yos-bot export audits --format jsonl --out audits.jsonl
    """
    from bot.export import AUDIT_FORMATS, export_inspections, write_audits, write_scores_csv

    if what != "audits" and fmt not in ("json", "csv"):
        raise click.UsageError(
            f"--format {fmt} is for `export audits`; inspections are json or csv"
        )
    settings = _settings()
    db = _store(settings)

    def write(stream: TextIO) -> None:
        if what == "audits":
            assert fmt in AUDIT_FORMATS
            write_audits(db, stream, fmt)
        elif fmt == "json":
            json.dump(export_inspections(db), stream, indent=2, ensure_ascii=False)
            stream.write("\n")
        else:
            write_scores_csv(db, stream)

    if out is None:
        # `> audits.csv` is created by the shell under its umask: made private all the same.
        private_stdout(sys.stdout)
        write(sys.stdout)
        return
    # Audit notes are about children's cases: the file is private, and appears whole.
    path = output_file(out, f"{what}.{fmt}")
    try:
        with open_private(path, newline="") as stream:
            write(stream)
    except OSError as error:
        raise click.ClickException(f"could not write {path}: {error.strerror or error}") from None
    click.echo(str(path), err=True)


REPORT_FORMATS = ("docx", "md", "csv", "png")


@main.command()
@click.argument("rec", required=False)
@click.option(
    "--format",
    "formats",
    type=click.Choice([*REPORT_FORMATS, "all"]),
    multiple=True,
    help="docx (the Word paper), md, csv, png or all; repeat for several.  "
    "[default: md, csv and png]",
)
@click.option(
    "--out",
    type=click.Path(),
    help="A folder to write into (created if missing), or, for one format, the file to "
    "write (chart.png).  [default: reports/]",
)
@click.option(
    "--template",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="The council's Word document (.docx) whose styles, header and footer the board "
    "pack is written in.",
)
@click.option("--prepared-by", help="Who prepared the board pack, for its cover.")
def report(
    rec: str | None,
    formats: tuple[str, ...],
    out: str | None,
    template: Path | None,
    prepared_by: str | None,
) -> None:
    """Write the management board report: the Word paper, Markdown, CSV, chart.

    With no recommendation named and an improvement plan in the store, the board pack for
    the next recorded board date: cover, RAG summary and chart, overdue actions, what
    changed since the last board, and each recommendation with its actions and evidence.

    --out names a folder when it ends in / or is one; otherwise, for one format, the file
    itself. Files are readable by their owner only (0600).

    \b
    yos-bot report --format all --out board-pack/
    yos-bot report --format docx --out board-pack/
    yos-bot report R1 --format png --out chart.png
    """
    from bot.domain.monitoring.report import board_report
    from bot.store.files import private_dir, write_private

    wanted = REPORT_FORMATS if "all" in formats else formats or ("md", "csv", "png")
    chosen = [f for f in REPORT_FORMATS if f in wanted]
    folder, single = _report_target(out, chosen)
    settings = _settings()
    db = _store(settings)
    ctx = make_context(db, settings, via="cli", conversation="console")
    if rec is None:
        from bot.pack_cli import write_pack

        if write_pack(ctx, chosen, folder, single, template, prepared_by):
            return
    built = board_report(db, ctx.queries, ctx.home_inspection(), ctx.today, rec)
    if not built.recs:
        raise click.ClickException(f"no recommendation {rec!r} in the latest inspection")
    stem = f"{(rec or 'recommendations').lower()}-monitoring-{ctx.today.isoformat()}"
    try:
        if folder is not None:
            private_dir(folder)
        for fmt in chosen:
            path = single or (folder or Path()) / f"{stem}.{fmt}"
            write_private(path, _report_bytes(built, fmt))
            click.echo(str(path))
    except OSError as error:
        raise click.ClickException(f"could not write the report: {error}") from None


def _report_target(out: str | None, formats: list[str]) -> tuple[Path | None, Path | None]:
    """Where the report goes: (a folder to write each format into, None), or (None, the one
    file) when one format is asked for and --out names a file. Several formats need a
    folder: a name with a file extension (chart.png) is refused rather than made one."""
    from bot.store.files import is_folder_path

    if out is None:
        return Path("reports"), None
    if is_folder_path(out):
        return Path(out), None
    if len(formats) == 1:
        return None, Path(out)
    if Path(out).suffix:
        raise click.UsageError(
            f"--out {out} names a file, but {len(formats)} formats were asked for: give a "
            "folder (ending in /) or one --format"
        )
    return Path(out), None


def _report_bytes(built: Any, fmt: str) -> bytes:
    """The report in one format (the domain's BoardReport; typed loosely to keep the
    report path's imports out of start-up)."""
    from datetime import datetime, time

    from bot.commands.papers import paper_of, spec_of
    from bot.domain.monitoring.report import to_csv, to_markdown

    if fmt == "md":
        return to_markdown(built).encode("utf-8")
    if fmt == "csv":
        return to_csv(built).encode("utf-8")
    if fmt == "png":
        from bot.render.chart import render_chart

        return render_chart(spec_of(built))
    from bot.render.docx import render_paper

    return render_paper(paper_of(built), datetime.combine(built.today, time(9)))


@main.command()
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Act as if it were this day.  [default: YOS_TODAY or today]",
)
@click.option("--dry-run", is_flag=True, help="Show what is due; send and record nothing.")
def remind(today: Any, dry_run: bool) -> None:
    """Send the reminders that are due to YOS_CHANNEL, each once (safe to run from cron)."""
    settings = _settings()
    if today:
        settings = settings.pinned_to(today.date())
    if not settings.channel:
        raise click.ClickException("reminders go to YOS_CHANNEL, which is not set")
    from bot.slack.platform import SLACK

    app = _app(settings, trusted=False)
    if dry_run:
        due = app.due_reminder_texts(SLACK, settings.channel)
        for text in due:
            click.echo(text)
        if not due:
            click.echo(f"Nothing is due for {settings.channel} on {app.today().isoformat()}.")
        return
    if not settings.slack_bot_token:
        raise click.ClickException("sending reminders needs SLACK_BOT_TOKEN")
    from bot.app import Sender
    from bot.slack.transport import SlackTransport, outbox_client

    queued = app.queue_reminders(SLACK, settings.channel)
    transport = SlackTransport(outbox_client(settings))
    Sender(app.store, SLACK.name, transport, app.draw_chart).drain()
    click.echo(
        f"{len(queued)} reminder{'' if len(queued) == 1 else 's'} sent"
        + "".join(f"\n  {key}" for key in queued)
    )


@main.command()
@click.option("--dry-run", is_flag=True, help="Say what is due to be erased; erase nothing.")
def purge(dry_run: bool) -> None:
    """Erase personal data past its time (the serving processes do this daily).

    Notes older than YOS_NOTE_RETENTION_DAYS (730 unless set) are erased, the figures kept,
    from the store, the outbox and the backups, and written to the erasure ledger beside
    the store; the text of messages sent more than 30 days ago is blanked in the outbox;
    deliveries older than 30 days are forgotten.
    """
    from bot.domain.monitoring.retention import purge as run_purge

    settings = _settings()
    db = _store(settings)
    done = run_purge(db, retention_days=settings.note_retention_days, dry_run=dry_run)
    click.echo(done.describe())


@main.command("erase-note")
@click.argument("number", type=click.IntRange(1, 10**12))
@click.option("--reason", help="Why it is erased, kept with the record.  [default: on request]")
def erase_note(number: int, reason: str | None) -> None:
    """Erase audit update NUMBER's note now (a request to erase personal data).

    The update keeps its figures and records that its note was erased, when, by whom (your
    login) and why; not what it said. The note is erased from the outbox and the backups
    too, and the erasure is written to the ledger beside the store, so restoring an older
    backup erases it again.
    """
    import getpass

    from bot.domain.monitoring.audits import AuditProblem
    from bot.domain.monitoring.retention import erase_note as erase

    settings = _settings()
    db = _store(settings)
    try:
        login = getpass.getuser()
    except Exception:  # no login name (a container with no user entry): say so instead
        login = "unknown operator"
    if reason is not None and len(reason) > 1000:
        raise click.ClickException("the reason is over 1,000 characters; shorten it")
    try:
        erased = erase(db, number, by=login, reason=reason)
    except AuditProblem as wrong:
        raise click.ClickException(wrong.message) from None
    click.echo(
        f"Erased the note of audit update #{erased.id} ({erased.ref}, {erased.figures} on "
        f"{erased.audit_date.isoformat()}), by {login}, from the store, its outbox and its "
        "backups; restoring an older backup will erase it again."
    )


@main.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for backups (created 0700 if missing).  [default: YOS_BACKUP_DIR or backups/]",
)
@click.option(
    "--keep",
    type=click.IntRange(1, 10_000),
    help="How many backups to keep in the folder, newest first.  [default: YOS_BACKUP_KEEP or 14]",
)
def backup(out: Path | None, keep: int | None) -> None:
    """Back up the store, verified, safe while the bot is serving (SQLite's online backup).

    Writes yos-YYYYMMDD-HHMMSS.db (0600) and removes the oldest beyond --keep.
    """
    from bot.store import backup as backups

    settings = _settings()
    folder = out or settings.backup_dir or Path("backups")
    try:
        path = backups.backup(settings.db_path, folder, keep or settings.backup_keep)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"could not back up into {folder}: {error.strerror}") from None
    click.echo(f"{path}: {path.stat().st_size:,} bytes, integrity ok")


@main.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--yes", is_flag=True, help="Replace the store without asking.")
def restore(file: Path, yes: bool) -> None:
    """Replace the store with a backup. Stop the bot first.

    The backup is checked (SQLite integrity, a yos-bot store, a schema this version knows)
    before anything changes; every note erased since it was taken (the ledger beside the
    store) is erased in the copy again; the store is then replaced in one step.
    """
    from bot.store import backup as backups

    settings = _settings()
    try:
        restoring = backups.check_backup(file)
        if not yes:
            click.echo(f"Restore {restoring.describe()}", err=True)
            click.confirm(
                f"Replace {settings.db_path} with it? Anything recorded since the backup "
                "will be lost",
                abort=True,
                err=True,
            )
        restored = backups.restore(file, settings.db_path)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"could not restore {file}: {error.strerror}") from None
    click.echo(f"Restored {restored.describe()}")


@main.command("teams-package")
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("yos-teams.zip"),
    show_default=True,
    help="Where to write the zip (replaced if it exists).",
)
@click.option("--name", help="The app's short name in Teams.  [default: YOS inspections]")
@click.option("--developer-name", help="Who publishes the app.  [default: YOS bot]")
@click.option(
    "--developer-url", help="Your support page (https://).  [default: TEAMS_DEVELOPER_URL]"
)
@click.option("--privacy-url", help="Your privacy notice (https://).  [default: TEAMS_PRIVACY_URL]")
@click.option("--terms-url", help="Your terms of use (https://).  [default: TEAMS_TERMS_URL]")
@click.option(
    "--domain",
    "domains",
    multiple=True,
    help="A valid domain besides TEAMS_PUBLIC_URL's host; repeat for several.",
)
@click.option(
    "--version",
    "app_version",
    help="MAJOR.MINOR.PATCH; raise it for each re-upload.  [default: yos-bot's version]",
)
@click.option(
    "--check",
    is_flag=True,
    help="Validate the manifest against the schema it declares, and write nothing.",
)
def teams_package(
    out: Path,
    name: str | None,
    developer_name: str | None,
    developer_url: str | None,
    privacy_url: str | None,
    terms_url: str | None,
    domains: tuple[str, ...],
    app_version: str | None,
    check: bool,
) -> None:
    """Write the Teams app package (manifest.json and icons) to upload in Teams.

    Needs TEAMS_APP_ID, the bot's Microsoft App ID, and your support, privacy and terms
    pages. See docs/teams-install.md.
    """
    from importlib.metadata import PackageNotFoundError, version

    from bot.teams import package

    settings = _settings()
    app_id = settings.teams_app_id
    if not app_id:
        raise click.ClickException(
            "TEAMS_APP_ID is not set: `yos-bot teams-package` needs the bot's Microsoft App ID"
        )
    if app_version is None:
        try:
            app_version = version("yos-bot")
        except PackageNotFoundError:
            raise click.ClickException("yos-bot is not installed: give --version") from None
    extra = tuple(d for d in domains if d not in package.domain_of(settings.teams_public_url))
    options = package.PackageOptions(
        app_id=app_id,
        version=app_version,
        short_name=name or package.DEFAULT_NAME,
        developer_name=developer_name or package.DEFAULT_DEVELOPER,
        developer_url=developer_url or settings.teams_developer_url or "",
        privacy_url=privacy_url or settings.teams_privacy_url or "",
        terms_url=terms_url or settings.teams_terms_url or "",
        domains=package.domain_of(settings.teams_public_url) + extra,
    )
    try:
        if check:
            errors = package.check(options)
            if errors:
                raise click.ClickException(
                    "manifest.json is not valid by its schema:\n" + "\n".join(errors)
                )
            click.echo(f"manifest.json is valid by {package.SCHEMA_URL} (version {app_version})")
            return
        package.write(out, options)
    except package.PackageError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"could not write {out}: {error.strerror or error}") from None
    click.echo(f"{out}: Teams app {app_id}, version {app_version}")


@main.command("teams-channels")
def teams_channels() -> None:
    """List the Teams channels and group chats the bot can post in.

    Pick the one for reminders and board reports and set it as YOS_TEAMS_CHANNEL.
    """
    from bot.app.conversations import known_conversations
    from bot.store.conversations import listed
    from bot.teams.platform import TEAMS

    settings = _settings()
    db = _store(settings)
    try:
        shared, personal = known_conversations(listed(db, TEAMS.name))
    finally:
        db.close()
    chosen = settings.teams_channel
    if not shared:
        click.echo(
            "The bot knows no Teams channel or group chat yet: add it to a team "
            "(docs/teams-install.md) and run this again."
        )
    else:
        click.echo("Channels and group chats the bot can post in, newest first:")
        for known in shared:
            kind = "channel" if known.kind == "channel" else "group chat"
            mark = "  <- YOS_TEAMS_CHANNEL" if known.conversation_id == chosen else ""
            click.echo(
                f"  {known.conversation_id}  {kind:10}  {known.name or '(no name)'}  "
                f"(since {known.saved_at[:10]}){mark}"
            )
    if personal:
        click.echo(f"And {personal} personal chat{'s' if personal != 1 else ''} (not listed).")
    if chosen is None:
        click.echo("YOS_TEAMS_CHANNEL is not set: set it to one of these IDs and restart the bot.")
    elif chosen not in {k.conversation_id for k in shared}:
        click.echo(
            f"YOS_TEAMS_CHANNEL is {chosen}, which the bot has not been added to: add the bot "
            "to that channel's team, or choose one of these."
        )


# The improvement plan's commands: plan import, new-inspection (bot/plan_cli.py).
from bot.plan_cli import new_inspection, plan  # noqa: E402

main.add_command(plan)
main.add_command(new_inspection)

# The plan exported as councils file it (bot/pack_cli.py).
from bot.pack_cli import plan_export  # noqa: E402

plan.add_command(plan_export)
