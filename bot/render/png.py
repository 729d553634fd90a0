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
