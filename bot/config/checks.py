"""Checks of environment values that are not about a platform: numbers in a range,
seconds, dates, paths, addresses and choices.

Each takes the value as set (text, never blank) and returns it typed, or raises
ValueError saying what is wrong; ``base.Part`` puts the variable's name in front.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated
from urllib.parse import urlparse

from pydantic import BeforeValidator

# Placeholder hosts an app package may not name as the publisher's pages.
PLACEHOLDER_HOSTS = ("example.org", "example.com", "example.net")


def between(low: int, high: int) -> BeforeValidator:
    """A whole number from ``low`` to ``high``."""

    def check(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise ValueError(f"must be a whole number, got {value!r}") from None
        if not low <= number <= high:
            raise ValueError(f"must be between {low} and {high}, got {number}")
        return number

    return BeforeValidator(check)


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise ValueError(f"must be a number of seconds, got {value!r}") from None
    if not 0.01 <= seconds <= 3600:
        raise ValueError(f"must be between 0.01 and 3600 seconds, got {value!r}")
    return seconds


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"must be a date written as YYYY-MM-DD, got {value!r}") from None


def _user_path(value: str) -> Path:
    return Path(value).expanduser()


def one_of(*choices: str) -> BeforeValidator:
    """One of ``choices``, in any case; the choice is kept in lower case."""

    def check(value: str) -> str:
        if value.lower() not in choices:
            names = f"{', '.join(choices[:-1])} or {choices[-1]}"
            raise ValueError(f"must be {names}, got {value[:40]!r}")
        return value.lower()

    return BeforeValidator(check)


def _log_level(value: str) -> str:
    if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ValueError(f"must be DEBUG, INFO, WARNING or ERROR, got {value!r}")
    return value.upper()


def web_address(value: str, *, example: str, what: str = "") -> str:
    """``value`` if it is an http(s) address with a host, as ``example`` is (``what`` it
    must be the address of)."""
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        of = f" of {what}," if what else ""
        raise ValueError(f"must be an http(s) URL{of} such as {example}")
    return value


def https_authority(*, example: str) -> BeforeValidator:
    """An https address with no query or fragment, kept without a trailing slash."""

    def check(value: str) -> str:
        parsed = urlparse(value)
        if parsed.scheme != "https" or not parsed.netloc or parsed.query or parsed.fragment:
            raise ValueError(f"must be an https URL such as {example}")
        return value.rstrip("/")

    return BeforeValidator(check)


def page_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be one of the app package's pages, or None."""
    parsed = urlparse(url)
    if parsed.scheme != "https" or not parsed.hostname or len(url) > 2048:
        return f"must be an https:// address of your own page; got {url[:80]!r}"
    host = parsed.hostname.lower()
    if any(host == h or host.endswith("." + h) for h in PLACEHOLDER_HOSTS):
        return f"must be your own page, not a placeholder ({host})"
    return None


def _page_url(value: str) -> str:
    """A page of the publisher's for the app package: https, and not a placeholder."""
    problem = page_url_problem(value)
    if problem:
        raise ValueError(problem)
    return value


Seconds = Annotated[float, BeforeValidator(_seconds)]
IsoDate = Annotated[date, BeforeValidator(_date)]
UserPath = Annotated[Path, BeforeValidator(_user_path)]
LogLevel = Annotated[str, BeforeValidator(_log_level)]
PageUrl = Annotated[str, BeforeValidator(_page_url)]
