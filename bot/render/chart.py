"""The monitoring chart: audit results over time against the target and the baselines.

It draws a neutral :class:`~bot.reply.ChartSpec`, so it knows nothing of the store.
matplotlib is imported here and only here, on first use, so starting the bot and
answering ordinary questions never pay for it. Text from data is drawn literally:
matplotlib's mathtext would otherwise read ``$...$`` in a service's name as a formula.

What a board sees: the title (recommendation, status, report date); the monitoring window
shaded and named in the legend; where there are more audits than it can mark, each day's
spread of them as a light band (mean and one standard deviation either side), unannotated;
each monthly period's boundary as a line with its name at the top and its first day as a
tick; the counted audits as a line with their values; the
audits they replaced as hollow circles and those outside the window as grey squares; any
audit entered late (after its period had closed) ringed in orange, named in the legend; the
target as a dashed red line and each baseline as a dotted grey one drawn over it, each
labelled beside the plot (stacked when close), so a baseline equal to the target stays
visible and named.
"""

from __future__ import annotations

import io
import textwrap
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.paper import ChartEvidence, ChartLine, ChartPoint, ChartSeries, ChartSpec

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH_PX, HEIGHT_PX, DPI = 1000, 560, 100
COLOURS = ("#1d3c5a", "#8e44ad", "#27ae60", "#d35400", "#2c7fb8")
TARGET_COLOUR = "#c0392b"
BASELINE_COLOUR = "#555555"
OTHER_COLOUR = "#7f7f7f"
LATE_COLOUR = "#d35400"
# Supervision and each measure: a colour and a marker of their own, never the audits'.
EVIDENCE_STYLES = {
    "supervision": (("#16a085", "D"),),
    "measure": (("#b9770e", "^"), ("#6c3483", "v"), ("#2e4053", "P"), ("#a93226", "X")),
}
MARGIN = timedelta(days=7)
LABEL_GAP = 2.5  # reference lines closer than this (points) have their labels stacked
LABEL_WIDTH = 30  # characters per line of a reference line's label


def literal(text: str) -> str:
    """Text matplotlib shows as typed: a dollar sign never starts mathtext."""
    return text.replace("$", r"\$")


def _percent(value: float) -> str:
    """85%, or 82.5% (as the replies write it)."""
    return f"{value:.0f}%" if float(value).is_integer() else f"{value:.1f}%"


@lru_cache(maxsize=8)  # a paper's Word file and its PNG draw the same chart
def render_chart(spec: ChartSpec) -> bytes:
    """A PNG of WIDTH_PX x HEIGHT_PX (see :func:`draw`)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = draw(spec)
    FigureCanvasAgg(figure)
    out = io.BytesIO()
    # The title and subtitle go into the PNG's text chunks too, for screen readers and
    # for anyone filing the picture without the paper.
    metadata = {"Title": spec.title, "Description": spec.subtitle or "", "Software": "yos-bot"}
    figure.savefig(out, format="png", dpi=DPI, metadata=metadata)
    return out.getvalue()


def draw(spec: ChartSpec) -> Figure:
    """The chart as a matplotlib Figure: one line per series, with its reference lines,
    monitoring window and period boundaries."""
    from matplotlib.dates import DateFormatter
    from matplotlib.figure import Figure

    # A bare Figure, not pyplot: no global state, safe in a threaded server.
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    axes = figure.subplots()
    lowest = 100.0
    several = len(spec.series) > 1
    for index, series in enumerate(spec.series):
        colour = COLOURS[index % len(COLOURS)]
        lowest = min(lowest, _draw_series(axes, series, colour, several))
    audits = any(p.kind == "counted" for series in spec.series for p in series.points)
    others = any(e.points for series in spec.series for e in series.evidence)
    if not audits and others:  # said, but out of the way of the other evidence
        axes.text(
            0.01,
            0.02,
            literal(spec.empty_message),
            transform=axes.transAxes,
            ha="left",
            va="bottom",
            fontsize=9,
            color="#444444",
        )
    elif not audits:
        axes.text(
            0.5,
            0.5,
            literal(spec.empty_message),
            transform=axes.transAxes,
            ha="center",
            va="center",
            fontsize=13,
            color="#444444",
            bbox={"facecolor": "white", "edgecolor": "#cccccc", "boxstyle": "round,pad=0.5"},
        )
    _frame(axes, spec.series)
    axes.set_ylim(max(0, lowest - 15), 108)
    axes.set_ylabel(literal(spec.y_label))
    axes.xaxis.set_major_formatter(DateFormatter("%-d %b %Y"))  # type: ignore[no-untyped-call]
    axes.grid(True, axis="y", alpha=0.3)
    figure.suptitle(literal(spec.title), x=0.01, ha="left", fontsize=11, fontweight="bold")
    if spec.subtitle:
        axes.set_title(literal(spec.subtitle), loc="left", fontsize=9.5, color="#333333")
    if axes.get_legend_handles_labels()[0]:
        axes.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.1),
            ncol=3,
            fontsize=8,
            frameon=False,
        )
    figure.tight_layout()
    return figure


def _x(day: date) -> float:
    """matplotlib's number for a day, so the axis is typed as the library declares it."""
    from matplotlib.dates import date2num

    return float(date2num(day))  # type: ignore[no-untyped-call]


def _frame(axes: Axes, series: tuple[ChartSeries, ...]) -> None:
    """The x range (the windows and every point, with a margin) and a tick per period."""
    days = [d for s in series if s.window for d in s.window]
    days += [p.day for s in series for p in s.points]
    days += [day for s in series for e in s.evidence for day, _ in e.points]
    if days:
        axes.set_xlim(_x(min(days) - MARGIN), _x(max(days) + MARGIN))
    ticks = sorted({d for s in series for d in (*s.period_starts, *(s.window or ())[1:])})
    if ticks:
        axes.set_xticks([_x(d) for d in ticks])


def _label(series: ChartSeries, text: str, several: bool) -> str:
    return literal(f"{series.name}: {text}" if several else text)


def _draw_series(axes: Axes, series: ChartSeries, colour: str, several: bool) -> float:
    """Draw one recommendation's results and lines; returns the lowest value drawn."""
    _draw_window(axes, series, colour)
    _draw_band(axes, series, colour, several)
    counted = [p for p in series.points if p.kind == "counted"]
    if counted:
        axes.plot(
            [_x(p.day) for p in counted],
            [p.value for p in counted],
            marker="o",
            markersize=7,
            linewidth=2,
            color=colour,
            zorder=5,
            label=_label(series, "counted audit (one per monthly period)", several),
        )
        for point in counted:
            axes.annotate(
                _percent(point.value),
                (_x(point.day), point.value),
                textcoords="offset points",
                xytext=(0, 9),
                ha="center",
                fontsize=9,
                fontweight="bold",
                color=colour,
                zorder=6,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1},
            )
    _draw_others(axes, series, several)
    _draw_late(axes, series, several)
    _draw_lines(axes, series, several)
    _draw_evidence(axes, series, several)
    return min(
        [
            100.0,
            *(p.value for p in series.points),
            *(value for e in series.evidence for _, value in e.points),
            *(line.value for line in series.lines),
            *(b.low for b in series.band),
        ]
    )


def _draw_evidence(axes: Axes, series: ChartSeries, several: bool) -> None:
    """Supervision and each measure as its own line, marker and legend entry, the latest
    figure labelled; a measure's target, when it has one, as a thin line in its colour."""
    used = {kind: 0 for kind in EVIDENCE_STYLES}
    for evidence in series.evidence:
        styles = EVIDENCE_STYLES.get(evidence.kind, EVIDENCE_STYLES["measure"])
        colour, marker = styles[used.get(evidence.kind, 0) % len(styles)]
        used[evidence.kind] = used.get(evidence.kind, 0) + 1
        _one_evidence(axes, evidence, colour, marker, _label(series, evidence.label, several))


def _one_evidence(axes: Axes, evidence: ChartEvidence, colour: str, marker: str, text: str) -> None:
    days = [_x(day) for day, _ in evidence.points]
    values = [value for _, value in evidence.points]
    axes.plot(
        days,
        values,
        marker=marker,
        markersize=7,
        linewidth=1.4,
        linestyle=(0, (4, 2)),
        color=colour,
        zorder=5,
        label=text,
    )
    if evidence.target is not None:
        axes.axhline(evidence.target, color=colour, linewidth=0.9, linestyle=":", zorder=2)
    if days:
        axes.annotate(
            _percent(values[-1]),
            (days[-1], values[-1]),
            textcoords="offset points",
            xytext=(0, -15),
            ha="center",
            fontsize=8.5,
            color=colour,
            zorder=6,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1},
        )


def _draw_band(axes: Axes, series: ChartSeries, colour: str, several: bool) -> None:
    """Each day's spread of the audits (mean and one standard deviation either side), drawn
    where there are more audits than the chart marks one by one; never annotated."""
    if not series.band:
        return
    days = [_x(b.day) for b in series.band]
    audits = sum(b.count for b in series.band)
    axes.fill_between(
        days,
        [b.low for b in series.band],
        [b.high for b in series.band],
        step="mid",
        color=colour,
        alpha=0.14,
        linewidth=0,
        zorder=1,
        label=_label(series, f"daily spread of all {audits:,} audits (mean ± 1 SD)", several),
    )
    axes.plot(
        days,
        [b.mean for b in series.band],
        drawstyle="steps-mid",
        color=colour,
        linewidth=0.8,
        alpha=0.45,
        zorder=1,
    )


def _draw_others(axes: Axes, series: ChartSeries, several: bool) -> None:
    """Replaced audits (hollow circles) and audits outside the window (grey squares)."""
    styles: dict[str, tuple[str, str, str]] = {
        "replaced": ("o", "none", "replaced audit (not counted)"),
        "outside": ("s", OTHER_COLOUR, "outside the window (not counted)"),
    }
    for kind, (marker, face, text) in styles.items():
        others: list[ChartPoint] = [p for p in series.points if p.kind == kind]
        if others:
            axes.scatter(
                [_x(p.day) for p in others],
                [p.value for p in others],
                marker=marker,
                s=48,
                facecolors=face,
                edgecolors=OTHER_COLOUR,
                linewidths=1.5,
                zorder=4,
                label=_label(series, text, several),
            )


def _draw_late(axes: Axes, series: ChartSeries, several: bool) -> None:
    """A ring around every audit entered late (after its period or the window had closed),
    so the board sees which results arrived after the fact."""
    late = [p for p in series.points if p.late]
    if not late:
        return
    axes.scatter(
        [_x(p.day) for p in late],
        [p.value for p in late],
        marker="o",
        s=260,
        facecolors="none",
        edgecolors=LATE_COLOUR,
        linewidths=2,
        linestyle="--",
        zorder=6,
        label=_label(series, "entered late (after its period closed)", several),
    )


def _draw_window(axes: Axes, series: ChartSeries, colour: str) -> None:
    """The window shaded (named in the legend) and each period's boundary and name."""
    from matplotlib.transforms import blended_transform_factory

    if not series.window:
        return
    start, end = series.window
    axes.axvspan(
        _x(start),
        _x(end + timedelta(days=1)),
        color=colour,
        alpha=0.07,
        zorder=0,
        label=literal(series.window_label or f"{series.name}: monitoring window"),
    )
    along_top = blended_transform_factory(axes.transData, axes.transAxes)
    ends = [*series.period_starts[1:], end + timedelta(days=1)]
    for number, (first, after) in enumerate(zip(series.period_starts, ends, strict=False)):
        if number:
            axes.axvline(_x(first), color="#999999", linewidth=0.8, linestyle="-", zorder=1)
        if number < len(series.period_names):
            counted = any(first <= p.day < after for p in series.points if p.kind == "counted")
            name = series.period_names[number] + ("" if counted else "\n(no audit)")
            axes.text(
                _x(first + (after - first) / 2),
                0.985,
                literal(name),
                transform=along_top,
                ha="center",
                va="top",
                fontsize=9,
                color="#333333" if counted else "#a04000",
            )


def _draw_lines(axes: Axes, series: ChartSeries, several: bool) -> None:
    """The target dashed red and each baseline dotted grey, every one labelled just right of
    the plot, where no audit is drawn; labels of lines close together are stacked."""
    placed: list[float] = []
    for line in sorted(series.lines, key=lambda line: (line.value, line.kind != "target")):
        stacked = sum(1 for value in placed if abs(value - line.value) < LABEL_GAP)
        placed.append(line.value)
        _one_line(axes, line, stacked, _label(series, line.label, several))


def _one_line(axes: Axes, line: ChartLine, stacked: int, text: str) -> None:
    is_target = line.kind == "target"
    colour = TARGET_COLOUR if is_target else BASELINE_COLOUR
    axes.axhline(
        line.value,
        color=colour,
        linestyle=(0, (6, 3)) if is_target else (0, (1, 2)),
        linewidth=1.6 if is_target else 2.0,
        zorder=2 if is_target else 3,
    )
    axes.annotate(
        textwrap.fill(text, LABEL_WIDTH),
        xy=(1.0, line.value),
        xycoords=("axes fraction", "data"),
        xytext=(6, -12 * stacked),
        textcoords="offset points",
        ha="left",
        va="center" if not stacked else "top",
        fontsize=8,
        color=colour,
        fontweight="bold" if is_target else "normal",
        annotation_clip=False,
    )
