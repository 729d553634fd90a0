"""``python -c CODE`` for xdist, forked from the run's fork server (tests/forkserver.py)
rather than started afresh: each test worker would otherwise import the SDKs,
matplotlib, pytest and the bot itself, some three seconds of CPU apiece.

xdist starts a worker as ``PYTHON -u -c CODE`` with pipes for its standard streams;
tests/conftest.py names ``python -m tests.forked_worker`` as that PYTHON. This process
passes its streams, environment and working directory to the fork server, whose child
runs CODE, and ends as the child ends, with its status. Only the standard library is
imported here (``tests/__init__.py`` is empty), so this process starts in milliseconds.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time

SHARED = "TESTS_FORK_SERVER"  # as tests.launch.SHARED


def main(argv: list[str]) -> int:
    code = argv[argv.index("-c") + 1]
    path = os.environ[SHARED]
    deadline = time.monotonic() + 120
    while not os.path.exists(path):  # the server binds once it has imported
        if time.monotonic() > deadline:
            print("the fork server did not start", file=sys.stderr)
            return 1
        time.sleep(0.02)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.connect(path)
        request = {"code": code, "env": dict(os.environ), "cwd": os.getcwd()}
        socket.send_fds(conn, [json.dumps(request).encode()], [0, 1, 2])
        # Its streams are the child's now: this process keeps none of them open, so that
        # xdist sees them close as the child ends.
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        answer = b""
        while answer.count(b"\n") < 2:  # "pid N", then "exit CODE"
            chunk = conn.recv(256)
            if not chunk:
                return 1
            answer += chunk
    status = int(answer.split(b"\n")[1].split()[1])
    return status if status >= 0 else 128 - status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
