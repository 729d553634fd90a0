"""How dates, percentages and bars are written in replies and reports."""

from __future__ import annotations

from datetime import date


def long_date(value: str | date) -> str:
    """18 December 2013."""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {day:%B %Y}"


def date_range(start: str | None, end: str | None) -> str | None:
    """25-27 November 2013, or 28 November - 2 December 2013 across months."""
    if not start and not end:
        return None
    if not start or not end or start == end:
        return long_date(start or end or "")
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}-{last.day} {last:%B %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%B} - {last.day} {last:%B %Y}"
    return f"{long_date(first)} - {long_date(last)}"


def percent(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.0f}%" if float(value).is_integer() else f"{value:.1f}%"


BAR_WIDTH = 10


def bar(value: float, target: float | None = None) -> str:
    """A compact bar of BAR_WIDTH cells, with the target marked: ████████│▌░"""
    filled = value / 100 * BAR_WIDTH
    cells = ["█" if i < int(filled) else "░" for i in range(BAR_WIDTH)]
    if int(filled) < BAR_WIDTH and filled - int(filled) >= 0.5:
        cells[int(filled)] = "▌"
    if target is None:
        return "".join(cells)
    mark = min(round(target / 100 * BAR_WIDTH), BAR_WIDTH)
    return "".join(cells[:mark]) + "│" + "".join(cells[mark:])


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 22nd, 23rd, 101st, 111th."""
    if 11 <= abs(n) % 100 <= 13:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(abs(n) % 10, "th")
    return f"{n}{suffix}"


# What each status (monitoring.status.Status, by its value) is called wherever it is shown.
STATUS_WORDS: dict[str, str] = {
    "not_monitored": "Not monitored",
    "no_evidence_yet": "No evidence yet",
    "on_track": "On track",
    "below_target": "Below target",
    "off_track": "Off track: cannot be met",
    "no_evidence": "No evidence recorded",
    "due": "Due for the board",
    "met": "Met",
    "not_met": "Not met",
}
