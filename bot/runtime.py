"""Wiring shared by every front end: open the store, load the bundled data, build the
application."""

from __future__ import annotations

from datetime import date

import sqlite_utils

from bot.app import Application, Policy
from bot.app.policy import Directory
from bot.commands import Context
from bot.config import Settings
from bot.domain.queries import InspectionQueries
from bot.reply import Person
from bot.store import StorePool, migrate, open_db
from bot.store.deliveries import prune_deliveries
from bot.store.loader import LoadReport, bundled_files, load_files


def prepare_store(settings: Settings) -> tuple[sqlite_utils.Database, LoadReport | None]:
    """Open the store, bring its schema up to date and load the bundled data when empty."""
    db = open_db(settings.db_path)
    migrate(db)
    prune_deliveries(db)
    report = None
    if db.table("inspections").count == 0:
        files = bundled_files(settings.data_dir)
        if files:
            report = load_files(db, files)
    return db, report


def today(settings: Settings) -> date:
    return settings.today or date.today()


def application(
    settings: Settings, store: StorePool, directory: Directory | None = None
) -> Application:
    return Application(
        store,
        Policy(settings.auditors, directory, notes_visible_to=settings.notes_visible_to),
        service=settings.service,
        today=settings.today,
    )


def make_context(
    db: sqlite_utils.Database,
    settings: Settings,
    *,
    via: str,
    user: Person | None = None,
    conversation: str | None = None,
) -> Context:
    """A context for the trusted local front ends (console, command line, tests)."""
    return Context(
        queries=InspectionQueries(db, settings.service),
        today=today(settings),
        user=user or Person(),
        conversation=conversation,
        via=via,
    )
