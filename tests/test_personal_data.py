"""Children's data (issue 12): notes screened before they are recorded, shown only to those
who may read them, erased after the retention period or on request; the privacy notice;
no note or secret in a log or an error."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner

from bot.app import Application, Policy, Request
from bot.app.requests import Platform
from bot.app.schedule import start_purge
from bot.cli import main
from bot.commands import Permission, dispatch
from bot.commands.audits import NOTE_RECORDED
from bot.config import ConfigError, settings_from
from bot.domain.monitoring.audits import MAX_REASON, AuditProblem, all_audits
from bot.domain.monitoring.retention import KEEP_SENT, erase_note, purge
from bot.forms import FormKind
from bot.render.text import render_text
from bot.reply import Person, Reply, from_json
from bot.runtime import application, prepare_store
from bot.store import StorePool, open_db
from bot.store.outbox import PRIVATE
from tests.conftest import IN_WINDOW, prepare_from_bundled
from tests.slack_requests import APP_ID, TEAM_ID, sign

SLACK = Platform("slack", invocation="/yos ", admin_hint="Ask your Slack admin", charts=False)
AUDITOR = Person("U0AUDIT", "Alex Auditor", "slack")
VISITOR = Person("U0VISIT", "Val Visitor", "slack")
ROOM = "C0ROOM"
NOTE = "case 7: review late after move"  # nothing personal in it
ISSUE_EXAMPLE = "audit R1 17/20 Jane Doe DOB 2008-03-01"
_deliveries = iter(range(1_000_000))


# --- fixtures and helpers ----------------------------------------------------------------


@pytest.fixture
def store(settings, bundled_store) -> StorePool:
    prepare_from_bundled(settings, bundled_store).close()
    return StorePool(settings.db_path)


def app_with(store: StorePool, settings, **env: str) -> Application:
    """The application as the servers build it, with U0AUDIT the only auditor."""
    configured = settings_from(
        {
            "YOS_DB": str(settings.db_path),
            "YOS_TODAY": IN_WINDOW.isoformat(),
            "YOS_AUDITORS": AUDITOR.id or "",
            **env,
        }
    )
    return application(configured, store)


@pytest.fixture
def app(store, settings) -> Application:
    return app_with(store, settings)


def ask(text: str, user: Person = AUDITOR, **options: object) -> Request:
    return Request(
        SLACK,
        text=text,
        user=user,
        conversation=ROOM,
        delivery_id=f"d{next(_deliveries)}",
        **options,  # type: ignore[arg-type]
    )


def said(reply: Reply) -> str:
    """What a reply says, as text on one line (the text renderer wraps)."""
    return " ".join(render_text(reply).split())


def notes(store: StorePool) -> list[str | None]:
    return [row[0] for row in store.db.execute("SELECT note FROM audit_updates ORDER BY id")]


def outbox(store: StorePool) -> list[dict]:
    return list(store.db.query("SELECT * FROM outbox ORDER BY id"))


# --- screening -----------------------------------------------------------------------------


def test_the_issues_example_is_refused_privately_and_nothing_is_recorded(app, store):
    outcome = app.handle(ask(ISSUE_EXAMPLE))
    reply = outcome.reply
    assert not reply.ok and not outcome.public
    assert reply.title == "That audit update was not recorded"
    assert reply.headline == (
        "The note looks like it could identify a child, so nothing was recorded."
    )
    text = said(reply)
    assert "Jane" not in text and "Doe" not in text and "2008-03-01" not in text
    assert "a date of birth" in text and "a person's name" in text
    assert NOTE in text  # a safe example
    assert "/yos audit R1 17/20 case 7: review late after move --checked" in text
    assert notes(store) == [] and outbox(store) == []


def test_a_checked_note_is_recorded_without_the_flag(app, store):
    outcome = app.handle(ask("audit R1 17/20 YP 3 aged 15 reviewed late --checked"))
    assert outcome.reply.ok
    assert notes(store) == ["YP 3 aged 15 reviewed late"]


def test_a_mentioned_update_with_personal_data_is_refused_to_the_asker_alone(app, store):
    app.handle(ask(f"{ISSUE_EXAMPLE}", via="mention", answer_in_conversation=True))
    [answer] = outbox(store)
    assert answer["kind"] == PRIVATE
    assert json.loads(answer["address"])["user"] == AUDITOR.id
    assert "Jane" not in answer["body"] and "2008" not in answer["body"]
    assert notes(store) == []


@pytest.mark.parametrize("platform", ["slack", "teams"])
def test_the_form_refuses_a_note_with_personal_data_and_names_the_command(
    store, settings, platform
):
    app = app_with(store, settings)
    request = Request(
        Platform(platform, invocation="/yos " if platform == "slack" else ""),
        user=AUDITOR,
        conversation=ROOM,
        delivery_id="view:V1",
        via="form",
    )
    entry = {"recommendation": "R1", "audit_date": "2014-02-20", "audited": "20", "compliant": "17"}
    refused = app.submit_form(request, FormKind.AUDIT, {**entry, "note": "Jane Doe DOB 2008-03-01"})
    assert refused.outcome is None
    message = refused.errors["note"]
    assert "could identify a child" in message and "J••• D••" in message
    typed = "/yos audit" if platform == "slack" else "audit"
    assert f"{typed} R1 17/20 20/02/2014 Jane Doe DOB 2008-03-01 --checked" in message
    assert notes(store) == []
    # Corrected, the same submission records (nothing was claimed by the refusal).
    fixed = app.submit_form(request, FormKind.AUDIT, {**entry, "note": NOTE})
    assert fixed.outcome is not None and fixed.outcome.reply.ok
    assert notes(store) == [NOTE]


def test_a_close_reason_with_personal_data_is_refused_unless_checked(app, store):
    refused = app.handle(ask('rec R1 close "YP John Smith DOB 01/02/2003 moved"'))
    assert not refused.reply.ok
    assert refused.reply.headline == (
        "The reason looks like it could identify a child, so nothing was changed."
    )
    assert "John" not in said(refused.reply)
    assert store.db.table("recommendation_history").count == 0
    checked = app.handle(
        ask('rec R1 close "Reported to the board on 6 May 2014" --checked --early "asked"')
    )
    assert checked.reply.ok
    [change] = store.db.query("SELECT reason FROM recommendation_history")
    assert change["reason"] == "Reported to the board on 6 May 2014"


def test_a_100_kb_close_reason_is_refused_clearly(app, store):
    outcome = app.handle(ask(f'rec R1 close "{"x" * 100_000}"'))
    assert not outcome.reply.ok
    assert outcome.reply.headline == (
        f"The reason is 100,000 characters; keep it to {MAX_REASON:,} or fewer."
    )
    assert store.db.table("recommendation_history").count == 0


# --- who sees notes ------------------------------------------------------------------------


def test_the_recorder_sees_their_note_and_the_channel_only_that_there_is_one(app, store):
    outcome = app.handle(ask(f"audit R1 17/20 {NOTE}"))
    assert NOTE in said(outcome.reply)
    [announcement] = outbox(store)
    assert NOTE not in announcement["body"]
    assert f"Note: {NOTE_RECORDED}." in said(from_json(announcement["body"]))


@pytest.mark.parametrize("order", [(AUDITOR, VISITOR), (VISITOR, AUDITOR)])
def test_audits_shows_the_note_to_auditors_only_whoever_asks_first(app, store, order):
    app.handle(ask(f"audit R1 17/20 {NOTE}"))
    seen = {}
    for person in order:
        seen[person.id] = said(app.handle(ask("audits R1", user=person)).reply)
    assert f"by Alex Auditor: {NOTE}" in seen[AUDITOR.id]
    assert NOTE not in seen[VISITOR.id]
    assert f"by Alex Auditor; {NOTE_RECORDED}" in seen[VISITOR.id]
    assert "17/20 (85%)" in seen[VISITOR.id] and "20 February 2014" in seen[VISITOR.id]


def test_home_shows_the_note_to_auditors_only(app):
    app.handle(ask(f"audit R1 17/20 {NOTE}"))
    assert NOTE in said(app.handle(ask("home", via="home")).reply)
    visitor = said(app.handle(ask("home", user=VISITOR, via="home")).reply)
    assert NOTE not in visitor and NOTE_RECORDED in visitor


def test_an_answer_posted_in_the_channel_shows_what_everyone_may_see(app, store):
    app.handle(ask(f"audit R1 17/20 {NOTE}"))
    app.handle(ask("audits R1", via="mention", answer_in_conversation=True))
    posted = outbox(store)[-1]
    assert posted["kind"] == "message" and NOTE not in posted["body"]
    # A direct message is seen by the auditor alone: the note is there.
    app.handle(ask("audits R1", via="direct message", answer_in_conversation=True))
    assert NOTE in outbox(store)[-1]["body"]


def test_an_auditor_sharing_the_history_shares_no_note(app, store):
    app.handle(ask(f"audit R1 17/20 {NOTE}"))
    shared = app.share(ask(""), "audits", "R1 1")
    assert shared.public and NOTE not in said(shared.reply)
    assert NOTE not in outbox(store)[-1]["body"]


def test_notes_visible_to_everyone_restores_showing_them(store, settings):
    app = app_with(store, settings, YOS_NOTES_VISIBLE_TO="everyone")
    app.handle(ask(f"audit R1 17/20 {NOTE}"))
    assert NOTE in outbox(store)[0]["body"]  # the announcement
    assert NOTE in said(app.handle(ask("audits R1", user=VISITOR)).reply)
    assert NOTE in said(app.share(ask("", user=VISITOR), "audits", "R1 1").reply)


def test_the_policy_decides_who_reads_notes():
    policy = Policy((AUDITOR.id or "",))
    assert policy.allows(AUDITOR, Permission.READ_NOTES)
    assert not policy.allows(VISITOR, Permission.READ_NOTES)
    assert not policy.allows_everyone(Permission.READ_NOTES)
    open_to_all = Policy((AUDITOR.id or "",), notes_visible_to="everyone")
    assert open_to_all.allows(VISITOR, Permission.READ_NOTES)
    assert open_to_all.allows_everyone(Permission.READ_NOTES)
    assert not open_to_all.allows(VISITOR, Permission.RECORD)
    # With no auditors listed everyone may record and read, but a post for a channel
    # still says only that a note was recorded.
    assert not Policy(()).allows_everyone(Permission.READ_NOTES)


def test_the_setting_is_checked_at_start():
    assert settings_from({}).notes_visible_to == "auditors"
    assert settings_from({"YOS_NOTES_VISIBLE_TO": "Everyone"}).notes_visible_to == "everyone"
    with pytest.raises(ConfigError, match="YOS_NOTES_VISIBLE_TO must be auditors or everyone"):
        settings_from({"YOS_NOTES_VISIBLE_TO": "managers"})
    assert settings_from({}).note_retention_days == 730
    with pytest.raises(ConfigError, match="YOS_NOTE_RETENTION_DAYS"):
        settings_from({"YOS_NOTE_RETENTION_DAYS": "0"})


# --- retention and erasure -----------------------------------------------------------------


def _record(app: Application, text: str, *, days_ago: int, store: StorePool) -> int:
    app.handle(ask(text))
    number = int(store.db.execute("SELECT max(id) FROM audit_updates").fetchone()[0])
    when = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat(timespec="seconds")
    store.db.execute("UPDATE audit_updates SET recorded_at = ? WHERE id = ?", [when, number])
    store.db.conn.commit()
    return number


def test_notes_past_retention_are_erased_and_the_figures_stay(app, store):
    old = _record(
        app, 'audit R1 17/20 2014-01-20 January audit --late "x"', days_ago=800, store=store
    )
    retracted = _record(
        app, 'audit R1 16/20 2014-01-21 entered twice --late "x"', days_ago=731, store=store
    )
    app.handle(ask(f"audit undo {retracted}"))
    recent = _record(app, "audit R1 18/20 2014-02-18 February audit", days_ago=10, store=store)
    dry = purge(store.db, retention_days=730, dry_run=True)
    assert dry.notes == (old, retracted) and dry.dry_run
    assert notes(store) == ["January audit", "entered twice", "February audit"]
    done = purge(store.db, retention_days=730)
    assert done.notes == (old, retracted)
    assert "Erased 2 notes recorded before" in done.describe()
    assert notes(store) == [None, None, "February audit"]
    erased = {a.id: a for a in all_audits(store.db)}
    assert (erased[old].compliant, erased[old].audited) == (17, 20)
    row = next(store.db.query("SELECT * FROM audit_updates WHERE id = ?", [old]))
    assert row["note_erased_by"] == "retention" and row["note_erased_reason"] == (
        "older than 730 days"
    )
    assert erased[recent].note == "February audit"
    history = said(app.handle(ask("audits R1")).reply)
    assert "its note was erased on" in history and "January audit" not in history
    assert purge(store.db, retention_days=730).notes == ()  # nothing left to erase


def test_sent_messages_lose_their_text_after_a_month_but_keep_their_key(app, store):
    app.handle(ask(f"audit R1 17/20 {NOTE}"))
    app.handle(ask("audit R1 18/20 2014-02-19 still pending"))
    long_ago = (datetime.now(UTC) - KEEP_SENT - timedelta(days=1)).isoformat(timespec="seconds")
    store.db.execute("UPDATE outbox SET created_at = ?", [long_ago])
    store.db.execute("UPDATE outbox SET state = 'sent' WHERE id = 1")
    store.db.execute(
        "INSERT INTO deliveries (platform, key, kind, received_at) VALUES ('slack', 'old', 'x', ?)",
        [long_ago],
    )
    store.db.conn.commit()
    done = purge(store.db, retention_days=730)
    assert (done.outbox, done.deliveries) == (1, 1)
    sent, pending = outbox(store)
    assert sent["body"] == "" and sent["key"].startswith("announce:")
    assert pending["body"] != "" and pending["state"] == "pending"


def test_erasing_a_note_on_request_records_who_and_why_not_what(app, store):
    app.handle(ask(f"audit R1 17/20 {NOTE}"))
    erased = erase_note(store.db, 1, by="dpo", reason="subject access request 12")
    assert erased.note is None and erased.note_erased_at
    row = next(store.db.query("SELECT * FROM audit_updates"))
    assert (row["note_erased_by"], row["note_erased_reason"]) == (
        "dpo",
        "subject access request 12",
    )
    with pytest.raises(AuditProblem, match="already erased"):
        erase_note(store.db, 1, by="dpo")
    with pytest.raises(AuditProblem, match="There is no audit update #9"):
        erase_note(store.db, 9, by="dpo")


def test_an_erased_note_is_gone_from_the_store_file(tmp_path):
    settings = settings_from({"YOS_DB": str(tmp_path / "yos.db"), "YOS_TODAY": "2014-02-20"})
    prepare_store(settings)[0].close()
    app = app_with(StorePool(settings.db_path), settings)
    secret = "ZEBRA-QUOKKA-UNIQUE-NOTE"
    app.handle(ask(f"audit R1 17/20 {secret}"))
    db = open_db(settings.db_path)
    erase_note(db, 1, by="dpo")
    db.close()
    app.store.db.close()
    on_disk = b"".join(
        Path(f"{settings.db_path}{suffix}").read_bytes()
        for suffix in ("", "-wal")
        if Path(f"{settings.db_path}{suffix}").exists()
    )
    assert secret.encode() not in on_disk


def test_the_serving_process_purges_on_its_own(store, settings):
    app = app_with(store, settings)
    _record(app, f"audit R1 17/20 {NOTE}", days_ago=1000, store=store)
    thread = start_purge(settings, first=0.01, interval=3600)
    deadline = time.monotonic() + 10
    while notes(store) != [None] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert notes(store) == [None] and thread.is_alive()


def test_purge_and_erase_note_from_the_command_line(tmp_path, monkeypatch):
    monkeypatch.setenv("YOS_DB", str(tmp_path / "yos.db"))
    monkeypatch.setenv("YOS_TODAY", "2014-02-20")
    monkeypatch.delenv("YOS_NOTE_RETENTION_DAYS", raising=False)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["ask", f"audit R1 17/20 {NOTE}"]).exit_code == 0
    dry = runner.invoke(main, ["purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would erase 0 notes recorded before" in dry.output
    monkeypatch.setenv("USER", "dpo-operator")
    monkeypatch.setenv("LOGNAME", "dpo-operator")
    erased = runner.invoke(main, ["erase-note", "1", "--reason", "request from the family"])
    assert erased.exit_code == 0, erased.output
    assert "Erased the note of audit update #1" in erased.output
    assert "by dpo-operator" in erased.output
    with sqlite3.connect(tmp_path / "yos.db") as conn:
        row = conn.execute(
            "SELECT note, note_erased_by, note_erased_reason FROM audit_updates"
        ).fetchone()
    assert row == (None, "dpo-operator", "request from the family")
    again = runner.invoke(main, ["erase-note", "1"])
    assert again.exit_code != 0 and "already erased" in again.output
    assert runner.invoke(main, ["erase-note", "0"]).exit_code != 0


# --- the privacy notice ------------------------------------------------------------------------


def test_help_audit_carries_the_privacy_notice(ctx):
    text = said(dispatch("help audit", ctx))
    for words in (
        "Personal data",
        "--checked",
        "only to auditors",
        "730",
        "erase-note",
        "who recorded it",
    ):
        assert words in text, words


def test_the_readme_has_a_personal_data_section():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Personal data", 1)[1].split("\n## ", 1)[0]
    for words in (
        "YOS_NOTES_VISIBLE_TO",
        "YOS_NOTE_RETENTION_DAYS",
        "730",
        "30 days",
        "erase-note",
        "yos-bot purge",
        "0600",
        "DEBUG",
        "backups",
    ):
        assert words in section, words


# --- secrets and logs ----------------------------------------------------------------------


def test_a_mispasted_secret_is_never_printed():
    secret = "s3cr3t-signing-secret-0123456789"
    with pytest.raises(ConfigError) as refused:
        settings_from({"SLACK_BOT_TOKEN": secret})
    assert "SLACK_BOT_TOKEN must start with 'xoxb-'" in str(refused.value)
    assert secret[:3] not in str(refused.value)
    result = CliRunner().invoke(
        main, ["ask", "summary"], env={"SLACK_BOT_TOKEN": secret, "YOS_DB": os.devnull}
    )
    assert result.exit_code != 0 and "SLACK_BOT_TOKEN" in result.output
    assert secret[:3] not in result.output


def test_the_served_app_logs_no_note_and_replays_undo_once(served, slack):
    served.wait_until_outbox_idle()
    distinctive = "PANGOLIN-MARKER-4471"
    answer = served.command(f"audit R1 17/20 {distinctive} audit")
    assert answer.status == 200 and distinctive in json.dumps(answer.json())
    refused = served.command(f"audit R1 17/20 Jane Doe DOB 2008-03-01 {distinctive}")
    assert refused.json()["response_type"] == "ephemeral"  # to the asker alone
    assert "could identify a child" in json.dumps(refused.json())
    assert "Jane" not in json.dumps(refused.json())
    served.command("audit R1 18/20 second audit")
    served.wait_until_outbox_idle()
    # One undo, delivered twice (a replay inside the five minutes): one retraction.
    body = urlencode(
        {
            "command": "/yos",
            "text": "audit undo",
            "user_id": "U0MANAGER",
            "channel_id": "C0YOS",
            "trigger_id": "replayed-undo-1",
            "team_id": TEAM_ID,
            "api_app_id": APP_ID,
        }
    )
    headers = sign(body)
    first = served.post(body, "application/x-www-form-urlencoded", headers)
    again = served.post(body, "application/x-www-form-urlencoded", headers)
    assert first.status == again.status == 200
    served.wait_until_outbox_idle()
    with sqlite3.connect(served.db_path) as conn:
        retracted = conn.execute("SELECT count(*) FROM audit_retractions").fetchone()[0]
        recorded = conn.execute("SELECT count(*) FROM audit_updates").fetchone()[0]
    assert (recorded, retracted) == (2, 1)
    log = served.log()
    assert distinctive not in log and "Jane" not in log and "2008-03-01" not in log
