"""Where a service stands among the others in the store, and a channel's chosen service.

Only like is ranked with like: services inspected under a points framework (the 2018+
standards) are ranked by their whole points; a service whose published row is
questionable is shown with its flag and never ranked, nor used as anyone's neighbour;
services level on points share a rank and are "level with" each other, never above.
A percentage from an earlier programme is never ranked against points.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.domain.model import Inspection
from bot.domain.queries import InspectionQueries
from bot.store.db import Store, write_transaction


def rankable(inspection: Inspection) -> bool:
    """Whether an inspection can be ranked by points: rated in whole points under a
    points framework, its published row not questionable."""
    return (
        inspection.scale.measure == "points"
        and inspection.overall_points is not None
        and not inspection.quality_note
    )


def _points(inspection: Inspection) -> int:
    return inspection.overall_points or 0


@dataclass(frozen=True)
class Standing:
    """One inspection among the latest inspections of every service under its framework.

    ``ranked`` holds the rankable ones, best first; ``flagged`` those shown with their
    flag and not ranked. The inspection itself is in one of the two.
    """

    inspection: Inspection
    ranked: tuple[Inspection, ...]
    flagged: tuple[Inspection, ...]

    @property
    def is_ranked(self) -> bool:
        return any(i.id == self.inspection.id for i in self.ranked)

    @property
    def points(self) -> int:
        return _points(self.inspection)

    @property
    def rank(self) -> int:
        """1 for the best; services on equal points share a rank."""
        return 1 + sum(1 for other in self.ranked if _points(other) > self.points)

    @property
    def level(self) -> list[Inspection]:
        """The other ranked services on the same points, by name."""
        return [i for i in self.ranked if _points(i) == self.points and i.id != self.inspection.id]

    @property
    def percentile(self) -> int:
        """Percentile rank: services below, plus half of those level (itself included),
        out of all ranked; at least 1."""
        below = sum(1 for other in self.ranked if _points(other) < self.points)
        level = len(self.level) + 1
        return max(1, round(100 * (below + 0.5 * level) / len(self.ranked)))

    @property
    def distribution(self) -> list[tuple[str, int]]:
        """How many ranked services have each overall rating, best first."""
        return distribution(self.inspection, self.ranked)

    def neighbours(self, each_side: int = 2) -> tuple[list[Inspection], list[Inspection]]:
        """The ranked services just above and just below on points (never those level),
        nearest first."""
        above = [i for i in self.ranked if _points(i) > self.points]
        below = [i for i in self.ranked if _points(i) < self.points]
        return list(reversed(above))[:each_side], below[:each_side]


def distribution(inspection: Inspection, ranked: tuple[Inspection, ...]) -> list[tuple[str, int]]:
    """How many of ``ranked`` have each overall rating of ``inspection``'s scale."""
    counts = Counter(
        band.label
        for i in ranked
        if (band := i.scale.band_for(i.overall_points, "overall")) is not None
    )
    return [(b.label, counts.get(b.label, 0)) for b in inspection.scale.of("overall")]


def peers(
    queries: InspectionQueries, framework_id: str
) -> tuple[tuple[Inspection, ...], tuple[Inspection, ...]]:
    """Each service's latest inspection under a points framework: the rankable ones best
    first (level ones by name), then the flagged ones by name."""
    latest = queries.latest_by_framework(framework_id)
    ranked = sorted((i for i in latest if rankable(i)), key=lambda i: (-_points(i), i.service.name))
    flagged = sorted((i for i in latest if not rankable(i)), key=lambda i: i.service.name)
    return tuple(ranked), tuple(flagged)


def standing(queries: InspectionQueries, inspection: Inspection) -> Standing:
    ranked, flagged = peers(queries, inspection.scale.framework_id)
    return Standing(inspection, ranked, flagged)


def points_frameworks(queries: InspectionQueries) -> list[str]:
    """The frameworks whose services are ranked by points."""
    return [s.framework_id for s in queries.scales() if s.measure == "points"]


def same_programme(queries: InspectionQueries, inspection: Inspection) -> list[Inspection]:
    """Other services' inspections of the same programme, for percentage comparisons."""
    return [
        i
        for i in queries.latest_by_framework(inspection.scale.framework_id)
        if i.programme == inspection.programme and i.service.id != inspection.service.id
    ]


def set_channel_service(db: Store, channel_id: str, service_id: str, user: str | None) -> None:
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
