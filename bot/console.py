"""The terminal front end: the same application as the chat platforms, typed at a
prompt or piped in. Announcements and reminders are printed as the bot would post them."""

from __future__ import annotations

import getpass
from typing import TextIO

from bot.app import Application, Delivery, Outcome, Request, Sender, Via
from bot.app.requests import CONSOLE
from bot.render.text import render_text
from bot.reply import Person

PROMPT = "yos> "
QUIT = {"quit", "exit", ":q"}
CONVERSATION = "console"


class ConsoleTransport:
    """Prints what the bot would post in the conversation."""

    def __init__(self, stdout: TextIO) -> None:
        self.stdout = stdout

    def deliver(self, delivery: Delivery) -> None:
        if delivery.reply is not None:
            self.stdout.write("[posted in the conversation]\n")
            self.stdout.write(render_text(delivery.reply) + "\n\n")


def console_request(text: str) -> Request:
    # At the terminal the operator is trusted: records carry their login name.
    return Request(
        CONSOLE,
        text=text,
        user=Person(None, getpass.getuser(), CONSOLE.name),
        conversation=CONVERSATION,
        via=Via.CONSOLE,
    )


def answer(app: Application, request: Request) -> Outcome:
    """The answer to one line: a form asked for in words is offered as the application
    offers it where there are no forms; anything else is a command or a question."""
    form = app.form_asked_for(request.text)
    return app.offer_form(request, form) if form is not None else app.handle(request)


def run_console(app: Application, stdin: TextIO, stdout: TextIO, *, interactive: bool) -> int:
    """Answer one line at a time until end of input (or ``quit``); returns lines answered."""
    sender = Sender(app.store, CONSOLE.name, ConsoleTransport(stdout), app.draw_chart)
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
        outcome = answer(app, console_request(line.removeprefix("/yos").strip()))
        stdout.write(render_text(outcome.reply) + "\n\n")
        sender.drain()
        stdout.flush()
        answered += 1
