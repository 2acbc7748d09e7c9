"""Token flows as ``httpx.Auth``: a fixed header, or a token from a token endpoint.

A token flow is written once as a generator of steps; :class:`TokenAuth` drives it
from both httpx's sync and async auth hooks, reading only token answers' bodies so
that downloads stay streamed.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import AsyncGenerator, Generator
from typing import Any

import httpx

from .errors import AuthenticationError

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


class TokenAuth(httpx.Auth):
    """A token obtained from a token endpoint, cached until expiry, renewed once on 401."""

    def __init__(self, header: str = "Authorization", prefix: str = "Bearer") -> None:
        self.header = header
        self.prefix = prefix
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires: float | None = None

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
        if response.is_error:
            raise auth_error(response, token_request)
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


def auth_error(response: httpx.Response, request: httpx.Request) -> AuthenticationError:
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
