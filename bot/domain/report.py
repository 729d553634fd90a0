"""The management board monitoring report, built from the recorded evidence.

One set of figures feeds every form of the report (Slack, Markdown, CSV, chart), so
the board paper and the channel can never disagree.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from bot.domain.audits import Audit
from bot.domain.model import Inspection, Recommendation
from bot.domain.queries import InspectionQueries
from bot.domain.status import DUE, MET, Monitoring, monitoring
from bot.domain.wording import long_date, percent


@dataclass(frozen=True)
class RecReport:
    rec: Recommendation
    status: Monitoring

    @property
    def in_window(self) -> tuple[Audit, ...]:
        """Every update audited inside the monitoring window, oldest first."""
        start, end = self.rec.monitor_start, self.rec.window_end
        if not (start and end):
            return self.status.audits
        return tuple(a for a in self.status.audits if start <= a.audit_date <= end)

    @property
    def baseline(self) -> str:
        return ", ".join(f"{b.label} {percent(b.score)}" for b in self.rec.baselines) or "none"

    @property
    def conclusion(self) -> str:
        """One sentence for the board: the verdict, why, and what happens next."""
        status = self.status
        reason = status.verdict_reason
        if status.label in (MET, "Not met"):
            return f"{status.label}: {reason}; closed ({status.closed_reason})."
        if status.label == DUE:
            ready = f"ready to report to {self.rec.report_to or 'the board'}"
            return f"{status.verdict}: {reason}; {ready}."
        if not status.audits:
            return "Open: no audit evidence recorded yet."
        left = ""
        if status.days_left is not None:
            left = f"; {status.days_left} days of monitoring left"
        return f"{status.label}: {reason} so far{left}."


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


def board_report(
    queries: InspectionQueries, inspection: Inspection, today: date, ref: str | None = None
) -> BoardReport:
    recs = queries.recommendations(inspection)
    if ref:
        wanted = queries.recommendation(inspection, ref)
        recs = [wanted] if wanted else []
    return BoardReport(
        inspection,
        today,
        tuple(RecReport(r, monitoring(queries.db, r, today)) for r in recs),
    )


# --- the board paper ------------------------------------------------------------------


def to_markdown(report: BoardReport) -> str:
    inspection = report.inspection
    lines = [
        f"# {report.title}",
        "",
        f"HMIP {inspection.programme}, published {long_date(inspection.published)}. "
        f"Report to {report.report_to}, prepared {long_date(report.today)}.",
    ]
    for item in report.recs:
        rec, status = item.rec, item.status
        lines += [
            "",
            f"## {rec.ref}: {status.label}",
            "",
            f"> {rec.text}",
            "",
            f"**Conclusion.** {item.conclusion}",
            "",
            f"- Baseline: {item.baseline}",
            f"- Target: {percent(status.target)} or more",
        ]
        if rec.monitor_start and rec.window_end:
            window = f"{long_date(rec.monitor_start)} to {long_date(rec.window_end)}"
            lines.append(f"- Monitoring window: {window}")
        if rec.monitoring_text:
            lines.append(f"- {rec.monitoring_text}")
        if status.trend:
            lines.append(f"- Trend: {status.trend}")
        lines += ["", "| Date | Compliant | Audited | Result | Against target | Note |"]
        lines.append("| --- | ---: | ---: | ---: | --- | --- |")
        for audit in item.in_window:
            verdict = "at or above" if audit.percent >= status.target else "below"
            note = (audit.note or "").replace("|", "\\|").replace("\n", " ")
            lines.append(
                f"| {long_date(audit.audit_date)} | {_count(audit.compliant)} | "
                f"{_count(audit.audited)} | {percent(audit.percent)} | {verdict} | {note} |"
            )
        if not item.in_window:
            lines.append("| | | | | | No audits recorded in the window |")
    return "\n".join(lines) + "\n"


CSV_COLUMNS = [
    "recommendation",
    "status",
    "target",
    "audit_date",
    "compliant",
    "audited",
    "percent",
    "at_or_above_target",
    "note",
    "conclusion",
]


def to_csv(report: BoardReport) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for item in report.recs:
        for audit in item.in_window:
            writer.writerow(
                {
                    "recommendation": item.rec.ref,
                    "status": item.status.label,
                    "target": f"{item.status.target:g}",
                    "audit_date": audit.audit_date.isoformat(),
                    "compliant": _count(audit.compliant),
                    "audited": _count(audit.audited),
                    "percent": f"{audit.percent:.1f}",
                    "at_or_above_target": "yes" if audit.percent >= item.status.target else "no",
                    "note": audit.note or "",
                    "conclusion": item.conclusion,
                }
            )
    return out.getvalue()


def _count(value: int | None) -> str:
    return "" if value is None else str(value)
