"""Starts ``python -m bot …`` for the tests, forked from a process that has already
imported the bot's heavy dependencies.

Importing the Teams SDK alone costs about two seconds of CPU, and the suite starts the
bot as a process some seventy times (servers on both platforms, the command line). Each
start here is a fork of this process followed by exactly what ``python -m bot ARGS``
runs (``bot/__main__.py`` as ``__main__``), with the test's environment, working
directory and standard streams; the process then exits as any Python process does
(threads joined, ``atexit``, streams flushed; its modules are not torn down, which
Python does not promise anyway). Every module of the bot is imported here too: settings
are read when a command starts, in the child, from the test's environment, and the
generic Microsoft variables the Teams SDK would read are removed again as its ``App`` is
made (:func:`bot.teams.sdk.drop_generic_environment`), not only as it is imported.

The test workers themselves start here too (``python -c CODE``, which is how xdist
starts them: :mod:`tests.forked_worker`), so that each does not import all of this again.

Protocol, over a Unix socket (see :mod:`tests.launch`): the client sends one JSON line
(``args`` or ``code``, ``env``, ``cwd``) with its stdin, stdout and stderr as passed
descriptors;
this process answers ``pid N`` at once and ``exit CODE`` (negative: killed by that
signal) when the child ends. It stops, and stops its children, when its own stdin closes
(the test worker that started it has gone).
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import json
import os
import pkgutil
import runpy
import select
import signal
import socket
import sys
import threading
import traceback
import types
import warnings
from typing import Any

import bot

# Imported once here rather than in every child.
PRELOADED = (
    "click",
    "pydantic",
    "pydantic_settings",
    "sqlite_utils",
    "dotenv",
    "httpx",
    "jwt",
    "msal",
    "uvicorn",
    "fastapi",
    "gunicorn.app.base",
    "slack_sdk",
    "slack_sdk.models.blocks",
    "slack_sdk.models.views",
    "slack_bolt",
    "slack_bolt.adapter.wsgi",
    "microsoft_teams.api",
    "microsoft_teams.apps",
    "microsoft_teams.cards",
    # What the bot imports only on first use: charts, papers, spreadsheets, and the
    # phone-number check on notes.
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    "matplotlib.dates",
    "matplotlib.transforms",
    "docx",
    "openpyxl",
    "phonenumbers",
    "anyio._backends._asyncio",
    "httpcore",
    "jsonschema",
    # A test worker's own: pytest with its plugins, and what the tests generate with.
    "pytest",
    "execnet",
    "xdist.plugin",
    "xdist.looponfail",
    "_hypothesis_pytestplugin",
    "anyio.pytest_plugin",
    "hypothesis",
    "hypothesis.strategies",
)


def preload() -> None:
    # The SDK would load a .env at import (bot.teams.sdk switches that off the same way).
    os.environ["PYTHON_DOTENV_DISABLED"] = "1"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in PRELOADED:
            __import__(name)
        for module in pkgutil.walk_packages(bot.__path__, "bot."):
            if module.name != "bot.__main__":  # which runs the command line
                __import__(module.name)


def child(request: dict[str, Any], fds: list[int]) -> None:
    """Become ``python -m bot ARGS``, or ``python -c CODE``; never returns."""
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    try:
        if "code" in request:  # python -c CODE: a test worker (tests/forked_worker.py)
            sys.argv = ["-c"]
            main = types.ModuleType("__main__")
            sys.modules["__main__"] = main
            exec(compile(request["code"], "<string>", "exec"), vars(main))
        else:
            sys.argv = ["bot", *request["args"]]
            runpy.run_module("bot", run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exit:
        code = exit_code(exit.code)
    except KeyboardInterrupt:
        traceback.print_exc()
        code = 128 + signal.SIGINT
    except BaseException:
        traceback.print_exc()
        code = 1
    # What the interpreter does as it ends, up to tearing down every module (here many more
    # than the bot imports, and slower to tear down than the rest of a stop takes).
    threading._shutdown()  # type: ignore[attr-defined]
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def exit_code(code: object) -> int:
    """The status ``SystemExit(code)`` ends a Python process with."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def serve(path: str) -> None:
    preload()
    # What was imported lives as long as the process: a child's collections skip it, so
    # they neither take some 0.15 s each nor copy the pages it sits on.
    gc.freeze()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # Bound under another name and renamed: the path appears only once it is listening.
    listener.bind(path + ".binding")
    listener.listen(64)
    os.rename(path + ".binding", path)
    running: dict[int, socket.socket] = {}
    while True:
        readable, _, _ = select.select([listener, sys.stdin], [], [], 0.02)
        if sys.stdin in readable and not os.read(sys.stdin.fileno(), 1024):
            stop(running)
            return
        if listener in readable:
            conn, _ = listener.accept()
            message, fds, _, _ = socket.recv_fds(conn, 1 << 20, 3)
            request = json.loads(message)
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                listener.close()
                for other in running.values():
                    other.close()
                conn.close()
                child(request, fds)
            for fd in fds:
                os.close(fd)
            conn.sendall(f"pid {pid}\n".encode())
            running[pid] = conn
        reap(running)


def reap(running: dict[int, socket.socket]) -> None:
    while running:
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            return
        conn = running.pop(pid, None)
        if conn is not None:
            with contextlib.suppress(OSError):  # the test may no longer listen
                conn.sendall(f"exit {os.waitstatus_to_exitcode(status)}\n".encode())
            conn.close()


def stop(running: dict[int, socket.socket]) -> None:
    for pid in running:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


if __name__ == "__main__":
    serve(sys.argv[1])
    # What it imported is not torn down: that would take longer than the rest of a stop,
    # at the very end of the run.
    os._exit(0)
