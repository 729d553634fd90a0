"""A PNG made small enough to travel inside a message as a ``data:`` URL.

First with a palette (a chart of a few flat colours loses nothing visible at 64
colours), then, if that is not enough, smaller; never narrower than :data:`MIN_WIDTH`.
"""

from __future__ import annotations

import base64
import io

from PIL import Image

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
    for colours in PALETTES:
        encoded = _within(original if colours is None else original.quantize(colours), budget)
        if encoded is not None:
            return encoded
    # Smaller copies take the full-size picture's fewest colours, rather than each finding
    # its own: a hundred times quicker, and no larger.
    fewest = original.quantize(PALETTES[-1])
    for scale in SCALES:
        width = round(original.width * scale)
        if width < MIN_WIDTH:
            break
        smaller = original.resize((width, round(original.height * scale)), Image.Resampling.LANCZOS)
        encoded = _within(smaller.quantize(palette=fewest, dither=Image.Dither.NONE), budget)
        if encoded is not None:
            return encoded
    return None


# Pillow's smallest encoding (``optimize``) takes some five times as long as its default,
# and saves some 5%: it is tried only on a picture that the default brings close.
OPTIMISING_SAVES_AT_MOST = 1.25


def _within(image: Image.Image, budget: int) -> bytes | None:
    """``image`` as a PNG whose data URL fits ``budget``, or None."""
    quick = _png(image)
    size = len(data_url(quick))
    if size <= budget:
        return quick
    if size > budget * OPTIMISING_SAVES_AT_MOST:
        return None
    smallest = _png(image, optimize=True)
    return smallest if len(data_url(smallest)) <= budget else None


def _png(image: Image.Image, **options: bool) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", **options)
    return buffer.getvalue()
