"""The improvement plan's reminders, with an injected clock, two workers on one store, and
the outbox drained to the fake Slack Web API: owners 7 days before an action is due and
the day after it is overdue, once per action per stage; the weekly digest; the board
pack's reminder to auditors. On the FICTIONAL Northdale plan (tests/plan_data)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from bot.app import Application, Policy, Sender
from bot.cli import main
from bot.config import settings_from
from bot.runtime import prepare_store
from bot.slack.platform import SLACK
from bot.slack.transport import SlackTransport, outbox_client
from bot.store import StorePool
from bot.store.loader import load_files
from bot.store.plan_import import import_plan
from tests.plan_files import write_xlsx
from tests.slack_requests import BOT_TOKEN
from tests.test_plan import DATA, INSPECTION, Clock

CHANNEL = "C0BOARD"


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "yos.db"
    db, _ = prepare_store(settings_from({"YOS_DB": str(path), "YOS_SERVICE": "northdale"}))
    load_files(db, [DATA / "northdale.toml"])
    import_plan(db, INSPECTION, write_xlsx(tmp_path / "plan.xlsx"), today=date(2027, 1, 15))
    clock = Clock(db)
    clock.today = date(2027, 1, 20)
    clock.ask("action R4.1 owner @{U0OWNER|Omar Owner}")
    clock.ask('action R1.1 done "Training register"')
    clock.ask("board add 02/04/2027 Spring board")
    db.close()
    return path


def worker(path, day: date) -> Application:
    """One serving process's application: its own connections, today pinned."""
    return Application(StorePool(path), Policy(("U0AUDITOR",)), service="northdale", today=day)


def outbox_rows(app: Application) -> list[dict]:
    return list(app.store.db.query("SELECT key, kind, address, body FROM outbox ORDER BY id"))


def drain(app: Application, slack) -> None:
    settings = settings_from({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": slack.api_url})
    Sender(app.store, SLACK.name, SlackTransport(outbox_client(settings)), app.draw_chart).drain()


def test_owners_are_reminded_once_per_stage_across_two_workers(path, slack):
    day = date(2027, 3, 24)  # 7 days before 31 March
    first, second = worker(path, day), worker(path, day)
    queued = first.queue_reminders(SLACK, CHANNEL) + second.queue_reminders(SLACK, CHANNEL)
    assert len(queued) == len(set(queued))
    rows = outbox_rows(first)
    assert len(rows) == len(queued)
    soon = [r for r in rows if ":plan-due-soon:2027-03-31" in r["key"]]
    # R1.1 is done; R3.1, R4.1, R5.1, R6.1 and R7.1 are due on 31 March.
    assert len(soon) == 5
    [direct] = [r for r in soon if r["kind"] == "private"]
    assert json.loads(direct["address"]) == {"user": "U0OWNER"}
    drain(first, slack)
    dm = slack.posted("U0OWNER")
    assert len(dm) == 1
    assert "R4.1" in dm[0]["text"] and "is due on 31 March 2027 (in 7 days)" in dm[0]["text"]
    board = [m["text"] for m in slack.posted(CHANNEL)]
    assert sum("For Systems Officer (Council): R3.1" in t for t in board) == 1
    assert sum("Spring board meets on 2 April 2027, in 9 days" in t for t in board) == 1
    assert sum("The improvement plan: week of 22 March 2027" in t for t in board) == 1
    assert len(board) == 4 + 1 + 1  # four named owners, the board pack, the digest

    # The next day, and after a restart: nothing again.
    assert worker(path, date(2027, 3, 25)).queue_reminders(SLACK, CHANNEL) == []
    # A new week (Monday 29 March): its digest alone.
    [digest] = worker(path, date(2027, 3, 31)).queue_reminders(SLACK, CHANNEL)
    assert digest.startswith("plan:digest:northdale-2026:2027-W13:")

    # The day after they are due: overdue, once.
    late = worker(path, date(2027, 4, 1))
    again = worker(path, date(2027, 4, 1))
    overdue = late.queue_reminders(SLACK, CHANNEL) + again.queue_reminders(SLACK, CHANNEL)
    assert sorted(k.split(":")[2] for k in overdue) == ["plan-overdue"] * 5
    slack.reset()
    drain(late, slack)
    [told] = slack.posted("U0OWNER")
    assert "was due on 31 March 2027 and is not done: it is overdue" in told["text"]
    assert worker(path, date(2027, 4, 2)).queue_reminders(SLACK, CHANNEL) == []


def test_a_moved_due_date_brings_a_fresh_reminder_and_done_brings_none(path):
    app = worker(path, date(2027, 3, 24))
    app.queue_reminders(SLACK, CHANNEL)
    clock = Clock(app.store.db)
    clock.today = date(2027, 3, 26)
    clock.ask('action R4.1 due 20/04/2027 "waiting for the audit tool"')
    clock.ask('action R3.1 done "Triggers live"')
    later = worker(path, date(2027, 4, 13))  # 7 days before 20 April
    keys = later.queue_reminders(SLACK, CHANNEL)
    assert any(k.endswith(":plan-due-soon:2027-04-20") for k in keys)
    assert not any(
        ":plan-overdue:" in k and k.startswith(f"plan:{_id(app, 'R3', 1)}:") for k in keys
    )


def _id(app: Application, ref: str, number: int) -> int:
    return app.store.db.execute(
        "SELECT a.id FROM plan_actions a JOIN recommendations r ON r.id = a.recommendation_id "
        "WHERE r.ref = ? AND a.number = ?",
        [ref, number],
    ).fetchone()[0]


def test_remind_dry_run_shows_exactly_what_would_be_sent(path, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("YOS_DB", str(path))
    monkeypatch.setenv("YOS_SERVICE", "northdale")
    monkeypatch.setenv("YOS_CHANNEL", CHANNEL)
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    result = CliRunner().invoke(main, ["remind", "--today", "2027-03-24", "--dry-run"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert (
        "To Omar Owner (direct message): Action due soon: R4.1 “Introduce monthly case "
        "supervision audits” is due on 31 March 2027 (in 7 days).\n  Record progress with "
        '/yos action R4.1 progress "what was done"'
    ) in out
    assert (
        f"To {CHANNEL}: Board pack due: For the auditors: Spring board meets on 2 April 2027" in out
    )
    assert f"To {CHANNEL}: The improvement plan: week of 22 March 2027" in out
    db = prepare_store(settings_from({"YOS_DB": str(path)}))[0]
    assert db.table("outbox").count == 0 and db.table("reminders").count == 0
    db.close()
