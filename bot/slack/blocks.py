"""Block Kit messages from a Reply, within Slack's limits.

Blocks are built with slack_sdk's own models and turned into JSON with ``to_dict()``
(which checks Block Kit's length limits) just before they are fitted into one message.

Every piece of text that reaches mrkdwn passes through :func:`escape`, so
``<!channel>`` or a disguised link typed by a user (or stored in a data file) is
shown as typed and never acted on.
"""

from __future__ import annotations

import json
import re
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.mentions import shown
from bot.reply import Action, Field, Person, Reply, Section

# A block as sent to Slack: a model's to_dict().
BlockJson = dict[str, Any]

# Slack's published limits.
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_TEXT = 2000
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_BUTTONS = 25
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
SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,20}")
TRIMMED_NOTE = "_Some of this answer was left out to fit in one message._"


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters (after
    writing any neutral mention as the name it stands for)."""
    return shown(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def mrkdwn(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=text)


def section(text: str) -> SectionBlock:
    return SectionBlock(text=mrkdwn(clip(text, MAX_SECTION_TEXT)))


def context(text: str) -> ContextBlock:
    return ContextBlock(elements=[mrkdwn(clip(text, MAX_CONTEXT_TEXT))])


def header(text: str) -> HeaderBlock:
    # A PlainTextObject of our own: a bare string would gain "emoji": true.
    return HeaderBlock(text=PlainTextObject(text=clip(text, MAX_HEADER_TEXT)))


def fallback_text(reply: Reply) -> str:
    """The plain ``text`` every message carries for notifications and old clients: the
    headline, led by the title unless the headline already begins with it."""
    text = reply.headline
    if not text.startswith(reply.title):
        text = f"{reply.title}: {text}"
    return clip(escape(text), 3000)


def _field_blocks(fields: tuple[Field, ...]) -> list[SectionBlock]:
    return [
        SectionBlock(
            fields=[
                mrkdwn(clip(f"*{escape(f.label)}*\n{escape(f.value)}", MAX_FIELD_TEXT))
                for f in fields[start : start + MAX_FIELDS]
            ]
        )
        for start in range(0, len(fields), MAX_FIELDS)
    ]


def _item_blocks(items: tuple[str, ...], heading: str | None) -> list[SectionBlock]:
    """Bulleted lines, split across sections so none passes the section text limit."""
    blocks: list[SectionBlock] = []
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


def section_blocks(part: Section) -> list[SectionBlock]:
    blocks: list[SectionBlock] = []
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
) -> list[BlockJson]:
    """The blocks of one message (or view, with ``max_blocks``). ``interactive`` adds the
    reply's actions as buttons (not on a message everyone sees, such as a shared one)."""
    blocks: list[Block] = [header(reply.title), section(escape(reply.headline))]
    for part in reply.sections:
        if part.heading and len(blocks) > 2:
            blocks.append(DividerBlock())
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
        footer.append(ActionsBlock(elements=buttons(reply.actions[:MAX_BUTTONS])))
    return fit(to_json(blocks), to_json(footer), max_blocks)


def buttons(actions: tuple[Action, ...]) -> list[ButtonElement]:
    """The buttons of one actions block: a kind repeated (a progress button per action) has
    its action ID numbered, as Slack wants each unique in the block (listeners match the
    ID with or without the number)."""
    found: list[ButtonElement] = []
    seen: dict[str, int] = {}
    for action in actions:
        kind = ACTION_IDS[action.kind.value]
        count = seen.get(kind, 0)
        seen[kind] = count + 1
        found.append(button(action, f"{kind}:{count}" if count else kind))
    return found


def button(action: Action, action_id: str) -> ButtonElement:
    """A button carrying the action's neutral payload, never a command to re-run."""
    return ButtonElement(
        text=PlainTextObject(text=clip(action.label, MAX_BUTTON_TEXT)),
        action_id=action_id,
        value=clip(json.dumps(dict(action.payload), ensure_ascii=False), MAX_BUTTON_VALUE),
        style="primary" if action.primary else None,
    )


def person(who: Person) -> str:
    """A Slack user is mentioned by ID; anyone else is shown by name, as text."""
    if who.platform == "slack" and who.id and SLACK_USER_ID.fullmatch(who.id):
        return f"<@{who.id}>"
    return escape(who.label)


def to_json(blocks: list[Block]) -> list[BlockJson]:
    """The blocks as Slack's JSON; ``to_dict()`` raises if one breaks a Block Kit limit."""
    return [block.to_dict() for block in blocks]


def fit(blocks: list[BlockJson], footer: list[BlockJson], max_blocks: int) -> list[BlockJson]:
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
        blocks.append(context(TRIMMED_NOTE).to_dict())
    return blocks + footer


def text_size(blocks: list[BlockJson]) -> int:
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
