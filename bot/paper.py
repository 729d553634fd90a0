"""What a chart and a board paper show: the platform-neutral input of the chart and Word
renderers (``bot.render.chart``, ``bot.render.docx``), as :class:`bot.reply.Reply` is of
the chat ones.

Apart from the reply because only drawing needs them: a process that has only answered
questions has not loaded them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.reply import Field

# --- what a chart shows (drawn by bot.render.chart) -------------------------------------


@dataclass(frozen=True)
class ChartLine:
    """A horizontal reference line: a target or a baseline."""

    label: str
    value: float
    kind: str = "target"  # "target" or "baseline"


@dataclass(frozen=True)
class ChartPoint:
    day: date
    value: float
    kind: str = "counted"  # "counted", "replaced" or "outside" (the monitoring window)
    late: bool = False  # entered after its period (or the window) had closed: marked


@dataclass(frozen=True)
class ChartBand:
    """One day's spread of audit results: drawn where there are more audits than points."""

    day: date
    low: float
    high: float
    mean: float
    count: int


@dataclass(frozen=True)
class ChartEvidence:
    """One kind of evidence besides the audits, drawn as its own line with its own legend
    entry: supervision, or one named measure (against its target when it has one)."""

    kind: str  # "supervision" or "measure"
    label: str  # its legend entry, in words
    points: tuple[tuple[date, float], ...]  # (day, percentage), earliest first
    target: float | None = None


@dataclass(frozen=True)
class ChartSeries:
    name: str
    points: tuple[ChartPoint, ...] = ()
    lines: tuple[ChartLine, ...] = ()
    window: tuple[date, date] | None = None
    period_starts: tuple[date, ...] = ()
    period_names: tuple[str, ...] = ()  # one per period start, written at the top
    window_label: str | None = None  # the shaded window's legend entry
    band: tuple[ChartBand, ...] = ()  # each day's spread, when there are many audits
    evidence: tuple[ChartEvidence, ...] = ()  # supervision and measures, each its own line


@dataclass(frozen=True)
class ChartSpec:
    title: str
    series: tuple[ChartSeries, ...]
    empty_message: str = "No audits were recorded in the monitoring window"
    y_label: str = "Cases compliant (%)"
    subtitle: str | None = None  # what the chart shows, in words (verdict, trend)


# --- a bar chart of counts by category (drawn by bot.render.bars) ---------------------------


@dataclass(frozen=True)
class BarSpec:
    """Horizontal stacked bars: for each row (``rows``: "Recommendations", "Actions"), how
    many fall in each category (``categories``, with a colour each), in that order."""

    title: str
    categories: tuple[tuple[str, str], ...]  # (name, colour as #rrggbb)
    rows: tuple[tuple[str, tuple[int, ...]], ...]  # (label, a count per category)
    x_label: str = "How many"


# --- what a paper holds (written by bot.render.docx) -------------------------------------


@dataclass(frozen=True)
class PaperTable:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class PaperSection:
    """One part of a paper: a heading, a quotation, facts, a table, notes under it, a chart
    and a conclusion, each optional, in that order."""

    heading: str
    quote: str | None = None
    facts: tuple[Field, ...] = ()
    table: PaperTable | None = None
    notes_heading: str | None = None
    notes: tuple[str, ...] = ()
    chart: ChartSpec | None = None
    conclusion: str | None = None
    table_heading: str = "Month by month"
    paragraphs: tuple[str, ...] = ()  # plain text after the facts
    tables: tuple[tuple[str, PaperTable], ...] = ()  # (heading, table) after the table
    bars: BarSpec | None = None  # drawn before the chart
    chart_heading: str = "Chart"


@dataclass(frozen=True)
class PaperSpec:
    """A document for a meeting: a title block (title, subtitle, facts) and its sections."""

    title: str
    subtitle: str
    facts: tuple[Field, ...]
    sections: tuple[PaperSection, ...]
    source: str | None = None
    author: str = "yos-bot"
    keywords: str = "HMIP; monitoring; board report"
