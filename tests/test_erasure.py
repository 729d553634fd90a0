"""Erasure that leaves no copy (issue 23): a note erased on request or by retention is gone
from the raw bytes of every file the bot wrote (the store, its write-ahead log, the
ledger, the backups), and restoring an older backup does not bring it back."""

from __future__ import annotations

import gc
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.app import Application, Delivery, Request, Sender
from bot.app.requests import Platform
from bot.cli import main
from bot.config import settings_from
from bot.domain.inspections import cache
from bot.render.text import render_text
from bot.reply import Person, from_json
from bot.runtime import application, prepare_store
from bot.store import StorePool, backup, erasures
from tests.conftest import IN_WINDOW

SLACK = Platform("slack", invocation="/yos ", admin_hint="Ask your Slack admin", charts=False)
AUDITOR = Person("U0AUDIT", "Alex Auditor", "slack")
ROOM = "C0ROOM"
# Words no screening mistakes for a person, and no other text in the store contains.
ERASED_ON_REQUEST = "Xylophone-4471 plan lacked victim work"
ERASED_BY_RETENTION = "Quokka-8812 supervision notes thin"
KEPT = "Marigold-3390 panel minutes complete"


class Recorder:
    """A transport that keeps what it was given, as Slack would post it."""

    def __init__(self) -> None:
        self.sent: list[Delivery] = []

    def deliver(self, delivery: Delivery) -> None:
        self.sent.append(delivery)


@pytest.fixture
def place(tmp_path: Path) -> Path:
    folder = tmp_path / "store"
    folder.mkdir()
    return folder


def _app(db_path: Path) -> Application:
    settings = settings_from(
        {
            "YOS_DB": str(db_path),
            "YOS_TODAY": IN_WINDOW.isoformat(),
            "YOS_AUDITORS": AUDITOR.id or "",
            "YOS_NOTES_VISIBLE_TO": "everyone",  # announcements carry the note too
        }
    )
    prepare_store(settings)[0].close()
    return application(settings, StorePool(db_path))


_numbers = iter(range(1_000_000))


def _say(app: Application, text: str, via: str, *, in_conversation: bool) -> None:
    request = Request(
        SLACK,
        text=text,
        user=AUDITOR,
        conversation=ROOM,
        delivery_id=f"{via}:{next(_numbers)}",
        via=via,
        answer_in_conversation=in_conversation,
    )
    assert app.handle(request).reply.ok


def _record_everywhere(app: Application, note: str) -> None:
    """The note written every way the bot writes one: by command (announced with the
    note), by mention and by direct message (private confirmations in the outbox), and
    listed in an answer to a mention."""
    _say(app, f"audit R1 17/20 {note} --checked", "command", in_conversation=False)
    _say(app, f"audit R1 16/20 {note} --checked", "mention", in_conversation=True)
    _say(app, f"audit R1 15/20 {note} --checked", "direct message", in_conversation=True)
    _say(app, "audits R1", "mention", in_conversation=True)


def _bytes_of_every_file(*folders: Path) -> dict[Path, bytes]:
    return {
        path: path.read_bytes()
        for folder in folders
        for path in folder.rglob("*")
        if path.is_file()
    }


def _holding(text: str, *folders: Path) -> list[str]:
    needle = text.encode("utf-8")
    return sorted(
        str(path.relative_to(path.parents[1]))
        for path, data in _bytes_of_every_file(*folders).items()
        if needle in data
    )


def _ids_with(app: Application, note: str) -> list[int]:
    return [
        row[0]
        for row in app.store.db.execute(
            "SELECT id FROM audit_updates WHERE note = ? ORDER BY id", [note]
        ).fetchall()
    ]


def _cli(place: Path, monkeypatch, *args: str):
    monkeypatch.setenv("YOS_DB", str(place / "yos.db"))
    monkeypatch.setenv("YOS_TODAY", IN_WINDOW.isoformat())
    monkeypatch.setenv("YOS_BACKUP_DIR", str(place / "backups"))
    monkeypatch.setenv("USER", "dpo-operator")
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_no_copy_is_left_after_erase_note_retention_and_restore(place, tmp_path, monkeypatch):
    db_path = place / "yos.db"
    app = _app(db_path)
    _record_everywhere(app, ERASED_ON_REQUEST)
    _record_everywhere(app, ERASED_BY_RETENTION)
    # Half the outbox sent (so blanking and not replacing applies), half still to send.
    transport = Recorder()
    Sender(app.store, "slack", transport, app.draw_chart).drain()
    _record_everywhere(app, KEPT)
    _say(app, f"audit R1 14/20 {ERASED_ON_REQUEST} --checked", "mention", in_conversation=True)
    pending = app.store.db.execute(
        "SELECT count(*) FROM outbox WHERE state = 'pending' AND instr(body, ?) > 0",
        [ERASED_ON_REQUEST],
    ).fetchone()[0]
    assert pending >= 2  # the newest confirmation, and the listing of the KEPT round
    old = (datetime.now(UTC) - timedelta(days=800)).isoformat(timespec="seconds")
    retained = _ids_with(app, ERASED_BY_RETENTION)
    app.store.db.execute(
        f"UPDATE audit_updates SET recorded_at = ? WHERE id IN ({','.join('?' * len(retained))})",
        [old, *retained],
    )
    # The operator's backup, and a copy of it kept elsewhere (not written by the bot).
    _cli(place, monkeypatch, "backup")
    [taken] = backup.backups_in(place / "backups")
    offsite = tmp_path / "offsite"
    offsite.mkdir()
    shutil.copy2(taken, offsite / taken.name)
    assert _holding(ERASED_ON_REQUEST, place)  # the words are there to be found
    assert "store/yos.db.erasures" not in _holding(ERASED_ON_REQUEST, place)

    # --- erase-note, for every update that holds the note, while the "server" is open
    requested = _ids_with(app, ERASED_ON_REQUEST)
    generation = app.store.db.execute("SELECT token FROM store_generation").fetchone()[0]
    cache.ANSWERS.put(("probe",), "kept")
    for number in requested:
        said = _cli(place, monkeypatch, "erase-note", str(number), "--reason", "request")
        assert f"Erased the note of audit update #{number}" in said
    assert _holding(ERASED_ON_REQUEST, place) == []
    assert _holding(KEPT, place)  # what was not erased is still there
    # Every process's kept answers are out of date; this one's are gone.
    assert app.store.db.execute("SELECT token FROM store_generation").fetchone()[0] != generation
    assert len(cache.ANSWERS) == 0
    # The ledger says what was erased and when, never what it said.
    ledger = erasures.ledger(db_path)
    assert sorted(n for e in ledger for n in e.ids) == requested
    assert all(e.by == "dpo-operator" and e.reason == "request" for e in ledger)
    # A message still to be sent goes without the note; the sent ones lost their text.
    rows = app.store.db.execute("SELECT state, body FROM outbox").fetchall()
    for state, body in rows:
        if state == "pending":
            assert ERASED_ON_REQUEST not in from_json(body).headline
    before = len(transport.sent)
    Sender(app.store, "slack", transport, app.draw_chart).drain()
    delivered = [render_text(d.reply) for d in transport.sent[before:] if d.reply]
    assert any(erasures.ERASED in text for text in delivered)
    assert not any(ERASED_ON_REQUEST in text for text in delivered)

    # --- retention
    said = _cli(place, monkeypatch, "purge")
    assert f"Erased {len(retained)} notes" in said
    assert _holding(ERASED_BY_RETENTION, place) == []
    assert _holding(KEPT, place)

    # --- restore of the older copy kept elsewhere (the server stopped first)
    app.store.db.close()
    gc.collect()  # the connections the in-process commands above left to the collector
    assert _holding(ERASED_ON_REQUEST, offsite) and _holding(ERASED_BY_RETENTION, offsite)
    said = _cli(place, monkeypatch, "restore", "--yes", str(offsite / taken.name))
    assert "erased since the backup erased again" in said
    for text in (ERASED_ON_REQUEST, ERASED_BY_RETENTION):
        assert _holding(text, place) == [], text
    assert _holding(KEPT, place)  # what was never erased comes back with the backup
    with sqlite3.connect(db_path) as conn:
        erased = conn.execute(
            "SELECT count(*) FROM audit_updates WHERE note IS NULL AND note_erased_at IS NOT NULL"
        ).fetchone()[0]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert erased == len(retained) + len(requested)


def test_an_update_number_used_again_after_a_restore_keeps_its_note(place):
    """The ledger erases only what was recorded before the erasure: after a restore, a new
    update may be given the number of an erased one."""
    db_path = place / "yos.db"
    app = _app(db_path)
    _say(app, "audit R1 17/20 first round --checked", "command", in_conversation=False)
    early = (datetime.now(UTC) - timedelta(days=1)).isoformat(timespec="seconds")
    erasures.record(db_path, erasures.Erasure((1,), early, "dpo", "request"))
    done = erasures.reapply(app.store.db, erasures.ledger(db_path))
    assert done.notes == []
    assert app.store.db.execute("SELECT note FROM audit_updates").fetchone()[0] == "first round"


def test_a_torn_last_line_of_the_ledger_is_skipped(place):
    db_path = place / "yos.db"
    erasures.record(db_path, erasures.Erasure((3, 4), "2014-02-20T00:00:00+00:00", "x", "y"))
    with erasures.ledger_path(db_path).open("a") as ledger:
        ledger.write('{"at": "2014-02-2')
    assert [e.ids for e in erasures.ledger(db_path)] == [(3, 4)]
    assert oct(erasures.ledger_path(db_path).stat().st_mode & 0o777) == "0o600"
