from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.commands import Context, dispatch
from bot.config import PROJECT_ROOT, Settings, settings_from
from bot.render.text import render_text
from bot.reply import Reply
from bot.runtime import make_context, prepare_store

DATA_DIR = PROJECT_ROOT / "data"
# A day inside R1's monitoring window, so replies that depend on "today" are stable.
IN_WINDOW = date(2014, 2, 20)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_from({"YOS_DB": str(tmp_path / "yos.db"), "YOS_TODAY": IN_WINDOW.isoformat()})


@pytest.fixture
def db(settings: Settings):
    store, _ = prepare_store(settings)
    yield store
    store.close()


@pytest.fixture
def ctx(db, settings: Settings) -> Context:
    return make_context(db, settings, via="console")


@pytest.fixture
def ask(ctx: Context):
    def answer(text: str) -> Reply:
        return dispatch(text, ctx)

    return answer


@pytest.fixture
def ask_text(ask):
    def answer(text: str) -> str:
        return render_text(ask(text))

    return answer
