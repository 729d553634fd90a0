"""What every `yos-bot` subcommand starts from: the settings, and the store brought up to
date (loaded with the bundled data when new), each failure said in one line."""

from __future__ import annotations

import click

from bot.config import ConfigError, Settings, load_settings
from bot.runtime import prepare_store
from bot.store.db import Store


def settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


def open_store(settings: Settings) -> Store:
    from bot.store.loader import LoadError

    try:
        db, report = prepare_store(settings)
    except LoadError as error:
        raise click.ClickException(f"the bundled data could not be loaded:\n{error}") from None
    if report is not None:
        click.echo(f"Loaded bundled data into {settings.db_path}: {report.describe()}", err=True)
    return db


def prepared() -> tuple[Settings, Store]:
    """The settings and the store, for a subcommand that needs both."""
    found = settings()
    return found, open_store(found)
