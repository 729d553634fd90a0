"""Log records that cannot be forged: control characters in a message are escaped.

Much of what reaches a log line came from the network: a token's ``kid``, an activity's
``serviceUrl`` or ID, a team's name, a header. A newline in any of them would start
what looks like a log line of its own. :class:`EscapeControl`, on every handler of the
root logger and of uvicorn's, writes each control character of a formatted message as
an escape (``\\n``, ``\\x1b``…) instead; tracebacks, which are formatted apart, keep
their lines.
"""

from __future__ import annotations

import logging
import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access")


def _escaped(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def escape_control(text: str) -> str:
    return _CONTROL.sub(_escaped, text)


class EscapeControl(logging.Filter):
    """Rewrites a record whose message holds a control character (it never drops one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the formatter
            return True
        if _CONTROL.search(message):
            record.msg = escape_control(message)
            record.args = None
        return True


def install(loggers: tuple[str, ...] = LOGGERS) -> EscapeControl:
    """Put the filter on every handler of ``loggers`` (once each)."""
    escaping = EscapeControl()
    for name in loggers:
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, EscapeControl) for f in handler.filters):
                handler.addFilter(escaping)
    return escaping
