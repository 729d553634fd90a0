"""Checking what a data file says: typed fields, required fields, allowed values.

Every problem names the file and the path to the field (``inspections[0].themes[2].score``)
and says what is wrong, so one refusal lists everything to fix.

Values are bounded before anything uses them: numbers finite and in range, dates from 2000
to a year from today (a monitoring window must end before 2100), texts at most MAX_TEXT
characters and tables at most MAX_ROWS entries.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

Row = dict[str, Any]

REF_PATTERN = re.compile(r"^R[1-9][0-9]*$")
EARLIEST = date(2000, 1, 1)  # no youth justice inspection in a data file is older
WINDOW_ENDS_BEFORE = date(2100, 1, 1)
MAX_TEXT = 20_000  # characters in one text field (a long inspectors' summary is ~2,000)
MAX_ROWS = 10_000  # entries in one table ([[inspections]], [[...themes]], ...)
MEASURES = ("percent", "points")
APPLIES_TO = ("score", "standard", "overall")


class LoadError(Exception):
    """A data file was refused; ``problems`` name the file, the field and what is wrong."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class Checker:
    """Reads typed fields out of parsed TOML, collecting every problem it finds."""

    def __init__(self, filename: str, today: date | None = None) -> None:
        self.filename = filename
        self.problems: list[str] = []
        day = today or date.today()
        try:  # the latest date a file may hold: a year from today
            self.latest = day.replace(year=day.year + 1)
        except ValueError:  # 29 February
            self.latest = day + timedelta(days=365)

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{self.filename}: {where}: {message}")

    def table(self, data: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problem(f"{where}{key}", "must be a list of tables ([[" + key + "]])")
            return []
        if len(value) > MAX_ROWS:
            self.problem(f"{where}{key}", f"has {len(value):,} entries; at most {MAX_ROWS:,}")
            return []
        return value

    def _get(self, data: Mapping[str, Any], key: str, where: str, required: bool) -> Any:
        value = data.get(key)
        if value is None and required:
            self.problem(f"{where}.{key}", "is required")
        return value

    def text(
        self, data: Mapping[str, Any], key: str, where: str, *, required: bool = False
    ) -> str | None:
        value = self._get(data, key, where, required)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(f"{where}.{key}", f"must be non-empty text, got {_quoted(value)}")
            return None
        if len(value) > MAX_TEXT:
            self.problem(
                f"{where}.{key}", f"is {len(value):,} characters long; at most {MAX_TEXT:,}"
            )
            return None
        return value.strip()

    def number(
        self,
        data: Mapping[str, Any],
        key: str,
        where: str,
        *,
        low: float | None = None,
        high: float | None = None,
        required: bool = False,
        whole: bool = False,
    ) -> float | None:
        value = self._get(data, key, where, required)
        if value is None:
            return None
        kind = int if whole else (int, float)
        if isinstance(value, bool) or not isinstance(value, kind):
            noun = "a whole number" if whole else "a number"
            self.problem(f"{where}.{key}", f"must be {noun}, got {value!r}")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.problem(f"{where}.{key}", f"must be a finite number, got {value!r}")
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            self.problem(f"{where}.{key}", f"must be from {low:g} to {high:g}, got {_shown(value)}")
            return None
        return value

    def day(
        self, data: Mapping[str, Any], key: str, where: str, *, required: bool = False
    ) -> str | None:
        value = self._get(data, key, where, required)
        if value is None:
            return None
        if isinstance(value, datetime) or not isinstance(value, date):
            self.problem(
                f"{where}.{key}", f"must be a date written as YYYY-MM-DD, got {_quoted(value)}"
            )
            return None
        if not EARLIEST <= value <= self.latest:
            self.problem(
                f"{where}.{key}",
                f"must be from {EARLIEST.isoformat()} to {self.latest.isoformat()} (a year "
                f"from today), got {value.isoformat()}",
            )
            return None
        return value.isoformat()

    def texts(self, data: Mapping[str, Any], key: str, where: str) -> list[str]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.problem(f"{where}.{key}", "must be a list of non-empty texts")
            return []
        if len(value) > MAX_ROWS or any(len(v) > MAX_TEXT for v in value):
            self.problem(
                f"{where}.{key}",
                f"must have at most {MAX_ROWS:,} texts of at most {MAX_TEXT:,} characters",
            )
            return []
        return [v.strip() for v in value]

    def one_of(self, value: str | None, allowed: Sequence[str], where: str) -> None:
        """A problem when ``value`` is given but is not one of ``allowed``."""
        if value is not None and value not in allowed:
            self.problem(where, f"must be one of {', '.join(allowed)}, got {value!r}")


def _quoted(value: Any) -> str:
    """A value as a problem quotes it: never more than 60 characters of it."""
    if isinstance(value, int) and not isinstance(value, bool):
        return _shown(value)
    text = repr(value) if not isinstance(value, list | dict) else type(value).__name__
    return text if len(text) <= 60 else text[:57] + "..."


def _shown(value: float) -> str:
    """A number as a message quotes it; an integer too large for a float is not spelt out."""
    if isinstance(value, int) and abs(value) >= 10**30:
        digits = int(value.bit_length() * 0.30103) + 1  # log10(2): never str() a huge int
        return f"a number of about {digits} digits"
    return str(value) if isinstance(value, int) else f"{value:g}"
