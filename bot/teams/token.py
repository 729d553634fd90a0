"""The bot's own access token for the Bot Connector: client credentials through msal.

The Teams SDK asks for a token (its ``token=`` callable) before every call it makes;
the last token is used until five minutes before it expires, and msal (whose cache
answers the same way) is asked only then, so Azure AD is asked about once an hour.
The msal client is built on first use, not at start-up: its constructor already
fetches the tenant's discovery document, and the login service being down must not
stop the bot from starting (or from answering what needs no token).

A failure to get a token (the login service down or refusing, a certificate the
machine does not trust, a wrong secret) is logged as one line, once per outage, and
raised as :class:`TokenUnavailable`; the outbox tries the send again later.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from urllib.parse import urlparse

import msal  # type: ignore[import-untyped]
from msal.authority import WELL_KNOWN_AUTHORITY_HOSTS  # type: ignore[import-untyped]

logger = logging.getLogger(__name__)

TOKEN_TIMEOUT_SECONDS = 10.0
# msal refreshes a token with less than five minutes left; so does the fast path here.
REFRESH_BEFORE_SECONDS = 300.0


def _not_a_retry_warning(record: logging.LogRecord) -> bool:
    # urllib3 warns (with the whole SSL or socket error) before its one retry of a
    # broken connection; the failure itself is logged below, once.
    return not record.getMessage().startswith("Retrying (")


class TokenUnavailable(Exception):
    """No token could be had now; the message says why, in one line."""


class BotToken:
    """The SDK's ``token=`` callable: ``(scope, tenant_id) -> access token (a JWT)``."""

    def __init__(
        self,
        login_url: str,
        tenant: str,
        client_id: str,
        client_secret: str,
        *,
        timeout: float = TOKEN_TIMEOUT_SECONDS,
    ) -> None:
        self.authority = f"{login_url.rstrip('/')}/{tenant}"
        self.client_id = client_id
        self._secret = client_secret
        self.timeout = timeout
        # msal asks Microsoft's instance discovery endpoint about any host it does not
        # know; a login host that is not Microsoft's (a proxy, a test double) must not.
        self.instance_discovery = urlparse(login_url).hostname in WELL_KNOWN_AUTHORITY_HOSTS
        self._client: msal.ConfidentialClientApplication | None = None
        self._lock = threading.Lock()
        self._failing: str | None = None
        # The last token per scope and when to stop using it: answered on the event
        # loop itself, so a send never waits for a worker thread just to read a cache.
        self._fresh: dict[str, tuple[str, float]] = {}
        pool_logger = logging.getLogger("urllib3.connectionpool")
        if _not_a_retry_warning not in pool_logger.filters:
            pool_logger.addFilter(_not_a_retry_warning)

    def _msal(self) -> msal.ConfidentialClientApplication:
        with self._lock:
            if self._client is None:
                self._client = msal.ConfidentialClientApplication(
                    self.client_id,
                    client_credential=self._secret,
                    authority=self.authority,
                    instance_discovery=self.instance_discovery,
                    timeout=self.timeout,
                )
            return self._client

    def acquire(self, scope: str) -> str:
        """A token for ``scope``, from msal's cache when it has a fresh one (blocking)."""
        try:
            result = self._msal().acquire_token_for_client([scope])
        except Exception as error:  # network, TLS, a 5xx, a discovery document it cannot read
            raise self._failed(_describe(error)) from None
        if not isinstance(result, dict) or not result.get("access_token"):
            raise self._failed(_refusal(result))
        if self._failing is not None:
            logger.info("got a Teams access token from %s again", self.authority)
            self._failing = None
        token = str(result["access_token"])
        lifetime = result.get("expires_in")
        if isinstance(lifetime, int | float) and lifetime > REFRESH_BEFORE_SECONDS:
            self._fresh[scope] = (token, time.monotonic() + lifetime - REFRESH_BEFORE_SECONDS)
        return token

    def _failed(self, why: str) -> TokenUnavailable:
        why = why.strip().rstrip(":")
        if why != self._failing:
            logger.warning("could not get a Teams access token from %s: %s", self.authority, why)
            self._failing = why
        # (When msal's constructor is what failed, there is no client yet: the next
        # attempt builds one afresh.)
        return TokenUnavailable(f"could not get an access token from {self.authority}: {why}")

    async def __call__(self, scope: str | list[str], tenant_id: str | None = None) -> str:
        # Called on the server's event loop before every Bot Connector call. A token with
        # more than REFRESH_BEFORE_SECONDS to live is used as it is; otherwise msal (which
        # blocks, and may call the login service) is asked in a worker thread.
        wanted = scope if isinstance(scope, str) else scope[0]
        fresh = self._fresh.get(wanted)
        if fresh is not None and time.monotonic() < fresh[1]:
            return fresh[0]
        return await asyncio.to_thread(self.acquire, wanted)


def _describe(error: Exception) -> str:
    """One line about a failure, with the innermost cause (an SSL or socket error)."""
    chain: list[BaseException] = [error]
    while len(chain) < 10 and (chain[-1].__cause__ or chain[-1].__context__) is not None:
        chain.append(chain[-1].__cause__ or chain[-1].__context__)  # type: ignore[arg-type]
    if any("CERTIFICATE_VERIFY_FAILED" in repr(link) for link in chain):
        return f"its certificate is not trusted on this machine ({type(error).__name__})"
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text[:300]}".rstrip(": ")


def _refusal(result: object) -> str:
    """The login service's answer when it gave no token: its error code and first line."""
    if not isinstance(result, dict):
        return "no token in the answer"
    description = str(result.get("error_description") or "").strip()
    first = description.splitlines()[0] if description else ""
    return f"{result.get('error', 'no token')}: {first}".rstrip(": ")
