"""The monitoring chart: audit results over time against the target and the baselines.

It draws a neutral :class:`~bot.reply.ChartSpec`, so it knows nothing of the store.
matplotlib is imported here and only here, on first use, so starting the bot and
answering ordinary questions never pay for it. Text from data is drawn literally:
matplotlib's mathtext would otherwise read ``$...$`` in a service's name as a formula.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import TYPE_CHECKING

from bot.reply import ChartSeries, ChartSpec

if TYPE_CHECKING:
    from matplotlib.axes import Axes

WIDTH_PX, HEIGHT_PX, DPI = 1000, 560, 100
COLOURS = ("#1d3c5a", "#c0392b", "#27ae60", "#8e44ad", "#d35400")
MARKERS = {"counted": "o", "replaced": "x", "outside": "s"}


def literal(text: str) -> str:
    """Text matplotlib shows as typed: a dollar sign never starts mathtext."""
    return text.replace("$", r"\$")


def render_chart(spec: ChartSpec) -> bytes:
    """A PNG of WIDTH_PX x HEIGHT_PX: one line per series, with its reference lines,
    monitoring window and period boundaries."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import DateFormatter
    from matplotlib.figure import Figure

    # A bare Figure, not pyplot: no global state, safe in a threaded server.
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    lowest = 100.0
    for index, series in enumerate(spec.series):
        colour = COLOURS[index % len(COLOURS)]
        lowest = min(lowest, _draw_series(axes, series, colour))
    if not any(series.points for series in spec.series):
        axes.text(
            0.5,
            0.5,
            literal(spec.empty_message),
            transform=axes.transAxes,
            ha="center",
            va="center",
            fontsize=12,
            color="#666666",
        )
    axes.set_ylim(max(0, lowest - 15), 102)
    axes.set_ylabel(literal(spec.y_label))
    axes.xaxis.set_major_formatter(DateFormatter("%d %b %Y"))  # type: ignore[no-untyped-call]
    axes.grid(True, axis="y", alpha=0.3)
    axes.set_title(literal(spec.title), loc="left", fontsize=11)
    if axes.get_legend_handles_labels()[0]:
        axes.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _x(day: date) -> float:
    """matplotlib's number for a day, so the axis is typed as the library declares it."""
    from matplotlib.dates import date2num

    return float(date2num(day))  # type: ignore[no-untyped-call]


def _draw_series(axes: Axes, series: ChartSeries, colour: str) -> float:
    """Draw one recommendation's results and lines; returns the lowest value drawn."""
    counted = [p for p in series.points if p.kind == "counted"]
    if counted:
        axes.plot(
            [_x(p.day) for p in counted],
            [p.value for p in counted],
            marker="o",
            linewidth=2,
            color=colour,
            label=literal(f"{series.name}: counted audits"),
        )
        for point in counted:
            axes.annotate(
                f"{point.value:.0f}%",
                (_x(point.day), point.value),
                textcoords="offset points",
                xytext=(0, 8),
                ha="center",
                fontsize=9,
                color=colour,
            )
    for kind in ("replaced", "outside"):
        others = [p for p in series.points if p.kind == kind]
        if others:
            axes.scatter(
                [_x(p.day) for p in others],
                [p.value for p in others],
                marker=MARKERS[kind],
                color=colour,
                alpha=0.5,
                label=literal(f"{series.name}: {kind} audits"),
            )
    _draw_lines(axes, series, colour)
    if series.window:
        start, end = series.window
        axes.axvspan(
            _x(start), _x(end), color=colour, alpha=0.06, label=literal(f"{series.name}: window")
        )
        axes.set_xlim(_x(start - timedelta(days=7)), _x(end + timedelta(days=7)))
    for boundary in series.period_starts[1:]:
        axes.axvline(_x(boundary), color="#999999", linewidth=0.6, alpha=0.5)
    return min([100.0, *(p.value for p in series.points), *(line.value for line in series.lines)])


def _draw_lines(axes: Axes, series: ChartSeries, colour: str) -> None:
    for offset, line in enumerate(series.lines):
        style = "--" if line.kind == "target" else ":"
        axes.axhline(line.value, color=colour, linestyle=style, linewidth=1, alpha=0.8)
        # Labels on the lines, staggered, so a baseline equal to the target stays legible.
        axes.annotate(
            literal(line.label),
            xy=(1.0, line.value),
            xycoords=("axes fraction", "data"),
            xytext=(-4, 3 - 11 * offset),
            textcoords="offset points",
            ha="right",
            fontsize=8,
            color=colour,
        )
