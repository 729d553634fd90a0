"""Logging a failure without the words of the person who caused it.

An exception's message often quotes its input (``invalid literal for int(): '…'``), and
the input may be an audit note about a child. Above DEBUG, a failure is logged as its
type and where it happened, under a reference the user can quote; the full traceback,
message included, is logged at DEBUG only.
"""

from __future__ import annotations

import logging
import secrets
import sys
import traceback

from bot.reply import Reply, problem


def new_reference() -> str:
    """A short code that ties what the user sees to the log entry."""
    return secrets.token_hex(4)


def where(error: BaseException) -> str:
    """The exception's type and the innermost frames, without its message."""
    frames = traceback.extract_tb(error.__traceback__)[-3:]
    trail = " <- ".join(
        f"{f.name} ({f.filename.rsplit('/', 1)[-1]}:{f.lineno})" for f in reversed(frames)
    )
    return f"{type(error).__name__} in {trail}" if trail else type(error).__name__


def log_failure(
    logger: logging.Logger, what: str, error: BaseException, reference: str | None = None
) -> str:
    """Log that ``what`` failed, safely; returns the reference used."""
    reference = reference or new_reference()
    logger.error("%s failed (reference %s): %s", what, reference, where(error))
    logger.debug("%s failed (reference %s)", what, reference, exc_info=error)
    return reference


def apology(reference: str) -> Reply:
    return problem(
        "Something went wrong",
        f"Sorry, something went wrong on my side (reference {reference}). Please try again; "
        f"if it keeps happening, give that reference to whoever runs the bot.",
    )


def failed(logger: logging.Logger, what: str) -> Reply:
    """Log the failure being handled under a reference the user can quote, never their
    words, and return the apology that quotes the reference."""
    error = sys.exc_info()[1]
    reference = log_failure(logger, what, error) if error is not None else new_reference()
    return apology(reference)
