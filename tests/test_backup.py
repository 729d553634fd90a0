"""Backups and restore: a drill under concurrent writes, rotation, and refusals that change
nothing."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.config import PROJECT_ROOT, settings_from
from bot.store import SCHEMA_VERSION
from bot.store.backup import (
    BackupError,
    backup,
    backup_if_due,
    backups_in,
    check_backup,
    restore,
    rotate,
)
from tests.conftest import IN_WINDOW
from tests.test_concurrency import WRITER


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def keys(db_path: Path) -> list[str]:
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute(
            "SELECT delivery_key FROM audit_updates WHERE delivery_key LIKE 'k%' ORDER BY id"
        )
        return [r[0] for r in rows]
    finally:
        conn.close()


def integrity(db_path: Path) -> str:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file in ``folder`` with a hash of its bytes: what "changes nothing" compares."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()
    }


def committed(marker: Path) -> int:
    text = marker.read_text() if marker.exists() else ""
    return int(text) if text.isdigit() else 0


@pytest.fixture
def store(db) -> Path:
    """A prepared store (bundled data loaded), closed, and its path."""
    path = Path(db.conn.execute("PRAGMA database_list").fetchone()[2])
    db.close()
    return path


# --- the drill ---------------------------------------------------------------------------------


def test_restore_drill_backup_under_concurrent_writes(tmp_path, store):
    """Back up while another process records audit updates as fast as it can; restore the
    backup into a fresh path: every update committed before the backup began is there, the
    copy is one consistent moment (no gaps), and it passes the integrity check."""
    marker = tmp_path / "marker"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(store), str(marker), "loop"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    try:
        deadline = time.monotonic() + 60
        while committed(marker) < 30 and time.monotonic() < deadline:
            time.sleep(0.01)
        before = committed(marker)  # these were committed before the backup started
        assert before >= 30, "the writer did not get going"
        copy = backup(store, tmp_path / "backups", keep=3)
        after_backup = committed(marker)
        deadline = time.monotonic() + 30
        while committed(marker) < after_backup + 20 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert committed(marker) >= after_backup + 20, "writes stopped during the backup"
    finally:
        writer.kill()
        writer.wait(10)

    assert mode(copy) == 0o600 and mode(copy.parent) == 0o700
    assert not Path(f"{copy}-wal").exists()  # one self-contained file
    restored = tmp_path / "fresh" / "yos.db"
    info = restore(copy, restored)
    assert integrity(restored) == "ok"
    assert mode(restored) == 0o600
    found = keys(restored)
    assert {f"k{n}" for n in range(before)} <= set(found)
    # One consistent moment: the writer commits k0, k1, ... in order, so a snapshot holds
    # an unbroken run from k0.
    assert sorted(found, key=lambda k: int(k[1:])) == [f"k{n}" for n in range(len(found))]
    assert len(found) <= len(keys(store))
    assert info.audit_updates == len(found)
    print(
        f"\nbackup under load: {before} updates committed before it began, "
        f"{len(found)} in the copy, {len(keys(store))} by the end"
    )


def test_the_cli_round_trips_a_store(tmp_path, store, monkeypatch):
    for name in list(os.environ):
        if name.startswith(("SLACK_", "YOS_", "TEAMS_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("YOS_DB", str(store))
    monkeypatch.setenv("YOS_BACKUP_DIR", str(tmp_path / "nightly"))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    record(store, "k0")
    result = runner.invoke(main, ["backup", "--keep", "2"])
    assert result.exit_code == 0, result.output
    (copy,) = backups_in(tmp_path / "nightly")
    assert str(copy) in result.output and "integrity ok" in result.output

    record(store, "k1")  # recorded after the backup
    result = runner.invoke(main, ["restore", str(copy)], input="n\n")
    assert result.exit_code == 1 and "Aborted" in result.output
    assert keys(store) == ["k0", "k1"]
    result = runner.invoke(main, ["restore", str(copy)], input="y\n")
    assert result.exit_code == 0, result.output
    assert "1 audit update" in result.output and "Restored" in result.output
    assert keys(store) == ["k0"]
    assert integrity(store) == "ok"
    record(store, "k2")
    result = runner.invoke(main, ["restore", str(copy), "--yes"])
    assert result.exit_code == 0, result.output
    assert keys(store) == ["k0"]


def record(db_path: Path, key: str) -> None:
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute(
            "INSERT INTO audit_updates (recommendation_id, audit_date, percent, via, "
            "delivery_key, recorded_at) VALUES ('stockton-on-tees-sqs-2013:R1', '2014-02-20', "
            "85, 'console', ?, '2014-02-20T10:00:00')",
            [key],
        )
    conn.close()


# --- rotation ----------------------------------------------------------------------------------


def test_rotation_keeps_the_newest(tmp_path, store):
    out = tmp_path / "backups"
    start = datetime(2014, 2, 20, 2, 0, 0)
    made = [backup(store, out, keep=3, now=start + timedelta(days=n)) for n in range(5)]
    assert backups_in(out) == made[-3:]
    assert [p.name for p in made[-3:]] == [
        "yos-20140222-020000.db",
        "yos-20140223-020000.db",
        "yos-20140224-020000.db",
    ]
    # Two in the same second get different names, both kept, in order.
    again = backup(store, out, keep=10, now=start + timedelta(days=4))
    assert again.name == "yos-20140224-020000-2.db"
    assert backups_in(out)[-2:] == [made[-1], again]
    (out / "notes.txt").write_text("not a backup")
    assert rotate(out, 1) == made[-3:]
    assert backups_in(out) == [again]
    assert (out / "notes.txt").exists()


def test_a_daily_backup_is_taken_once_a_day(tmp_path, store):
    out = tmp_path / "daily"
    day = datetime(2014, 2, 20, 3, 0)
    assert backup_if_due(store, out, now=day) is not None
    assert backup_if_due(store, out, now=day + timedelta(hours=5)) is None
    assert backup_if_due(store, out, now=day + timedelta(days=1)) is not None
    assert len(backups_in(out)) == 2


def test_start_backups_runs_in_the_background(tmp_path, store):
    from bot.app.schedule import start_backups

    settings = settings_from(
        {"YOS_DB": str(store), "YOS_TODAY": IN_WINDOW.isoformat(), "YOS_BACKUP_KEEP": "2"}
    )
    assert settings.backup_dir is None and settings.backup_keep == 2
    assert start_backups(settings) is None
    settings = settings_from({"YOS_DB": str(store), "YOS_BACKUP_DIR": str(tmp_path / "b")})
    assert settings.backup_keep == 14
    thread = start_backups(settings, first=0.01, interval=0.05)
    assert thread is not None and thread.daemon
    deadline = time.monotonic() + 10
    while not backups_in(tmp_path / "b") and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)  # several more checks: still one backup, as it is not a day old
    assert len(backups_in(tmp_path / "b")) == 1


# --- refusals ----------------------------------------------------------------------------------


def _refused(source: Path, store: Path, expected: str) -> None:
    """restore(source) is refused with a one-line message and changes nothing; so is the
    command line, with the same line."""
    before = fingerprint(store.parent)
    with pytest.raises(BackupError) as refused:
        restore(source, store)
    message = str(refused.value)
    assert expected in message
    assert "\n" not in message
    assert fingerprint(store.parent) == before
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "YOS_", "TEAMS_"))}
    result = CliRunner().invoke(
        main, ["restore", str(source), "--yes"], env={**env, "YOS_DB": str(store)}
    )
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"Error: {message}"]
    assert fingerprint(store.parent) == before


def test_restore_refuses_a_corrupt_file(tmp_path, store):
    good = backup(store, tmp_path / "b")
    damaged = tmp_path / "damaged.db"
    data = bytearray(good.read_bytes())
    page = 4096
    for offset in range(page * 2, min(len(data), page * 6)):  # scribble over b-tree pages
        data[offset] = (data[offset] * 7 + 13) % 256
    damaged.write_bytes(bytes(data))
    with pytest.raises(BackupError):
        check_backup(damaged)
    _refused(damaged, store, str(damaged))
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database at all" * 100)
    _refused(garbage, store, "is not a readable SQLite database")
    truncated = tmp_path / "truncated.db"
    truncated.write_bytes(good.read_bytes()[:5000])
    _refused(truncated, store, str(truncated))


def test_restore_refuses_an_sqlite_file_that_is_not_the_bots(tmp_path, store):
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE people (name TEXT)")
    conn.close()
    _refused(other, store, "is not a yos-bot store: it has no schema_migrations table")


def test_restore_refuses_a_newer_schema(tmp_path, store):
    newer = backup(store, tmp_path / "b")
    conn = sqlite3.connect(newer)
    with conn:
        conn.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', 'x')",
            [SCHEMA_VERSION + 1],
        )
    conn.close()
    _refused(newer, store, f"has schema version {SCHEMA_VERSION + 1}, newer than")


def test_restore_refuses_a_missing_file_and_the_store_itself(tmp_path, store):
    _refused(tmp_path / "nope.db", store, "no such file")
    with pytest.raises(BackupError, match="is the store itself"):
        restore(store, store)


def test_restore_refuses_while_the_store_is_open(tmp_path, store):
    copy = backup(store, tmp_path / "b")
    serving = sqlite3.connect(store)
    serving.execute("SELECT count(*) FROM audit_updates").fetchone()  # opens -wal and -shm
    try:
        with pytest.raises(BackupError, match="is open in another process: stop the bot"):
            restore(copy, store)
        assert [p.name for p in store.parent.iterdir() if ".partial" in p.name] == []
    finally:
        serving.close()
    restore(copy, store)  # once it is closed


def test_backup_of_a_missing_store_is_refused(tmp_path):
    with pytest.raises(BackupError, match="there is no store at"):
        backup(tmp_path / "missing.db", tmp_path / "b")
    assert not (tmp_path / "missing.db").exists()
