"""The one adapter from a measured target's monitoring status to the RAG rule.

The RAG rule needs to know of a measured target (the seed's R1: a percentage in every
monthly period of a window, or in the latest period, or on average) only whether it
*cannot be met*, whether the *latest period is below target*, or whether it is *on
track*. The status model (:mod:`bot.domain.monitoring.status`) decides that by the target's own rule
(:attr:`Monitoring.track`); this module only translates, so the two can never disagree.
"""

from __future__ import annotations

from bot.domain.monitoring.status import Monitoring, Status, Track
from bot.domain.plan.rag import Measured

_MEASURED = {
    Track.ON_TRACK: Measured.ON_TRACK,
    Track.BELOW_TARGET: Measured.BELOW,
    Track.OFF_TRACK: Measured.CANNOT_BE_MET,
    Track.MET: Measured.ON_TRACK,
    Track.NOT_MET: Measured.CANNOT_BE_MET,
}


def measured_status(status: Monitoring) -> tuple[Measured, str] | None:
    """What the monitoring says for the RAG rule, with the reason; None when the
    recommendation has no monitoring window (nothing is measured)."""
    track = status.track
    if track is Track.NOT_MONITORED:
        return None
    if track is Track.NO_EVIDENCE:
        if status.status is Status.NO_EVIDENCE:  # the window ended with nothing counted
            return Measured.CANNOT_BE_MET, status.reason
        return Measured.ON_TRACK, "no evidence yet"
    if track is Track.BELOW_TARGET:
        return Measured.BELOW, f"latest audit {status.latest_text}"
    if track in (Track.MET, Track.NOT_MET):
        return _MEASURED[track], status.label[0].lower() + status.label[1:]
    # On track or off track: the model's own reason, up to its first clause.
    return _MEASURED[track], status.reason.split(", so ")[0].split("; ")[0]
