"""Horizontal stacked bars of counts (the board pack's RAG at a glance), from a neutral
:class:`~bot.paper.BarSpec`. matplotlib is imported on first use only."""

from __future__ import annotations

import io
from functools import lru_cache

from bot.paper import BarSpec
from bot.render.chart import literal

WIDTH_PX, HEIGHT_PX, DPI = 1000, 360, 100


@lru_cache(maxsize=4)  # the pack's Word paper and its PNG draw the same picture
def render_bars(spec: BarSpec) -> bytes:
    """A PNG: one bar per row, split by category, each part labelled with its count."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    labels = [literal(label) for label, _ in spec.rows]
    left = [0] * len(spec.rows)
    for n, (name, colour) in enumerate(spec.categories):
        counts = [counts[n] for _, counts in spec.rows]
        if not any(counts):
            continue
        bars = axes.barh(labels, counts, left=left, color=colour, label=literal(name))
        axes.bar_label(
            bars, labels=[str(c) if c else "" for c in counts], label_type="center", color="white"
        )
        left = [a + b for a, b in zip(left, counts, strict=True)]
    axes.invert_yaxis()
    axes.set_xlabel(spec.x_label)
    axes.set_title(literal(spec.title))
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=len(spec.categories))
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, metadata={"Title": spec.title})
    return out.getvalue()
