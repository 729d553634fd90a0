"""Local stand-ins for the Microsoft services a Teams bot talks to, for tests.

Three small HTTP servers, each bound to ``127.0.0.1`` on a free port, each with
``start()``/``stop()`` and a ``url``:

:class:`FakeOpenID`
    The Bot Framework's OpenID metadata (``/v1/.well-known/openidconfiguration``) and
    JWKS (``/v1/.well-known/keys``) for a locally generated RSA key, and
    :meth:`FakeOpenID.token` to mint the RS256 JWTs the Bot Connector would put in the
    ``Authorization`` header of each activity it POSTs to the bot: valid, expired, for
    another audience or service URL, or signed by a key that is not published.

    The Teams SDK (``microsoft-teams-apps`` 2.1) does not read the metadata document: it
    derives the JWKS address from the metadata address by replacing its trailing
    ``/openidconfiguration`` with ``/keys``. Both are served here, at those paths.

:class:`FakeLogin`
    An HTTPS Azure AD (Entra ID) token endpoint for msal's client-credentials flow
    (``POST /{tenant}/oauth2/v2.0/token``) and the tenant discovery document msal reads
    first when built with ``instance_discovery=False``
    (``GET /{tenant}/v2.0/.well-known/openid-configuration``). Its certificate is signed
    by a CA made at start; point the bot at :attr:`FakeLogin.ca_path`
    (``REQUESTS_CA_BUNDLE`` for msal, which uses requests; ``SSL_CERT_FILE`` for the rest).
    The access tokens it issues are JWTs, as Azure AD's are: the Teams SDK decodes (without
    verifying) whatever its ``token=`` callable returns, and a token that is not a JWT
    makes every send fail.

:class:`FakeConnector`
    The Bot Connector REST API the bot sends with (``/v3/conversations/...``). It records
    every call with its ``Authorization`` header and JSON body, answers as the service
    does, and can be told to fail the next calls (429 with ``Retry-After``, 500, or a hang).
    :meth:`FakeConnector.wait_for` polls the record, so tests never sleep for a fixed time.

Used from pytest fixtures, for example::

    @pytest.fixture(scope="session")
    def teams_login(tmp_path_factory):
        fake = FakeLogin("app-id", "app-secret", "tenant-id",
                         workdir=tmp_path_factory.mktemp("pki")).start()
        yield fake
        fake.stop()

    @pytest.fixture
    def connector(teams_login):
        fake = FakeConnector(token_check=teams_login.is_valid).start()
        yield fake
        fake.stop()

    def test_reply(connector, openid, bot_url):
        activity = personal_message(service_url=connector.url, text="hello")
        token = openid.token(serviceurl=connector.url)
        httpx.post(f"{bot_url}/api/messages", json=activity,
                   headers={"Authorization": f"Bearer {token}"})
        call = connector.wait_for(lambda c: c.is_send and "hello" in (c.text or ""))
        assert call.bearer in teams_login.issued_tokens()

The servers need only the standard library, ``cryptography`` and ``pyjwt``.
"""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import ssl
import tempfile
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qsl, unquote, urlsplit

import jwt

from tests.teams_keys import SigningKey, TestPki, new_signing_key, new_test_pki

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
"""The ``iss`` of the tokens the Bot Connector sends to bots (public cloud)."""
BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"
"""The scope a bot asks Azure AD for to call the Bot Connector (public cloud)."""
OPENID_METADATA_PATH = "/v1/.well-known/openidconfiguration"
OPENID_KEYS_PATH = "/v1/.well-known/keys"
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


# --- shared plumbing ----------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One HTTP request as a fake received it."""

    method: str
    path: str
    """The path, percent-decoded, without the query string."""
    query: dict[str, str]
    headers: dict[str, str]
    """Header names in lower case."""
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode("utf-8"), keep_blank_values=True))


@dataclass
class Response:
    status: int = 200
    body: Any = None
    """JSON-serialisable, or ``bytes`` sent as they are, or ``None`` for no body."""
    headers: dict[str, str] = field(default_factory=dict)


class _Httpd(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        handler: type[BaseHTTPRequestHandler],
        ssl_context: ssl.SSLContext | None,
    ) -> None:
        self.ssl_context = ssl_context
        super().__init__(("127.0.0.1", 0), handler)

    def get_request(self) -> tuple[Any, Any]:
        sock, address = super().get_request()
        if self.ssl_context is not None:
            # The handshake runs in the request's own thread (see _Handler.setup), so a
            # client that connects and says nothing cannot stall the accept loop.
            sock = self.ssl_context.wrap_socket(
                sock, server_side=True, do_handshake_on_connect=False
            )
        return sock, address

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that does not trust the test CA, or goes away mid-request, is not an
        # error of the fake; keep test output clean.
        pass


class _LoopbackServer:
    """An HTTP(S) server on 127.0.0.1 that hands each request to :meth:`_handle`."""

    def __init__(self) -> None:
        self._httpd: _Httpd | None = None

    # Subclasses answer requests here (called on the request's own thread).
    def _handle(self, request: Request) -> Response:
        raise NotImplementedError

    def _ssl_context(self) -> ssl.SSLContext | None:
        return None

    def start(self) -> Self:
        if self._httpd is not None:
            return self
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            timeout = 30  # seconds a silent client may hold a connection

            def setup(self) -> None:
                super().setup()
                if isinstance(self.request, ssl.SSLSocket):
                    self.request.do_handshake()

            def _serve(self) -> None:
                fake._serve(self)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = _Httpd(_Handler, self._ssl_context())
        threading.Thread(
            target=self._httpd.serve_forever,
            name=f"{type(self).__name__}-{self._httpd.server_address[1]}",
            daemon=True,
        ).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, f"{type(self).__name__} is not started"
        return int(self._httpd.server_address[1])

    @property
    def scheme(self) -> str:
        return "http"

    @property
    def url(self) -> str:
        """The base address, e.g. ``http://127.0.0.1:41234`` (no trailing slash)."""
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        request = Request(
            method=handler.command,
            path=unquote(parts.path),
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in handler.headers.items()},
            body=handler.rfile.read(length) if length else b"",
        )
        try:
            response = self._handle(request)
        except Exception as error:  # a bug in a fake should show up as a 500, not a hang
            response = Response(500, {"error": {"code": "FakeError", "message": repr(error)}})
        if isinstance(response.body, bytes):
            payload = response.body
            content_type = response.headers.get("Content-Type", "application/octet-stream")
        elif response.body is None:
            payload = b""
            content_type = None
        else:
            payload = json.dumps(response.body).encode("utf-8")
            content_type = "application/json; charset=utf-8"
        try:
            handler.send_response(response.status)
            for name, value in response.headers.items():
                if name.lower() != "content-type":
                    handler.send_header(name, value)
            if content_type:
                handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            if payload and request.method != "HEAD":
                handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass  # the client gave up (e.g. its timeout fired during a hang)


def _now() -> int:
    return int(time.time())


# --- (a) the Bot Framework OpenID metadata and keys -----------------------------------------


class FakeOpenID(_LoopbackServer):
    """The Bot Framework's OpenID metadata and signing keys, and a minter of its tokens.

    Point the bot's ``TEAMS_OPENID_METADATA_URL`` at :attr:`metadata_url`. Tokens from
    :meth:`token` carry ``iss`` :data:`BOT_FRAMEWORK_ISSUER`, ``aud`` the app ID and
    ``serviceurl`` the service URL given here (or per token), as the Bot Connector's do.
    """

    def __init__(
        self,
        app_id: str,
        *,
        service_url: str | None = None,
        issuer: str = BOT_FRAMEWORK_ISSUER,
    ) -> None:
        super().__init__()
        self.app_id = app_id
        self.service_url = service_url
        self.issuer = issuer
        self.key: SigningKey = new_signing_key()
        """The key :meth:`token` signs with by default; published in the JWKS."""
        self.other_key: SigningKey = new_signing_key()
        """A key that is never published: tokens it signs must be refused."""
        self._published: list[SigningKey] = [self.key]
        self._lock = threading.Lock()
        self.requests: list[str] = []
        """Paths requested, in order (to check how often the bot fetches the keys)."""

    @property
    def metadata_url(self) -> str:
        return f"{self.url}{OPENID_METADATA_PATH}"

    @property
    def jwks_url(self) -> str:
        return f"{self.url}{OPENID_KEYS_PATH}"

    @property
    def jwks_requests(self) -> int:
        with self._lock:
            return sum(1 for path in self.requests if path == OPENID_KEYS_PATH)

    def jwks(self) -> dict[str, Any]:
        with self._lock:
            return {"keys": [key.jwk() for key in self._published]}

    def rotate(self) -> SigningKey:
        """Publish a new key beside the old one and sign with it from now on.

        The bot (bot.teams.ingress.SigningKeys) keeps the key set for a day and refetches
        it for an unknown ``kid`` only if its last fetch is over 30 s old: a key rotated in
        right after the bot fetched the set is refused until then. Rotate before the bot's
        first request, or expect 401s in that window.
        """
        key = new_signing_key()
        with self._lock:
            self._published.append(key)
            self.key = key
        return key

    def publish(self, key: SigningKey) -> SigningKey:
        """Publish ``key`` beside the others without signing with it by default (a key
        endorsed for another channel, say). The bot fetches the set once a day, or for
        an unknown key at most every 30 s: publish before its first request."""
        with self._lock:
            self._published.append(key)
        return key

    def unpublish(self, key: SigningKey) -> None:
        with self._lock:
            self._published = [k for k in self._published if k.kid != key.kid]

    def claims(self, **overrides: Any) -> dict[str, Any]:
        """The claims :meth:`token` would sign; an override of ``None`` drops the claim."""
        now = _now()
        claims: dict[str, Any] = {
            "serviceurl": self.service_url,
            "nbf": now - 60,
            "exp": now + 3600,
            "iss": self.issuer,
            "aud": self.app_id,
        }
        claims.update(overrides)
        return {name: value for name, value in claims.items() if value is not None}

    def token(
        self,
        *,
        key: SigningKey | None = None,
        kid: str | None = None,
        headers: dict[str, Any] | None = None,
        **claims: Any,
    ) -> str:
        """An RS256 JWT like the Bot Connector's, with ``claims`` overriding the defaults.

        ``token()`` is valid for an hour; for the others::

            openid.token(exp=now - 3600)            # expired (the Teams SDK allows 300 s skew)
            openid.token(aud="another-app")         # for another bot
            openid.token(serviceurl="https://x")    # for another service URL than the body's
            openid.token(key=openid.other_key)      # signed by an unpublished key (unknown kid)
            openid.token(key=openid.other_key, kid=openid.key.kid)  # forged under a known kid
            openid.token(serviceurl=None)           # no serviceurl claim at all
        """
        signer = key or self.key
        merged = self.claims(**claims)
        if "serviceurl" not in claims and "serviceurl" not in merged:
            raise ValueError("give FakeOpenID a service_url, or pass serviceurl= to token()")
        header = {"kid": kid or signer.kid, "typ": "JWT", **(headers or {})}
        return jwt.encode(merged, signer.private_key, algorithm="RS256", headers=header)

    def authorization(self, **claims: Any) -> dict[str, str]:
        """``{"Authorization": "Bearer <token(**claims)>"}``."""
        return {"Authorization": f"Bearer {self.token(**claims)}"}

    def _handle(self, request: Request) -> Response:
        with self._lock:
            self.requests.append(request.path)
        if request.method != "GET":
            return Response(405)
        if request.path == OPENID_METADATA_PATH:
            return Response(
                200,
                {
                    "issuer": self.issuer,
                    "authorization_endpoint": f"{self.url}/v1/.well-known/authorize",
                    "jwks_uri": self.jwks_url,
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                },
            )
        if request.path == OPENID_KEYS_PATH:
            return Response(200, self.jwks())
        return Response(404)


# --- (b) Azure AD's token endpoint, over HTTPS ----------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    client_id: str
    tenant: str
    scope: str
    expires_at: float


@dataclass(frozen=True)
class _LoginFailure:
    status: int
    error: str
    retry_after: float | None


class FakeLogin(_LoopbackServer):
    """Azure AD for one app registration, enough for msal's client-credentials flow.

    msal's authority is ``f"{login.url}/{tenant}"`` (:attr:`authority`), built with
    ``instance_discovery=False`` (msal otherwise asks login.microsoftonline.com whether the
    host is known). msal then GETs the tenant discovery document and POSTs the token
    request to the ``token_endpoint`` it names. A client secret is checked; any other grant
    or credential is refused the way Azure AD refuses it (``400``/``401`` with ``error``).

    msal serves a cached token until five minutes before it expires, so with the default
    ``expires_in`` one token serves a whole test session; give ``expires_in`` under 300 to
    make msal ask again on every call.
    """

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        tenant_id: str,
        *,
        expires_in: int = 3599,
        workdir: Path | None = None,
    ) -> None:
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.tenant_id = tenant_id
        self.expires_in = expires_in
        self._workdir = workdir
        self._own_workdir: Path | None = None
        self._pki: TestPki | None = None
        self._signing_key = new_signing_key()
        self._lock = threading.Lock()
        self._failures: deque[_LoginFailure] = deque()
        self.issued: list[IssuedToken] = []
        """Every access token handed out, oldest first."""
        self.token_requests = 0
        """Token requests received, granted or not."""
        self.discovery_requests = 0
        """Tenant discovery documents served (msal reads one per application object)."""

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> Self:
        if self._pki is None:
            directory = self._workdir
            if directory is None:
                self._own_workdir = Path(tempfile.mkdtemp(prefix="teams-fake-login-"))
                directory = self._own_workdir
            self._pki = new_test_pki(directory)
        return super().start()

    def stop(self) -> None:
        super().stop()
        if self._own_workdir is not None:
            shutil.rmtree(self._own_workdir, ignore_errors=True)
            self._own_workdir = None
            self._pki = None

    def _ssl_context(self) -> ssl.SSLContext:
        assert self._pki is not None
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(self._pki.cert_path, self._pki.key_path)
        return context

    @property
    def scheme(self) -> str:
        return "https"

    @property
    def ca_path(self) -> Path:
        """The CA bundle to trust (``REQUESTS_CA_BUNDLE``/``SSL_CERT_FILE`` of the bot)."""
        assert self._pki is not None, "FakeLogin is not started"
        return self._pki.ca_path

    @property
    def authority(self) -> str:
        """What to give msal as ``authority``: ``https://127.0.0.1:PORT/{tenant}``."""
        return f"{self.url}/{self.tenant_id}"

    # --- inspection and scripting -----------------------------------------------------------

    def issued_tokens(self) -> list[str]:
        with self._lock:
            return [token.access_token for token in self.issued]

    def is_valid(self, access_token: str) -> bool:
        """Whether this fake issued ``access_token`` and it has not expired."""
        now = time.time()
        with self._lock:
            return any(t.access_token == access_token and t.expires_at > now for t in self.issued)

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 503,
        error: str = "temporarily_unavailable",
        retry_after: float | None = None,
    ) -> None:
        """Answer the next ``count`` token requests with ``status`` and an Azure AD error."""
        with self._lock:
            self._failures.extend(_LoginFailure(status, error, retry_after) for _ in range(count))

    def reset(self) -> None:
        with self._lock:
            self._failures.clear()
            self.issued.clear()
            self.token_requests = 0
            self.discovery_requests = 0

    # --- the endpoints ------------------------------------------------------------------------

    def _handle(self, request: Request) -> Response:
        parts = [part for part in request.path.split("/") if part]
        if not parts:
            return Response(404)
        tenant, rest = parts[0], parts[1:]
        if rest == ["v2.0", ".well-known", "openid-configuration"] and request.method == "GET":
            return self._discovery(tenant)
        if rest == ["discovery", "v2.0", "keys"] and request.method == "GET":
            return Response(200, {"keys": [self._signing_key.jwk()]})
        if rest == ["oauth2", "v2.0", "token"] and request.method == "POST":
            return self._token(tenant, request)
        return Response(404, {"error": "not_found"})

    def _unknown_tenant(self, tenant: str) -> Response:
        return Response(
            400,
            {
                "error": "invalid_tenant",
                "error_description": f"AADSTS90002: Tenant '{tenant}' not found.",
            },
        )

    def _discovery(self, tenant: str) -> Response:
        if tenant != self.tenant_id:
            return self._unknown_tenant(tenant)
        with self._lock:
            self.discovery_requests += 1
        base = f"{self.url}/{tenant}"
        return Response(
            200,
            {
                "issuer": f"{base}/v2.0",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "jwks_uri": f"{base}/discovery/v2.0/keys",
                "response_types_supported": ["code", "id_token", "token"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "client_secret_basic",
                    "private_key_jwt",
                ],
                "tenant_region_scope": "EU",
            },
        )

    def _token(self, tenant: str, request: Request) -> Response:
        with self._lock:
            self.token_requests += 1
            failure = self._failures.popleft() if self._failures else None
        if failure is not None:
            headers = {}
            if failure.retry_after is not None:
                headers["Retry-After"] = f"{failure.retry_after:g}"
            return Response(
                failure.status,
                {"error": failure.error, "error_description": "injected failure"},
                headers,
            )
        if tenant != self.tenant_id:
            return self._unknown_tenant(tenant)

        form = request.form()
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        basic = request.headers.get("authorization", "")
        if basic.startswith("Basic "):
            user, _, password = base64.b64decode(basic[6:]).decode("utf-8").partition(":")
            client_id, client_secret = unquote(user), unquote(password)

        if form.get("grant_type") != "client_credentials":
            return Response(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "only client_credentials here",
                },
            )
        if client_id != self.client_id:
            return Response(
                400,
                {
                    "error": "unauthorized_client",
                    "error_description": f"AADSTS700016: Application '{client_id}' not found.",
                },
            )
        if client_secret != self.client_secret:
            return Response(
                401,
                {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided.",
                },
            )
        scope = form.get("scope", "")
        if not scope.endswith("/.default"):
            return Response(
                400,
                {
                    "error": "invalid_scope",
                    "error_description": "AADSTS1002012: client credentials need a /.default scope",
                },
            )

        now = _now()
        resource = scope.split()[0].removesuffix("/.default")
        access_token = jwt.encode(
            {
                "aud": resource,
                "iss": f"https://sts.windows.net/{tenant}/",
                "iat": now,
                "nbf": now,
                "exp": now + self.expires_in,
                "appid": client_id,
                "tid": tenant,
                "jti": uuid.uuid4().hex,
                "ver": "1.0",
            },
            self._signing_key.private_key,
            algorithm="RS256",
            headers={"kid": self._signing_key.kid},
        )
        with self._lock:
            self.issued.append(
                IssuedToken(access_token, client_id, tenant, scope, now + self.expires_in)
            )
        return Response(
            200,
            {
                "token_type": "Bearer",
                "expires_in": self.expires_in,
                "ext_expires_in": self.expires_in,
                "access_token": access_token,
            },
            {"Cache-Control": "no-store"},
        )


# --- (c) the Bot Connector -------------------------------------------------------------------


@dataclass(frozen=True)
class ConnectorCall:
    """One request the bot made to the Bot Connector, and how the fake answered it."""

    method: str
    path: str
    query: dict[str, str]
    authorization: str | None
    body: Any
    status: int
    """The status the fake answered with (429/500/504 for injected failures)."""
    operation: str
    """``send``, ``reply`` (``POST .../activities/{id}``), ``update``, ``delete``,
    ``create_conversation``, ``upload_attachment``, ``get_member(s)`` or ``unknown``."""
    conversation_id: str | None = None
    activity_id: str | None = None
    """The activity ID in the path (reply, update, delete), or the user ID (get_member)."""
    response_id: str | None = None
    """The ``id`` the fake answered with, e.g. the new message's ID."""
    at: float = 0.0

    @property
    def bearer(self) -> str | None:
        auth = self.authorization or ""
        return auth[7:] if auth.startswith("Bearer ") else None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def is_send(self) -> bool:
        """A new message (or a reply) posted to a conversation, answered with success."""
        return self.ok and self.operation in ("send", "reply")

    @property
    def text(self) -> str | None:
        return self.body.get("text") if isinstance(self.body, dict) else None

    @property
    def reply_to_id(self) -> str | None:
        """Which activity this replies to: from the path, or the body's ``replyToId``."""
        if self.operation == "reply":
            return self.activity_id
        return self.body.get("replyToId") if isinstance(self.body, dict) else None

    @property
    def attachments(self) -> list[dict[str, Any]]:
        found = self.body.get("attachments") if isinstance(self.body, dict) else None
        return list(found or [])

    @property
    def cards(self) -> list[dict[str, Any]]:
        """The Adaptive Card contents among the attachments."""
        return [a.get("content") for a in self.attachments if a.get("contentType") == ADAPTIVE_CARD]


@dataclass(frozen=True)
class _ConnectorFailure:
    status: int
    retry_after: float | None
    hang: float | None
    operations: frozenset[str] | None


class FakeConnector(_LoopbackServer):
    """The Bot Connector REST API, recording every call.

    Give activities ``serviceUrl`` :attr:`url` and the bot sends here. Answers:

    - ``POST /v3/conversations/{id}/activities`` (send; the Teams SDK also replies this way,
      with ``replyToId`` in the body): ``201 {"id": "<new numeric message id>"}``
    - ``POST /v3/conversations/{id}/activities/{activityId}`` (reply): ``201 {"id": ...}``
    - ``PUT /v3/conversations/{id}/activities/{activityId}`` (update): ``200 {"id": ...}``
    - ``DELETE /v3/conversations/{id}/activities/{activityId}``: ``200``
    - ``POST /v3/conversations`` (create, e.g. a 1:1 chat): ``201 {"id", "activityId",
      "serviceUrl"}``
    - ``POST /v3/conversations/{id}/attachments`` (upload): ``200 {"id": ...}``
    - ``GET /v3/conversations/{id}/members[/{userId}]``: from :attr:`members`, else 404

    With ``token_check`` (e.g. ``FakeLogin.is_valid``), a request whose bearer token fails
    it gets ``401``, as from the real service.
    """

    def __init__(self, *, token_check: Callable[[str], bool] | None = None) -> None:
        super().__init__()
        self.token_check = token_check
        self.members: dict[str, dict[str, Any]] = {}
        """Members by user ID (``29:...``), served by the members endpoints."""
        self._calls: list[ConnectorCall] = []
        self._failures: deque[_ConnectorFailure] = deque()
        self._changed = threading.Condition()
        self._release = threading.Event()
        self._ids = itertools.count(int(time.time() * 1000))

    # --- inspection -------------------------------------------------------------------------

    @property
    def calls(self) -> list[ConnectorCall]:
        """A snapshot of every call so far, oldest first."""
        with self._changed:
            return list(self._calls)

    def sent(self) -> list[ConnectorCall]:
        """Successful sends and replies, oldest first."""
        return [call for call in self.calls if call.is_send]

    def wait_for(
        self,
        predicate: Callable[[ConnectorCall], bool] = lambda call: True,
        timeout: float = 5.0,
    ) -> ConnectorCall:
        """The first call (oldest first) matching ``predicate``, waiting up to ``timeout`` s."""
        return self.wait_for_count(1, predicate, timeout)[0]

    def wait_for_count(
        self,
        count: int,
        predicate: Callable[[ConnectorCall], bool] = lambda call: True,
        timeout: float = 5.0,
    ) -> list[ConnectorCall]:
        """The first ``count`` calls matching ``predicate``, waiting up to ``timeout`` s."""

        def matching() -> list[ConnectorCall]:
            return [call for call in self._calls if predicate(call)]

        with self._changed:
            if not self._changed.wait_for(lambda: len(matching()) >= count, timeout):
                seen = "\n".join(
                    f"  {c.status} {c.method} {c.path} {json.dumps(c.body)[:200]}"
                    for c in self._calls
                )
                raise AssertionError(
                    f"expected {count} matching Bot Connector call(s) within {timeout}s, "
                    f"saw {len(matching())}; all calls:\n{seen or '  (none)'}"
                )
            return matching()[:count]

    def assert_quiet(
        self, predicate: Callable[[ConnectorCall], bool] = lambda call: True, within: float = 0.5
    ) -> None:
        """Fail if a call matching ``predicate`` arrives within ``within`` s.

        Proving that nothing happens needs some wait; keep ``within`` short, and prefer
        waiting for a later call that must come after the one that must not.
        """
        with self._changed:
            if self._changed.wait_for(lambda: any(predicate(c) for c in self._calls), within):
                unexpected = next(c for c in self._calls if predicate(c))
                raise AssertionError(f"unexpected Bot Connector call: {unexpected}")

    # --- scripting ----------------------------------------------------------------------------

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 429,
        retry_after: float | None = 1,
        operations: set[str] | None = None,
    ) -> None:
        """Answer the next ``count`` calls with ``status`` (``Retry-After`` if given).

        ``operations`` limits the failures to those operations (e.g. ``{"send"}``).
        """
        failure = _ConnectorFailure(
            status, retry_after, None, frozenset(operations) if operations else None
        )
        with self._changed:
            self._failures.extend(failure for _ in range(count))

    def hang_next(
        self,
        count: int = 1,
        *,
        seconds: float = 30.0,
        operations: set[str] | None = None,
    ) -> None:
        """Hold the next ``count`` calls for ``seconds`` (or until :meth:`release`), then 504.

        The call is recorded as it arrives, so a test can wait for it and then check that
        the bot's own timeout fires.
        """
        failure = _ConnectorFailure(
            504, None, seconds, frozenset(operations) if operations else None
        )
        with self._changed:
            self._failures.extend(failure for _ in range(count))

    def release(self) -> None:
        """End every hang now."""
        self._release.set()

    def reset(self) -> None:
        """Forget the calls, the scripted failures and the members; end hangs."""
        self.release()
        with self._changed:
            self._calls.clear()
            self._failures.clear()
            self.members.clear()
            self._release = threading.Event()
            self._changed.notify_all()

    def stop(self) -> None:
        self.release()
        super().stop()

    # --- the endpoints --------------------------------------------------------------------------

    @staticmethod
    def _route(method: str, path: str) -> tuple[str, str | None, str | None]:
        parts = path.split("/")
        # ["", "v3", "conversations", conversation, ...]
        if len(parts) < 3 or parts[1] != "v3" or parts[2] != "conversations":
            return "unknown", None, None
        if len(parts) == 3:
            return ("create_conversation" if method == "POST" else "unknown"), None, None
        conversation = parts[3]
        rest = parts[4:]
        if rest == ["activities"] and method == "POST":
            return "send", conversation, None
        if len(rest) == 2 and rest[0] == "activities":
            operation = {"POST": "reply", "PUT": "update", "DELETE": "delete"}.get(method)
            return operation or "unknown", conversation, rest[1]
        if rest == ["attachments"] and method == "POST":
            return "upload_attachment", conversation, None
        if rest == ["members"] and method == "GET":
            return "get_members", conversation, None
        if len(rest) == 2 and rest[0] == "members" and method == "GET":
            return "get_member", conversation, rest[1]
        return "unknown", conversation, None

    def _take_failure(self, operation: str) -> _ConnectorFailure | None:
        with self._changed:
            for index, failure in enumerate(self._failures):
                if failure.operations is None or operation in failure.operations:
                    del self._failures[index]
                    return failure
        return None

    def _record(self, call: ConnectorCall) -> None:
        with self._changed:
            self._calls.append(call)
            self._changed.notify_all()

    def _handle(self, request: Request) -> Response:
        operation, conversation_id, activity_id = self._route(request.method, request.path)
        try:
            body = request.json()
        except ValueError:
            body = request.body.decode("utf-8", "replace")
        authorization = request.headers.get("authorization")

        def record(status: int, response_id: str | None = None) -> None:
            self._record(
                ConnectorCall(
                    method=request.method,
                    path=request.path,
                    query=request.query,
                    authorization=authorization,
                    body=body,
                    status=status,
                    operation=operation,
                    conversation_id=conversation_id,
                    activity_id=activity_id,
                    response_id=response_id,
                    at=time.time(),
                )
            )

        failure = self._take_failure(operation)
        if failure is not None:
            if failure.hang is not None:
                record(failure.status)
                release = self._release
                release.wait(failure.hang)
                return Response(failure.status, {"error": {"code": "GatewayTimeout"}})
            record(failure.status)
            headers = {}
            if failure.retry_after is not None:
                headers["Retry-After"] = f"{failure.retry_after:g}"
            code = "TooManyRequests" if failure.status == 429 else "ServiceError"
            return Response(
                failure.status,
                {"error": {"code": code, "message": "injected failure"}},
                headers,
            )

        bearer = authorization[7:] if (authorization or "").startswith("Bearer ") else None
        if self.token_check is not None and (bearer is None or not self.token_check(bearer)):
            record(401)
            return Response(
                401,
                {"message": "Authorization has been denied for this request."},
            )

        if operation in ("send", "reply"):
            new_id = str(next(self._ids))
            record(201, new_id)
            return Response(201, {"id": new_id})
        if operation == "update":
            record(200, activity_id)
            return Response(200, {"id": activity_id})
        if operation == "delete":
            record(200)
            return Response(200)
        if operation == "create_conversation":
            new_conversation = f"a:fake-{uuid.uuid4().hex}"
            first_id = (
                str(next(self._ids)) if isinstance(body, dict) and body.get("activity") else None
            )
            record(201, new_conversation)
            answer: dict[str, Any] = {"id": new_conversation, "serviceUrl": self.url}
            if first_id:
                answer["activityId"] = first_id
            return Response(201, answer)
        if operation == "upload_attachment":
            attachment_id = f"att-{uuid.uuid4().hex[:12]}"
            record(200, attachment_id)
            return Response(200, {"id": attachment_id})
        if operation == "get_members":
            record(200)
            return Response(200, list(self.members.values()))
        if operation == "get_member":
            member = self.members.get(activity_id or "")
            record(200 if member else 404)
            if member is None:
                return Response(
                    404,
                    {"error": {"code": "MemberNotFoundInConversation", "message": "not found"}},
                )
            return Response(200, member)
        record(404)
        return Response(404, {"error": {"code": "NotFound", "message": request.path}})


# --- (d) the council's HTTPS reverse proxy in front of the bot -------------------------------


class HttpsFront(_LoopbackServer):
    """What an admin puts in front of ``yos-bot teams``: an HTTPS server (with its own
    test CA, :attr:`ca_path`) passing every request on to :attr:`target`, the bot's
    plain-HTTP address, and its answer back. Its :attr:`url` is TEAMS_PUBLIC_URL."""

    def __init__(self, target: str, *, workdir: Path) -> None:
        super().__init__()
        self.target = target
        self._pki = new_test_pki(workdir)

    @property
    def scheme(self) -> str:
        return "https"

    @property
    def ca_path(self) -> Path:
        return self._pki.ca_path

    def _ssl_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(self._pki.cert_path, self._pki.key_path)
        return context

    def _handle(self, request: Request) -> Response:
        import http.client
        from urllib.parse import quote, urlencode

        target = urlsplit(self.target)
        path = quote(request.path) + (f"?{urlencode(request.query)}" if request.query else "")
        headers = {
            k: v
            for k, v in request.headers.items()
            if k not in ("host", "connection", "content-length", "transfer-encoding")
        }
        headers["x-forwarded-proto"] = "https"
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
        try:
            connection.request(request.method, path, body=request.body or None, headers=headers)
            answer = connection.getresponse()
            body = answer.read()
            passed = {
                ("Content-Type" if k.lower() == "content-type" else k): v
                for k, v in answer.getheaders()
                if k.lower() not in ("content-length", "transfer-encoding", "connection", "date")
            }
            return Response(answer.status, body, passed)
        finally:
            connection.close()
