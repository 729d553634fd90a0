"""The structure shows the design: layers import downwards only, and shared caches stay honest."""

from __future__ import annotations

import ast
import sys
from functools import cache
from itertools import combinations
from pathlib import Path

from bot.config import PROJECT_ROOT
from bot.domain.queries import InspectionQueries
from bot.store.loader import load_files

BOT = PROJECT_ROOT / "bot"
# Top to bottom: each may import those below it, never those above.
LAYERS = ("bot.app", "bot.commands", "bot.domain", "bot.store")


# --- the import graph ----------------------------------------------------------------


def _module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, wherever the import is (functions, TYPE_CHECKING)."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


@cache  # read once for the module's tests: the files do not change while they run
def _graph() -> dict[str, set[str]]:
    return {_module_name(path): _imports(path) for path in sorted(BOT.rglob("*.py"))}


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _edges(graph: dict[str, set[str]], importer: str, imported: str) -> list[str]:
    return sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        if _within(module, importer)
        for target in targets
        if _within(target, imported)
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


def test_text_normalisation_is_the_bottom_and_imports_only_the_standard_library():
    imported = _imports(BOT / "text.py")
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
