"""Problem details (RFC 7807) for every error the server answers.

Every error response, whether raised by a backend (:class:`ServiceError`),
by request parsing, by routing (404, 405) or by a bug (500), is rendered as
``application/problem+json`` with ``type``, ``title``, ``status`` and
``detail``. Tracebacks are added (as a list of lines) only in debug mode.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .service import ServiceError

PROBLEM_JSON = "application/problem+json"
PROBLEMS = "https://eoproc.dev/problems"

logger = logging.getLogger("eoproc.server")


class InvalidParameter(ServiceError):
    """A query or path parameter has a bad value (``extra["problems"]`` lists them)."""

    status = 400
    type = f"{PROBLEMS}/invalid-parameter"
    title = "Invalid parameter"


class MalformedBody(ServiceError):
    """The request body is not JSON, or not the JSON object expected."""

    status = 400
    type = f"{PROBLEMS}/malformed-body"
    title = "Malformed request body"


class UnsupportedMediaType(ServiceError):
    """The request body has a content type the operation does not take."""

    status = 415
    type = f"{PROBLEMS}/unsupported-media-type"
    title = "Unsupported media type"


class BodyTooLarge(ServiceError):
    """The request body is larger than the server's limit."""

    status = 413
    type = f"{PROBLEMS}/body-too-large"
    title = "Request body too large"


class NoSuchOutput(ServiceError):
    """A job has no file for the output asked for."""

    status = 404
    type = f"{PROBLEMS}/no-such-output"
    title = "No such output"


class InternalError(ServiceError):
    """An unexpected error of the server (a bug): details go to the log only."""

    status = 500
    type = f"{PROBLEMS}/internal-error"
    title = "Internal server error"


def problem_body(
    status: int,
    type_: str,
    title: str,
    detail: str,
    extra: Mapping[str, Any] | None = None,
    *,
    instance: str | None = None,
) -> dict[str, Any]:
    """A problem-details document; ``extra`` members never override the four basic ones."""
    body: dict[str, Any] = {"type": type_, "title": title, "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    for key, value in (extra or {}).items():
        body.setdefault(key, value)
    return body


def problem_response(
    status: int,
    type_: str,
    title: str,
    detail: str,
    extra: Mapping[str, Any] | None = None,
    *,
    headers: Mapping[str, str] | None = None,
    instance: str | None = None,
) -> Response:
    """An ``application/problem+json`` response."""
    body = problem_body(status, type_, title, detail, extra, instance=instance)
    return Response(
        json.dumps(body, default=str).encode(),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=dict(headers or {}),
    )


def _status_title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def service_error_response(exc: ServiceError, path: str, *, debug: bool) -> Response:
    """The problem details of a :class:`ServiceError` (its traceback only with ``debug``)."""
    extra = dict(exc.extra)
    if not debug:
        extra.pop("traceback", None)
    headers = dict(exc.headers)
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return problem_response(
        exc.status, exc.type, exc.title, exc.detail, extra, headers=headers, instance=path
    )


def _allowed_methods(request: Request) -> str:
    """Every method the routes of the request's path take (Starlette names only one route's)."""
    allowed = []
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return ", ".join(allowed)


def install_problem_handlers(app: FastAPI, *, debug: bool) -> None:
    """Register the exception handlers that render every error as problem details."""

    async def service_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ServiceError)
        return service_error_response(exc, request.url.path, debug=debug)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        status = exc.status_code
        detail = exc.detail if isinstance(exc.detail, str) else _status_title(status)
        if status == 404 and detail == "Not Found":
            detail = f"There is no resource at {request.url.path}."
        elif status == 405:
            headers = {**(exc.headers or {}), "Allow": _allowed_methods(request)}
            exc = StarletteHTTPException(405, exc.detail, headers)
            allowed = headers["Allow"]
            detail = f"Method {request.method} is not allowed on {request.url.path}" + (
                f"; allowed: {allowed}." if allowed else "."
            )
        return problem_response(
            status,
            "about:blank",
            _status_title(status),
            detail,
            headers=exc.headers,
            instance=request.url.path,
        )

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        problems = [
            {
                "path": ".".join(str(part) for part in error.get("loc", ())),
                "message": str(error.get("msg", "invalid value")),
            }
            for error in exc.errors()
        ]
        detail = "; ".join(f"{p['path']}: {p['message']}" for p in problems)
        return problem_response(
            InvalidParameter.status,
            InvalidParameter.type,
            InvalidParameter.title,
            detail or "Invalid request.",
            {"problems": problems},
            instance=request.url.path,
        )

    async def internal_error(request: Request, exc: Exception) -> Response:
        # the traceback goes to the log once, by the ASGI server (the error is re-raised)
        logger.error("internal error on %s %s: %r", request.method, request.url.path, exc)
        extra: dict[str, Any] = {}
        if debug:
            extra["traceback"] = traceback.format_exception(exc)
        detail = (
            f"{type(exc).__name__}: {exc}"
            if debug
            else "The server met an unexpected error; the operator can find it in the log."
        )
        return problem_response(
            InternalError.status,
            InternalError.type,
            InternalError.title,
            detail,
            extra,
            instance=request.url.path,
        )

    app.add_exception_handler(ServiceError, service_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, internal_error)


class BodySizeLimit:
    """Pure-ASGI middleware: answer 413 to a request body larger than ``max_body_size``.

    A declared ``Content-Length`` over the limit is refused before the body is
    read; a streamed (chunked) body is counted as it arrives.
    """

    def __init__(self, app: ASGIApp, max_body_size: int) -> None:
        self.app = app
        self.max_body_size = max_body_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_body_size
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > limit:
                    await self._refuse(scope, receive, send, declared)
                    return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(self._detail(received, more=True))
            return message

        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge as exc:
            if started:
                raise
            await self._respond(scope, send, exc.detail)

    def _detail(self, size: int, *, more: bool = False) -> str:
        amount = f"more than {size}" if more else str(size)
        return (
            f"The request body ({amount} bytes) is larger than the server's limit "
            f"of {self.max_body_size} bytes."
        )

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, declared: int) -> None:
        await self._respond(scope, send, self._detail(declared))

    async def _respond(self, scope: Scope, send: Send, detail: str) -> None:
        response = problem_response(
            BodyTooLarge.status,
            BodyTooLarge.type,
            BodyTooLarge.title,
            detail,
            headers={"Connection": "close"},
            instance=scope.get("path"),
        )
        await response(scope, _never_receive, send)


async def _never_receive() -> Message:
    return {"type": "http.disconnect"}
