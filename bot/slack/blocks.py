"""Block Kit messages from a Reply, within Slack's limits.

Every piece of text that reaches mrkdwn passes through :func:`escape`, so
``<!channel>`` or a disguised link typed by a user (or stored in a data file) is
shown as typed and never acted on.
"""

from __future__ import annotations

import json
import re
from typing import Any

from bot.reply import Action, Field, Person, Reply, Section

Block = dict[str, Any]

# Slack's published limits.
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_TEXT = 2000
MAX_BUTTON_VALUE = 2000
# Slack refuses a message whose text adds up to much more than this (msg_blocks_too_long);
# stay well under it.
MAX_MESSAGE_TEXT = 11_000

# Button action IDs, one per kind of Reply action.
ACTION_IDS = {
    "share": "share_reply",
    "audit_form": "open_audit_form",
    "post_report": "post_report",
    "action_form": "open_action_form",
    "progress_form": "open_progress_form",
}
SHARE_ACTION = ACTION_IDS["share"]
SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": text}


def section(text: str) -> Block:
    return {"type": "section", "text": mrkdwn(clip(text, MAX_SECTION_TEXT))}


def context(text: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(clip(text, MAX_CONTEXT_TEXT))]}


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": clip(text, MAX_HEADER_TEXT)}}


def divider() -> Block:
    return {"type": "divider"}


def fallback_text(reply: Reply) -> str:
    """The plain ``text`` every message carries for notifications and old clients: the
    headline, led by the title unless the headline already begins with it."""
    text = reply.headline
    if not text.startswith(reply.title):
        text = f"{reply.title}: {text}"
    return clip(escape(text), 3000)


def _field_blocks(fields: tuple[Field, ...]) -> list[Block]:
    blocks = []
    for start in range(0, len(fields), MAX_FIELDS):
        chunk = fields[start : start + MAX_FIELDS]
        blocks.append(
            {
                "type": "section",
                "fields": [
                    mrkdwn(clip(f"*{escape(f.label)}*\n{escape(f.value)}", MAX_FIELD_TEXT))
                    for f in chunk
                ],
            }
        )
    return blocks


def _item_blocks(items: tuple[str, ...], heading: str | None) -> list[Block]:
    """Bulleted lines, split across sections so none passes the section text limit."""
    blocks: list[Block] = []
    lines = [f"*{escape(heading)}*"] if heading else []
    for item in items:
        line = clip(f"• {escape(item)}", MAX_SECTION_TEXT - 10)
        if lines and len("\n".join([*lines, line])) > MAX_SECTION_TEXT:
            blocks.append(section("\n".join(lines)))
            lines = []
        lines.append(line)
    if lines:
        blocks.append(section("\n".join(lines)))
    return blocks


def section_blocks(part: Section) -> list[Block]:
    blocks: list[Block] = []
    heading = part.heading
    if part.text:
        body = escape(part.text)
        if part.quote:
            body = "\n".join(f">{line}" for line in body.splitlines())
        if heading:
            body = f"*{escape(heading)}*\n{body}"
            heading = None
        blocks.append(section(body))
    if part.items:
        blocks.extend(_item_blocks(part.items, heading))
        heading = None
    if part.fields:
        if heading:
            blocks.append(section(f"*{escape(heading)}*"))
        blocks.extend(_field_blocks(part.fields))
    return blocks


def reply_blocks(
    reply: Reply,
    *,
    interactive: bool = False,
    max_blocks: int = MAX_MESSAGE_BLOCKS,
) -> list[Block]:
    """The blocks of one message (or view, with ``max_blocks``). ``interactive`` adds the
    reply's actions as buttons (not on a message everyone sees, such as a shared one)."""
    blocks: list[Block] = [header(reply.title), section(escape(reply.headline))]
    for part in reply.sections:
        if part.heading and len(blocks) > 2:
            blocks.append(divider())
        blocks.extend(section_blocks(part))
    footer: list[Block] = []
    notes = []
    if reply.source:
        notes.append(escape(reply.source))
    if reply.recorded_by:
        notes.append(f"Recorded by {person(reply.recorded_by)}")
    if reply.shared_by:
        notes.append(f"Shared by {person(reply.shared_by)}")
    if notes:
        footer.append(context(" · ".join(notes)))
    if interactive and reply.actions:
        footer.append({"type": "actions", "elements": buttons(reply.actions[:25])})
    return fit(blocks, footer, max_blocks)


def buttons(actions: tuple[Action, ...]) -> list[Block]:
    """The buttons of one actions block: a kind repeated (a progress button per action) has
    its action ID numbered, as Slack wants each unique in the block (listeners match the
    ID with or without the number)."""
    found: list[Block] = []
    seen: dict[str, int] = {}
    for action in actions:
        element = button(action)
        kind = str(element["action_id"])
        if seen.get(kind):
            element["action_id"] = f"{kind}:{seen[kind]}"
        seen[kind] = seen.get(kind, 0) + 1
        found.append(element)
    return found


def button(action: Action) -> Block:
    """A button carrying the action's neutral payload, never a command to re-run."""
    element: Block = {
        "type": "button",
        "action_id": ACTION_IDS[action.kind.value],
        "text": {"type": "plain_text", "text": clip(action.label, 75)},
        "value": clip(json.dumps(dict(action.payload), ensure_ascii=False), MAX_BUTTON_VALUE),
    }
    if action.primary:
        element["style"] = "primary"
    return element


def person(who: Person) -> str:
    """A Slack user is mentioned by ID; anyone else is shown by name, as text."""
    if who.platform == "slack" and who.id and SLACK_USER_ID.fullmatch(who.id):
        return f"<@{who.id}>"
    return escape(who.label)


def fit(blocks: list[Block], footer: list[Block], max_blocks: int) -> list[Block]:
    """Keep within the block and text limits, saying so when something was left out."""
    room = max_blocks - len(footer)
    trimmed = False
    if len(blocks) > room:
        blocks = blocks[: room - 1]
        trimmed = True
    while blocks and text_size(blocks + footer) > MAX_MESSAGE_TEXT:
        blocks = blocks[:-1]
        trimmed = True
    if trimmed:
        blocks.append(context("_Some of this answer was left out to fit in one message._"))
    return blocks + footer


def text_size(blocks: list[Block]) -> int:
    """Characters of text across blocks, as Slack counts towards its message limit."""
    total = 0
    for block in blocks:
        if "text" in block and isinstance(block["text"], dict):
            total += len(block["text"].get("text", ""))
        for item in block.get("fields", []) + block.get("elements", []):
            if isinstance(item, dict):
                text = item.get("text")
                total += len(text) if isinstance(text, str) else len((text or {}).get("text", ""))
    return total


def message(reply: Reply, **options: Any) -> dict[str, Any]:
    """``text`` plus ``blocks``, ready for chat.postMessage, ack() or respond()."""
    return {"text": fallback_text(reply), "blocks": reply_blocks(reply, **options)}
