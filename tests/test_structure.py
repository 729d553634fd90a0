"""The structure shows the design: layers import downwards only, and shared caches stay honest."""

from __future__ import annotations

import inspect
import re
import sys
from functools import cache
from itertools import combinations

import pytest

from bot.commands import PrivateContext
from bot.config import PROJECT_ROOT
from bot.domain.inspections.queries import InspectionQueries
from bot.store.loader import load_files
from tests.source_imports import imports_of, module_name, python_files, within

BOT = PROJECT_ROOT / "bot"
# Top to bottom: each may import those below it, never those above.
LAYERS = ("bot.app", "bot.commands", "bot.domain", "bot.store")


# --- the import graph ----------------------------------------------------------------


@cache  # read once for the module's tests: the files do not change while they run
def _graph() -> dict[str, frozenset[str]]:
    return {module_name(path): imports_of(path) for path in python_files(BOT)}


def _edges(graph: dict[str, frozenset[str]], importer: str, imported: str) -> list[str]:
    return sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        if within(module, importer)
        for target in targets
        if within(target, imported)
    )


def test_the_import_graph_is_read_from_the_files():
    graph = _graph()
    assert "bot.store.loader.files" in graph
    assert _edges(graph, "bot.commands", "bot.domain")  # a known downward import


def test_no_cycles_between_the_layers():
    graph = _graph()
    for upper, lower in combinations(LAYERS, 2):
        assert not (_edges(graph, upper, lower) and _edges(graph, lower, upper)), (
            f"{upper} and {lower} import each other"
        )


def test_each_layer_imports_only_those_below_it():
    graph = _graph()
    upward = [
        edge
        for position, lower in enumerate(LAYERS)
        for upper in LAYERS[:position]
        for edge in _edges(graph, lower, upper)
    ]
    assert upward == []


def test_nothing_below_the_application_imports_an_adapter():
    graph = _graph()
    for layer in LAYERS:
        for adapter in ("bot.slack", "bot.teams", "bot.console", "bot.cli", "bot.runtime"):
            assert _edges(graph, layer, adapter) == []


@pytest.mark.parametrize("package", ["bot.domain", "bot.store"])
def test_the_modules_of_the_domain_and_the_store_import_each_other_without_a_cycle(package):
    """Counting imports made inside functions, which would otherwise hide a cycle."""
    graph = _graph()
    inside = {
        module: {t for t in targets if t in graph and within(t, package) and t != module}
        for module, targets in graph.items()
        if within(module, package)
    }

    def reachable(start: str) -> set[str]:
        seen: set[str] = set()
        todo = [start]
        while todo:
            for target in inside.get(todo.pop(), ()):
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        return seen

    cycles = sorted(f"{a} <-> {b}" for a in inside for b in inside[a] if a in reachable(b))
    assert cycles == []


def test_every_sql_statement_is_run_by_the_store():
    """Only bot/store/ runs SQL: everything above asks one of its repositories."""
    running = re.compile(r"\.(execute|executemany|executescript|query)\(")
    outside = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}"
        for path in sorted(BOT.rglob("*.py"))
        if BOT / "store" not in path.parents
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if running.search(line)
    ]
    assert outside == []


def test_only_the_private_context_reaches_the_store_behind_the_inspection_queries():
    """A command handler on a plain context (whose answer may be kept and shown to anyone)
    has the inspection queries but not the store of notes behind them: only
    ``PrivateContext.db`` asks for it, and the domain functions that read evidence take
    the store as an argument."""
    asking = [
        (str(path.relative_to(PROJECT_ROOT)), line.strip())
        for path in sorted(BOT.rglob("*.py"))
        if path != BOT / "domain" / "inspections" / "queries.py"  # where it is defined
        for line in path.read_text().splitlines()
        if "store_behind(" in line or "queries._db" in line or "queries.db" in line
    ]
    assert asking == [("bot/commands/registry.py", "return store_behind(self.queries)")]
    assert asking[0][1] in inspect.getsource(PrivateContext)  # in PrivateContext.db


def test_text_normalisation_is_the_bottom_and_imports_only_the_standard_library():
    imported = imports_of(BOT / "text.py")
    assert imported
    assert {name.split(".")[0] for name in imported} <= set(sys.stdlib_module_names)


# --- the cache shared by readers on one connection -------------------------------------

OTHERTON = """
[[services]]
id = "otherton"
name = "Otherton Youth Offending Service"

[[inspections]]
id = "otherton-sqs-2012"
service = "otherton"
framework = "hmip-case-assessment-2009"
programme = "Short Quality Screening"
published = 2012-06-01
overall_score = 70
"""


def test_two_readers_on_one_connection_each_get_their_own_default_service(db, tmp_path):
    other = tmp_path / "otherton.toml"
    other.write_text(OTHERTON)
    load_files(db, [other])
    bundled = InspectionQueries(db)
    chosen = InspectionQueries(db, default_service="Otherton Youth Offending Service")

    # The first answer is cached on the connection; the second reader must not get it.
    assert bundled.latest_inspection().id == "stockton-on-tees-sqs-2013"
    assert chosen.latest_inspection().id == "otherton-sqs-2012"
    assert bundled.latest_inspection().id == "stockton-on-tees-sqs-2013"
    # Named services are the same answer for both, whatever their defaults.
    assert chosen.latest_inspection("stockton-on-tees").id == "stockton-on-tees-sqs-2013"
    assert bundled.latest_inspection("otherton").id == "otherton-sqs-2012"


def test_a_reader_made_later_does_not_see_an_earlier_readers_default(db, tmp_path):
    other = tmp_path / "otherton.toml"
    other.write_text(OTHERTON)
    load_files(db, [other])

    assert InspectionQueries(db, "otherton").latest_inspection().id == "otherton-sqs-2012"
    assert InspectionQueries(db).latest_inspection().id == "stockton-on-tees-sqs-2013"


# --- one straight path per request --------------------------------------------------------

_RANK = {"slack": 0, "teams": 0, "console": 0, "runtime": 1, "app": 2}
_RANK.update(commands=3, domain=4, store=5)


def _rank(module: str) -> int | None:
    parts = module.split(".")
    return _RANK.get(parts[1]) if len(parts) > 1 and parts[0] == "bot" else None


def test_a_request_goes_down_the_layers_and_never_climbs_back(settings, db):
    """Interpreted once, authorised once, answered: no call goes from a lower layer into a
    higher one (a cache computing through its caller's function, a command asking the
    policy), for questions, a write and a refusal alike."""
    from bot.app import Application, Policy, Request
    from bot.app.requests import CONSOLE
    from bot.reply import Person
    from bot.store import StorePool

    store = StorePool(settings.db_path)
    app = Application(store, Policy(("U0AUDITOR",)))
    auditor, reader = Person("U0AUDITOR", "Ann"), Person("U0READER", "Rob")
    asked = [
        (auditor, "score protecting-public"),
        (auditor, "what is the latest summary"),
        (auditor, "rec R1"),
        (auditor, "compare West Mercia"),
        (auditor, "audit R1 17/20 12/02/2014"),
        (reader, "audit R1 18/20 13/02/2014"),
        (reader, "plan"),
    ]
    climbs: list[str] = []

    def watch(frame, event, _arg):
        if event != "call" or frame.f_back is None:
            return
        callee = frame.f_globals.get("__name__", "")
        caller = frame.f_back.f_globals.get("__name__", "")
        below, above = _rank(caller), _rank(callee)
        if below is not None and above is not None and above < below:
            climbs.append(f"{caller} -> {callee}.{frame.f_code.co_name}")

    for number, (who, text) in enumerate(asked):
        sys.setprofile(watch)
        try:
            outcome = app.handle(Request(CONSOLE, text=text, user=who, delivery_id=f"d{number}"))
        finally:
            sys.setprofile(None)
        assert outcome.reply.title  # each was answered
    # A shared answer of a command that can write is worked out with no permission at all.
    sys.setprofile(watch)
    try:
        shared = app.share(
            Request(CONSOLE, user=reader, conversation="C1", delivery_id="s1"), "rec", "R1"
        )
    finally:
        sys.setprofile(None)
    assert shared.reply.title
    assert climbs == []
