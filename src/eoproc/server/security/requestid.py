"""Request ids: every response carries ``X-Request-ID``; problem details carry it as ``instance``.

The id (a UUID) is also in the server log lines about the request, so that an
operator can find what a user reports. An unexpected error is answered here as
a generic 500 problem (no traceback, path or message of the exception leaves
the server, unless ``debug``), and logged with the id.
"""

from __future__ import annotations

import json
import logging
import traceback
import uuid
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..problems import PROBLEM_JSON, InternalError, problem_response

HEADER = "X-Request-ID"
log = logging.getLogger("eoproc.server.requests")

#: The id of the request being served (for log filters); per-request state.
request_id: ContextVar[str | None] = ContextVar("eoproc_request_id", default=None)


def instance_of(rid: str) -> str:
    """The problem-details ``instance`` of request ``rid``."""
    return f"urn:uuid:{rid}"


class RequestIdFilter(logging.Filter):
    """A logging filter giving each record a ``request_id`` attribute ("-" outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get() or "-"
        return True


class RequestId:
    """Pure-ASGI middleware: request ids, ``instance`` in problems, safe 500s."""

    def __init__(self, app: ASGIApp, *, debug: bool = False) -> None:
        self.app = app
        self.debug = debug

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = str(uuid.uuid4())
        token = request_id.set(rid)
        scope.setdefault("state", {})["request_id"] = rid
        state = {"started": False, "problem": False, "status": 0}
        buffered: list[bytes] = []
        held: list[Message] = []
        header = (HEADER.lower().encode(), rid.encode())

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["started"] = True
                state["status"] = message["status"]
                headers = [h for h in message.get("headers", []) if h[0] != header[0]]
                content_type = next((v for k, v in headers if k == b"content-type"), b"")
                if content_type.split(b";")[0].strip() == PROBLEM_JSON.encode():
                    state["problem"] = True
                    headers = [h for h in headers if h[0] != b"content-length"]
                message = {**message, "headers": [*headers, header, *_hardening(scope, headers)]}
                if state["problem"]:
                    held.append(message)
                    return
            elif message["type"] == "http.response.body" and state["problem"]:
                buffered.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = _with_instance(b"".join(buffered), rid)
                start = dict(held[0])
                start["headers"] = [*start["headers"], (b"content-length", str(len(body)).encode())]
                await send(start)
                message = {"type": "http.response.body", "body": body}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            if state["started"]:
                log.error("request %s: error after the answer began", rid)
                raise
            # the traceback goes to the server log only, once, with the request id
            log.error(
                "request %s: internal error on %s %r",
                rid,
                scope.get("method"),
                scope.get("path"),
                exc_info=exc,
            )
            extra = {"traceback": traceback.format_exception(exc)} if self.debug else None
            detail = (
                f"{type(exc).__name__}: {exc}"
                if self.debug
                else "The server met an unexpected error; the operator can find it in the "
                f"log under request id {rid}."
            )
            response = problem_response(
                500,
                InternalError.type,
                InternalError.title,
                detail,
                extra,
                headers={HEADER: rid},
                instance=instance_of(rid),
            )
            await response(scope, receive, send)
        finally:
            status = int(state["status"])
            level = logging.WARNING if status >= 500 else logging.DEBUG
            if log.isEnabledFor(level):
                method, path = scope.get("method"), scope.get("path")
                log.log(level, "request %s: %s %r answered %s", rid, method, path, status)
            request_id.reset(token)


_DOCUMENT_PATHS = ("/docs",)
"""Pages exempt from the sandboxing CSP (``/redoc`` sets a policy of its own)."""


def _hardening(scope: Scope, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """Headers every answer should carry, unless it has them already.

    ``nosniff``; a sandboxing CSP (a result file of type HTML must not run
    script in the API's origin), except on the HTML documentation pages;
    ``no-store`` (answers are per user and change: no shared cache may keep them).
    """
    present = {name for name, _ in headers}
    extra = []
    if b"x-content-type-options" not in present:
        extra.append((b"x-content-type-options", b"nosniff"))
    if b"content-security-policy" not in present and scope.get("path") not in _DOCUMENT_PATHS:
        extra.append((b"content-security-policy", b"sandbox; default-src 'none'"))
    if b"cache-control" not in present:
        extra.append((b"cache-control", b"no-store"))
    return extra


def _with_instance(body: bytes, rid: str) -> bytes:
    try:
        document = json.loads(body)
    except ValueError:
        return body
    if isinstance(document, dict):
        document["instance"] = instance_of(rid)
        return json.dumps(document, default=str).encode()
    return body
