"""Every package the code imports is one it declares: an import that only works because
another dependency happens to bring it in breaks the day that dependency stops."""

from __future__ import annotations

import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from tests.source_imports import imports_of, python_files

FIRST_PARTY = {"bot", "tests", "bench"}


def imported_top_level_modules(folder: Path) -> dict[str, set[str]]:
    """Each third-party top-level module imported under ``folder``, and the files that do."""
    found: dict[str, set[str]] = {}
    for path in python_files(folder):
        for name in imports_of(path):
            top = name.split(".")[0]
            if top in sys.stdlib_module_names or top in FIRST_PARTY or top == "__future__":
                continue
            found.setdefault(top, set()).add(str(path.relative_to(PROJECT_ROOT)))
    return found


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(*extras: str) -> set[str]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "project"
    ]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    return {canonical(re.match(r"[A-Za-z0-9._-]+", r).group()) for r in requirements}


def undeclared(folder: Path, allowed: set[str]) -> list[str]:
    distributions = packages_distributions()
    problems = []
    for module, files in sorted(imported_top_level_modules(folder).items()):
        providers = {canonical(d) for d in distributions.get(module, [])}
        if not providers & allowed:
            where = ", ".join(sorted(files)[:3])
            problems.append(f"{module} (from {sorted(providers) or 'nothing installed'}): {where}")
    return problems


def test_every_package_the_bot_imports_is_a_declared_dependency():
    assert undeclared(PROJECT_ROOT / "bot", declared()) == []


@pytest.mark.parametrize("folder", ["tests", "bench"])
def test_every_package_the_tests_and_benchmarks_import_is_declared_for_development(folder):
    assert undeclared(PROJECT_ROOT / folder, declared("dev")) == []


def test_the_settings_packages_are_declared():
    assert {"pydantic", "pydantic-settings", "python-dotenv"} <= declared()
