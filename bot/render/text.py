"""Plain text for the console and for logs."""

from __future__ import annotations

import textwrap

from bot.mentions import shown
from bot.reply import Reply

WIDTH = 88


def render_text(reply: Reply) -> str:
    lines = [reply.title, "=" * min(len(reply.title), WIDTH), _wrap(reply.headline)]
    for section in reply.sections:
        lines.append("")
        if section.heading:
            lines.append(_wrap(section.heading))
        if section.text:
            prefix = "  > " if section.quote else ""
            lines.append(_wrap(section.text, prefix))
        for item in section.items:
            lines.append(_wrap(item, "  - ", "    "))
        if section.fields:
            width = min(max(len(f.label) for f in section.fields), 40)
            for f in section.fields:
                lines.append(_wrap(f"  {f.label.ljust(width)}  {f.value}", "", " " * (width + 4)))
    if reply.source:
        lines.extend(["", _wrap(reply.source)])
    return shown("\n".join(lines))


def _wrap(text: str, first: str = "", rest: str | None = None) -> str:
    return textwrap.fill(
        text,
        WIDTH,
        initial_indent=first,
        subsequent_indent=rest if rest is not None else first,
        break_on_hyphens=False,
        break_long_words=False,  # keep links whole
    )
