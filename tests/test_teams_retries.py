"""Retries by the book: what the Teams transport retries, and how long the sender waits.

Microsoft's rate-limit guidance for bots retries 412, 429, 502 and 504 (and 503 is a
server that is briefly down) with exponential back-off and random jitter; any other
4xx is final. The served behaviour (a 429 waited out, 503s tried again, a 403 reported
to the auditor) is in tests/test_teams_app.py.
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from bot.app import PermanentError, TransientError
from bot.teams.transport import TeamsRetry, _classified, _retry_after


def answer(status: int, retry_after: str | None = None) -> httpx.Response:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return httpx.Response(
        status, json={"error": {"code": "Throttled", "message": "slow down"}}, headers=headers
    )


@pytest.mark.parametrize("status", [412, 429, 502, 503, 504])
def test_these_are_tried_again(status):
    error = _classified(answer(status, "3"))
    assert isinstance(error, TransientError)
    assert error.retry_after == 3.0
    assert str(status) in str(error)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 413])
def test_other_client_errors_are_final(status):
    assert isinstance(_classified(answer(status, "3")), PermanentError)


def test_full_jitter_grows_exponentially_and_is_capped():
    draws = iter([0.0, 1.0, 0.5, 0.25, 1.0])
    retry = TeamsRetry(base_seconds=2.0, max_seconds=30.0, random=lambda: next(draws))
    assert [retry.delay(attempt, None) for attempt in (1, 2, 3, 4, 6)] == [
        0.0,  # anywhere from nothing ...
        4.0,  # ... to base * 2 ** (attempt - 1)
        4.0,
        4.0,
        30.0,  # capped
    ]


def test_retry_after_is_honoured_and_never_shortened():
    retry = TeamsRetry(base_seconds=2.0, max_seconds=300.0, random=lambda: 0.0)
    assert retry.delay(1, 7.5) == 7.5
    longer = TeamsRetry(base_seconds=2.0, max_seconds=300.0, random=lambda: 1.0)
    assert longer.delay(5, 1.0) == 32.0  # the jittered wait when it is longer
    assert retry.delay(1, 10_000) == 300.0  # but within the cap


def test_the_default_draws_from_random():
    retry = TeamsRetry(base_seconds=1.0, max_seconds=60.0)
    delays = {retry.delay(6, None) for _ in range(50)}
    assert len(delays) > 40 and all(0 <= d <= 32 for d in delays)


def test_retry_after_as_seconds_or_an_http_date():
    now = datetime(2014, 4, 20, 10, 0, 0, tzinfo=UTC)
    assert _retry_after("12") == 12.0
    assert _retry_after("Sun, 20 Apr 2014 10:00:30 GMT", lambda: now) == 30.0
    assert _retry_after("Sun, 20 Apr 2014 09:00:00 GMT", lambda: now) == 0.0
    assert _retry_after("soon") is None
    assert _retry_after("-1") is None
    assert _retry_after(None) is None
