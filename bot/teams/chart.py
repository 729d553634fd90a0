"""The monitoring chart as a Teams message: an Adaptive Card with the PNG inline.

Teams has no file upload for bots in channels (the Bot Connector's attachment upload is
not supported there, and files need SharePoint through Microsoft Graph), so the chart
travels inside the message, as a ``data:`` URL in the card's ``Image`` element, which
Adaptive Cards support from version 1.2. A message must stay under Teams' 28 KB, so
the PNG is re-encoded to fit: first with a palette (a chart of a few flat colours
loses nothing visible at 64 colours, and shrinks to about a quarter), then, if that is
not enough, smaller. The full-size chart is always available from
``yos-bot report --format png``.
"""

from __future__ import annotations

import base64
import io
from typing import Any

from PIL import Image

from bot.render.cards import (
    CARD_VERSION,
    CONTENT_TYPE,
    ENVELOPE_HEADROOM,
    MAX_ACTIVITY_BYTES,
    MAX_SUMMARY,
    SCHEMA_URL,
    clip,
    escape,
    markdown,
    size,
    subtle,
    text_block,
)

TOO_BIG = (
    "The chart is too detailed to show in a Teams message; "
    "`yos-bot report --format png` writes it in full."
)
# Palette sizes tried at full size, then at smaller scales; the last resort is no image.
PALETTES = (None, 128, 64, 32)
SCALES = (0.85, 0.7, 0.55, 0.45)
MIN_WIDTH = 320


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def shrink(png: bytes, budget: int) -> bytes | None:
    """``png`` re-encoded so that its data URL takes at most ``budget`` bytes, or None."""
    if len(data_url(png)) <= budget:
        return png
    original = Image.open(io.BytesIO(png)).convert("RGB")
    for scale in (1.0, *SCALES):
        width = round(original.width * scale)
        if width < MIN_WIDTH:
            break
        image = (
            original
            if scale == 1.0
            else original.resize((width, round(original.height * scale)), Image.Resampling.LANCZOS)
        )
        for colours in PALETTES if scale == 1.0 else (32,):
            candidate = image if colours is None else image.quantize(colours)
            buffer = io.BytesIO()
            candidate.save(buffer, "PNG", optimize=True)
            encoded = buffer.getvalue()
            if len(data_url(encoded)) <= budget:
                return encoded
    return None


def chart_activity(png: bytes, title: str | None, comment: str | None) -> dict[str, Any]:
    """A message activity with the chart as an Adaptive Card, under Teams' size limit."""
    heading = title or "Monitoring chart"
    body: list[dict[str, Any]] = [
        text_block(markdown(heading, 400), size="Medium", weight="Bolder", id="title")
    ]
    if comment and comment.strip():
        body.append(text_block(markdown(comment, 1_000), id="comment"))
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA_URL,
        "version": CARD_VERSION,
        "body": body,
    }
    activity: dict[str, Any] = {
        "type": "message",
        "text": escape(clip(f"Chart: {' '.join(heading.split())}", 1_000)),
        "summary": escape(clip(" ".join(heading.split()), MAX_SUMMARY)),
        "attachments": [{"contentType": CONTENT_TYPE, "content": card}],
    }
    image: dict[str, Any] = {
        "type": "Image",
        "url": "",
        "altText": clip(" ".join(heading.split()), 400),
        "size": "Stretch",
    }
    budget = MAX_ACTIVITY_BYTES - ENVELOPE_HEADROOM - size({**card, "body": [*body, image]})
    budget -= size(activity) - size(card)
    fitted = shrink(png, budget)
    if fitted is None:
        body.append(subtle(escape(TOO_BIG)))
    else:
        image["url"] = data_url(fitted)
        body.append(image)
    return activity
