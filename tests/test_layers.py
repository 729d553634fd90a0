"""The layers stay visible: only the Slack adapter knows about Slack."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from tests.source_imports import imports_of, python_files, within

SLACK = ("slack_bolt", "slack_sdk")
TEAMS = ("microsoft_teams", "msal")
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


def _platform_imports(path: Path, sdks: tuple[str, ...], adapter: str) -> list[str]:
    return sorted(
        module
        for module in imports_of(path)
        if module.split(".")[0] in sdks or within(module, adapter)
    )


@pytest.mark.parametrize("part", PLATFORM_NEUTRAL)
def test_no_slack_outside_the_adapter(part):
    target = PROJECT_ROOT / "bot" / part
    files = [target] if target.is_file() else python_files(target)
    assert files
    for path in files:
        slack = _platform_imports(path, SLACK, "bot.slack")
        assert not slack, f"{path.relative_to(PROJECT_ROOT)} imports {slack}"


def test_only_the_teams_adapter_imports_the_teams_sdk_or_msal():
    teams = {
        str(path.relative_to(PROJECT_ROOT)): found
        for path in python_files(PROJECT_ROOT / "bot")
        if not path.is_relative_to(PROJECT_ROOT / "bot" / "teams")
        if (found := [m for m in imports_of(path) if m.split(".")[0] in TEAMS])
    }
    assert teams == {}


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
