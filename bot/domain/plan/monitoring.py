"""The one adapter from a measured target's monitoring status to the RAG rule.

The RAG rule needs to know of a measured target (the seed's R1: a percentage in every
monthly period of a window) only whether it *cannot be met*, whether the *latest period is
below target*, or whether it is *on track*. Today's status model
(:mod:`bot.domain.status`) says so in its periods; when it gains a status of its own for
"cannot be met", re-point :func:`measured_status` at it: nothing else reads the model.
"""

from __future__ import annotations

from bot.domain.monitoring import BELOW, NO_AUDIT
from bot.domain.plan.rag import Measured
from bot.domain.status import MET, NOT_MET, Monitoring


def measured_status(status: Monitoring) -> tuple[Measured, str] | None:
    """What the monitoring says for the RAG rule, with the reason; None when the
    recommendation has no monitoring window (nothing is measured)."""
    if status.window is None:
        return None
    if status.closed is not None:
        if status.verdict == MET:
            return Measured.ON_TRACK, "met at close"
        return Measured.CANNOT_BE_MET, f"{NOT_MET.lower()} at close"
    # "Every monthly period at or above the target": a closed period without a counted
    # result at or above it means the target cannot be met in this window.
    for period in status.periods:
        if status.today > period.span.end and period.result in (BELOW, NO_AUDIT):
            if period.counted is not None:
                said = f"{period.name} was {period.counted.figures}"
            else:
                said = f"{period.name} had no audit"
            return Measured.CANNOT_BE_MET, f"{said}, below {status.target:g}%"
    latest = status.latest
    if latest is not None and latest.percent < status.target:
        return Measured.BELOW, f"latest audit {status.latest_text}"
    return Measured.ON_TRACK, status.label.lower()
