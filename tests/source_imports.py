"""What each of the project's source files imports, read from its text rather than by
importing it. The tests of the layering and of the declared dependencies all ask this of
the same files, so each file is parsed once per test process."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from bot.config import PROJECT_ROOT


def module_name(path: Path) -> str:
    """``bot/store/db.py`` → ``bot.store.db``; a package's ``__init__.py`` → the package."""
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache  # the files do not change while the tests run
def imports_of(path: Path) -> frozenset[str]:
    """Every module ``path`` imports, wherever the import is (functions, TYPE_CHECKING),
    relative imports made absolute; a ``from`` import also gives ``module.name`` for each
    name it takes, which may be a submodule (``from bot import slack``)."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in _statements(ast.parse(path.read_text(encoding="utf-8"), str(path)).body):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return frozenset(found)


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement, however deeply nested in others: an import is always one, so the
    expressions (most of a file's nodes) need not be visited."""
    for statement in body:
        yield statement
        for name in ("body", "orelse", "finalbody"):
            inner = getattr(statement, name, None)
            if inner and isinstance(inner[0], ast.stmt):
                yield from _statements(inner)
        for handler in getattr(statement, "handlers", ()):
            yield from _statements(handler.body)
        for case in getattr(statement, "cases", ()):
            yield from _statements(case.body)


def python_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def within(module: str, *packages: str) -> bool:
    """Whether ``module`` is one of ``packages`` or inside one."""
    return any(module == package or module.startswith(package + ".") for package in packages)
