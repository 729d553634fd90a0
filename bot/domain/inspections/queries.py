"""Read-only questions about inspections, answered from the store.

The SQL is the store's (``bot.store.inspections``); turning its rows into records is
``rows``, matching what people typed is ``matching``, and remembering answers until the
store changes is ``cache``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import date
from typing import Any, NamedTuple, TypeVar

from bot.domain.inspections import matching, rows
from bot.domain.inspections.cache import Mark, StoreCache, cached
from bot.domain.inspections.model import (
    DomainRating,
    Inspection,
    KeyQuestion,
    Recommendation,
    Scale,
    Service,
    ServiceMatch,
    Standard,
    Theme,
    ThemeMatch,
    TimelineEntry,
)
from bot.domain.wording import date_range
from bot.store import channels
from bot.store import inspections as stored
from bot.store.db import Store, change_version
from bot.text import plain_words

T = TypeVar("T")


class NotFound(LookupError):
    """Nothing in the store answers the question (for example, no inspections loaded)."""


class Placing(NamedTuple):
    """A service's latest inspection with only what places it among the others' (and the
    service's name): the rest is read for the few a reply shows (``inspections_by_id``)."""

    inspection_id: str
    service_name: str
    points: int | None
    quality_note: str | None
    published: str | None = None  # YYYY-MM-DD


class InspectionQueries:
    """What the published inspection data says, read from the store (and kept, until that
    data changes). The store itself is not handed out: audit evidence and notes are read
    from it only by code given the store explicitly (see :func:`store_behind`)."""

    def __init__(self, db: Store, default_service: str | None = None) -> None:
        self._db = db
        self._default_service = default_service
        self._cache = StoreCache(db)
        self._this_request: dict[Hashable, Any] = {}
        self._request_version: tuple[int, int] | None = None

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Remember ``compute()`` under ``key`` until the inspection data changes.

        The cache is shared by every reader in the process, so ``key`` must carry whatever
        else the answer depends on. An answer whose computation reads audit evidence (see
        ``know_this_request``) is returned but not kept.
        """
        return self._cache.memo(key, compute)

    def kept(self, key: Hashable) -> Any:
        """What :meth:`memo` keeps under ``key`` now, if anything (else ``None``)."""
        return self._cache.kept(key)

    def mark(self) -> Mark:
        """Where reading stands before an answer is worked out (see :meth:`keep`)."""
        return self._cache.mark()

    def keep(self, key: Hashable, value: object, since: Mark) -> None:
        """Keep an answer worked out since ``since`` from inspection data alone, until the
        data changes; one that read anything else meanwhile is not kept."""
        self._cache.keep(key, value, since)

    def known_this_request(self, key: Hashable) -> Any:
        """What :meth:`know_this_request` remembered under ``key`` while the store has not
        changed, if anything (else ``None``)."""
        self._cache.read_elsewhere()
        version = change_version(self._db)
        if version != self._request_version:
            self._this_request.clear()
            self._request_version = version
        return self._this_request.get(key)

    def know_this_request(self, key: Hashable, value: object) -> None:
        """Remember an answer that depends on audit evidence for this reader only (one
        request), until the store changes; it is never kept in the shared cache."""
        self._cache.read_elsewhere()
        self._this_request[key] = value

    # --- services and inspections ------------------------------------------

    @cached
    def service(self, service_id: str) -> Service:
        row = stored.service(self._db, service_id)
        if row is None:
            raise NotFound(f"No service {service_id!r} in the store.")
        return rows.service_of(row)

    def default_service_id(self) -> str:
        """YOS_SERVICE when set, otherwise the service of the bundled inspection data."""
        # The key carries the setting this one was made with (see memo).
        return self.memo(("default_service_id", self._default_service), self._default_service_id)

    def _default_service_id(self) -> str:
        if self._default_service:
            match = self.match_service(self._default_service, exact_only=True)
            if match.service is not None:
                return match.service.id
            raise NotFound(
                f"YOS_SERVICE names {self._default_service!r}, which is not in the store."
            )
        service_id = stored.latest_service_id(self._db)
        if service_id is None:
            raise NotFound("No inspections are loaded yet. Run `yos-bot load data/*.toml`.")
        return service_id

    @cached
    def standards(self, framework_id: str) -> dict[str, Standard]:
        """The framework's standards by the slug their themes carry."""
        return {
            row["key"].replace("_", "-"): Standard(
                row["key"], row["name"], bool(row["counts"]), bool(row["merged"])
            )
            for row in stored.standards(self._db, framework_id)
        }

    @cached
    def domain_ratings(self, inspection_id: str) -> list[DomainRating]:
        return [
            DomainRating(row["name"], row["rating"])
            for row in stored.domains(self._db, inspection_id)
        ]

    @cached
    def key_questions(self, inspection_id: str) -> list[KeyQuestion]:
        return [
            KeyQuestion(row["question"], row["standard"], row["percent"])
            for row in stored.key_questions(self._db, inspection_id)
        ]

    @cached
    def services(self) -> list[Service]:
        # Straight from the rows' values: every service's, each time the index of names
        # is rebuilt (when the inspection data changes).
        return [Service(*row) for row in stored.service_values(self._db)]

    @cached
    def service_index(self) -> matching.ServiceIndex:
        return matching.service_index(self.services())

    def match_service(self, text: str, *, exact_only: bool = False) -> ServiceMatch:
        """Find a service named on its own: by id, name, short name, reference or leading
        words; then by prefix, part or spelling, with the candidates when several fit."""
        return matching.match_service(self.service_index(), text, exact_only=exact_only)

    def service_in_text(self, text: str) -> matching.Mention | None:
        """The service a question names anywhere in it, if any (see ``matching``)."""
        if not plain_words(text):
            return None  # nothing to look for: the index of every service is not needed
        return matching.service_in_text(self.service_index(), text)

    def services_in_text(self, text: str) -> list[matching.Mention]:
        """Every service a question names, in order, never overlapping (see ``matching``)."""
        if not plain_words(text):
            return []
        return matching.services_in_text(self.service_index(), text)

    @cached
    def channel_service(self, channel_id: str | None) -> str | None:
        """The service a channel chose with `use`, if any."""
        if not channel_id:
            return None
        return channels.service_of(self._db, channel_id)

    @cached
    def latest_by_framework(self, framework_id: str) -> list[Inspection]:
        """Each service's latest inspection under one framework: one indexed look-up per
        service, however many inspections each has had."""
        return self._inspections(stored.latest_by_framework(self._db, framework_id))

    @cached
    def latest_placings(self, framework_id: str) -> list[Placing]:
        """Each service's latest inspection under one framework, as ``latest_by_framework``
        finds it, read light: most points first, then by service name (then id)."""
        return list(map(Placing._make, stored.latest_placings(self._db, framework_id)))

    @cached
    def latest_not_in_points(self) -> list[Placing]:
        """Each service's latest inspection (under any framework), when it is not rated in
        points (an earlier programme's percentage), read light: by service name."""
        return list(map(Placing._make, stored.latest_not_in_points(self._db)))

    def inspections_by_id(self, ids: Sequence[str]) -> dict[str, Inspection]:
        """The inspections with these ids, with their services: two queries, however many.

        For the few a reply shows out of a long list; not kept, as each reply asks for
        different ones."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        found = stored.inspections_by_id(self._db, wanted)
        owners = list({row["service_id"]: None for row in found})
        services = {
            row["id"]: rows.service_of(row) for row in stored.services_by_id(self._db, owners)
        }
        return {
            row["id"]: rows.inspection_of(
                row, services[row["service_id"]], self.scale(row["framework_id"])
            )
            for row in found
        }

    def latest_inspection(self, service_id: str | None = None) -> Inspection:
        """The service's latest inspection; without one, the default service's."""
        # Resolved before the cache, whose key must name the service (see memo).
        return self._latest_inspection(service_id or self.default_service_id())

    @cached
    def _latest_inspection(self, service_id: str) -> Inspection:
        row = stored.latest_inspection(self._db, service_id)
        if row is None:
            raise NotFound(f"No inspection of {service_id} is in the store.")
        return self._inspection(row)

    @cached
    def all_inspections(self) -> list[Inspection]:
        return [self._inspection(r) for r in stored.all_inspections(self._db)]

    def _inspections(self, found: Iterable[dict[str, Any]]) -> list[Inspection]:
        """Many inspections, their services read in one query rather than one each."""
        services = {s.id: s for s in self.services()}
        scales: dict[str, Scale] = {}
        return [
            rows.inspection_of(
                row,
                services[row["service_id"]],
                scales.get(row["framework_id"])
                or scales.setdefault(row["framework_id"], self.scale(row["framework_id"])),
            )
            for row in found
        ]

    def _inspection(self, row: dict[str, Any]) -> Inspection:
        return rows.inspection_of(
            row, self.service(row["service_id"]), self.scale(row["framework_id"])
        )

    # --- rating scales ------------------------------------------------------

    @cached
    def scale(self, framework_id: str) -> Scale:
        row = stored.framework(self._db, framework_id)
        if row is None:
            raise NotFound(f"No framework {framework_id!r} in the store.")
        return rows.scale_of(row, stored.bands(self._db, framework_id))

    @cached
    def scales(self) -> list[Scale]:
        return [self.scale(framework_id) for framework_id in stored.framework_ids(self._db)]

    @cached
    def standard_count(self, framework_id: str) -> int:
        """How many standards the framework rates (0 for one scored by themes)."""
        return stored.standard_count(self._db, framework_id)

    # --- themes ---------------------------------------------------------------

    @cached
    def themes(self, inspection: Inspection) -> list[Theme]:
        return [rows.theme_of(inspection.scale, r) for r in stored.themes(self._db, inspection.id)]

    def find_theme(self, inspection: Inspection, query: str) -> ThemeMatch:
        """Find a theme by slug, full name, or a unique word or prefix of either."""
        return matching.find_theme(self.themes(inspection), query)

    def theme_in_text(self, inspection: Inspection, text: str) -> Theme | None:
        """The theme a sentence mentions, if only one fits (see ``matching``)."""
        return matching.theme_in_text(self.themes(inspection), text)

    # --- strengths, recommendations, timeline ---------------------------------

    @cached
    def strengths(self, inspection: Inspection) -> list[str]:
        return stored.strengths(self._db, inspection.id)

    @cached
    def recommendations(self, inspection: Inspection) -> list[Recommendation]:
        found = stored.recommendations(self._db, inspection.id)
        return [self._recommendation(r, inspection.scale) for r in found]

    @cached
    def recommendation(self, inspection: Inspection, ref: str) -> Recommendation | None:
        wanted = ref.strip().upper()
        if wanted.isdecimal():
            if len(wanted) > 6:  # no inspection has a million recommendations
                return None
            wanted = f"R{int(wanted)}"
        row = stored.recommendation(self._db, inspection.id, wanted)
        return self._recommendation(row, inspection.scale) if row else None

    @cached
    def recommendation_by_id(self, rec_id: str) -> Recommendation | None:
        row = stored.recommendation_by_id(self._db, rec_id)
        if row is None:
            return None
        return self._recommendation(row, self.scale(row["_framework_id"]))

    def _recommendation(self, row: dict[str, Any], scale: Scale) -> Recommendation:
        return rows.recommendation_of(row, scale, stored.baselines(self._db, row["id"]))

    @cached
    def timeline(self, inspection: Inspection) -> list[TimelineEntry]:
        """Fieldwork, publication, governance events and monitoring windows, in date order."""
        events = stored.governance_events(self._db, inspection.id)
        entries = [
            *_inspection_dates(inspection),
            *(rows.event_of(row) for row in events),
            *_window_ends(self.recommendations(inspection)),
        ]
        return sorted(entries, key=lambda e: e.date)


def _inspection_dates(inspection: Inspection) -> list[TimelineEntry]:
    """The fieldwork, when the file gives it, and the publication."""
    entries: list[TimelineEntry] = []
    if inspection.fieldwork_start:
        entries.append(
            TimelineEntry(
                date.fromisoformat(inspection.fieldwork_start),
                f"{inspection.programme} fieldwork, "
                f"{date_range(inspection.fieldwork_start, inspection.fieldwork_end)}",
                inspection.inspectorate,
                kind="fieldwork",
            )
        )
    entries.append(
        TimelineEntry(
            date.fromisoformat(inspection.published),
            "Inspection report published",
            inspection.inspectorate,
            kind="published",
        )
    )
    return entries


def _window_ends(recommendations: list[Recommendation]) -> list[TimelineEntry]:
    """The end of each recommendation's monitoring window, and who hears the results."""
    return [
        TimelineEntry(
            rec.window_end,
            f"{rec.ref} monitoring window ends; results due to {rec.report_to}"
            if rec.report_to
            else f"{rec.ref} monitoring window ends",
            rec.monitored_by,
            kind="monitoring-window-end",
        )
        for rec in recommendations
        if rec.window_end
    ]


def store_behind(queries: InspectionQueries) -> Store:
    """The store ``queries`` read. Only the commands' :class:`PrivateContext` asks for it
    (tests/test_structure.py keeps it so): a handler on a plain context, whose answer may
    be kept and shown to anyone, has no way to the notes about children."""
    return queries._db
