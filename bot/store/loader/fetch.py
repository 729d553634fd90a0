"""Downloading a published ratings table (``yos-bot update-ratings``).

The standard library's urllib, with a timeout and a size cap; the body must arrive
whole (as long as the server said it would be). Nothing is written here: the bytes go
to ``load_ratings``, which checks them by the rules of ``yos-bot load`` and loads them
all or nothing.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from urllib.parse import urlparse

# How a fetched table is cited in replies, wherever it came from: the name the scrape
# publishes it under, which the bundled copy in data/ keeps, so fetching the same table
# changes nothing.
RATINGS_FILE = "hmi_youth_justice_inspection_ratings.csv"
TIMEOUT_SECONDS = 30.0
# The published table is about 25 kB; anything near this is not a ratings table.
MAX_BYTES = 5 * 1024 * 1024


class FetchError(Exception):
    """The table could not be downloaded; the message says why."""


def fetch_table(url: str, *, timeout: float = TIMEOUT_SECONDS, max_bytes: int = MAX_BYTES) -> bytes:
    """The body at ``url`` (http or https), whole, at most ``max_bytes``."""
    if urlparse(url).scheme not in ("http", "https"):
        raise FetchError(f"{url} is not an http(s) URL")
    request = urllib.request.Request(
        url, headers={"User-Agent": "yos-bot update-ratings", "Accept": "text/csv, */*;q=0.5"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            expected = _length(response.headers.get("Content-Length"))
            if expected is not None and expected > max_bytes:
                raise FetchError(_too_large(url, max_bytes))
            body: bytes = response.read(max_bytes + 1)
    except urllib.error.HTTPError as error:
        raise FetchError(f"{url} answered HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise FetchError(f"could not reach {url}: {error.reason}") from None
    except http.client.IncompleteRead as error:
        raise FetchError(
            f"the download from {url} was cut short after {len(error.partial)} bytes"
        ) from None
    except (http.client.HTTPException, OSError) as error:
        raise FetchError(
            f"the download from {url} failed: {error or type(error).__name__}"
        ) from None
    if len(body) > max_bytes:
        raise FetchError(_too_large(url, max_bytes))
    if expected is not None and len(body) != expected:
        raise FetchError(
            f"the download from {url} was cut short: {len(body)} of {expected} bytes arrived"
        )
    return body


def _length(header: str | None) -> int | None:
    value = (header or "").strip()
    return int(value) if value.isdecimal() and len(value) < 19 else None


def _too_large(url: str, max_bytes: int) -> str:
    return f"{url} is larger than {max_bytes:,} bytes, too large for a ratings table"
