"""Retries by the book: what the Teams transport retries, and how long the sender waits.

Microsoft's rate-limit guidance for bots retries 412, 429, 502 and 504 (and 503 is a
server that is briefly down) with exponential back-off and random jitter; any other
4xx is final. How long the sender waits is the one rule of every platform
(tests/test_retry.py); the served behaviour (a 429 waited out, 503s tried again, a 403
reported to the auditor) is in tests/test_teams_app.py.
"""

from __future__ import annotations

import httpx
import pytest

from bot.app import PermanentError, TransientError


def answer(status: int, retry_after: str | None = None) -> httpx.Response:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return httpx.Response(
        status, json={"error": {"code": "Throttled", "message": "slow down"}}, headers=headers
    )


@pytest.mark.parametrize("status", [412, 429, 502, 503, 504])
def test_these_are_tried_again(status):
    from bot.teams.transport import _classified  # with the Teams SDK, when it runs

    error = _classified(answer(status, "3"))
    assert isinstance(error, TransientError)
    assert error.retry_after == 3.0
    assert str(status) in str(error)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 413])
def test_other_client_errors_are_final(status):
    from bot.teams.transport import _classified

    assert isinstance(_classified(answer(status, "3")), PermanentError)
