"""The terminal front end: the same commands as Slack, typed at a prompt or piped in."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from bot.render.text import render_text
from bot.reply import Reply

PROMPT = "yos> "
QUIT = {"quit", "exit", ":q"}


def run_console(
    answer: Callable[[str], Reply], stdin: TextIO, stdout: TextIO, *, interactive: bool
) -> int:
    """Answer one line at a time until end of input (or ``quit``); returns lines answered."""
    answered = 0
    while True:
        if interactive:
            stdout.write(PROMPT)
            stdout.flush()
        line = stdin.readline()
        if not line:
            if interactive:
                stdout.write("\n")
            return answered
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.lower() in QUIT:
            return answered
        stdout.write(render_text(answer(line)) + "\n\n")
        stdout.flush()
        answered += 1
