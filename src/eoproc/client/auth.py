"""Authentication flows as ``httpx.Auth``: basic, bearer, API key, login, OAuth2.

Token flows are written once as a generator of steps; :class:`TokenAuth` drives it
from both httpx's sync and async auth hooks, reading only token answers' bodies so
that downloads stay streamed.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any

import httpx

from .config import AuthConfig
from .errors import AuthenticationError, ConfigError

_TOKEN_NAMES = ("access_token", "token", "authToken", "auth_token", "accessToken", "id_token")
_EXPIRY_MARGIN = 30.0


class HeaderAuth(httpx.Auth):
    """A fixed header on every request (bearer tokens, API keys)."""

    def __init__(self, header: str, value: str) -> None:
        self.header = header
        self._value = value

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Set the header and send."""
        request.headers[self.header] = self._value
        yield request


class SameOriginAuth(httpx.Auth):
    """Authenticate requests to the API's origin only.

    Result links may point elsewhere (object storage, another server): they get
    no credentials of ours.
    """

    def __init__(self, inner: httpx.Auth, api_url: str) -> None:
        self.inner = inner
        self.origin = _origin(httpx.URL(api_url))
        self.requires_request_body = inner.requires_request_body
        self.requires_response_body = inner.requires_response_body

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        """The inner flow for the API's origin, else the request as it is."""
        if _origin(request.url) != self.origin:
            yield request
            return
        yield from self.inner.sync_auth_flow(request)

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """The inner flow for the API's origin, else the request as it is (async)."""
        if _origin(request.url) != self.origin:
            yield request
            return
        flow = self.inner.async_auth_flow(request)
        step = await flow.__anext__()
        while True:
            response = yield step
            try:
                step = await flow.asend(response)
            except StopAsyncIteration:
                return


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host, url.port or default


def credential_headers(auth: httpx.Auth | None) -> set[str]:
    """The (lower-case) names of the headers in which ``auth`` sends credentials."""
    if isinstance(auth, SameOriginAuth):
        return credential_headers(auth.inner)
    if isinstance(auth, HeaderAuth | TokenAuth):
        return {auth.header.lower()}
    return {"authorization"} if auth is not None else set()


def origin_guard(api_url: str, names: set[str]) -> Callable[[httpx.Request], None]:
    """A request hook that removes the headers ``names`` from requests to other origins.

    httpx keeps custom headers when it follows a redirect to another host; this
    hook runs for every request sent, redirects included.
    """
    origin = _origin(httpx.URL(api_url))
    lowered = {name.lower() for name in names}

    def guard(request: httpx.Request) -> None:
        if _origin(request.url) != origin:
            for name in lowered:
                request.headers.pop(name, None)

    return guard


class TokenAuth(httpx.Auth):
    """A token obtained from a token endpoint, cached until expiry, renewed once on 401."""

    def __init__(self, header: str = "Authorization", prefix: str = "Bearer") -> None:
        self.header = header
        self.prefix = prefix
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires: float | None = None
        self.fetch_count = 0

    def token_request(self) -> httpx.Request:
        """The request that obtains a new token."""
        raise NotImplementedError

    def token_field(self) -> str | None:
        """The dotted path of the token in the token answer (None: the usual names)."""
        return None

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        """Drive :meth:`_flow` for a sync client."""
        flow = self._flow(request)
        step, read = next(flow)
        while True:
            response = yield step
            if read:
                response.read()
            try:
                step, read = flow.send(response)
            except StopIteration:
                return

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Drive :meth:`_flow` for an async client."""
        flow = self._flow(request)
        step, read = next(flow)
        while True:
            response = yield step
            if read:
                await response.aread()
            try:
                step, read = flow.send(response)
            except StopIteration:
                return

    def _flow(
        self, request: httpx.Request
    ) -> Generator[tuple[httpx.Request, bool], httpx.Response, None]:
        """Steps: (request to send, whether its answer's body is needed)."""
        token = self._cached()
        fresh = token is None
        if token is None:
            token = yield from self._fetch()
        self._apply(request, token)
        response = yield request, False
        if response.status_code == 401 and not fresh:
            self._forget(token)
            token = yield from self._fetch()
            self._apply(request, token)
            yield request, False

    def _prepare(self) -> Generator[tuple[httpx.Request, bool], httpx.Response, None]:
        """Requests needed before the first token request (none by default)."""
        yield from ()

    def _fetch(self) -> Generator[tuple[httpx.Request, bool], httpx.Response, str]:
        yield from self._prepare()
        token_request = self.token_request()
        response = yield token_request, True
        self.fetch_count += 1
        if response.is_error:
            raise _auth_error(response, token_request)
        try:
            body = response.json()
        except ValueError as error:
            raise AuthenticationError(
                response.status_code,
                message=f"The token endpoint {token_request.url} did not answer JSON.",
            ) from error
        token = _find_token(body, self.token_field())
        if token is None:
            raise AuthenticationError(
                response.status_code,
                message=f"The answer of {token_request.url} holds no token.",
            )
        expires_in = body.get("expires_in") if isinstance(body, dict) else None
        self._store(token, token_expiry(token, expires_in))
        return token

    def _apply(self, request: httpx.Request, token: str) -> None:
        request.headers[self.header] = f"{self.prefix} {token}" if self.prefix else token

    def _cached(self) -> str | None:
        with self._lock:
            if self._token is None:
                return None
            if self._expires is not None and time.time() >= self._expires:
                self._token = None
                return None
            return self._token

    def _store(self, token: str, expires: float | None) -> None:
        with self._lock:
            self._token, self._expires = token, expires

    def _forget(self, token: str) -> None:
        with self._lock:
            if self._token == token:
                self._token = None


class LoginAuth(TokenAuth):
    """Username and password posted to a login endpoint; the token goes in a header."""

    def __init__(
        self,
        url: str,
        username: str,
        password: str,
        *,
        form: bool = False,
        header: str = "X-Auth-Token",
        prefix: str = "",
        field: str | None = None,
    ) -> None:
        super().__init__(header, prefix)
        self.url = url
        self._credentials = {"username": username, "password": password}
        self._form = form
        self._field = field

    def token_request(self) -> httpx.Request:
        """POST the credentials to the login URL."""
        if self._form:
            return httpx.Request("POST", self.url, data=self._credentials)
        return httpx.Request("POST", self.url, json=self._credentials)

    def token_field(self) -> str | None:
        """The configured token path."""
        return self._field


class OAuth2Auth(TokenAuth):
    """OAuth2 token endpoint: client-credentials or resource-owner password grant.

    Without ``token_url``, the token endpoint is read from the OpenID Connect
    discovery document of ``issuer_url`` (``/.well-known/openid-configuration``).
    """

    def __init__(
        self,
        token_url: str | None,
        form: dict[str, str],
        *,
        issuer_url: str | None = None,
        header: str = "Authorization",
        prefix: str = "Bearer",
        field: str | None = None,
    ) -> None:
        super().__init__(header, prefix)
        self.token_url = token_url
        self.issuer_url = issuer_url
        self._form = form
        self._field = field

    def _prepare(self) -> Generator[tuple[httpx.Request, bool], httpx.Response, None]:
        if self.token_url is not None or self.issuer_url is None:
            return
        url = self.issuer_url.rstrip("/") + "/.well-known/openid-configuration"
        request = httpx.Request("GET", url, headers={"Accept": "application/json"})
        response = yield request, True
        if response.is_error:
            raise _auth_error(response, request)
        try:
            endpoint = response.json().get("token_endpoint")
        except (ValueError, AttributeError):
            endpoint = None
        if not isinstance(endpoint, str):
            raise AuthenticationError(
                response.status_code,
                message=f"The OpenID configuration {url} has no token_endpoint.",
            )
        self.token_url = endpoint

    def token_request(self) -> httpx.Request:
        """POST the grant to the token URL as a form."""
        return httpx.Request(
            "POST", self.token_url or "", data=self._form, headers={"Accept": "application/json"}
        )

    def token_field(self) -> str | None:
        """The configured token path."""
        return self._field


def build_auth(config: AuthConfig, api_url: str) -> httpx.Auth | None:
    """The ``httpx.Auth`` for ``config``, for requests to ``api_url``'s origin only.

    Relative login, token and issuer URLs join ``api_url``.
    """
    auth = _auth_for(config, api_url)
    return SameOriginAuth(auth, api_url) if auth is not None else None


def _auth_for(config: AuthConfig, api_url: str) -> httpx.Auth | None:
    kind = config.type
    if kind == "none":
        return None
    secrets = config.secrets()

    def need(*names: str) -> None:
        missing = [n for n in names if getattr(config, n) is None and n not in secrets]
        if missing:
            raise ConfigError(
                f"Auth type {kind!r} needs {', '.join(missing)} in the configuration."
            )

    if kind == "basic":
        need("username", "password")
        return httpx.BasicAuth(config.username or "", secrets["password"])
    if kind == "bearer":
        need("token")
        return HeaderAuth(
            config.token_header or "Authorization",
            _prefixed(config.token_prefix, "Bearer", secrets["token"]),
        )
    if kind == "api-key":
        need("api_key")
        return HeaderAuth(config.api_key_header, secrets["api_key"])
    if kind == "login":
        need("login_url", "username", "password")
        return LoginAuth(
            _join(api_url, config.login_url or ""),
            config.username or "",
            secrets["password"],
            form=config.login_format == "form",
            header=config.token_header or "X-Auth-Token",
            prefix=config.token_prefix or "",
            field=config.token_field,
        )
    form: dict[str, str] = {}
    if config.token_url is None and config.issuer_url is None:
        raise ConfigError(f"Auth type {kind!r} needs token_url or issuer_url in the configuration.")
    if kind == "oauth2-client-credentials":
        need("client_id", "client_secret")
        form["grant_type"] = "client_credentials"
    else:
        need("username", "password")
        form.update(
            grant_type="password", username=config.username or "", password=secrets["password"]
        )
    if config.client_id:
        form["client_id"] = config.client_id
    if "client_secret" in secrets:
        form["client_secret"] = secrets["client_secret"]
    if config.scope:
        form["scope"] = config.scope
    return OAuth2Auth(
        _join(api_url, config.token_url) if config.token_url else None,
        form,
        issuer_url=_join(api_url, config.issuer_url) if config.issuer_url else None,
        header=config.token_header or "Authorization",
        prefix="Bearer" if config.token_prefix is None else config.token_prefix,
        field=config.token_field,
    )


def _prefixed(prefix: str | None, default: str, token: str) -> str:
    prefix = default if prefix is None else prefix
    return f"{prefix} {token}" if prefix else token


def _join(base: str, url: str) -> str:
    return str(httpx.URL(base).join(url))


def _find_token(body: Any, field: str | None) -> str | None:
    if field:
        value = body
        for part in field.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value if isinstance(value, str) else None
    if isinstance(body, dict):
        for name in _TOKEN_NAMES:
            if isinstance(body.get(name), str):
                return str(body[name])
        data = body.get("data")
        if isinstance(data, dict):
            return _find_token(data, None)
    return None


def token_expiry(token: str, expires_in: Any) -> float | None:
    """When to stop using a token: ``expires_in``, else a JWT's ``exp``, minus a margin."""
    now = time.time()
    if isinstance(expires_in, int | float | str):
        try:
            lifetime = float(expires_in)
        except ValueError:
            lifetime = None
        if lifetime is not None:
            return now + max(0.0, lifetime - min(_EXPIRY_MARGIN, lifetime / 10))
    parts = token.split(".")
    if len(parts) == 3:
        try:
            payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
            exp = float(payload["exp"])
        except (ValueError, KeyError, TypeError):
            return None
        return exp - min(_EXPIRY_MARGIN, max(0.0, (exp - now) / 10))
    return None


def _auth_error(response: httpx.Response, request: httpx.Request) -> AuthenticationError:
    from .responses import problem_of

    problem = problem_of(response)
    reason = problem.detail or problem.title if problem is not None else None
    text = f"Authentication at {request.url} failed with {response.status_code}"
    return AuthenticationError(
        response.status_code,
        problem,
        f"{text}: {reason}." if reason else f"{text}.",
        method=request.method,
        url=str(request.url),
    )
