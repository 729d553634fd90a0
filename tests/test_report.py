"""The board report, its chart, the dashboard and the reminders.

The Slack adapter's side of these (the Home tab, the report button, uploading the
chart) is tested with the Slack app; here everything goes through the commands and the
application layer, and reminders are delivered by the console's transport.
"""

from __future__ import annotations

import csv
import html
import io
import json
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from bot.app import Application, Delivery, Platform, Policy, Sender, TransientError
from bot.app.requests import CONSOLE
from bot.cli import main
from bot.commands import Permission, dispatch
from bot.config import PROJECT_ROOT
from bot.console import ConsoleTransport
from bot.render.chart import HEIGHT_PX, WIDTH_PX
from bot.reply import ActionKind, Chart
from bot.slack.blocks import message, reply_blocks
from bot.store import StorePool
from bot.store.outbox import CHART
from tests import launch
from tests.blockkit import assert_valid_blocks, assert_valid_message
from tests.slack_requests import BOT_TOKEN

MONTHLY = (
    "audit R1 17/20 2014-01-28 January audit",
    "audit R1 18/20 2014-02-25 February audit",
    "audit R1 19/20 2014-03-27 March audit",
)
MONTHLY_ENTERED = ("2014-01-28", "2014-02-25", "2014-03-27")  # each on its own day
AFTER_WINDOW = date(2014, 4, 20)
MET = (
    "Met: 3 of 3 monthly periods at or above 80%; "
    "ready to report to the next YOS Management Board meeting."
)
SERVICE = "stockton-on-tees"


def record_monthly(ctx) -> None:
    for day, text in zip(MONTHLY_ENTERED, MONTHLY, strict=True):
        ctx.today = date.fromisoformat(day)
        assert dispatch(text, ctx).announcement is not None
    ctx.today = AFTER_WINDOW


def test_the_report_after_three_monthly_audits_concludes_met(ctx):
    record_monthly(ctx)
    reply = dispatch("report R1", ctx)
    assert reply.title == "Monitoring report: Stockton-on-Tees Youth Offending Service"
    assert reply.headline == MET
    conclusion = next(s for s in reply.sections if s.heading == "Conclusion")
    assert conclusion.text == MET
    periods = next(s for s in reply.sections if s.heading == "Monthly periods").items
    assert periods[0].startswith(
        "January (14 January to 13 February 2014): 17/20 (85%) on 28 January 2014"
    )
    facts = {f.label: f.value for s in reply.sections for f in s.fields}
    assert facts["Status"] == "Due for the board, verdict Met"
    assert facts["Verdict"] == "Met"
    assert facts["Trend in the window"] == "▲ from 85% to 95%"
    assert reply.attachments == (Chart(SERVICE, "R1"),)  # the chart of R1 goes with it
    assert_valid_message(message(reply, interactive=True))


def test_the_whole_report_charts_every_recommendation(ctx):
    reply = dispatch("report", ctx)
    assert reply.attachments == (Chart(SERVICE, None),)
    assert reply.attachments[0].all_recommendations


def test_report_before_any_evidence(ctx):
    reply = dispatch("report", ctx)
    assert reply.headline == (
        "Off track: cannot be met: January (14 January to 13 February 2014) closed with no "
        "audit, so 80% or more in every monthly period cannot be met; 0 of 3 monthly periods "
        "at or above 80%; February not yet due; March still to come; 53 days of monitoring "
        "left."
    )
    assert_valid_message(message(reply, interactive=True))
    missing = dispatch("report R9", ctx)
    assert not missing.ok
    assert missing.headline == "R9 is not a recommendation of this inspection; it has R1."
    assert missing.attachments == ()


def test_the_report_offers_posting_only_to_those_who_may(ctx):
    offered = dispatch("report R1", ctx).actions
    assert [(a.kind, a.label) for a in offered] == [
        (ActionKind.SHARE, "Share in channel"),
        (ActionKind.POST_REPORT, "Post to the channel with chart"),
    ]
    assert offered[0].payload == (("command", "report"), ("args", "R1"))
    assert offered[1].payload == (("ref", "R1"),)
    ctx.allowed = lambda permission: permission is not Permission.POST_REPORT
    assert [a.kind for a in dispatch("report R1", ctx).actions] == [ActionKind.SHARE]


# --- the dashboard (the Slack App Home shows this) -------------------------------------------


def test_the_dashboard_after_the_window(ctx):
    record_monthly(ctx)
    reply = dispatch("home", ctx)
    assert reply.title == "Stockton-on-Tees Youth Offending Service"
    assert reply.headline == "Short Quality Screening: overall 91%  ★★★★ Good."
    themes = next(s for s in reply.sections if s.heading == "Themes").items
    assert "Protecting the public: █████████░ 91% ★★★★ Good" in themes
    [rec] = next(s for s in reply.sections if s.heading == "Recommendations").items
    assert rec == "R1: Due for the board, verdict Met: 3 of 3 monthly periods at or above 80%"
    latest = next(s for s in reply.sections if s.heading == "Latest audit updates").items
    assert latest[0].startswith("#3 R1 27 March 2014: 19/20 (95%)")
    assert len(latest) == 3
    assert [(a.kind, a.label) for a in reply.actions] == [
        (ActionKind.AUDIT_FORM, "Record audit update"),
        (ActionKind.POST_REPORT, "Post board report"),
    ]
    assert_valid_blocks(reply_blocks(reply, interactive=True, max_blocks=100), limit=100)


def test_the_dashboard_offers_only_what_the_viewer_may_do(ctx):
    ctx.allowed = lambda permission: False
    reply = dispatch("dashboard", ctx)
    assert reply.actions == ()
    assert next(s for s in reply.sections if s.heading == "Latest audit updates").items == (
        "None recorded yet.",
    )


def _slack_figures(reply) -> list[tuple[str, str, str]]:
    """(period, audit date, figures) from each line of the chat reply's monthly periods."""
    items = next(s for s in reply.sections if s.heading == "Monthly periods").items
    found = []
    for line in items:  # January (14 January to ...): 17/20 (85%) on 28 January 2014 ██…
        period, rest = line.split(": ", 1)
        figures, on = rest.split(" ", 1)[0], rest.split(" on ", 1)[1]
        found.append((period.split(" (")[0], on.split(" (entered")[0], figures))
    return found


def test_markdown_and_csv_hold_the_same_figures_as_slack(ctx, settings, tmp_path, monkeypatch):
    record_monthly(ctx)
    slack = _slack_figures(dispatch("report R1", ctx))
    monkeypatch.setenv("YOS_DB", str(settings.db_path))
    monkeypatch.setenv("YOS_TODAY", AFTER_WINDOW.isoformat())
    result = CliRunner().invoke(main, ["report", "R1", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    stem = tmp_path / "r1-monitoring-2014-04-20"
    markdown = stem.with_suffix(".md").read_text()
    rows = list(csv.DictReader(io.StringIO(stem.with_suffix(".csv").read_text())))
    from_csv = [
        (
            r["period"],
            date.fromisoformat(r["audit_date"]).strftime("%-d %B %Y"),
            f"{r['compliant']}/{r['audited']}",
        )
        for r in rows
    ]
    assert from_csv == slack
    for period, day, figures in slack:
        assert f"| {period} | " in markdown
        assert f" | {day} | entered the same day | {figures} (" in markdown
    assert {r["conclusion"] for r in rows} == {MET}
    assert {r["row"] for r in rows} == {"period"}
    assert f"**Conclusion.** {MET}" in markdown
    assert [float(r["percent"]) for r in rows] == [85.0, 90.0, 95.0]


def test_the_chart_is_a_png_of_the_expected_size(ctx, settings, tmp_path, monkeypatch):
    record_monthly(ctx)
    monkeypatch.setenv("YOS_DB", str(settings.db_path))
    monkeypatch.setenv("YOS_TODAY", AFTER_WINDOW.isoformat())
    result = CliRunner().invoke(main, ["report", "--format", "png", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    path = Path(result.output.strip())
    with Image.open(path) as image:
        image.load()  # decodes every pixel
        assert image.format == "PNG"
        assert image.size == (WIDTH_PX, HEIGHT_PX)
        assert len(image.convert("L").getcolors()) > 20  # something was drawn


# --- reminders ------------------------------------------------------------------------------


BOARD = "C0BOARD"
MONTH_2 = (
    "R1: the February case-file audit (14 February to 13 March 2014) is due by 13 March 2014 "
    "and none has been recorded yet."
)
RECORD_IT = "Record it with audit R1 <compliant>/<audited> <date> <note>."
ENDED = "R1's monitoring window has ended: the board report is ready."


def on(store: StorePool, day: str) -> Application:
    return Application(store, Policy(()), today=date.fromisoformat(day))


def deliver(app: Application, out: io.StringIO, platform: str = "console") -> int:
    return Sender(app.store, platform, ConsoleTransport(out), app.draw_chart).drain()


@pytest.fixture
def store(settings, db) -> StorePool:
    return StorePool(settings.db_path)


def test_reminders_fire_on_the_right_days_and_only_once(ctx, store, settings):
    out = io.StringIO()
    ctx.today = date(2014, 1, 28)
    dispatch("audit R1 17/20 2014-01-28", ctx)  # month 1 done; none yet for month 2
    for day in ("2014-02-05", "2014-03-06"):
        assert on(store, day).queue_reminders(CONSOLE, BOARD) == []
    assert on(store, "2014-03-07").due_reminder_texts(CONSOLE, BOARD)[0].startswith(MONTH_2)
    assert store.db.table("outbox").count == 0  # a dry run queues nothing
    queued = on(store, "2014-03-07").queue_reminders(CONSOLE, BOARD)  # a week before it ends
    assert queued == ["stockton-on-tees-sqs-2013:R1:monthly-audit:2"]
    [row] = store.db.table("outbox").rows
    assert json.loads(row["address"]) == {"conversation": BOARD}
    assert deliver(on(store, "2014-03-07"), out) == 1
    assert "Monitoring reminder\n" in out.getvalue()
    assert MONTH_2 in " ".join(out.getvalue().split())
    assert RECORD_IT in " ".join(out.getvalue().split())

    # Once per period: checked again, and by another worker with its own connection.
    assert on(store, "2014-03-07").queue_reminders(CONSOLE, BOARD) == []
    assert on(store, "2014-03-08").queue_reminders(CONSOLE, BOARD) == []
    assert on(StorePool(settings.db_path), "2014-03-08").queue_reminders(CONSOLE, BOARD) == []
    assert on(store, "2014-03-08").due_reminder_texts(CONSOLE, BOARD) == []
    assert deliver(on(store, "2014-03-08"), out) == 0
    assert " ".join(out.getvalue().split()).count(MONTH_2) == 1

    assert on(store, "2014-04-15").queue_reminders(CONSOLE, BOARD) == [
        "stockton-on-tees-sqs-2013:R1:window-ended"
    ]
    printed = io.StringIO()
    assert deliver(on(store, "2014-04-15"), printed) == 2  # the reminder, then the report
    reminder, report = printed.getvalue().split("[posted in the conversation]\n")[1:]
    assert ENDED in " ".join(reminder.split())
    assert report.startswith("Monitoring report: Stockton-on-Tees Youth Offending Service")
    assert on(store, "2014-04-16").queue_reminders(CONSOLE, BOARD) == []
    assert [r["key"] for r in store.db.table("reminders").rows] == [
        "reminder:console:stockton-on-tees-sqs-2013:R1:monthly-audit:2",
        "reminder:console:stockton-on-tees-sqs-2013:R1:window-ended",
    ]


def test_a_month_with_an_audit_needs_no_reminder(ctx, store):
    ctx.today = date(2014, 2, 10)
    dispatch("audit R1 17/20 2014-02-10", ctx)
    assert on(store, "2014-02-10").queue_reminders(CONSOLE, BOARD) == []


def test_reminders_are_typed_as_on_the_platform(store):
    slack_like = Platform("chat", invocation="/yos ")
    [text] = on(store, "2014-02-10").due_reminder_texts(slack_like, BOARD)
    assert text.endswith("Record it with /yos audit R1 <compliant>/<audited> <date> <note>.")


def test_where_charts_can_be_shown_the_last_reminder_brings_one(store):
    pictures = Platform("pictures", charts=True)
    on(store, "2014-04-15").queue_reminders(pictures, BOARD)
    kinds = [(r["kind"], r["key"]) for r in store.db.query("SELECT * FROM outbox ORDER BY id")]
    assert [k for k, _ in kinds] == ["message", "message", CHART]
    [chart] = [r for r in store.db.table("outbox").rows if r["kind"] == CHART]
    assert json.loads(chart["body"]) == {"service_id": SERVICE, "ref": "R1"}


def test_two_workers_checking_at_once_queue_one(store, settings):
    barrier = threading.Barrier(4)
    results: list[list[str]] = []

    def check() -> None:
        worker = on(StorePool(settings.db_path), "2014-02-10")
        barrier.wait()
        results.append(worker.queue_reminders(CONSOLE, BOARD))

    threads = [threading.Thread(target=check) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results, key=len) == [
        [],
        [],
        [],
        ["stockton-on-tees-sqs-2013:R1:monthly-audit:1"],
    ]
    assert store.db.table("outbox").count == 1


def test_a_reminder_sent_before_the_outbox_existed_is_not_sent_again(tmp_path):
    """A store from before migration 6 remembers reminders under their bare keys."""
    from bot.domain.inspections.queries import InspectionQueries
    from bot.domain.monitoring.reminders import due_reminders
    from bot.store import migrate, open_db, reminders
    from bot.store.loader import bundled_files, load_files
    from tests.conftest import DATA_DIR

    path = tmp_path / "v5.db"
    old = open_db(path)
    migrate(old, target=5)
    load_files(old, bundled_files(DATA_DIR))
    queries = InspectionQueries(old)
    [due] = due_reminders(old, queries, queries.latest_inspection(), date(2014, 2, 10))
    # As the old sender did: under the reminder's bare key.
    assert reminders.claim(old, due.key, kind=due.kind, channel=BOARD, on=date(2014, 2, 9))
    migrate(old)
    old.close()

    slack_like = Platform("slack", invocation="/yos ")
    upgraded = on(StorePool(path), "2014-02-10")
    assert upgraded.due_reminder_texts(slack_like, BOARD) == []
    assert upgraded.queue_reminders(slack_like, BOARD) == []
    assert upgraded.store.db.table("outbox").count == 0
    # Another conversation never had it.
    assert upgraded.queue_reminders(slack_like, "C0OTHER") == [due.key]


class FailsFirst:
    """The console, behind a connection that fails the first ``times`` sends."""

    def __init__(self, out: io.StringIO, times: int) -> None:
        self.console = ConsoleTransport(out)
        self.times = times

    def deliver(self, delivery: Delivery) -> None:
        if self.times:
            self.times -= 1
            raise TransientError("internal_error")
        self.console.deliver(delivery)


def test_a_failed_reminder_is_tried_again(store):
    app = on(store, "2014-02-10")
    assert app.queue_reminders(CONSOLE, BOARD) == ["stockton-on-tees-sqs-2013:R1:monthly-audit:1"]
    out = io.StringIO()
    now = [time.time() + 60]
    sender = Sender(store, "console", FailsFirst(out, 2), app.draw_chart, clock=lambda: now[0])
    sender.drain()
    assert out.getvalue() == ""
    [waiting] = store.db.table("outbox").rows
    assert (waiting["state"], waiting["attempts"], waiting["last_error"]) == (
        "pending",
        1,
        "internal_error",
    )
    assert app.queue_reminders(CONSOLE, BOARD) == []  # still queued once, not again
    for _ in range(3):
        now[0] += 300
        sender.drain()
    assert " ".join(out.getvalue().split()).count("R1: the January case-file audit") == 1
    [sent] = store.db.table("outbox").rows
    assert (sent["state"], sent["attempts"]) == ("sent", 3)


def test_two_processes_reminding_at_once_send_one(fake_slack, settings, db):
    fake_slack.reset()
    env = {
        "YOS_DB": str(settings.db_path),
        "YOS_CHANNEL": "C0BOARD",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": fake_slack.api_url,
        "PATH": "/usr/bin:/bin",
    }
    command = ["remind", "--today", "2014-02-10"]
    runs = [
        launch.start(
            command, env=env, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=60)[0] for run in runs]
    assert all(run.returncode == 0 for run in runs)
    assert sorted(o.splitlines()[0] for o in outputs) == ["0 reminders sent", "1 reminder sent"]
    assert len(fake_slack.of("chat.postMessage")) == 1


def test_remind_dry_run_lists_what_is_due_and_sends_nothing(settings, db, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    monkeypatch.setenv("YOS_DB", str(settings.db_path))
    monkeypatch.setenv("YOS_CHANNEL", BOARD)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    result = CliRunner().invoke(main, ["remind", "--today", "2014-02-10", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "R1: the January case-file audit (14 January to 13 February 2014) is due by 13 February "
        "2014 and none has been recorded yet. Record it with /yos audit R1 "
        "<compliant>/<audited> <date> <note>.\n"
    )
    assert db.table("outbox").count == 0 and db.table("reminders").count == 0
    late = CliRunner().invoke(main, ["remind", "--today", "2014-02-01", "--dry-run"])
    assert late.output.strip() == "Nothing is due for C0BOARD on 2014-02-01."


def _remind(env: dict[str, str], *args: str) -> str:
    done = launch.run(
        ["remind", "--today", "2014-02-10", *args],
        env=env,
        cwd=PROJECT_ROOT,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_dry_run_lists_exactly_what_the_real_run_sends(fake_slack, settings, db, ctx):
    """Same service (the channel's own), same channel, same text; and "Nothing is due"
    when the real run would send nothing."""
    from tests.test_national import row, write_table

    fake_slack.reset()
    env = {
        "YOS_DB": str(settings.db_path),
        "YOS_CHANNEL": BOARD,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": fake_slack.api_url,
        "PATH": "/usr/bin:/bin",
    }
    from bot.store.loader import load_files

    load_files(db, [write_table(settings.db_path.parent, [row("Reading", 5, "Inadequate")])])
    ctx.conversation = BOARD
    assert dispatch("use Reading", ctx).ok  # the board's channel is about Reading now
    assert _remind(env, "--dry-run") == "Nothing is due for C0BOARD on 2014-02-10.\n"
    assert _remind(env).splitlines()[0] == "0 reminders sent"
    assert fake_slack.of("chat.postMessage") == []

    assert dispatch("use Stockton", ctx).ok
    [due] = _remind(env, "--dry-run").splitlines()
    assert due.startswith("R1: the January case-file audit (14 January to 13 February 2014)")
    assert _remind(env).splitlines()[0] == "1 reminder sent"
    [sent] = fake_slack.of("chat.postMessage")
    assert sent.params["channel"] == BOARD
    assert due in html.unescape(" ".join(str(sent.params["text"]).split()))
    assert _remind(env, "--dry-run") == "Nothing is due for C0BOARD on 2014-02-10.\n"


# --- the chart is drawn only when one is sent ------------------------------------------------

PLAIN_QUERY = """
import json, sys
from bot.app import Platform, Request
from bot.config import load_settings
from bot.reply import Chart
from bot.runtime import application
from bot.store import StorePool

settings = load_settings()
app = application(settings, StorePool(settings.db_path))
chat = Platform("chat", charts=True)
for text in ("summary", "report R1", "home", "rec R1", 'audit R1 17/20 27/03/2014 --late "x"'):
    outcome = app.handle(Request(chat, text=text, conversation="C1", delivery_id=text))
    assert outcome.reply.ok, outcome.reply.headline
def plotting():
    return sorted(m for m in sys.modules if m.split(".")[0] == "matplotlib")
answered = plotting()
app.draw_chart(Chart("stockton-on-tees", "R1"))
print(json.dumps([answered, bool(plotting())]))
"""


def test_plain_replies_never_load_the_plotting_library(settings, db):
    env = {
        "YOS_DB": str(settings.db_path),
        "YOS_TODAY": AFTER_WINDOW.isoformat(),
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [sys.executable, "-c", PLAIN_QUERY],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    answered, drawn = json.loads(done.stdout.strip().splitlines()[-1])
    assert answered == []  # a report with a chart queued still loads nothing
    assert drawn  # and drawing it does: the check can tell


def test_the_dashboard_carries_the_caveat_with_its_percentages(ask_text):
    home = " ".join(ask_text("home").split())
    assert "91%" in home and "★★★★ Good" in home
    assert "not directly applied to the SQS process" in home
    assert home.count("not directly applied to the SQS process") == 1
