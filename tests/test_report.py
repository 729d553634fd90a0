"""The board report, its chart, the App Home dashboard and the reminders."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from bot.cli import main
from bot.commands import dispatch
from bot.config import PROJECT_ROOT, settings_from
from bot.render.blocks import message
from bot.render.chart import HEIGHT_PX, WIDTH_PX
from tests.blockkit import all_text, assert_valid_blocks, assert_valid_message
from tests.conftest import start_served
from tests.slack_requests import BOT_TOKEN

MONTHLY = (
    "audit R1 17/20 2014-01-28 January audit",
    "audit R1 18/20 2014-02-25 February audit",
    "audit R1 19/20 2014-03-27 March audit",
)
AFTER_WINDOW = date(2014, 4, 20)
MET = (
    "Met: 3 of 3 monthly audits at or above the 80% target; "
    "ready to report to the next YOS Management Board meeting."
)


def record_monthly(ctx) -> None:
    ctx.today = AFTER_WINDOW
    for text in MONTHLY:
        assert dispatch(text, ctx).announce


def test_the_report_after_three_monthly_audits_concludes_met(ctx):
    record_monthly(ctx)
    reply = dispatch("report R1", ctx)
    assert reply.headline == MET
    conclusion = next(s for s in reply.sections if s.heading == "Conclusion")
    assert conclusion.text == MET
    audits = next(s for s in reply.sections if s.heading == "Audits in the window").items
    assert audits[0].startswith("28 January 2014: 17/20 (85%)")
    assert reply.chart == "R1"
    assert_valid_message(message(reply, shareable=True))


def test_report_before_any_evidence(ctx):
    reply = dispatch("report", ctx)
    assert reply.headline == "Open: no audit evidence recorded yet."
    assert_valid_message(message(reply, shareable=True))
    assert not dispatch("report R9", ctx).ok


def _slack_figures(reply) -> list[tuple[str, str]]:
    items = next(s for s in reply.sections if s.heading == "Audits in the window").items
    return [(line.split(": ")[0], line.split(": ")[1].split(" ")[0]) for line in items]


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
            date.fromisoformat(r["audit_date"]).strftime("%-d %B %Y"),
            f"{r['compliant']}/{r['audited']}",
        )
        for r in rows
    ]
    assert from_csv == slack
    for day, figures in slack:
        compliant, audited = figures.split("/")
        assert f"| {day} | {compliant} | {audited} |" in markdown
    assert {r["conclusion"] for r in rows} == {MET}
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


# --- reminders ------------------------------------------------------------------------


@pytest.fixture
def reminder_deps(fake_slack, settings):
    from bot.slack.app import web_client
    from bot.slack.auditors import Auditors
    from bot.slack.deps import Deps
    from bot.store import StorePool

    fake_slack.reset()
    configured = settings_from(
        {
            "YOS_DB": str(settings.db_path),
            "YOS_CHANNEL": "C0BOARD",
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_API_URL": fake_slack.api_url,
        }
    )
    return Deps(configured, StorePool(settings.db_path), Auditors(())), web_client(configured)


def test_reminders_fire_on_the_right_days_and_only_once(ctx, reminder_deps, fake_slack):
    from bot.slack.reports import send_reminders

    deps, client = reminder_deps
    ctx.today = date(2014, 1, 28)
    dispatch("audit R1 17/20 2014-01-28", ctx)  # month 1 done; none yet for month 2
    for day in ("2014-02-05", "2014-03-06"):
        assert send_reminders(deps, client, date.fromisoformat(day)) == []
    sent = send_reminders(deps, client, date(2014, 3, 7))  # a week before month 2 ends
    assert sent == ["stockton-on-tees-sqs-2013:R1:monthly-audit:2"]
    [post] = fake_slack.of("chat.postMessage")
    assert post.params["channel"] == "C0BOARD"
    assert post.params["text"].startswith(
        "R1: the month 2 case-file audit is due by 14 March 2014 and none has been recorded yet."
    )
    assert send_reminders(deps, client, date(2014, 3, 8)) == []  # once per period
    assert len(fake_slack.of("chat.postMessage")) == 1

    sent = send_reminders(deps, client, date(2014, 4, 15))
    assert sent == ["stockton-on-tees-sqs-2013:R1:window-ended"]
    texts = [c.params["text"] for c in fake_slack.of("chat.postMessage")]
    assert texts[1].startswith("R1's monitoring window has ended: the board report is ready.")
    assert texts[2].startswith("Monitoring report: Stockton-on-Tees Youth Offending Service")
    assert_valid_message(fake_slack.of("chat.postMessage")[2].params)
    assert len(fake_slack.of("files.completeUploadExternal")) == 1
    assert send_reminders(deps, client, date(2014, 4, 16)) == []


def test_a_failed_reminder_is_tried_again(ctx, reminder_deps, fake_slack):
    from bot.slack.reports import send_reminders

    deps, client = reminder_deps
    for _ in range(3):
        fake_slack.script("chat.postMessage", 500, {"ok": False, "error": "internal_error"})
    assert send_reminders(deps, client, date(2014, 2, 10)) == []
    assert send_reminders(deps, client, date(2014, 2, 10)) == [
        "stockton-on-tees-sqs-2013:R1:monthly-audit:1"
    ]


def test_two_processes_reminding_at_once_send_one(fake_slack, settings, db):
    fake_slack.reset()
    env = {
        "YOS_DB": str(settings.db_path),
        "YOS_CHANNEL": "C0BOARD",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": fake_slack.api_url,
        "PATH": "/usr/bin:/bin",
    }
    command = [sys.executable, "-m", "bot", "remind", "--today", "2014-02-10"]
    runs = [
        subprocess.Popen(
            command,
            env=env,
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=60)[0] for run in runs]
    assert all(run.returncode == 0 for run in runs)
    assert sorted(o.splitlines()[0] for o in outputs) == ["0 reminders sent", "1 reminder sent"]
    assert len(fake_slack.of("chat.postMessage")) == 1


# --- in Slack -------------------------------------------------------------------------------


@pytest.fixture
def served_after_window(fake_slack, tmp_path):
    fake_slack.reset()
    app = start_served(
        fake_slack, tmp_path, YOS_TODAY=AFTER_WINDOW.isoformat(), YOS_CHANNEL="C0BOARD"
    )
    for text in MONTHLY:
        assert app.command(text).status == 200
    fake_slack.wait_for("chat.postMessage", 3)
    fake_slack.reset()
    yield app
    app.stop()


def test_report_in_slack_attaches_the_chart_after_answering(served_after_window, fake_slack):
    body = served_after_window.command("report R1").json()
    assert body["response_type"] == "ephemeral"
    assert_valid_message(body)
    assert MET.replace("&", "&amp;") in all_text(body["blocks"])
    [done] = fake_slack.wait_for("files.completeUploadExternal", timeout=30)
    [ticket] = fake_slack.of("files.getUploadURLExternal")
    [upload] = [c for c in fake_slack.calls if c.method.startswith("upload:")]
    assert [c.method for c in fake_slack.calls if "upload" in c.method.lower()] == [
        "files.getUploadURLExternal",
        upload.method,
        "files.completeUploadExternal",
    ]
    assert upload.params["bytes"].startswith(b"\x89PNG\r\n\x1a\n")
    assert int(ticket.params["length"]) == len(upload.params["bytes"])
    assert done.params["channel_id"] == "C0YOS"
    assert done.params["initial_comment"].startswith("Met: 3 of 3 monthly audits")


def test_opening_the_home_tab_publishes_the_dashboard(served_after_window, fake_slack):
    served_after_window.event(
        {"type": "app_home_opened", "user": "U0MANAGER", "channel": "D0HOME", "tab": "home"},
        event_id="Ev0HOME1",
    )
    [published] = fake_slack.wait_for("views.publish")
    assert published.params["user_id"] == "U0MANAGER"
    view = published.params["view"]
    assert view["type"] == "home"
    assert_valid_blocks(view["blocks"], limit=100)
    text = all_text(view["blocks"])
    assert "Protecting the public: █████████░ 91% ★★★★ Good" in text
    assert "R1: Due for the board" in text
    assert "#3 R1 27 March 2014: 19/20 (95%)" in text
    buttons = [
        e["text"]["text"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == ["Record audit update", "Board report"]


def test_the_board_report_button_posts_the_report_and_chart(served_after_window, fake_slack):
    served_after_window.interaction(
        {
            "type": "block_actions",
            "user": {"id": "U0MANAGER"},
            "team": {"id": "T0001"},
            "api_app_id": "A0001",
            "trigger_id": "1.2.home",
            "container": {"type": "view"},
            "view": {"id": "VHOME", "type": "home"},
            "actions": [
                {
                    "action_id": "home_board_report",
                    "type": "button",
                    "block_id": "b",
                    "action_ts": "1",
                }
            ],
        }
    )
    [post] = fake_slack.wait_for("chat.postMessage", timeout=30)
    assert post.params["channel"] == "C0BOARD"
    assert_valid_message(post.params)
    fake_slack.wait_for("files.completeUploadExternal", timeout=30)


PLAIN_QUERY = """
import json, sys
from bot.config import load_settings
from bot.slack.app import create_app
from bot.store import StorePool
from slack_bolt.request import BoltRequest
from urllib.parse import urlencode
from tests.slack_requests import sign

settings = load_settings()
app = create_app(settings, StorePool(settings.db_path))
body = urlencode({"team_id": "T0001", "channel_id": "C0YOS", "user_id": "U1", "command": "/yos",
                  "text": "summary", "api_app_id": "A0001", "trigger_id": "1.2.3",
                  "response_url": "http://127.0.0.1:9/x"})
headers = {k.lower(): [v] for k, v in sign(body).items()}
headers["content-type"] = ["application/x-www-form-urlencoded"]
response = app.dispatch(BoltRequest(body=body, headers=headers))
assert response.status == 200 and "91%" in response.body, response.body
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] == "matplotlib")))
"""


def test_plain_replies_never_load_the_plotting_library(fake_slack, settings, db):
    env = {
        "YOS_DB": str(settings.db_path),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": "8f742231b10e8888abcd99yyyzzz85a5",
        "SLACK_API_URL": fake_slack.api_url,
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
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
