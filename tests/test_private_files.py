"""What the bot writes is readable by its own user only: 0600 files in 0700 directories,
whatever the umask, and existing files it owns are tightened."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from bot.store.db import open_db
from bot.store.files import open_private, private_dir, private_file, tighten, write_private


def mode(path: Path | str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask():
    """The loosest umask there is, so only the code's own modes can keep files private."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def test_a_new_store_and_its_wal_and_shm_are_0600_in_0700_folders(tmp_path, open_umask):
    path = tmp_path / "new" / "nested" / "yos.db"
    db = open_db(path)
    db.execute("CREATE TABLE t (x)")
    db.execute("INSERT INTO t VALUES (1)")
    db.conn.commit()
    assert Path(f"{path}-wal").exists() and Path(f"{path}-shm").exists()
    assert mode(path) == 0o600
    assert mode(f"{path}-wal") == 0o600
    assert mode(f"{path}-shm") == 0o600
    assert mode(tmp_path / "new") == 0o700
    assert mode(tmp_path / "new" / "nested") == 0o700
    db.close()


def test_an_existing_world_readable_store_is_tightened(tmp_path, open_umask):
    path = tmp_path / "yos.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = wal")
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES (1)")
    conn.commit()  # the -wal and -shm stay while this connection is open
    for name in (path, f"{path}-wal", f"{path}-shm"):
        os.chmod(name, 0o644)
    db = open_db(path)
    assert [mode(name) for name in (path, f"{path}-wal", f"{path}-shm")] == [0o600] * 3
    assert db.execute("SELECT x FROM t").fetchall() == [(1,)]
    db.close()
    conn.close()


def test_an_existing_folder_is_left_as_it_is(tmp_path):
    os.chmod(tmp_path, 0o755)
    open_db(tmp_path / "yos.db").close()
    assert mode(tmp_path) == 0o755
    assert mode(tmp_path / "yos.db") == 0o600


def test_write_private_is_atomic_and_0600(tmp_path, open_umask):
    target = tmp_path / "board-pack" / "r1-monitoring.md"
    write_private(target, "# R1\n")
    assert target.read_text() == "# R1\n"
    assert mode(target) == 0o600
    assert mode(target.parent) == 0o700
    # Replacing a looser file gives a private one.
    os.chmod(target, 0o644)
    write_private(target, b"\x89PNG")
    assert target.read_bytes() == b"\x89PNG"
    assert mode(target) == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == ["r1-monitoring.md"]


def test_open_private_streams_and_leaves_the_old_file_on_error(tmp_path, open_umask):
    target = tmp_path / "audits.csv"
    with open_private(target, newline="") as stream:
        stream.write("id,note\r\n1,x\r\n")
    assert target.read_bytes() == b"id,note\r\n1,x\r\n"
    assert mode(target) == 0o600
    with pytest.raises(RuntimeError), open_private(target) as stream:
        stream.write("half")
        raise RuntimeError("the export failed")
    assert target.read_bytes() == b"id,note\r\n1,x\r\n"
    assert [p.name for p in tmp_path.iterdir()] == ["audits.csv"]


def test_private_dir_and_private_file(tmp_path, open_umask):
    directory = private_dir(tmp_path / "backups" / "daily")
    assert mode(directory) == 0o700 and mode(directory.parent) == 0o700
    created = private_file(directory / "x.db")
    assert created.read_bytes() == b"" and mode(created) == 0o600
    os.chmod(created, 0o640)
    assert tighten(created) and mode(created) == 0o600
    assert not tighten(directory / "missing")
    (tmp_path / "file").write_text("")
    with pytest.raises(NotADirectoryError):
        private_dir(tmp_path / "file")
