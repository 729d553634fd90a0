"""The management board monitoring report, built from the one monitoring model.

Every form of the report (the chat reply, Markdown, CSV, the Word paper and the chart)
takes its figures, month-by-month rows, trend, status and conclusion from here, and these
come from :class:`~bot.domain.monitoring.status.Monitoring`, so no two of them can disagree.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from bot import csvsafe
from bot.domain.inspections.model import Inspection, Recommendation
from bot.domain.inspections.queries import InspectionQueries
from bot.domain.monitoring.audits import Audit
from bot.domain.monitoring.evidence import RecEvidence, evidence_tables, rec_evidence
from bot.domain.monitoring.status import Monitoring, Status, monitoring
from bot.domain.monitoring.window import Period
from bot.domain.wording import long_date, percent
from bot.store.db import Store

PAPER_TITLE = "Report to the YOS Management Board"
TABLE_COLUMNS = (
    "Period",
    "Dates",
    "Counted audit",
    "Entered",
    "Result",
    "Against target",
    "Also recorded",
)
OPEN_STATUSES = (Status.NO_EVIDENCE_YET, Status.ON_TRACK, Status.BELOW_TARGET, Status.OFF_TRACK)


def short_date(day: date) -> str:
    """14 Feb 2014: for table cells."""
    return f"{day.day} {day:%b %Y}"


def also_recorded(period: Period, status: Monitoring | None = None) -> str:
    """What else was recorded in the period: the audits the counted one replaced (with the
    flag of any entered late)."""
    if not period.replaced_count:
        return ""
    shown = []
    for audit in period.replaced:
        flag = status.late_flag(audit) if status else None
        shown.append(
            f"{audit.figures} of {short_date(audit.audit_date)}" + (f" ({flag})" if flag else "")
        )
    more = period.replaced_count - len(shown)
    if more:
        shown.append(f"{more} more")
    return "replaced: " + "; ".join(shown)


@dataclass(frozen=True)
class RecReport:
    rec: Recommendation
    status: Monitoring
    evidence: RecEvidence = field(
        default_factory=RecEvidence
    )  # supervision and measures, each kind apart

    @property
    def baseline(self) -> str:
        return ", ".join(f"{b.label} {percent(b.score)}" for b in self.rec.baselines) or "none"

    @property
    def report_to(self) -> str:
        return self.rec.report_to or "the board"

    @property
    def window_text(self) -> str | None:
        window = self.status.window
        return window.dates if window else None

    @property
    def conclusion(self) -> str:
        """One sentence for the board: the verdict, why, and what happens next."""
        status = self.status
        found = status.status
        if found is Status.NOT_MONITORED:
            return f"{found.words}: {status.reason}."
        if found is Status.NO_EVIDENCE:
            return (
                f"{found.words}: {status.reason}, so there is no result to report; record "
                "the audits, or explain to the board why there are none."
            )
        if found is Status.DUE:
            verdict = status.verdict_text
            return (
                f"{verdict[:1].upper()}{verdict[1:]}: {status.reason}; ready to report to "
                f"{self.report_to}."
            )
        if found in OPEN_STATUSES:
            left = status.days_left
            days = f"; {left} day{'' if left == 1 else 's'} of monitoring left" if left else ""
            return f"{status.label}: {status.reason}{days}."
        return f"{status.label}: {status.reason}."

    def rows(self) -> list[tuple[str, ...]]:
        """The month-by-month table, one row per monthly period (see TABLE_COLUMNS)."""
        status = self.status
        return [
            (
                period.name,
                period.span.dates,
                long_date(period.counted.audit_date) if period.counted else "no audit",
                status.entered(period.counted) if period.counted else "",
                period.counted.figures if period.counted else "",
                status.result_of(period),
                also_recorded(period, status),
            )
            for period in status.periods
        ]

    def outside_rows(self) -> list[str]:
        """The audits dated outside the window, listed apart: they never count."""
        shown = [
            f"{long_date(a.audit_date)}: {a.figures}, outside the monitoring window (not "
            f"counted); {self.status.entered(a)}"
            for a in self.status.outside.shown
        ]
        more = self.status.outside.count - len(shown)
        if more > 0:
            shown.append(f"and {more} more outside the monitoring window")
        return shown


@dataclass(frozen=True)
class BoardReport:
    inspection: Inspection
    today: date
    recs: tuple[RecReport, ...]

    @property
    def title(self) -> str:
        return f"Monitoring report: {self.inspection.service.name}"

    @property
    def report_to(self) -> str:
        bodies = {r.rec.report_to for r in self.recs if r.rec.report_to}
        return ", ".join(sorted(bodies)) or "the management board"

    @property
    def inspection_text(self) -> str:
        """HMIP Short Quality Screening, published 18 December 2013."""
        inspection = self.inspection
        return (
            f"{inspection.inspectorate or 'HMIP'} {inspection.programme}, "
            f"published {long_date(inspection.published)}"
        )


def board_report(
    db: Store,
    queries: InspectionQueries,
    inspection: Inspection,
    today: date,
    ref: str | None = None,
    status: dict[str, Monitoring] | None = None,
) -> BoardReport:
    """The report for every recommendation, or for ``ref``; ``status`` may hold models
    already built (by recommendation ID), so a reply and its chart read the same one."""
    recs = queries.recommendations(inspection)
    if ref:
        wanted = queries.recommendation(inspection, ref)
        recs = [wanted] if wanted else []
    known = status or {}
    return BoardReport(
        inspection,
        today,
        tuple(
            RecReport(
                r,
                known.get(r.id) or monitoring(db, r, today),
                rec_evidence(db, r.id, today),
            )
            for r in recs
        ),
    )


# --- the board paper: Markdown -------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def facts(item: RecReport) -> list[tuple[str, str]]:
    """The facts every form of the paper gives for a recommendation, in order."""
    status = item.status
    shown = [
        ("Status", status.label),
        ("Why", status.reason),
        ("Baseline", item.baseline),
        ("Target", status.target_text),
    ]
    if item.window_text:
        shown.append(("Monitoring window", item.window_text))
    shown += [
        ("Latest audit", status.latest_text),
        ("Trend in the window", status.trend_text),
        ("Verdict", status.verdict_text),
    ]
    if status.closed is not None and status.closed_text:
        shown.append(("Closed", f"{status.closed_text} (by {status.closed.who})"))
    return shown


def to_markdown(report: BoardReport) -> str:
    lines = [
        f"# {PAPER_TITLE}",
        "",
        f"**{report.title}**",
        "",
        f"- Service: {report.inspection.service.name}",
        f"- Inspection: {report.inspection_text}",
        f"- Prepared: {long_date(report.today)}",
        f"- For: {report.report_to}",
    ]
    for item in report.recs:
        lines += ["", f"## {item.rec.ref}: {item.status.label}", "", f"> {_cell(item.rec.text)}"]
        lines += ["", *(f"- **{label}:** {_cell(value)}" for label, value in facts(item))]
        if item.rec.monitoring_text:
            lines.append(f"- {item.rec.monitoring_text}")
        lines += ["", "### Month by month", ""]
        lines.append("| " + " | ".join(TABLE_COLUMNS) + " |")
        lines.append("| --- | --- | --- | --- | ---: | --- | --- |")
        lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in item.rows()]
        if not item.rows():
            lines.append("| | | | | | | no monitoring window |")
        outside = item.outside_rows()
        if outside:
            lines += ["", "Outside the monitoring window (listed apart, never counted):", ""]
            lines += [f"- {_cell(text)}" for text in outside]
        lines += _evidence_markdown(item.evidence)
        lines += ["", f"**Conclusion.** {item.conclusion}"]
    return "\n".join(lines) + "\n"


def _evidence_markdown(evidence: RecEvidence) -> list[str]:
    """Supervision and each measure on its own line, then a table of each kind."""
    if evidence.empty:
        return []
    lines = ["", "### Other evidence", "", *(f"- {_cell(line)}" for line in evidence.lines)]
    for heading, columns, rows in evidence_tables(evidence):
        lines += ["", f"### {heading}", "", "| " + " | ".join(columns) + " |"]
        lines.append("|" + "|".join("---" for _ in columns) + "|")
        lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


# --- the board paper: CSV ------------------------------------------------------------

CSV_COLUMNS = [
    "recommendation",
    "row",
    "period",
    "period_start",
    "period_end",
    "audit_date",
    "entered_on",
    "late_entry",
    "compliant",
    "audited",
    "percent",
    "against_target",
    "replaced",
    "target",
    "status",
    "reason",
    "latest_audit",
    "trend",
    "verdict",
    "conclusion",
    "kind",
    "measure",
    "recorded_by",
]


def _audit_cells(audit: Audit | None, status: Monitoring) -> dict[str, str]:
    if audit is None:
        return {
            "audit_date": "",
            "entered_on": "",
            "late_entry": "",
            "compliant": "",
            "audited": "",
            "percent": "",
        }
    return {
        "audit_date": audit.audit_date.isoformat(),
        "entered_on": audit.entered_on.isoformat() if audit.entered_on else "",
        "late_entry": status.late_flag(audit) or "",
        "compliant": _count(audit.compliant),
        "audited": _count(audit.audited),
        "percent": f"{audit.percent:.1f}",
    }


def csv_rows(report: BoardReport) -> list[dict[str, str]]:
    """One row per monthly period (with an audit or not), then one per audit dated outside
    the window, marked as such; each row repeats the recommendation's status and verdict."""
    rows: list[dict[str, str]] = []
    for item in report.recs:
        status = item.status
        common = {
            "recommendation": item.rec.ref,
            "target": f"{status.target:g}",
            "status": status.label,
            "reason": status.reason,
            "latest_audit": status.latest_text,
            "trend": status.trend_text,
            "verdict": status.verdict_text,
            "conclusion": item.conclusion,
        }
        for period in status.periods:
            rows.append(
                {
                    **common,
                    "row": "period",
                    "period": period.name,
                    "period_start": period.span.start.isoformat(),
                    "period_end": period.span.end.isoformat(),
                    **_audit_cells(period.counted, status),
                    "against_target": status.result_of(period),
                    "replaced": also_recorded(period, status),
                }
            )
        for audit in status.outside.shown:
            rows.append(
                {
                    **common,
                    "row": "outside the monitoring window",
                    "period": "",
                    "period_start": "",
                    "period_end": "",
                    **_audit_cells(audit, status),
                    "against_target": "not counted",
                    "replaced": "",
                }
            )
        rows += _evidence_rows(item, common)
    return [{"kind": "case-file audit", **row} for row in rows]


def _evidence_rows(item: RecReport, common: dict[str, str]) -> list[dict[str, str]]:
    """One row per supervision or measure figure, with its kind."""
    rows = []
    for figure in item.evidence.figures:
        rows.append(
            {
                **common,
                "kind": figure.kind,
                "measure": figure.name,
                "row": figure.kind,
                "audit_date": figure.on_date.isoformat(),
                "compliant": str(figure.numerator),
                "audited": str(figure.denominator),
                "percent": f"{figure.percent:.1f}",
                "against_target": figure.against_target,
                "target": f"{figure.target:g}" if figure.target is not None else "",
                "recorded_by": figure.who,
            }
        )
    return rows


def to_csv(report: BoardReport) -> str:
    out = io.StringIO()
    writer = csvsafe.dict_writer(out, CSV_COLUMNS)  # no cell can run as a formula
    writer.writeheader()
    writer.writerows(csv_rows(report))
    return out.getvalue()


def _count(value: int | None) -> str:
    return "" if value is None else str(value)
