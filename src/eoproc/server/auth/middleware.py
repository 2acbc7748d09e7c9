"""``Authenticate``: the ASGI middleware that finds the user of every request.

A request carries an API key (header ``X-API-Key`` by default) or a bearer
token (``Authorization: Bearer ...``). Missing or invalid credentials are
answered 401 with ``WWW-Authenticate`` and problem details, except on the
public paths (landing page, conformance, API documents) when those are
public; there a request without credentials is served anonymously.
"""

from __future__ import annotations

import logging
from collections.abc import Collection

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from ..problems import problem_response
from .apikeys import ApiKeyVerifier
from .oidc import InvalidToken, OidcVerifier
from .users import User

log = logging.getLogger("eoproc.server.auth")

UNAUTHORIZED = "https://eoproc.dev/problems/unauthorized"
PUBLIC_PATHS = frozenset({"/", "/conformance", "/openapi.json", "/docs", "/redoc"})
DOCS_ASSETS = "/docs/static/"
"""The Swagger UI files (public when ``/docs`` is)."""
REDOC_ASSETS = "/redoc/static/"
"""The ReDoc files (public when ``/redoc`` is)."""
REALM = "eoproc"


class Authenticate:
    """Pure-ASGI middleware: puts the request's :class:`User` in ``scope["user"]``, or
    answers 401."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        api_keys: ApiKeyVerifier,
        oidc: OidcVerifier | None,
        api_key_header: str = "X-API-Key",
        public_paths: Collection[str] = PUBLIC_PATHS,
    ) -> None:
        if not api_keys and oidc is None:
            raise ValueError("Authenticate needs API keys or OIDC settings")
        self.app = app
        self.api_keys = api_keys
        self.oidc = oidc
        self.api_key_header = api_key_header.lower()
        self.api_key_header_name = api_key_header
        self.public_paths = frozenset(public_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        try:
            user = await self._user(headers)
        except InvalidToken as exc:
            rid = scope.get("state", {}).get("request_id", "-")
            log.info(
                "request %s: refused credentials on %s %r: %s",
                rid,
                scope["method"],
                scope["path"],
                exc,
            )
            await self._refuse(scope, receive, send, str(exc), invalid=True)
            return
        if user is None and not self._public(scope["path"]):
            await self._refuse(scope, receive, send, "This operation needs credentials.")
            return
        scope["user"] = user
        await self.app(scope, receive, send)

    def _public(self, path: str) -> bool:
        if path in self.public_paths:
            return True
        if path.startswith(DOCS_ASSETS):
            return "/docs" in self.public_paths
        return path.startswith(REDOC_ASSETS) and "/redoc" in self.public_paths

    async def _user(self, headers: Headers) -> User | None:
        key = headers.get(self.api_key_header)
        if key is not None and self.api_keys:
            user = self.api_keys.verify(key)
            if user is None:
                raise InvalidToken("The API key is not valid.")
            return user
        authorization = headers.get("authorization")
        if authorization is not None and self.oidc is not None:
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise InvalidToken("The Authorization header must be 'Bearer <token>'.")
            return await self.oidc.verify(token.strip())
        return None

    def challenges(self, *, invalid: bool = False) -> str:
        """The ``WWW-Authenticate`` value (RFC 6750 for bearer tokens)."""
        parts = []
        if self.oidc is not None:
            error = ', error="invalid_token"' if invalid else ""
            parts.append(f'Bearer realm="{REALM}"{error}')
        if self.api_keys:
            parts.append(f'ApiKey realm="{REALM}", header="{self.api_key_header_name}"')
        return ", ".join(parts)

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, detail: str, *, invalid: bool = False
    ) -> None:
        response = problem_response(
            401,
            UNAUTHORIZED,
            "Unauthorized",
            detail,
            headers={"WWW-Authenticate": self.challenges(invalid=invalid)},
            instance=scope.get("path"),
        )
        await response(scope, receive, send)
