"""`make lint` fails when the layering breaks: the import contracts are shown to bite.

A scratch copy of the package is given the imports that would break the design, and
import-linter (as `make lint` runs it) must report every one of them. A contract that
stays KEPT whatever is imported would pass `make lint` for ever and protect nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from bot.config import PROJECT_ROOT

# (file, the import written into it, the edge import-linter must report)
VIOLATIONS = (
    # A platform's renderer below the adapters.
    ("bot/domain/monitoring/audits.py", "import bot.slack.blocks", "bot.slack.blocks"),
    ("bot/app/core.py", "import bot.teams.cards", "bot.teams.cards"),
    # The store reaching up for settings and replies.
    ("bot/store/db.py", "import bot.config", "bot.config"),
    ("bot/store/db.py", "import bot.reply", "bot.reply"),
    # A platform SDK in the neutral text helpers.
    ("bot/text.py", "import slack_sdk", "slack_sdk"),
    # An adapter skipping the application layer.
    ("bot/slack/app.py", "import bot.store.outbox", "bot.store.outbox"),
    ("bot/teams/handlers.py", "import bot.commands.audits", "bot.commands.audits"),
)


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    lint = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(lint), "--no-cache"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_violating_import_breaks_a_contract(tmp_path: Path) -> None:
    copy = tmp_path / "project"
    shutil.copytree(
        PROJECT_ROOT / "bot", copy / "bot", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(PROJECT_ROOT / "pyproject.toml", copy / "pyproject.toml")
    for relative, line, _ in VIOLATIONS:
        path = copy / relative
        assert path.exists(), f"{relative} has moved: update VIOLATIONS"
        path.write_text(path.read_text() + f"\n{line}  # noqa\n")

    result = _lint_imports(copy)

    assert result.returncode != 0, result.stdout
    report = result.stdout
    assert "BROKEN" in report
    module_of = {
        relative: relative.removesuffix(".py").replace("/", ".") for relative, *_ in VIOLATIONS
    }
    for relative, _, imported in VIOLATIONS:
        assert f"{module_of[relative]} -> {imported}" in report, (relative, imported, report)


def test_the_unchanged_copy_keeps_every_contract(tmp_path: Path) -> None:
    """The same copy without the violations passes: the failures above are theirs."""
    copy = tmp_path / "project"
    shutil.copytree(
        PROJECT_ROOT / "bot", copy / "bot", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(PROJECT_ROOT / "pyproject.toml", copy / "pyproject.toml")
    result = _lint_imports(copy)
    assert result.returncode == 0, result.stdout
