"""A button pressed on a posted answer: which of the application's entry points it
stands for, read from the neutral payload its :class:`~bot.reply.Action` carried, which
an adapter hands back as the platform returned it and never interprets.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.app.core import Application
from bot.app.requests import Outcome, Request
from bot.reply import ActionKind, Reply, problem


def press(
    app: Application, request: Request, kind: str, payload: Mapping[str, object]
) -> Outcome | None:
    """Share an answer or post the board report, as the button of ``kind`` asks; None
    for a button this version does not know (or one that opens a form)."""
    if kind == ActionKind.SHARE.value:
        command, args = payload.get("command"), payload.get("args")
        return app.share(request, str(command or ""), str(args or ""))
    if kind == ActionKind.POST_REPORT.value:
        return app.post_report(request, str(payload.get("ref") or "") or None)
    return None


def nowhere_to_share(setting: str) -> Reply:
    """The answer to "Share in channel" where no channel is set (``setting``) to share in."""
    return problem(
        "Nowhere to share", f"There is no channel to share answers in: {setting} is not set."
    )
