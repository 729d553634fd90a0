"""The monitoring chart: audit results over time against the target and the baseline.

matplotlib is imported here and only here, on first use, so starting the bot and
answering ordinary questions never pay for it.
"""

from __future__ import annotations

import io
from datetime import timedelta

from bot.domain.report import BoardReport

WIDTH_PX, HEIGHT_PX, DPI = 1000, 560, 100
COLOURS = ("#1d3c5a", "#c0392b", "#27ae60", "#8e44ad", "#d35400")


def render_chart(report: BoardReport) -> bytes:
    """A PNG of WIDTH_PX x HEIGHT_PX: one line per recommendation, with its target,
    baseline and monitoring window."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import DateFormatter
    from matplotlib.figure import Figure

    # A bare Figure, not pyplot: no global state, safe in a threaded server.
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    lowest = 100.0
    for index, item in enumerate(report.recs):
        colour = COLOURS[index % len(COLOURS)]
        rec = item.rec
        points = item.in_window
        if points:
            axes.plot(
                [a.audit_date for a in points],
                [a.percent for a in points],
                marker="o",
                linewidth=2,
                color=colour,
                label=f"{rec.ref} audit results",
            )
            for audit in points:
                axes.annotate(
                    f"{audit.percent:.0f}%",
                    (audit.audit_date, audit.percent),
                    textcoords="offset points",
                    xytext=(0, 8),
                    ha="center",
                    fontsize=9,
                    color=colour,
                )
            lowest = min(lowest, *(a.percent for a in points))
        axes.axhline(
            item.status.target,
            color=colour,
            linestyle="--",
            linewidth=1,
            label=f"{rec.ref} target {item.status.target:g}%",
        )
        for baseline in rec.baselines:
            axes.axhline(
                baseline.score,
                color=colour,
                linestyle=":",
                linewidth=1,
                alpha=0.7,
                label=f"{rec.ref} baseline: {baseline.label} {baseline.score:g}%",
            )
            lowest = min(lowest, baseline.score)
        if rec.monitor_start and rec.window_end:
            axes.axvspan(rec.monitor_start, rec.window_end, color=colour, alpha=0.06)
            axes.set_xlim(rec.monitor_start - timedelta(days=7), rec.window_end + timedelta(days=7))
        lowest = min(lowest, item.status.target)
        if not points:
            axes.text(
                0.5,
                0.5,
                f"No audits recorded yet for {rec.ref}",
                transform=axes.transAxes,
                ha="center",
                va="center",
                fontsize=12,
                color="#666666",
            )
    axes.set_ylim(max(0, lowest - 15), 102)
    axes.set_ylabel("Cases compliant (%)")
    axes.xaxis.set_major_formatter(DateFormatter("%d %b %Y"))
    axes.grid(True, axis="y", alpha=0.3)
    axes.set_title(f"{report.inspection.service.name}: recommendation monitoring", loc="left")
    axes.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()
