"""When a send that failed is tried again: one rule for every platform's outbox.

A transient failure (a rate limit, a server error, the network) is tried again after
exponential back-off from ``base_seconds``, capped at ``max_seconds``. With ``jitter``
(Microsoft's guidance for Teams bots) the wait is drawn at random between nothing and
that, so many senders held up together do not come back together; either way it is never
sooner than the platform's Retry-After. What counts as transient is each platform's
list of statuses (:func:`transient`), and Retry-After is read as HTTP gives it
(:func:`retry_after_seconds`).
"""

from __future__ import annotations

import random as randomness
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float = 2.0
    max_seconds: float = 300.0
    max_attempts: int = 6
    lease_seconds: float = 60.0
    jitter: bool = False
    random: Callable[[], float] = field(default=randomness.random, compare=False)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """How long to wait after the ``attempt``-th try (counting from 1) failed."""
        ceiling = min(self.base_seconds * 2.0 ** max(attempt - 1, 0), self.max_seconds)
        if not self.jitter:
            if retry_after is not None:
                return max(0.0, min(retry_after, self.max_seconds))
            return ceiling
        jittered = self.random() * ceiling
        if retry_after is not None:
            return min(max(retry_after, jittered), self.max_seconds)
        return jittered


def transient(status: int, retried: Collection[int]) -> bool:
    """Whether an HTTP ``status`` may pass: one the platform says to retry, or any 5xx."""
    return status in retried or status >= 500


def retry_after_seconds(
    value: str | None, now: Callable[[], datetime] | None = None
) -> float | None:
    """Retry-After in seconds: a number of seconds, or an HTTP date."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or (lambda: datetime.now(UTC)))()).total_seconds()
        return max(seconds, 0.0)
    return seconds if seconds >= 0 else None
