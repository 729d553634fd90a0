from __future__ import annotations

import atexit
import gc
import hashlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from bot.commands import Context, dispatch
from bot.config import PROJECT_ROOT, Settings, settings_from
from bot.render.text import render_text
from bot.reply import Reply
from bot.runtime import make_context, prepare_store
from bot.store.db import Store
from tests import launch

DATA_DIR = PROJECT_ROOT / "data"
# A day inside R1's monitoring window, so replies that depend on "today" are stable.
IN_WINDOW = date(2014, 2, 20)


def wait_until(condition: Callable[[], object], seconds: float) -> None:
    """Poll ``condition`` until it holds; fail the test after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_from({"YOS_DB": str(tmp_path / "yos.db"), "YOS_TODAY": IN_WINDOW.isoformat()})


@pytest.fixture(scope="session")
def bundled_store(tmp_path_factory) -> Path:
    """The bundled data loaded once per test process by the real loader: a store of its
    own for each test is then a copy of this file, not another load (about 0.1 s each)."""
    path = tmp_path_factory.mktemp("bundled") / "yos.db"
    store, _ = prepare_store(
        settings_from({"YOS_DB": str(path), "YOS_TODAY": IN_WINDOW.isoformat()})
    )
    store.close()
    assert not path.with_name("yos.db-wal").exists(), "the copy must hold everything"
    return path


# Stores loaded once per test process from a data folder other than the bundled one,
# by the folder's contents (the national-table tests each copy the same TOML files).
_loaded_from: dict[tuple[tuple[str, str], ...], Path] = {}


def prepare_from_bundled(settings: Settings, bundled_store: Path) -> Store:
    """``prepare_store(settings)``, from a copy of a store already loaded from the same data
    when the store is new: the same store, without loading it again. The bundled data's
    store is the session's; another folder's is loaded by the real loader on first use."""
    if settings.db_path.exists():
        return prepare_store(settings)[0]
    template = bundled_store if settings.data_dir == DATA_DIR else _template(settings)
    shutil.copy(template, settings.db_path)  # with its mode: 0600, as the bot makes it
    store, _ = prepare_store(settings)
    # A copy is another store: its own data generation, as a store loaded afresh has,
    # so no answer remembered for one test's store is ever taken for another's.
    store.execute("UPDATE store_generation SET token = random() WHERE id = 1")
    return store


def bundled_store_at(path: Path, bundled_store: Path) -> None:
    """A new store at ``path`` as a first start leaves it, the bundled data loaded: for the
    command-line tests, which would otherwise load it again in every test."""
    prepare_from_bundled(settings_from({"YOS_DB": str(path)}), bundled_store).close()


def _template(settings: Settings) -> Path:
    contents = tuple(
        sorted(
            (path.name, hashlib.sha256(path.read_bytes()).hexdigest())
            for path in settings.data_dir.iterdir()
            if path.is_file()
        )
    )
    if contents not in _loaded_from:
        path = Path(tempfile.mkdtemp(prefix="yos-template-")) / "yos.db"
        elsewhere = replace(settings, core=settings.core.model_copy(update={"db_path": path}))
        store, _ = prepare_store(elsewhere)
        store.close()
        _loaded_from[contents] = path
    return _loaded_from[contents]


@pytest.fixture
def db(settings: Settings, bundled_store: Path):
    store = prepare_from_bundled(settings, bundled_store)
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


# --- Slack: the fake Web API and the served app -------------------------------------


@pytest.fixture(scope="session")
def fake_slack():
    from tests.fake_slack import FakeSlack

    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture
def slack(fake_slack):
    """The fake Web API, with a clean record of calls for this test."""
    fake_slack.reset()
    return fake_slack


def start_served(fake_slack, folder: Path, **env: str):
    from tests.slack_requests import ServedApp

    return ServedApp(folder / "yos.db", fake_slack.api_url, **env).start()


@pytest.fixture(scope="module")
def served(fake_slack, tmp_path_factory):
    """``yos-bot serve`` running for this module, with an empty store to begin with."""
    app = start_served(
        fake_slack, tmp_path_factory.mktemp("served"), YOS_TODAY=IN_WINDOW.isoformat()
    )
    yield app
    app.stop()


# --- Teams: local fakes of Microsoft's services (tests/teams_fakes.py) --------------------


@pytest.fixture(scope="session")
def teams_fakes(tmp_path_factory):
    """FakeLogin (HTTPS, its own CA), FakeConnector and FakeOpenID, for the session; each
    module serves its own ``yos-bot teams`` against them (tests/teams_served.py)."""
    from tests.teams_served import TeamsFakes

    fakes = TeamsFakes(tmp_path_factory.mktemp("teams-fakes")).start()
    yield fakes
    fakes.stop()


# --- one fork server for the run -------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    """Where tests are handed out to workers, start one fork server (tests/forkserver.py)
    for them all, now, and start the workers themselves from it (tests/forked_worker.py)
    rather than as new interpreters: xdist has not started them yet."""
    handing_out = config.getoption("numprocesses", None) and not hasattr(config, "workerinput")
    if handing_out and launch.SHARED not in os.environ:
        os.environ[launch.SHARED] = launch.start_server(wait=False)
        forked = f"popen//python={sys.executable} -m tests.forked_worker"
        config.option.tx = [forked if spec == "popen" else spec for spec in config.option.tx]


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collecting imported (the bot, the SDKs, the test modules) lives to the end of
    the run: the collections that follow skip it."""
    gc.freeze()


def pytest_unconfigure(config: pytest.Config) -> None:
    """A worker leaves as soon as its run is over, without tearing down what it imported
    (the SDKs, matplotlib, the bot): that takes a second or more per worker, and the run
    is not over until the last has gone. Its results are with the controller by then."""
    if hasattr(config, "workerinput"):
        atexit.register(_leave_now)


def _leave_now() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


# --- order: the files that start servers first ------------------------------------------


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the files that serve Teams first, then those that serve Slack, then the rest,
    each file's tests in their own order. ``make test`` hands out whole files
    (``--dist loadfile``): the longest, started first, then end while the short ones are
    still being handed out, rather than after them on one core with the other idle."""

    def rank(item: pytest.Item) -> int:
        names = set(getattr(item, "fixturenames", ()))
        return 0 if "teams_fakes" in names else 1 if "fake_slack" in names else 2

    def file_of(item: pytest.Item) -> str:
        return item.nodeid.split("::")[0]

    ranks: dict[str, int] = {}
    for item in items:
        ranks[file_of(item)] = min(ranks.get(file_of(item), 2), rank(item))
    items.sort(key=lambda item: ranks[file_of(item)])
