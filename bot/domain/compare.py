"""Where a service stands among the others in the store, and a channel's chosen service."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlite_utils

from bot.domain.model import Inspection
from bot.domain.queries import InspectionQueries
from bot.store.db import write_transaction


@dataclass(frozen=True)
class Standing:
    """One inspection among the latest inspections of every service under its framework."""

    inspection: Inspection
    ranked: tuple[Inspection, ...]  # best first

    @property
    def points(self) -> float:
        return self.inspection.points or 0.0

    @property
    def rank(self) -> int:
        """1 for the best; services on equal points share a rank."""
        return 1 + sum(1 for other in self.ranked if (other.points or 0) > self.points)

    @property
    def tied(self) -> int:
        return sum(1 for other in self.ranked if (other.points or 0) == self.points) - 1

    @property
    def percentile(self) -> int:
        """Percentile rank: services below, plus half of those level, out of all."""
        below = sum(1 for other in self.ranked if (other.points or 0) < self.points)
        return round(100 * (below + 0.5 * (self.tied + 1)) / len(self.ranked))

    @property
    def distribution(self) -> list[tuple[str, int]]:
        """How many services have each overall rating, in the scale's order, best first."""
        counts = Counter(i.rating_label for i in self.ranked)
        labels = [b.label for b in self.inspection.scale.of("overall")]
        return [(label, counts.get(label, 0)) for label in labels]

    def neighbours(self, each_side: int = 2) -> tuple[list[Inspection], list[Inspection]]:
        """The services just above and just below (by points), nearest first."""
        others = [i for i in self.ranked if i.id != self.inspection.id]
        above = [i for i in others if (i.points or 0) >= self.points]
        below = [i for i in others if (i.points or 0) < self.points]
        return list(reversed(above))[:each_side], below[:each_side]


def standing(queries: InspectionQueries, inspection: Inspection) -> Standing:
    peers = queries.latest_by_framework(inspection.scale.framework_id)
    ranked = sorted(peers, key=lambda i: (-(i.points or 0), i.service.name))
    return Standing(inspection, tuple(ranked))


def same_programme(queries: InspectionQueries, inspection: Inspection) -> list[Inspection]:
    """Other services' inspections of the same programme, for percentage comparisons."""
    return [
        i
        for i in queries.latest_by_framework(inspection.scale.framework_id)
        if i.programme == inspection.programme and i.service.id != inspection.service.id
    ]


def set_channel_service(
    db: sqlite_utils.Database, channel_id: str, service_id: str, user: str | None
) -> None:
    with write_transaction(db):
        db.table("channel_settings").upsert(
            {
                "channel_id": channel_id,
                "service_id": service_id,
                "set_by": user,
                "set_at": datetime.now(UTC).isoformat(timespec="seconds"),
            },
            pk="channel_id",
        )
