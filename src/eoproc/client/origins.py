"""Credentials go to the API's origin only: an auth wrapper and a request hook.

Result links may point elsewhere (object storage, another server); httpx keeps
custom headers when it follows a redirect to another host. Both are guarded here.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Generator

import httpx

from .tokens import HeaderAuth, TokenAuth


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
