"""Files only the bot's own user can read: the store, exports, board papers and backups.

What the bot writes holds case-file audit notes about children, so every file it creates is
mode 0600 and every directory it creates is 0700, whatever the process's umask (which can
only take permissions away). The mode is given when the file is created, so there is no
moment when another user could open it; a file that already exists with looser permissions
is tightened. Directories that already exist are left as they are: the bot must never
change the permissions of a folder it did not make (a home directory, ``/tmp``).

Writes are atomic: the data goes to a temporary file beside the target, is flushed to disk,
and replaces the target in one ``os.replace``, so a reader sees the old file or the new
one, never half of one.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path | str) -> Path:
    """Create ``path`` and any missing parents with mode 0700; an existing directory is
    left as it is."""
    path = Path(path)
    missing: list[Path] = []
    for candidate in (path, *path.parents):
        if candidate.exists():
            break
        missing.append(candidate)
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue  # another process made it first; not ours to change
        os.chmod(directory, DIR_MODE)  # mkdir's mode is filtered by the umask
    if not path.is_dir():
        raise NotADirectoryError(f"{path} is not a directory")
    return path


def private_file(path: Path | str) -> Path:
    """Make sure ``path`` exists and only its owner can read or write it: created empty
    with mode 0600 when missing, tightened to 0600 when it is ours and looser."""
    path = Path(path)
    private_dir(path.parent)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    tighten(path)
    return path


def tighten(path: Path | str) -> bool:
    """Remove group and other permissions from an existing file the process owns.

    Returns whether the file is now private. A missing file, or one owned by another user
    (which the process could not change), is left alone and reported as not private.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return False
    mode = stat.S_IMODE(info.st_mode)
    if not mode & 0o077:
        return True
    if info.st_uid != os.geteuid():
        return False
    os.chmod(path, mode & 0o700)
    return True


def is_folder_path(out: str | Path) -> bool:
    """Whether ``out``, as given on a command line, names a folder: it ends in a path
    separator (``board-pack/``) or is an existing directory."""
    text = os.fspath(out)
    separators = (os.sep, os.altsep) if os.altsep else (os.sep,)
    return text.endswith(separators) or Path(text).is_dir()


def output_file(out: str | Path, default_name: str) -> Path:
    """The file a command writes for ``--out``: inside it, named ``default_name``, when it
    names a folder (see :func:`is_folder_path`); else the file it names, never a directory
    of that name."""
    if is_folder_path(out):
        return Path(out) / default_name
    return Path(out)


def private_stdout(stream: TextIO) -> None:
    """Make ``stream`` private (0600) when it is a regular file of ours, as a shell's
    ``> audits.csv`` makes it under the shell's umask: what the bot writes is as private
    there as in a file it creates. A terminal, pipe or in-memory stream is left alone."""
    try:
        descriptor = stream.fileno()
        info = os.fstat(descriptor)
    except (AttributeError, OSError, ValueError):
        return
    if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
        return
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        with contextlib.suppress(OSError):
            os.fchmod(descriptor, mode & 0o700)


def write_private(path: Path | str, data: bytes | str, *, encoding: str = "utf-8") -> Path:
    """Write ``data`` to ``path`` atomically as a 0600 file (creating 0700 directories)."""
    path = Path(path)
    payload = data.encode(encoding) if isinstance(data, str) else data
    with _atomic(path) as temporary, open(temporary, "wb") as stream:
        stream.write(payload)
        stream.flush()
        os.fsync(stream.fileno())
    return path


@contextlib.contextmanager
def open_private(
    path: Path | str, *, encoding: str = "utf-8", newline: str | None = None
) -> Iterator[TextIO]:
    """A text stream for writers that stream (CSV, JSON), writing a private file.

    The file appears at ``path`` only when the ``with`` block ends without an error; on an
    error the temporary file is removed and any existing file at ``path`` is untouched::

        with open_private("audits.csv", newline="") as stream:
            csv.writer(stream).writerows(rows)
    """
    with (
        _atomic(Path(path)) as temporary,
        open(temporary, "w", encoding=encoding, newline=newline) as stream,
    ):
        yield stream
        stream.flush()
        os.fsync(stream.fileno())


@contextlib.contextmanager
def _atomic(path: Path) -> Iterator[Path]:
    """A temporary 0600 file beside ``path`` that replaces it when the block succeeds."""
    private_dir(path.parent)
    # mkstemp creates the file with mode 0600 and O_EXCL, in the target's directory so
    # that os.replace is a rename within one file system.
    descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(descriptor)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, FILE_MODE)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise
    fsync_dir(path.parent)


def fsync_dir(path: Path | str) -> None:
    """Flush a directory's entries (a rename into it) to disk, where the OS allows it."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
