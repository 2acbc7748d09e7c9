"""A pure-ASGI fast path for the two busiest operations.

``GET /jobs/{id}`` and ``POST /processes/{id}/execution`` are served here
straight from ASGI, skipping FastAPI's routing and dependency solving (which
cost more than the work itself at thousands of requests per second). They run
the same handlers as the FastAPI routes, which stay in place for everything
else and for the OpenAPI document, with the same service as the routes'
dependencies give (:meth:`Guard.for_user` of the user that
:class:`~.auth.middleware.Authenticate` put in the scope). Other requests pass
through untouched.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from .handlers import execute_process, job_status
from .problems import MalformedBody, service_error_response
from .process_cache import ProcessCache
from .security.guard import Guard
from .service import ServiceError

_JOBS = "/jobs/"
_PROCESSES = "/processes/"
_EXECUTION = "/execution"


class FastPath:
    """ASGI middleware serving the hot operations directly (through ``guard``)."""

    def __init__(
        self, app: ASGIApp, guard: Guard, processes: ProcessCache, debug: bool = False
    ) -> None:
        self.app = app
        self.guard = guard
        self.processes = processes
        self.debug = debug

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope.get("root_path"):
            path: str = scope["path"]
            method: str = scope["method"]
            if method == "GET" and path.startswith(_JOBS):
                job_id = path[len(_JOBS) :]
                if job_id and "/" not in job_id:
                    await self._job_status(scope, receive, send, job_id)
                    return
            elif method == "POST" and path.startswith(_PROCESSES) and path.endswith(_EXECUTION):
                process_id = path[len(_PROCESSES) : -len(_EXECUTION)]
                if process_id and "/" not in process_id:
                    await self._execute(scope, receive, send, process_id)
                    return
        await self.app(scope, receive, send)

    async def _job_status(self, scope: Scope, receive: Receive, send: Send, job_id: str) -> None:
        try:
            service = self.guard.for_user(scope.get("user"))
            response = await job_status(service, job_id, _base(scope))
        except ServiceError as exc:
            response = service_error_response(exc, scope["path"], debug=self.debug)
        await response(scope, receive, send)

    async def _execute(self, scope: Scope, receive: Receive, send: Send, process_id: str) -> None:
        headers = Headers(scope=scope)
        try:
            body = await _read_body(receive)
            response = await execute_process(
                self.guard.for_user(scope.get("user")),
                self.processes,
                process_id,
                _base(scope),
                headers.get("content-type"),
                headers.get("prefer"),
                body,
                headers.get("idempotency-key"),
            )
        except ServiceError as exc:
            response = service_error_response(exc, scope["path"], debug=self.debug)
        await response(scope, receive, send)


def _base(scope: Scope) -> str:
    return str(Request(scope).base_url)


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise MalformedBody("The client went away before sending the whole body.")
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)
