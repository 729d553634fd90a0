"""The monitoring chart as a Teams message: an Adaptive Card with the chart's ``Image``.

Teams shows a card's image from an HTTPS address, fetched by the Teams client (or
Microsoft's image proxy) without signing in; ``data:`` URLs are documented for
Adaptive Cards but do not render in every Teams client (desktop and web among them).
So, with TEAMS_PUBLIC_URL set, the bot serves each chart itself, from the host that
already serves ``/api/messages``, at ``/charts/<token>.png``: an address that cannot be
guessed and stops working after TEAMS_CHART_DAYS (:class:`bot.app.chart_links.ChartStore`,
keeping the pictures in ``teams-charts/`` beside the store).

Without TEAMS_PUBLIC_URL (a warning at start says so) the chart travels inside the
message as a ``data:`` URL, re-encoded to keep the message under Teams' 28 KB
(:func:`bot.render.png.shrink`). The full-size chart is always available from
``yos-bot report --format png``.

Teams also documents native chart elements for Adaptive Cards (``Chart.Line``,
``Chart.VerticalBar``…), but they are Teams extensions outside the Adaptive Card 1.5
schema every card here is checked against, and they cannot draw the monitoring chart's
target line and window: the picture is the same one the board paper and Slack show.
"""

from __future__ import annotations

from typing import Any

from bot.render.png import data_url, shrink
from bot.teams.cards import (
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
CHART_FOLDER = "teams-charts"


def chart_activity(
    png: bytes, title: str | None, comment: str | None, *, image_url: str | None = None
) -> dict[str, Any]:
    """A message activity with the chart as an Adaptive Card: the image at ``image_url``
    (the bot's own address for it), else inline and shrunk under Teams' size limit."""
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
    if image_url is not None:
        image["url"] = image_url
        body.append(image)
        return activity
    budget = MAX_ACTIVITY_BYTES - ENVELOPE_HEADROOM - size({**card, "body": [*body, image]})
    budget -= size(activity) - size(card)
    fitted = shrink(png, budget)
    if fitted is None:
        body.append(subtle(escape(TOO_BIG)))
    else:
        image["url"] = data_url(fitted)
        body.append(image)
    return activity
