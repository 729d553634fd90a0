"""When the outbox tries a failed send again (bot.app.retry): one rule for every
platform, with the jitter Microsoft's guidance for Teams bots asks for, never sooner than
Retry-After, which is read as HTTP gives it."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app import RetryPolicy
from bot.app.retry import retry_after_seconds, transient


def test_without_jitter_back_off_doubles_and_is_capped():
    retry = RetryPolicy(base_seconds=2.0, max_seconds=30.0)
    assert [retry.delay(attempt, None) for attempt in (1, 2, 3, 4, 5)] == [2, 4, 8, 16, 30]
    assert retry.delay(1, 7.5) == 7.5  # Retry-After, as given
    assert retry.delay(6, 1.0) == 1.0
    assert retry.delay(1, 10_000) == 30.0  # but within the cap


def test_what_is_transient_is_the_platforms_list_and_any_server_error():
    retried = frozenset({408, 412, 429})
    assert [transient(s, retried) for s in (408, 412, 429, 500, 503, 599)] == [True] * 6
    assert [transient(s, retried) for s in (400, 401, 403, 404, 409, 413)] == [False] * 6


def test_full_jitter_grows_exponentially_and_is_capped():
    draws = iter([0.0, 1.0, 0.5, 0.25, 1.0])
    retry = RetryPolicy(base_seconds=2.0, max_seconds=30.0, jitter=True, random=lambda: next(draws))
    assert [retry.delay(attempt, None) for attempt in (1, 2, 3, 4, 6)] == [
        0.0,  # anywhere from nothing ...
        4.0,  # ... to base * 2 ** (attempt - 1)
        4.0,
        4.0,
        30.0,  # capped
    ]


def test_retry_after_is_honoured_and_never_shortened():
    retry = RetryPolicy(jitter=True, base_seconds=2.0, max_seconds=300.0, random=lambda: 0.0)
    assert retry.delay(1, 7.5) == 7.5
    longer = RetryPolicy(jitter=True, base_seconds=2.0, max_seconds=300.0, random=lambda: 1.0)
    assert longer.delay(5, 1.0) == 32.0  # the jittered wait when it is longer
    assert retry.delay(1, 10_000) == 300.0  # but within the cap


def test_the_default_draws_from_random():
    retry = RetryPolicy(jitter=True, base_seconds=1.0, max_seconds=60.0)
    delays = {retry.delay(6, None) for _ in range(50)}
    assert len(delays) > 40 and all(0 <= d <= 32 for d in delays)


def test_retry_after_as_seconds_or_an_http_date():
    now = datetime(2014, 4, 20, 10, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("12") == 12.0
    assert retry_after_seconds("Sun, 20 Apr 2014 10:00:30 GMT", lambda: now) == 30.0
    assert retry_after_seconds("Sun, 20 Apr 2014 09:00:00 GMT", lambda: now) == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds("-1") is None
    assert retry_after_seconds(None) is None
