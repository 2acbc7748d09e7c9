"""``HtmlPages``: the ASGI middleware that answers the API's resources as HTML pages.

A ``GET`` of a resource that wants HTML (see :mod:`.negotiation`) is passed
down the application as a JSON request (same path, same credentials, ``f``
and blank parameters dropped); the JSON answer is rendered with the page's
template. Errors become HTML pages with the problem's details and the same
status; a 401 becomes the sign-in page, whose script asks for a key or token
and fetches the page again with it. Everything else passes through untouched,
so the JSON answers stay exactly what they are. The static assets of the
pages are served here too, before authentication (they hold no data).
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib.resources import files
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from eoproc.server.problems import InvalidParameter, service_error_response

from .negotiation import FORMATS, wants_html
from .pages import Answer, PageContext, render_page

STATIC_PREFIX = "/ui/static/"
_STATIC_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
_JOB = re.compile(r"^/jobs/(?P<id>[^/]+)$")
_PAGES = [
    ("landing", re.compile(r"^/$")),
    ("conformance", re.compile(r"^/conformance$")),
    ("processes", re.compile(r"^/processes$")),
    ("process", re.compile(r"^/processes/(?P<id>[^/]+)$")),
    ("jobs", re.compile(r"^/jobs$")),
    ("job", _JOB),
    ("results", re.compile(r"^/jobs/(?P<id>[^/]+)/results$")),
]
_EXECUTION = re.compile(r"^/processes/(?P<id>[^/]+)/execution$")
_JSON_TYPES = ("application/json", "application/problem+json")
_KEPT_HEADERS = (b"www-authenticate", b"retry-after", b"location", b"link", b"preference-applied")
_MONITOR = re.compile(r"/jobs/([^/>?]+)>;\s*rel=\"?monitor")


def match_page(path: str, method: str = "GET") -> tuple[str, str | None] | None:
    """The page kind of ``method path`` and its id (process or job), or ``None``.

    Besides the ``GET`` resources, the answers of executing (``POST``) and
    dismissing (``DELETE``) are pages too: a job's page, or the results.
    """
    if method == "POST":
        found = _EXECUTION.match(path)
        return ("execute", found.group("id")) if found else None
    if method == "DELETE":
        found = _JOB.match(path)
        return ("job", found.group("id")) if found else None
    if method not in ("GET", "HEAD"):
        return None
    for kind, pattern in _PAGES:
        found = pattern.match(path)
        if found:
            return kind, found.groupdict().get("id")
    return None


@cache
def static_asset(name: str) -> tuple[bytes, str] | None:
    """The content and media type of the packaged asset ``name``, if there is one (read
    once: the packaged files do not change)."""
    if "/" in name or name.startswith("."):
        return None
    suffix = name[name.rfind(".") :] if "." in name else ""
    if suffix not in _STATIC_TYPES:
        return None
    resource = files("eoproc.ui").joinpath("static", name)
    if not resource.is_file():
        return None
    return resource.read_bytes(), _STATIC_TYPES[suffix]


class HtmlPages:
    """Pure-ASGI middleware: HTML pages for browsers, JSON for everyone else."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        title: str = "",
        auth_schemes: tuple[str, ...] = (),
        api_key_header: str = "X-API-Key",
    ) -> None:
        self.app = app
        self.title = title
        self.auth_schemes = auth_schemes
        self.api_key_header = api_key_header

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            method = scope["method"]
            path = _local_path(scope)
            if method in ("GET", "HEAD") and path.startswith(STATIC_PREFIX):
                await self._static(path[len(STATIC_PREFIX) :], scope, receive, send)
                return
            page = match_page(path, method)
            if page is not None:
                params = parse_qsl(scope.get("query_string", b"").decode("latin-1"), True)
                f = next((v for k, v in reversed(params) if k == "f"), None)
                if f is not None and f not in FORMATS and method in ("GET", "HEAD"):
                    await _bad_format(scope, receive, send)
                    return
                if wants_html(Headers(scope=scope).get("accept"), f):
                    await self._page(page[0], page[1], params, scope, receive, send)
                    return
        await self.app(scope, receive, send)

    async def _static(self, name: str, scope: Scope, receive: Receive, send: Send) -> None:
        asset = static_asset(name)
        if asset is None:
            response = Response("Not found", 404, media_type="text/plain")
        else:
            response = Response(
                asset[0],
                media_type=asset[1],
                headers={"Cache-Control": "public, max-age=3600", **SECURITY_HEADERS},
            )
        await response(scope, receive, send)

    async def _page(
        self,
        kind: str,
        ident: str | None,
        params: list[tuple[str, str]],
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        query = [(k, v) for k, v in params if k != "f" and v != ""]
        path = _local_path(scope)
        main = await self._fetch(scope, path, query, send, passthrough=True, receive=receive)
        if main is None:  # not JSON (raw results): already sent as it came
            return
        if kind == "execute":  # a created job's page, or the results of a synchronous run
            kind = "job" if main.status == 201 else "results"
            if kind == "results":
                link = Headers(raw=main.headers).get("link", "")
                found = _MONITOR.search(link)
                ident = found.group(1) if found else None
        extra: dict[str, Any] = {}
        if main.status == 200 and isinstance(main.body, dict):
            if kind == "job" and main.body.get("status") in ("successful", "failed"):
                extra["results"] = await self._fetch(scope, f"{path}/results", [])
                process_id = main.body.get("processID")
                if main.body["status"] == "successful" and isinstance(process_id, str):
                    described = f"/processes/{quote(process_id, safe='')}"
                    extra["process"] = await self._fetch(scope, described, [])
            elif kind == "jobs":
                extra["processes"] = await self._fetch(scope, "/processes", [("limit", "1000")])
        request = Request(scope)
        context = PageContext(
            kind=kind,
            ident=ident,
            base=str(request.base_url),
            url=str(request.url),
            query=query,
            title=self.title,
            auth_schemes=self.auth_schemes,
            api_key_header=self.api_key_header,
        )
        status, html = render_page(context, main.status, main.body, extra)
        headers = {**SECURITY_HEADERS, "Content-Security-Policy": CSP, "Vary": "Accept"}
        for name, value in main.headers:
            if name.lower() in _KEPT_HEADERS:
                headers[name.decode("latin-1")] = value.decode("latin-1")
        response = Response(html, status, headers=headers, media_type="text/html; charset=utf-8")
        await response(scope, receive, send)

    async def _fetch(
        self,
        scope: Scope,
        path: str,
        query: list[tuple[str, str]],
        send: Send | None = None,
        *,
        passthrough: bool = False,
        receive: Receive | None = None,
    ) -> Answer | None:
        """``path?query`` as JSON down the application, with the same credentials.

        With ``receive`` (the request's own), the request's method and body go
        too; otherwise it is a ``GET``. With ``passthrough``, an answer that is
        not JSON goes to ``send`` as it comes (and ``None`` is returned);
        otherwise its body is dropped.
        """
        headers = [(k, v) for k, v in scope["headers"] if k not in (b"accept", b"accept-encoding")]
        headers.append((b"accept", b"application/json"))
        root = scope.get("root_path", "")
        inner = {
            **scope,
            "method": "GET" if receive is None or scope["method"] == "HEAD" else scope["method"],
            "path": f"{root}{path}",
            "raw_path": f"{root}{path}".encode(),
            "query_string": urlencode(query).encode(),
            "headers": headers,
        }
        answer = Answer(0)
        chunks: list[bytes] = []
        forwarding = False

        async def capture(message: Message) -> None:
            nonlocal forwarding
            if message["type"] == "http.response.start":
                answer.status = message["status"]
                answer.headers = list(message.get("headers", []))
                media = Headers(raw=answer.headers).get("content-type", "")
                answer.is_json = media.split(";")[0].strip() in _JSON_TYPES
                if not answer.is_json and passthrough and send is not None:
                    forwarding = True
                    await send(message)
            elif message["type"] == "http.response.body":
                if forwarding and send is not None:
                    await send(message)
                elif answer.is_json:
                    chunks.append(message.get("body", b""))

        async def no_body() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        await self.app(inner, receive or no_body, capture)
        if forwarding:
            return None
        if answer.is_json:
            try:
                answer.body = json.loads(b"".join(chunks) or b"null")
            except ValueError:
                answer.body = None
        return answer


async def _bad_format(scope: Scope, receive: Receive, send: Send) -> None:
    problem = InvalidParameter(
        "f: must be 'json' or 'html'",
        extra={"problems": [{"path": "f", "message": "must be json or html"}]},
    )
    await service_error_response(problem, scope["path"], debug=False)(scope, receive, send)


def _local_path(scope: Scope) -> str:
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :] or "/"
    return path


CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
