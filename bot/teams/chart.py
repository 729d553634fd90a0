"""The monitoring chart as a Teams message: an Adaptive Card with the chart's ``Image``.

Teams shows a card's image from an HTTPS address, fetched by the Teams client (or
Microsoft's image proxy) without signing in; ``data:`` URLs are documented for
Adaptive Cards but do not render in every Teams client (desktop and web among them).
So, with TEAMS_PUBLIC_URL set, the bot serves each chart itself, from the host that
already serves ``/api/messages``, at ``/charts/<token>.png`` (:class:`ChartStore`):

* the token is a random ID (144 bits) for the PNG file, the time it stops working and
  an HMAC-SHA256 of the two, under a key derived from the bot's client secret: it
  cannot be guessed or altered, names nothing about what the chart shows, and stops
  working after TEAMS_CHART_DAYS (a wrong or expired token is answered 404);
* the PNG is kept in ``teams-charts/`` beside the store (owner-only), and deleted once
  every address of it has expired.

Without TEAMS_PUBLIC_URL (a warning at start says so) the chart travels inside the
message as a ``data:`` URL, re-encoded to keep the message under Teams' 28 KB: first
with a palette (a chart of a few flat colours loses nothing visible at 64 colours),
then, if that is not enough, smaller. The full-size chart is always available from
``yos-bot report --format png``.

Teams also documents native chart elements for Adaptive Cards (``Chart.Line``,
``Chart.VerticalBar``…), but they are Teams extensions outside the Adaptive Card 1.5
schema every card here is checked against, and they cannot draw the monitoring chart's
target line and window: the picture is the same one the board paper and Slack show.
"""

from __future__ import annotations

import base64
import hmac
import io
import os
import re
import secrets
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image

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
# Palette sizes tried at full size, then at smaller scales; the last resort is no image.
PALETTES = (None, 128, 64, 32)
# Where charts are served, under the bot's public address.
CHARTS_PATH = "/charts/"
CHART_FOLDER = "teams-charts"
_ID = re.compile(r"[A-Za-z0-9_-]{24}")
_TOKEN = re.compile(r"([A-Za-z0-9_-]{24})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})\.png")
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


class ChartStore:
    """Chart PNGs served at unguessable addresses that expire (see the module's doc)."""

    def __init__(
        self,
        folder: Path,
        public_url: str,
        secret: str,
        *,
        lifetime_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.folder = folder
        self.base = f"{public_url.rstrip('/')}{CHARTS_PATH}"
        self._key = hmac.new(secret.encode(), b"yos-bot teams chart addresses", "sha256").digest()
        self.lifetime = lifetime_seconds
        self.clock = clock

    def _sign(self, ident: str, expires: int) -> str:
        digest = hmac.new(self._key, f"{ident}.{expires}".encode(), "sha256").digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def publish(self, png: bytes) -> str:
        """Keep ``png`` and return its address (blocking: it writes a file)."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.purge()
        ident = secrets.token_urlsafe(18)
        handle, temporary = tempfile.mkstemp(prefix=".chart-", suffix=".tmp", dir=self.folder)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(png)
            os.chmod(temporary, 0o600)
            os.replace(temporary, self.folder / f"{ident}.png")
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        expires = int(self.clock() + self.lifetime)
        return f"{self.base}{ident}.{expires}.{self._sign(ident, expires)}.png"

    def open(self, token: str) -> bytes | None:
        """The PNG that ``token`` (the address's last part) names, if it is genuine and
        has not expired; None otherwise (blocking: it reads a file)."""
        found = _TOKEN.fullmatch(token)
        if found is None:
            return None
        ident, expires, signature = found.groups()
        if not hmac.compare_digest(signature, self._sign(ident, int(expires))):
            return None
        if int(expires) <= self.clock():
            return None
        try:
            return (self.folder / f"{ident}.png").read_bytes()
        except OSError:
            return None

    def purge(self) -> int:
        """Delete the charts whose every address has expired; how many went."""
        oldest = self.clock() - self.lifetime - 60
        gone = 0
        try:
            entries = list(os.scandir(self.folder))
        except OSError:
            return 0
        for entry in entries:
            name = entry.name
            if not (name.endswith(".png") and _ID.fullmatch(name[:-4])):
                continue
            try:
                if entry.stat().st_mtime < oldest:
                    os.unlink(entry.path)
                    gone += 1
            except OSError:
                continue
        return gone


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
