"""The layers stay visible: only the Slack adapter knows about Slack."""

from __future__ import annotations

import ast

import pytest

from bot.config import PROJECT_ROOT

SLACK = ("slack_bolt", "slack_sdk")
PLATFORM_NEUTRAL = [
    "app",
    "domain",
    "store",
    "commands",
    "render",
    "reply.py",
    "console.py",
    "export.py",
    "runtime.py",
]


def imported_modules(path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("part", PLATFORM_NEUTRAL)
def test_no_slack_outside_the_adapter(part):
    target = PROJECT_ROOT / "bot" / part
    files = [target] if target.is_file() else sorted(target.rglob("*.py"))
    assert files
    for path in files:
        slack = {
            m
            for m in imported_modules(path)
            if m.split(".")[0] in SLACK or m == "bot.slack" or m.startswith("bot.slack.")
        }
        assert not slack, f"{path.relative_to(PROJECT_ROOT)} imports {sorted(slack)}"


def test_commands_never_tell_a_console_user_about_slack(ask):
    """How a command is typed comes from the platform: none of /yos or Slack leaks out."""
    from bot.commands import default_registry
    from bot.render.text import render_text

    asked = 0
    for name in default_registry().commands:
        for text in (name, f"help {name}", f"{name} nonsense"):
            reply = ask(text)
            shown = render_text(reply)
            if reply.announcement is not None:
                shown += render_text(reply.announcement)
            assert "/yos" not in shown, text
            assert "slack" not in shown.lower(), text
            asked += 1
    assert asked == 3 * len(default_registry().commands)
