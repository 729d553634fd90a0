"""Checking messages against Block Kit and Slack's limits with slack_sdk's own models."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block

from bot.slack.blocks import text_size


def assert_valid_blocks(blocks: list[dict[str, Any]], *, limit: int = 50) -> None:
    assert 0 < len(blocks) <= limit, f"{len(blocks)} blocks (limit {limit})"
    for raw in blocks:
        parsed = Block.parse(raw)
        assert parsed is not None, raw
        assert parsed.to_dict() == raw  # to_dict() validates every length limit
        if raw["type"] == "header":
            assert len(raw["text"]["text"]) <= 150
        if raw["type"] == "section":
            if "text" in raw:
                assert len(raw["text"]["text"]) <= 3000
            assert len(raw.get("fields", [])) <= 10
            assert all(len(f["text"]) <= 2000 for f in raw.get("fields", []))
    assert text_size(blocks) < 12_000


def assert_valid_message(message: dict[str, Any], *, limit: int = 50) -> None:
    assert message.get("text"), "every message needs a plain text fallback"
    assert_valid_blocks(message["blocks"], limit=limit)


def all_text(blocks: list[dict[str, Any]]) -> str:
    """Every piece of text in the blocks, in order, for content assertions."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                out.append(node["text"])
            for value in node.values():
                if isinstance(value, dict | list):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(out)
