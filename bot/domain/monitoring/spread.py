"""The spread of a recommendation's audit results day by day, for the chart.

When a window holds more audits than the chart can mark one by one, it draws each day's
spread instead: the mean of that day's audits in effect and one standard deviation either
side. Both come from ``audit_counts`` (per recommendation and audit date, kept by triggers),
so the cost is one row per day of the window, however many audits there are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from bot.store.audits import daily_sums
from bot.store.db import Store


@dataclass(frozen=True)
class DaySpread:
    day: date
    count: int  # audits in effect that day
    mean: float
    deviation: float  # population standard deviation (0 for a single audit)

    @property
    def low(self) -> float:
        return max(0.0, self.mean - self.deviation)

    @property
    def high(self) -> float:
        return min(100.0, self.mean + self.deviation)


def daily_spread(db: Store, rec_id: str, start: date, end: date) -> tuple[DaySpread, ...]:
    """Each day from ``start`` to ``end`` that has audits in effect, with their spread."""
    found = []
    for day, count, total, squares in daily_sums(db, rec_id, start, end):
        mean = total / count
        found.append(
            DaySpread(
                date.fromisoformat(day),
                count,
                mean,
                math.sqrt(max(0.0, squares / count - mean * mean)),
            )
        )
    return tuple(found)
