"""Wiring shared by every front end: open the store, load the bundled data, build the
application."""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING

from bot.app import Application, Policy
from bot.app.policy import Directory
from bot.app.refusals import WORDING
from bot.commands import Context
from bot.config import Settings
from bot.domain.inspections.queries import InspectionQueries
from bot.domain.plan.rag import RagRule
from bot.reply import Person
from bot.store import StorePool, migrate, open_db
from bot.store.db import Store
from bot.store.inspections import any_inspection

if TYPE_CHECKING:
    from bot.store.loader import LoadReport

logger = logging.getLogger(__name__)


def prepare_store(settings: Settings) -> tuple[Store, LoadReport | None]:
    """Open the store, bring its schema up to date and load the bundled data when empty.
    (Old deliveries and notes past their time are forgotten by the purge every serving
    process runs, not here: a start takes no write lock when there is nothing to do.)"""
    db = open_db(settings.db_path)
    migrate(db)
    report = None
    if not any_inspection(db):
        # Only a new store needs the loader: a serving process usually never imports it.
        from bot.store.loader import bundled_files, load_files

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
        plan_rule=plan_rule(settings),
    )


def plan_rule(settings: Settings) -> RagRule:
    """The improvement plan's RAG thresholds, from the settings."""
    return RagRule(
        settings.rag_due_soon_days, settings.rag_no_progress_days, settings.rag_due_moves
    )


def make_context(
    db: Store,
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
        refusal=WORDING,
        plan_rule=plan_rule(settings),
    )


def prepare_to_serve(
    settings: Settings, *, everyone: str, channel_setting: str, channel: str | None
) -> None:
    """Bring the store up to date before a server starts, and say what is not configured.

    ``everyone`` names who may record when YOS_AUDITORS is empty ("any member of the
    workspace"); ``channel_setting`` names the variable reminders go to on this platform.
    """
    db, report = prepare_store(settings)
    if report is not None:
        logger.info("loaded bundled data into %s: %s", settings.db_path, report.describe())
    db.close()
    if not settings.auditors:
        logger.warning(
            "YOS_AUDITORS is not set: %s may record audit updates and read their notes",
            everyone,
        )
    if not channel:
        logger.info("%s is not set, so no reminders will be sent", channel_setting)
