"""Read-only questions about inspections, answered from the store."""

from __future__ import annotations

import calendar
import difflib
import functools
import json
import weakref
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import sqlite_utils

from bot.domain.model import (
    Band,
    Baseline,
    Inspection,
    Recommendation,
    Scale,
    Service,
    ServiceMatch,
    Theme,
    ThemeMatch,
    TimelineEntry,
)
from bot.domain.wording import date_range
from bot.text import SMALL_WORDS, slugify, words

T = TypeVar("T")
MAX_CACHED = 1024

# Inspection data changes only when a data file is loaded, yet every question reads
# it. Each connection keeps what it read, keyed by SQLite's data_version (bumped by
# other connections' commits) and the connection's own change count, so any write
# anywhere empties the cache and a reply is never stale.
_CACHES: weakref.WeakKeyDictionary[
    sqlite_utils.Database, tuple[tuple[int, int], dict[Any, Any]]
] = weakref.WeakKeyDictionary()


def _cached(method: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(method)
    def wrapper(self: InspectionQueries, *args: Any) -> T:
        key = (method.__name__, *(getattr(a, "id", a) for a in args))
        return self.memo(key, lambda: method(self, *args))

    return wrapper


class NotFound(LookupError):
    """Nothing in the store answers the question (for example, no inspections loaded)."""


def _service(row: dict[str, Any]) -> Service:
    return Service(
        row["id"], row["name"], row["short_name"], row["local_authority"], row["reference"]
    )


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class InspectionQueries:
    def __init__(self, db: sqlite_utils.Database, default_service: str | None = None) -> None:
        self.db = db
        self._default_service = default_service
        self._checked: dict[Any, Any] | None = None
        self._checked_changes = -1

    def memo(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """Remember ``compute()`` under ``key`` until the store changes."""
        cache = self._cache()
        if key not in cache:
            if len(cache) >= MAX_CACHED:
                cache.clear()  # a crude bound: many distinct questions between two writes
            cache[key] = compute()
        return cache[key]

    def _cache(self) -> dict[Any, Any]:
        """This connection's cache, checked for freshness once per InspectionQueries
        and again after this connection writes."""
        conn = self.db.conn
        if self._checked is None or self._checked_changes != conn.total_changes:
            version = (conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes)
            held = _CACHES.get(self.db)
            if held is None or held[0] != version:
                held = (version, {})
                _CACHES[self.db] = held
            self._checked, self._checked_changes = held[1], conn.total_changes
        return self._checked

    # --- services and inspections ------------------------------------------

    @_cached
    def service(self, service_id: str) -> Service:
        row = self._one("SELECT * FROM services WHERE id = ?", [service_id])
        if row is None:
            raise NotFound(f"No service {service_id!r} in the store.")
        return _service(row)

    def default_service_id(self) -> str:
        """YOS_SERVICE when set, otherwise the service of the bundled inspection data."""
        # The cache is shared by every InspectionQueries on this connection, so the key
        # carries the setting this one was made with.
        return self.memo(("default_service_id", self._default_service), self._default_service_id)

    def _default_service_id(self) -> str:
        if self._default_service:
            match = self.match_service(self._default_service, exact_only=True)
            if match.service is not None:
                return match.service.id
            raise NotFound(
                f"YOS_SERVICE names {self._default_service!r}, which is not in the store."
            )
        row = self._one(
            "SELECT service_id FROM inspections WHERE data_file LIKE '%.toml' "
            "ORDER BY published DESC LIMIT 1",
            [],
        )
        if row is None:
            row = self._one(
                "SELECT service_id FROM inspections ORDER BY published DESC LIMIT 1", []
            )
        if row is None:
            raise NotFound("No inspections are loaded yet. Run `yos-bot load data/*.toml`.")
        return row["service_id"]

    @_cached
    def services(self) -> list[Service]:
        return [_service(r) for r in self.db.query("SELECT * FROM services ORDER BY name")]

    def match_service(self, text: str, *, exact_only: bool = False) -> ServiceMatch:
        """Find a service by id, name, short name or reference; then by prefix, part or
        spelling, with the candidates when more than one fits."""
        wanted = " ".join(text.lower().split())
        if not wanted:
            return ServiceMatch(None)
        services = self.services()
        exact = [s for s in services if wanted in s.names or slugify(wanted) == s.id]
        if len(exact) == 1:
            return ServiceMatch(exact[0])
        if exact_only:
            return ServiceMatch(None, candidates=tuple(exact))
        for fits in (
            [s for s in services if any(n.startswith(wanted) for n in s.names)],
            [s for s in services if any(wanted in n for n in s.names)],
        ):
            if len(fits) == 1:
                return ServiceMatch(fits[0])
            if fits:
                return ServiceMatch(None, candidates=tuple(fits[:10]))
        by_name = {s.name.lower(): s for s in services}
        close = difflib.get_close_matches(wanted, list(by_name), n=3, cutoff=0.6)
        return ServiceMatch(None, suggestions=tuple(by_name[n] for n in close))

    @_cached
    def channel_service(self, channel_id: str | None) -> str | None:
        """The service a channel chose with `use`, if any."""
        if not channel_id:
            return None
        row = self._one(
            "SELECT service_id FROM channel_settings WHERE channel_id = ?", [channel_id]
        )
        return row["service_id"] if row else None

    @_cached
    def latest_by_framework(self, framework_id: str) -> list[Inspection]:
        """Each service's latest inspection under one framework."""
        rows = self.db.query(
            "SELECT * FROM inspections i WHERE framework_id = ? AND published = "
            "(SELECT max(published) FROM inspections j WHERE j.service_id = i.service_id "
            "AND j.framework_id = i.framework_id) ORDER BY i.id",
            [framework_id],
        )
        return [self._inspection(r) for r in rows]

    @_cached
    def latest_inspection(self, service_id: str | None = None) -> Inspection:
        service_id = service_id or self.default_service_id()
        row = self._one(
            "SELECT * FROM inspections WHERE service_id = ? ORDER BY published DESC LIMIT 1",
            [service_id],
        )
        if row is None:
            raise NotFound(f"No inspection of {service_id} is in the store.")
        return self._inspection(row)

    @_cached
    def all_inspections(self) -> list[Inspection]:
        rows = self.db.query("SELECT * FROM inspections ORDER BY published, id")
        return [self._inspection(r) for r in rows]

    def _inspection(self, row: dict[str, Any]) -> Inspection:
        return Inspection(
            id=row["id"],
            service=self.service(row["service_id"]),
            scale=self.scale(row["framework_id"]),
            inspectorate=row["inspectorate"],
            programme=row["programme"],
            programme_short=row["programme_short"],
            fieldwork_start=row["fieldwork_start"],
            fieldwork_end=row["fieldwork_end"],
            published=row["published"],
            overall_score=row["overall_score"],
            score_min=row["score_min"],
            score_max=row["score_max"],
            overall_points=row["overall_points"],
            overall_rating=row["overall_rating"],
            summary_quote=row["summary_quote"],
            scope=row["scope"],
            method=row["method"],
            previous_inspection=row["previous_inspection"],
            outcome=row["outcome"],
            comparison=row["comparison"],
            bands_note=row["bands_note"],
            report_url=row["report_url"],
            source=row["source"],
            published_score=row.get("published_score"),
            quality_note=row.get("quality_note"),
        )

    # --- rating scales ------------------------------------------------------

    @_cached
    def scale(self, framework_id: str) -> Scale:
        row = self._one("SELECT * FROM frameworks WHERE id = ?", [framework_id])
        if row is None:
            raise NotFound(f"No framework {framework_id!r} in the store.")
        bands = tuple(
            Band(
                applies_to=b["applies_to"],
                label=b["label"],
                lower=b["lower"],
                upper=b["upper"],
                value=b["value"],
                unit=row["unit"],
                measure=row["measure"],
            )
            for b in self.db.query(
                "SELECT * FROM rating_bands WHERE framework_id = ? ORDER BY position",
                [framework_id],
            )
        )
        return Scale(
            framework_id=row["id"],
            name=row["name"],
            period=row["period"],
            measure=row["measure"],
            unit=row["unit"],
            max_points=row["max_points"],
            description=row["description"],
            bands=bands,
        )

    @_cached
    def scales(self) -> list[Scale]:
        return [self.scale(r["id"]) for r in self.db.query("SELECT id FROM frameworks ORDER BY id")]

    # --- themes ---------------------------------------------------------------

    @_cached
    def themes(self, inspection: Inspection) -> list[Theme]:
        rows = self.db.query(
            "SELECT * FROM themes WHERE inspection_id = ? ORDER BY position", [inspection.id]
        )
        return [self._theme(inspection.scale, r) for r in rows]

    @staticmethod
    def _theme(scale: Scale, row: dict[str, Any]) -> Theme:
        if row["rating"]:
            band = scale.band_named(row["rating"], "standard") or scale.band_named(
                row["rating"], "score"
            )
        else:
            band = scale.band_for(row["score"], "score")
        return Theme(
            slug=row["slug"],
            name=row["name"],
            score=row["score"],
            rating=row["rating"] or (band.label if band else None),
            band=band,
            position=row["position"],
        )

    def find_theme(self, inspection: Inspection, query: str) -> ThemeMatch:
        """Find a theme by slug, full name, or a unique word or prefix of either."""
        themes = self.themes(inspection)
        wanted_slug = slugify(query)
        wanted_words = [w for w in words(query) if w not in SMALL_WORDS]
        if not wanted_words:
            return ThemeMatch(None, suggestions=tuple(themes))
        for theme in themes:
            if wanted_slug == theme.slug or query.strip().lower() == theme.name.lower():
                return ThemeMatch(theme)
        by_prefix = [t for t in themes if (t.slug + "-").startswith(wanted_slug + "-")]
        if len(by_prefix) == 1:
            return ThemeMatch(by_prefix[0])

        def covers(theme: Theme) -> bool:
            theme_words = theme.slug.split("-")
            return all(any(tw.startswith(w) for tw in theme_words) for w in wanted_words)

        covering = [t for t in themes if covers(t)]
        if len(covering) == 1:
            return ThemeMatch(covering[0])
        if covering:
            return ThemeMatch(None, candidates=tuple(covering))
        close = difflib.get_close_matches(wanted_slug, [t.slug for t in themes], n=3, cutoff=0.5)
        by_slug = {t.slug: t for t in themes}
        return ThemeMatch(None, suggestions=tuple(by_slug[slug] for slug in close))

    def theme_in_text(self, inspection: Inspection, text: str) -> Theme | None:
        """The theme a sentence mentions ("how did we score on protecting the public?").

        A theme counts only when the sentence uses a word that no other theme has
        ("public", not "protecting"); when two themes fit equally it returns None,
        so the caller asks rather than guesses.
        """
        said = set(words(text)) - SMALL_WORDS
        themes = self.themes(inspection)
        fits: list[tuple[int, Theme]] = []
        for theme in themes:
            own = theme.slug.split("-")
            others = {w for t in themes if t is not theme for w in t.slug.split("-")}
            if any(w in said and w not in others for w in own):
                fits.append((sum(w in said for w in own), theme))
        fits.sort(key=lambda fit: fit[0], reverse=True)
        if not fits or (len(fits) > 1 and fits[0][0] == fits[1][0]):
            return None
        return fits[0][1]

    # --- strengths, recommendations, timeline ---------------------------------

    @_cached
    def strengths(self, inspection: Inspection) -> list[str]:
        return [
            r["text"]
            for r in self.db.query(
                "SELECT text FROM strengths WHERE inspection_id = ? ORDER BY position",
                [inspection.id],
            )
        ]

    @_cached
    def recommendations(self, inspection: Inspection) -> list[Recommendation]:
        rows = self.db.query(
            "SELECT * FROM recommendations WHERE inspection_id = ? ORDER BY position",
            [inspection.id],
        )
        return [self._recommendation(r, inspection.scale) for r in rows]

    @_cached
    def recommendation(self, inspection: Inspection, ref: str) -> Recommendation | None:
        wanted = ref.strip().upper()
        if wanted.isdigit():
            wanted = f"R{int(wanted)}"
        row = self._one(
            "SELECT * FROM recommendations WHERE inspection_id = ? AND ref = ?",
            [inspection.id, wanted],
        )
        return self._recommendation(row, inspection.scale) if row else None

    @_cached
    def recommendation_by_id(self, rec_id: str) -> Recommendation | None:
        row = self._one("SELECT * FROM recommendations WHERE id = ?", [rec_id])
        if row is None:
            return None
        inspection = self._one(
            "SELECT framework_id FROM inspections WHERE id = ?", [row["inspection_id"]]
        )
        return self._recommendation(row, self.scale(inspection["framework_id"]))

    def _recommendation(self, row: dict[str, Any], scale: Scale) -> Recommendation:
        baselines = tuple(
            Baseline(b["label"], b["score"])
            for b in self.db.query(
                "SELECT label, score FROM baselines WHERE recommendation_id = ? ORDER BY position",
                [row["id"]],
            )
        )
        start = date.fromisoformat(row["monitor_start"]) if row["monitor_start"] else None
        months = row["monitor_months"]
        return Recommendation(
            id=row["id"],
            inspection_id=row["inspection_id"],
            ref=row["ref"],
            text=row["text"],
            context=row["context"],
            response=row["response"],
            baseline_note=row["baseline_note"],
            baselines=baselines,
            monitored_by=row["monitored_by"],
            monitor_months=months,
            monitor_start=start,
            monitor_means=tuple(json.loads(row["monitor_means"] or "[]")),
            report_to=row["report_to"],
            target=row["target"] if row["target"] is not None else scale.good_threshold,
            window_end=add_months(start, months) if start and months else None,
        )

    @_cached
    def timeline(self, inspection: Inspection) -> list[TimelineEntry]:
        """Fieldwork, publication, governance events and monitoring windows, in date order."""
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
        for row in self.db.query(
            "SELECT * FROM governance_events WHERE inspection_id = ? ORDER BY position",
            [inspection.id],
        ):
            entries.append(
                TimelineEntry(
                    date.fromisoformat(row["date"]),
                    row["title"],
                    row["body"],
                    row["detail"],
                    kind=row["kind"],
                )
            )
        for rec in self.recommendations(inspection):
            if rec.window_end:
                entries.append(
                    TimelineEntry(
                        rec.window_end,
                        f"{rec.ref} monitoring window ends; results due to {rec.report_to}"
                        if rec.report_to
                        else f"{rec.ref} monitoring window ends",
                        rec.monitored_by,
                        kind="monitoring-window-end",
                    )
                )
        return sorted(entries, key=lambda e: e.date)

    # --- helpers ----------------------------------------------------------------

    def _one(self, sql: str, params: list[Any]) -> dict[str, Any] | None:
        return next(iter(self.db.query(sql, params)), None)
