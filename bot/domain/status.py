"""A recommendation's status, derived from the evidence recorded against it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlite_utils

from bot.domain.model import Recommendation
from bot.domain.text import long_date


@dataclass(frozen=True)
class RecStatus:
    label: str
    line: str


def describe_status(db: sqlite_utils.Database, rec: Recommendation, today: date) -> RecStatus:
    window = f"monitoring until {long_date(rec.window_end)}" if rec.window_end else None
    detail = "no audit evidence recorded yet"
    if window and today <= rec.window_end:  # type: ignore[operator]
        detail += f"; {window}"
    return RecStatus("Open", f"Open: {detail}")
