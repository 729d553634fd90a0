"""``python -m bot ARGS`` as a process, started through :mod:`tests.forkserver`.

:func:`start` returns a :class:`BotProcess` that behaves as much of ``subprocess.Popen``
as the tests use (``pid``, ``poll``, ``wait``, ``terminate``, ``kill``, ``send_signal``,
``communicate``, ``returncode``); :func:`run` is ``subprocess.run`` for the bot. Where
xdist hands tests out, the run shares one fork server (tests/conftest.py starts it);
otherwise a process starts its own on first use. Each is stopped when its starter ends.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any

from bot.config import PROJECT_ROOT

# Where a fork server started for the whole run listens (set by tests/conftest.py in the
# process that hands tests out to workers, so that they share one).
# Not a YOS_ name: tests that clear the bot's variables from the environment keep it.
SHARED = "TESTS_FORK_SERVER"

_server: subprocess.Popen[bytes] | None = None
_socket_path: str | None = None
_shared: str | None = None
_lock = threading.Lock()


def ready() -> str:
    """The fork server's socket: the run's shared one, or this process's own, started
    first if need be."""
    global _shared
    _shared = _shared or os.environ.get(SHARED)
    if _shared:
        _wait_for(_shared)
        return _shared
    with _lock:
        if _server is not None and _server.poll() is None and _socket_path:
            return _socket_path
        start_server(wait=True)
        assert _socket_path is not None
        return _socket_path


def start_server(*, wait: bool) -> str:
    """Start a fork server (stopped when this process ends) and return its socket's path;
    ``wait``: once it is listening, else at once (it imports for a few seconds)."""
    global _server, _socket_path
    folder = tempfile.mkdtemp(prefix="yos-fork-")
    _socket_path = os.path.join(folder, "launch.sock")
    _server = subprocess.Popen(
        [sys.executable, "-m", "tests.forkserver", _socket_path],
        cwd=PROJECT_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
    )
    atexit.register(_stop_server)
    if wait:
        _wait_for(_socket_path)
    return _socket_path


def _wait_for(path: str, timeout: float = 60.0) -> None:
    """Until the fork server at ``path`` is listening (it binds once it has imported)."""
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > deadline or (_server is not None and _server.poll() is not None):
            raise RuntimeError("the fork server did not start")
        time.sleep(0.02)


def _stop_server() -> None:
    if _server is not None and _server.stdin is not None:
        _server.stdin.close()  # it stops, and stops what it started
        try:
            _server.wait(10)
        except subprocess.TimeoutExpired:
            _server.kill()
    if _socket_path is not None:
        shutil.rmtree(os.path.dirname(_socket_path), ignore_errors=True)


class BotProcess:
    """A started ``python -m bot``; its exit status comes from the fork server."""

    def __init__(
        self,
        args: list[str],
        *,
        env: dict[str, str] | None = None,
        cwd: Path | str | None = None,
        stdin: IO[Any] | int | None = None,
        stdout: IO[Any] | int | None = None,
        stderr: IO[Any] | int | None = None,
    ) -> None:
        self.args = args
        self.returncode: int | None = None
        self._captured: dict[str, IO[bytes]] = {}
        self._opened: list[int] = []  # descriptors opened here, closed once passed on
        streams = [
            self._descriptor("stdin", stdin, os.O_RDONLY),
            self._descriptor("stdout", stdout, os.O_WRONLY),
            self._descriptor("stderr", stderr, os.O_WRONLY),
        ]
        if stderr == subprocess.STDOUT:
            streams[2] = streams[1]
        self._conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._conn.connect(ready())
        request = {
            "args": list(args),
            "env": dict(os.environ if env is None else env),
            "cwd": str(cwd or PROJECT_ROOT),
        }
        socket.send_fds(self._conn, [json.dumps(request).encode()], streams)
        self._buffer = b""
        self.pid = int(self._line().split()[1])
        for fd in self._opened:
            os.close(fd)

    def _descriptor(self, name: str, stream: IO[Any] | int | None, mode: int) -> int:
        if stream is None or stream == subprocess.DEVNULL:
            self._opened.append(os.open(os.devnull, mode))
            return self._opened[-1]
        if stream == subprocess.PIPE:
            captured = tempfile.TemporaryFile()  # noqa: SIM115 (read and closed by _read)
            self._captured[name] = captured
            return captured.fileno()
        if isinstance(stream, int):
            return stream
        stream.flush()
        return stream.fileno()

    def _line(self, timeout: float | None = None) -> str:
        self._conn.settimeout(timeout)
        while b"\n" not in self._buffer:
            chunk = self._conn.recv(256)
            if not chunk:
                raise RuntimeError("the fork server went away")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.decode()

    def poll(self) -> int | None:
        if self.returncode is None:
            with contextlib.suppress(BlockingIOError, TimeoutError):
                self._exited(self._line(timeout=0))
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            try:
                self._exited(self._line(timeout=timeout))
            except TimeoutError:
                raise subprocess.TimeoutExpired(self.args, timeout or 0) from None
        assert self.returncode is not None
        return self.returncode

    def _exited(self, line: str) -> None:
        self.returncode = int(line.split()[1])
        self._conn.close()

    def send_signal(self, number: int) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, number)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def communicate(self, timeout: float | None = None) -> tuple[str, str]:
        self.wait(timeout)
        return self._read("stdout"), self._read("stderr")

    def _read(self, name: str) -> str:
        captured = self._captured.get(name)
        if captured is None:
            return ""
        captured.seek(0)
        text = captured.read().decode()
        captured.close()
        return text


def start(args: list[str], *, forked: bool = True, **options: Any) -> BotProcess:
    """``python -m bot ARGS`` started (``options`` as :class:`BotProcess` takes them).
    ``forked=False`` starts a new interpreter instead, for the benchmarks, which time
    start-up and memory as a fresh process has them."""
    if not forked:
        exec_options = {"cwd": PROJECT_ROOT, **options}
        return subprocess.Popen([sys.executable, "-m", "bot", *args], **exec_options)  # type: ignore[return-value]
    return BotProcess(list(args), **options)


def run(
    args: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | str | None = None,
    input: str | None = None,
    timeout: float = 60,
    check: bool = False,
) -> subprocess.CompletedProcess[str]:
    """``python -m bot ARGS`` to its end, its output captured as text."""
    with tempfile.TemporaryFile() as stdin:
        stdin.write((input or "").encode())
        stdin.seek(0)
        process = BotProcess(
            list(args),
            env=env,
            cwd=cwd,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    began = time.monotonic()
    try:
        out, err = process.communicate(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)
        raise subprocess.TimeoutExpired(args, time.monotonic() - began) from None
    done = subprocess.CompletedProcess(
        [sys.executable, "-m", "bot", *args], process.returncode or 0, out, err
    )
    if check:
        done.check_returncode()
    return done
