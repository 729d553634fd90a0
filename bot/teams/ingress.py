"""The door to ``POST /api/messages``: what Teams sends is checked here, before the SDK.

Every request to the messaging endpoint passes these checks in order, and the first
that fails answers at once, with one log line that names the problem and never the
activity's text:

1. **Bounded** (unauthenticated): a body over :data:`MAX_BODY_BYTES` is answered 413;
   one that is not a JSON object, or nests deeper than :data:`MAX_DEPTH`, 400.
2. **Authenticated** (401), as the Bot Framework's authentication spec asks: a bearer
   JWT signed (RS256) by a key in the Bot Framework's published key set
   (TEAMS_OPENID_METADATA_URL, ``…/keys``), issued by the Bot Framework, for this app
   (audience), not expired (five minutes' skew), naming the activity's ``serviceUrl``
   in its ``serviceurl`` claim; and the signing key must be **endorsed** for
   ``msteams`` (the ``endorsements`` of its JWKS entry). The Teams SDK checks all but
   the last; the key set is cached for a day and fetched again, at most every 30
   seconds, for a key it does not know. The Bot Connector sends the same token with
   every activity until it renews it, so the claims of a token whose signature has
   verified are kept (by the whole token, signature included, a few hundred at most)
   until it expires: a token seen before is still checked for expiry, service URL and
   its key's endorsement every time, against the key set as it is then.
3. **Well formed** (400): the activity must validate against the SDK's own activity
   schema, the one its handlers are typed by.
4. **Ours** (403): its ``channelId`` is ``msteams``, its tenant
   (``conversation.tenantId``, else ``channelData.tenant.id``) is TEAMS_TENANT_ID, and
   its sender has an Azure AD object ID (``from.aadObjectId``), the only identity the
   bot's permissions use.

Only then is the activity handed to the SDK's pipeline (the handlers in
:mod:`bot.teams.handlers`) with the token already checked, so it is not checked twice.
Whatever a handler does, the answer is never a 500: a failure is logged as one line
(the exception's type and where it was raised) and Teams is answered 200.

``GET /charts/<token>.png`` serves the chart images cards refer to
(:class:`bot.app.chart_links.ChartStore`); every other request goes to the FastAPI
application (``/healthz``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import traceback
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import jwt
from pydantic import BaseModel, ValidationError
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.app.chart_links import CHARTS_PATH, ChartStore
from bot.teams.sdk import (
    ActivityEvent,
    ActivityTypeAdapter,
    CoreActivity,
    JsonWebToken,
)

logger = logging.getLogger(__name__)

# The Bot Connector's activities are a few kilobytes; refuse anything absurd unread.
MAX_BODY_BYTES = 256 * 1024
# Activities nest a handful of levels (an invoke's card data a few more).
MAX_DEPTH = 32
TEAMS_CHANNEL = "msteams"
BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
CLOCK_SKEW_SECONDS = 300
KEYS_LIFETIME_SECONDS = 24 * 3600.0
KEYS_REFETCH_AFTER_SECONDS = 30.0
KEYS_TIMEOUT_SECONDS = 10.0
# Tokens whose signature has verified, kept until they expire (the Bot Connector reuses
# one token for many activities): enough for every connector instance that calls.
VERIFIED_TOKENS = 256

_UNSAFE = re.compile(r"[^\w.:@;=+/-]")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_/]{0,40}")


class Refused(Exception):
    """An answer other than the SDK's: ``status`` and the reason to log (no content)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def safe(value: object, limit: int = 64) -> str:
    """A field of an untrusted activity, fit to log: a few safe characters, short."""
    if not isinstance(value, str | int):
        return "-" if value is None else f"<{type(value).__name__}>"
    return _UNSAFE.sub("?", str(value))[:limit] or "-"


# --- the Bot Framework's signing keys ---------------------------------------------------


@dataclass(frozen=True)
class SigningKey:
    key: Any  # what jwt.decode verifies with
    endorsements: frozenset[str]


def parse_keys(document: object) -> dict[str, SigningKey]:
    """The RS256 keys of a JWKS document, by ``kid``, with their endorsements."""
    keys: dict[str, SigningKey] = {}
    entries = document.get("keys") if isinstance(document, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str):
            continue
        try:
            key = jwt.PyJWK(entry, algorithm="RS256").key
        except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError):
            continue
        endorsed = entry.get("endorsements")
        names = frozenset(
            e.lower()
            for e in (endorsed if isinstance(endorsed, list) else [])
            if isinstance(e, str)
        )
        keys[entry["kid"]] = SigningKey(key, names)
    return keys


class SigningKeys:
    """The key set at ``jwks_url``, fetched when first needed, kept for a day, and
    fetched again early (at most every 30 s) when a token names a key it lacks."""

    def __init__(
        self,
        jwks_url: str,
        *,
        fetch: Callable[[str], object] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.jwks_url = jwks_url
        self._fetch = fetch or _fetch_json
        self._clock = clock
        self._keys: dict[str, SigningKey] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    async def get(self, kid: str) -> SigningKey | None:
        now = self._clock()
        stale = self._fetched_at is None or now - self._fetched_at > KEYS_LIFETIME_SECONDS
        found = None if stale else self._keys.get(kid)
        if found is not None:
            return found
        async with self._lock:
            fetched_at = self._fetched_at
            if fetched_at is None or self._clock() - fetched_at > (
                KEYS_LIFETIME_SECONDS if kid in self._keys else KEYS_REFETCH_AFTER_SECONDS
            ):
                await self._refresh()
        return self._keys.get(kid)

    async def _refresh(self) -> None:
        try:
            document = await asyncio.to_thread(self._fetch, self.jwks_url)
        except Exception as error:  # network, TLS, not JSON: keep what we had
            logger.warning(
                "could not fetch the Bot Framework's signing keys: %s", type(error).__name__
            )
            self._fetched_at = self._clock()
            return
        keys = parse_keys(document)
        if keys:
            self._keys = keys
        else:
            logger.warning("the Bot Framework's key set held no usable keys")
        self._fetched_at = self._clock()


def _fetch_json(url: str) -> object:
    client = jwt.PyJWKClient(url, cache_keys=False, cache_jwk_set=False, timeout=30)
    return client.fetch_data()


def keys_url(openid_metadata_url: str) -> str:
    """Where the keys are, as the SDK finds them: ``…/openidconfiguration`` → ``…/keys``."""
    return re.sub(r"/openidconfiguration$", "/keys", openid_metadata_url)


@dataclass(frozen=True)
class Verified:
    """A token whose signature verified: its claims, and the key that signed it."""

    claims: dict[str, Any]
    kid: str
    key: SigningKey  # as the key set had it: a key fetched again is verified with again
    expires: float  # Unix time, with the clock skew allowed


class TokenCheck:
    """The Bot Framework's rules for the token on an activity (see the module's doc)."""

    def __init__(
        self,
        app_id: str,
        keys: SigningKeys,
        issuer: str = BOT_FRAMEWORK_ISSUER,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.audiences = [app_id, f"api://{app_id}", f"api://botid-{app_id}"]
        self.keys = keys
        self.issuer = issuer
        self._clock = clock
        self._verified: OrderedDict[str, Verified] = OrderedDict()

    async def check(self, authorization: str, body: dict[str, Any]) -> str:
        """The raw token when it is good; else :class:`Refused` (401)."""
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Refused(401, "no bearer token")
        token = token.strip()
        verified = self._verified.get(token)
        if verified is not None and self._clock() >= verified.expires:
            del self._verified[token]
            raise Refused(401, "the token has expired")
        if verified is None or await self.keys.get(verified.kid) is not verified.key:
            verified = await self._verify(token)
        claimed = verified.claims.get("serviceurl")
        service_url = body.get("serviceUrl")
        if not isinstance(claimed, str) or not isinstance(service_url, str):
            raise Refused(401, "the token or the activity names no service URL")
        if claimed.rstrip("/") != service_url.rstrip("/"):
            raise Refused(401, "the token is for another service URL than the activity's")
        if TEAMS_CHANNEL not in verified.key.endorsements:
            raise Refused(401, "the signing key is not endorsed for msteams")
        return token

    async def _verify(self, token: str) -> Verified:
        """Verify the token's signature and claims (:class:`Refused` if they fail), and
        keep what it says until it expires."""
        self._verified.pop(token, None)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise Refused(401, "the token is not a JWT") from None
        kid = header.get("kid")
        if header.get("alg") != "RS256" or not isinstance(kid, str):
            raise Refused(401, "the token is not signed with RS256 under a key ID")
        key = await self.keys.get(kid)
        if key is None:
            raise Refused(401, "the token is signed by a key the Bot Framework does not publish")
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                audience=self.audiences,
                issuer=self.issuer,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise Refused(401, "the token has expired") from None
        except jwt.InvalidAudienceError:
            raise Refused(401, "the token is for another app") from None
        except jwt.InvalidIssuerError:
            raise Refused(401, "the token is not from the Bot Framework") from None
        except jwt.ImmatureSignatureError:
            raise Refused(401, "the token is not valid yet") from None
        except jwt.InvalidSignatureError:
            raise Refused(401, "the token's signature does not verify") from None
        except jwt.InvalidTokenError as error:
            raise Refused(401, f"the token is not valid ({type(error).__name__})") from None
        verified = Verified(claims, kid, key, float(claims["exp"]) + CLOCK_SKEW_SECONDS)
        self._verified[token] = verified
        while len(self._verified) > VERIFIED_TOKENS:
            self._verified.popitem(last=False)
        return verified


# --- what the activity must be ------------------------------------------------------------


def depth_within(value: Any, limit: int) -> bool:
    """Whether ``value`` nests no deeper than ``limit`` (without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, level = stack.pop()
        if level > limit:
            return False
        if isinstance(node, dict):
            stack.extend((child, level + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, level + 1) for child in node)
    return True


def problem_of(error: ValidationError) -> str:
    """Where an activity is malformed and how, from pydantic's first error, without the
    value (pydantic's own message quotes it)."""
    errors = error.errors(include_url=False, include_input=False, include_context=False)
    if not errors:
        return "malformed"
    first = errors[0]
    place = ".".join(
        str(part) if isinstance(part, int) or _NAME.fullmatch(str(part)) else "?"
        for part in first.get("loc", ())
    )
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{place or 'the activity'}: {safe(first.get('type'), 40)}{more}"


def tenant_of(activity: Any) -> str | None:
    conversation = getattr(activity, "conversation", None)
    tenant = getattr(conversation, "tenant_id", None)
    if tenant:
        return str(tenant).lower()
    data = getattr(activity, "channel_data", None)
    found = getattr(getattr(data, "tenant", None), "id", None)
    return str(found).lower() if found else None


def policy_problem(activity: Any, tenant: str) -> str | None:
    """Why the bot will not take ``activity`` (a validated activity), or None."""
    if getattr(activity, "channel_id", None) != TEAMS_CHANNEL:
        return "not from Microsoft Teams (channelId is not msteams)"
    data = getattr(activity, "channel_data", None)
    conversation_tenant = getattr(getattr(activity, "conversation", None), "tenant_id", None)
    data_tenant = getattr(getattr(data, "tenant", None), "id", None)
    named = [str(t).lower() for t in (conversation_tenant, data_tenant) if t]
    if not named:
        return "names no tenant"
    if any(t != tenant for t in named):
        return "from another tenant than TEAMS_TENANT_ID"
    sender = getattr(activity, "from_", None)
    if not getattr(sender, "aad_object_id", None):
        return "its sender has no Azure AD object ID (aadObjectId)"
    return None


# --- the ASGI front -------------------------------------------------------------------------

Process = Callable[[Any], Awaitable[Any]]


class Ingress:
    """The ASGI application uvicorn serves: the messaging endpoint and the charts here,
    everything else through to ``app`` (FastAPI)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        path: str,
        tokens: TokenCheck,
        tenant: str,
        process: Callable[[], Process | None],
        charts: ChartStore | None = None,
    ) -> None:
        self.app = app
        self.path = path
        self.tokens = tokens
        self.tenant = tenant.lower()
        self.process = process
        self.charts = charts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            if path == self.path and scope["method"] == "POST":
                await self.messages(scope, receive, send)
                return
            if path.startswith(CHARTS_PATH) and scope["method"] in ("GET", "HEAD"):
                await self.chart(scope, send)
                return
        await self.app(scope, receive, send)

    # --- POST /api/messages ---------------------------------------------------------------

    async def messages(self, scope: Scope, receive: Receive, send: Send) -> None:
        body: dict[str, Any] | None = None
        try:
            raw = await _read(receive, MAX_BODY_BYTES)
            if raw is None:
                return  # the client went away
            body = _parse(raw)
            headers = _headers(scope)
            token = await self.tokens.check(headers.get("authorization", ""), body)
            try:
                activity = ActivityTypeAdapter.validate_python(body)
            except ValidationError as error:
                raise Refused(400, f"malformed activity, {problem_of(error)}") from None
            refused = policy_problem(activity, self.tenant)
            if refused:
                raise Refused(403, refused)
        except Refused as refusal:
            _log_refusal(refusal, body)
            await _answer(send, refusal.status, {"error": _ERRORS[refusal.status]})
            return
        except Exception as error:  # a check that failed on something unforeseen
            _log_refusal(Refused(400, f"it could not be checked: {_where(error)}"), body)
            await _answer(send, 400, {"error": _ERRORS[400]})
            return
        status, answer = await self.dispatch(body, token, activity)
        await _answer(send, status, answer)

    async def dispatch(self, body: dict[str, Any], token: str, activity: Any) -> tuple[int, Any]:
        """Hand the activity to the SDK's pipeline; its answer, or 200 if it fails."""
        process = self.process()
        if process is None:
            logger.warning("an activity arrived before the Teams app was initialised")
            return 503, {"error": "Not ready"}
        try:
            result = await process(
                ActivityEvent(body=CoreActivity.model_validate(body), token=JsonWebToken(token))
            )
        except Exception as error:
            logger.error("handling a %s activity failed: %s", _kind(activity), _where(error))
            return 200, None
        return _response(result)

    # --- GET /charts/<token>.png ------------------------------------------------------------

    async def chart(self, scope: Scope, send: Send) -> None:
        token = scope["path"][len(CHARTS_PATH) :]
        png = await asyncio.to_thread(self.charts.open, token) if self.charts else None
        if png is None:
            await _answer(send, 404, {"error": "Not found"})
            return
        head = scope["method"] == "HEAD"
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"image/png"),
                    (b"content-length", str(len(png)).encode()),
                    (b"cache-control", b"public, max-age=86400, immutable"),
                    (b"x-content-type-options", b"nosniff"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b"" if head else png})


_ERRORS = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 413: "Request too large"}


async def _read(receive: Receive, limit: int) -> bytes | None:
    chunks: list[bytes] = []
    received = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        received += len(chunk)
        if received > limit:
            raise Refused(413, f"the body is over {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _parse(raw: bytes) -> dict[str, Any]:
    try:
        parsed: Any = json.loads(raw)
    except RecursionError:
        raise Refused(400, "the body nests too deeply") from None
    except ValueError:
        raise Refused(400, "the body is not JSON") from None
    if not isinstance(parsed, dict):
        raise Refused(400, "the body is not a JSON object")
    if not depth_within(parsed, MAX_DEPTH):
        raise Refused(400, f"the body nests deeper than {MAX_DEPTH} levels")
    return parsed


def _headers(scope: Scope) -> dict[str, str]:
    return {
        name.decode("latin-1").lower(): value.decode("latin-1")
        for name, value in scope.get("headers", [])
    }


def _log_refusal(refusal: Refused, body: dict[str, Any] | None) -> None:
    kind = safe(body.get("type")) if body else "-"
    ident = safe(body.get("id")) if body else "-"
    logger.warning(
        "inbound activity rejected (%d, type=%s, id=%s): %s",
        refusal.status,
        kind,
        ident,
        refusal.reason,
    )


def _kind(activity: Any) -> str:
    name = getattr(activity, "name", None)
    kind = safe(getattr(activity, "type", None))
    return f"{kind} ({safe(name)})" if isinstance(name, str) else kind


def _where(error: BaseException) -> str:
    """The exception's type and the last frame of ours (or any) it passed: never its
    message, which may quote what was sent."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if "/bot/" in f.filename] or frames
    if not ours:
        return type(error).__name__
    last = ours[-1]
    return f"{type(error).__name__} at {last.filename.rsplit('/', 1)[-1]}:{last.lineno}"


def _response(result: Any) -> tuple[int, Any]:
    """The SDK's invoke response as (status, JSON body or None), as its server would."""
    found: dict[str, Any] | None = None
    if isinstance(result, dict):
        found = result
    elif isinstance(result, BaseModel):
        found = result.model_dump(exclude_none=True)
    if not found:
        return 200, None
    status = found.get("status", 200)
    return (status if isinstance(status, int) and 100 <= status < 500 else 200), found.get("body")


async def _answer(send: Send, status: int, body: Any) -> None:
    payload = b"" if body is None else json.dumps(body, separators=(",", ":"), default=str).encode()
    headers: list[tuple[bytes, bytes]] = [(b"content-length", str(len(payload)).encode())]
    if body is not None:
        headers.append((b"content-type", b"application/json"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
