"""Where a service stands among the others in the store, and a channel's chosen service.

Only like is ranked with like: services inspected under a points framework (the 2018+
standards) are ranked by their whole points; a service whose published row is
questionable is shown with its flag and never ranked, nor used as anyone's neighbour;
services level on points share a rank and are "level with" each other, never above.
A percentage from an earlier programme is never ranked against points.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from bot.domain.inspections.model import Inspection, Scale
from bot.domain.inspections.queries import InspectionQueries, Placing
from bot.store import channels
from bot.store.db import Store


def rankable(placing: Placing) -> bool:
    """Whether a service's latest inspection under a points framework can be ranked by
    points: rated in whole points, its published row not questionable."""
    return placing.points is not None and not placing.quality_note


def _by_name(placing: Placing) -> tuple[str, str]:
    return placing.service_name, placing.inspection_id


def _points(placing: Placing) -> int:
    return placing.points or 0


@dataclass(frozen=True)
class Peers:
    """The latest inspections of every service under one points framework, read light:
    ``ranked`` the rankable ones best first (level ones by name), ``flagged`` those shown
    with their flag and not ranked, by name."""

    scale: Scale
    ranked: tuple[Placing, ...]
    flagged: tuple[Placing, ...]


def peers(queries: InspectionQueries, framework_id: str) -> Peers:
    placings = queries.latest_placings(framework_id)  # most points first, then by name
    return Peers(
        queries.scale(framework_id),
        tuple(p for p in placings if rankable(p)),
        tuple(sorted((p for p in placings if not rankable(p)), key=_by_name)),
    )


@dataclass(frozen=True)
class Standing:
    """One inspection among the latest inspections of every service under its framework
    (the inspection itself is among the ranked or the flagged).

    Worked out from the light placings: the inspections of those listed are read by
    whoever shows them (``hydrated``).
    """

    inspection: Inspection
    peers: Peers

    @property
    def ranked(self) -> tuple[Placing, ...]:
        return self.peers.ranked

    @property
    def flagged(self) -> tuple[Placing, ...]:
        return self.peers.flagged

    @property
    def points(self) -> int:
        return self.inspection.overall_points or 0

    @cached_property
    def _level_span(self) -> tuple[int, int]:
        return level_span(self.ranked, self.points)

    @property
    def is_ranked(self) -> bool:
        # Ranked, it is among those on its points.
        start, end = self._level_span
        return any(p.inspection_id == self.inspection.id for p in self.ranked[start:end])

    @property
    def rank(self) -> int:
        """1 for the best; services on equal points share a rank."""
        return 1 + self._level_span[0]

    @property
    def level(self) -> list[Placing]:
        """The other ranked services on the same points, by name."""
        start, end = self._level_span
        return [p for p in self.ranked[start:end] if p.inspection_id != self.inspection.id]

    @property
    def percentile(self) -> int:
        """Percentile rank (see ``PERCENTILE_RULE``): services below, plus half of those
        level (itself included), out of all ranked; at least 1."""
        below = len(self.ranked) - self._level_span[1]
        level = len(self.level) + 1
        return max(1, round(100 * (below + 0.5 * level) / len(self.ranked)))

    @property
    def distribution(self) -> list[tuple[str, int]]:
        """How many ranked services have each overall rating, best first."""
        return distribution(self.peers.scale, self.ranked)

    def neighbours(self, at_least: int = 2) -> tuple[list[Level], list[Level]]:
        """The ranked services just above and just below on points (never those level
        with it), a whole level of points at a time, nearest first: on each side, levels
        until at least ``at_least`` services are taken. Services level with each other are
        never split, so none is left out by name."""
        start, end = self._level_span
        above: list[Level] = []
        while start > 0 and sum(len(level.placings) for level in above) < at_least:
            points = _points(self.ranked[start - 1])
            first, last = level_span(self.ranked, points)
            above.append(Level(points, self.ranked[first:last]))
            start = first
        below: list[Level] = []
        while end < len(self.ranked) and sum(len(level.placings) for level in below) < at_least:
            points = _points(self.ranked[end])
            after = level_span(self.ranked, points)[1]
            below.append(Level(points, self.ranked[end:after]))
            end = after
        return above, below


# How a percentile is worked out, said once wherever one is shown.
PERCENTILE_RULE = (
    "The percentile is the share of the ranked services with fewer points, counting half "
    "of those on the same points (the service itself included)."
)


@dataclass(frozen=True)
class Level:
    """Ranked services on the same points, by name."""

    points: int
    placings: tuple[Placing, ...]


def level_span(ranked: Sequence[Placing], points: int) -> tuple[int, int]:
    """Where the services on ``points`` begin and end in ``ranked`` (best first): how many
    have more points, and how many have as many or more. Two searches, not a pass over
    every service."""

    def fewer_first(placing: Placing) -> int:
        return -_points(placing)

    start = bisect.bisect_left(ranked, -points, key=fewer_first)
    return start, bisect.bisect_right(ranked, -points, lo=start, key=fewer_first)


def distribution(scale: Scale, ranked: Sequence[Placing]) -> list[tuple[str, int]]:
    """How many of ``ranked`` have each overall rating of ``scale``."""
    counts: Counter[str] = Counter()
    # One band look-up for each number of points, not for each service.
    for points, services in Counter(p.points for p in ranked).items():
        if (band := scale.band_for(points, "overall")) is not None:
            counts[band.label] += services
    return [(b.label, counts.get(b.label, 0)) for b in scale.of("overall")]


def standing(queries: InspectionQueries, inspection: Inspection) -> Standing:
    return Standing(inspection, peers(queries, inspection.scale.framework_id))


def hydrated(queries: InspectionQueries, *shown: Sequence[Placing]) -> list[list[Inspection]]:
    """The inspections of each list of placings a reply shows, read in one go."""
    found = queries.inspections_by_id([p.inspection_id for placings in shown for p in placings])
    return [[found[p.inspection_id] for p in placings] for placings in shown]


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
    channels.set_service(db, channel_id, service_id, user)
