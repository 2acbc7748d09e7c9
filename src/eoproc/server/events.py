"""``GET /jobs/{jobID}/events`` (server-sent events) and ``GET /jobs/{jobID}/callbacks``.

An extension of OGC API - Processes: the events of a job as
``text/event-stream``. Each event has the id of the store's event (send it back
as ``Last-Event-ID`` to resume after it), a type (``status`` for a change of
status, ``progress`` for a progress update) and the job's status info as data.
A comment line is sent every ``heartbeat`` seconds (15; ``EOPROC_EVENTS_HEARTBEAT``) while
nothing happens; the stream ends after the job's final event. The job must be
visible to the user (else 404, as ``GET /jobs/{jobID}``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol, runtime_checkable

from fastapi import APIRouter, Request
from starlette.responses import Response, StreamingResponse

from . import links as L
from .callbacks import DeliversCallbacks
from .deps import Backend, UserService
from .handlers import json_response
from .openapi_doc import errors
from .problems import InvalidParameter
from .service import NoSuchJob

EVENT_STREAM = "text/event-stream"
EVENT_SCHEMA = {
    "type": "object",
    "description": "One server-sent event.",
    "properties": {
        "id": {"type": "string", "description": "The event id (for Last-Event-ID)."},
        "event": {"type": "string", "enum": ["status", "progress"]},
        "data": {"type": "string", "description": "The job's statusInfo, as JSON."},
        "retry": {"type": "integer"},
    },
}
"""The schema of each event of a stream (a stream is not one JSON document)."""
CLOSING_CHECK = 1.0
"""Seconds between two checks whether the server is stopping (streams then end)."""
RETRY_MS = 2000
"""How long an EventSource waits before reconnecting (the ``retry`` field)."""


DEFAULT_HEARTBEAT = 15.0
"""Seconds between two heartbeats of an idle stream."""


class JobEvent(Protocol):
    """One stored event of a job."""

    @property
    def id(self) -> int: ...

    @property
    def kind(self) -> str: ...

    @property
    def data(self) -> dict[str, Any]: ...

    @property
    def final(self) -> bool: ...


class EventWatcher(Protocol):
    """The events of one job as they come."""

    async def next(self, timeout: float) -> JobEvent | None: ...


@runtime_checkable
class StreamsJobEvents(Protocol):
    """Optional capability of a :class:`~.service.Service`: it records every job event."""

    def watch_job_events(
        self, job_id: str, after: int = 0
    ) -> AbstractAsyncContextManager[EventWatcher]:
        """A watcher of the job's events after event id ``after``."""
        ...

    async def latest_job_event(self, job_id: str) -> JobEvent | None:
        """The job's last event (``None``: none recorded)."""
        ...


def format_event(base: str, job_id: str, event: JobEvent | None, data: dict[str, Any]) -> bytes:
    """One server-sent event (without ``id`` when ``event`` is ``None``)."""
    body = dict(data)
    body["links"] = L.job_links(base, job_id, body.get("status", ""))
    lines = []
    if event is not None:
        lines.append(f"id: {event.id}")
        lines.append(f"event: {event.kind}")
    else:
        lines.append("event: status")
    lines.append("data: " + json.dumps(body, separators=(",", ":")))
    return ("\n".join(lines) + "\n\n").encode()


def _last_event_id(request: Request) -> int:
    value = request.headers.get("last-event-id") or request.query_params.get("lastEventId")
    if not value:
        return 0
    try:
        after = int(value)
    except ValueError:
        raise InvalidParameter(f"Last-Event-ID must be an event id, not {value!r}.") from None
    return max(after, 0)


async def _stream(
    service: StreamsJobEvents,
    base: str,
    job_id: str,
    after: int,
    beat: float,
    closing: threading.Event,
) -> AsyncIterator[bytes]:
    yield f"retry: {RETRY_MS}\n\n".encode()
    async with service.watch_job_events(job_id, after) as watcher:
        quiet = 0.0
        while not closing.is_set():  # the server stops: the client resumes elsewhere
            step = min(beat, CLOSING_CHECK)
            event = await watcher.next(step)
            if event is None:
                quiet += step
                if quiet >= beat:
                    quiet = 0.0
                    yield b": keep-alive\n\n"
                continue
            quiet = 0.0
            yield format_event(base, job_id, event, event.data)
            if event.final:
                return


async def _single(base: str, job_id: str, data: dict[str, Any]) -> AsyncIterator[bytes]:
    yield format_event(base, job_id, None, data)


def build_events_router(
    closing: threading.Event | None = None, heartbeat: float = DEFAULT_HEARTBEAT
) -> APIRouter:
    """The event-stream and callback routes (access is checked by the user's service).

    Streams end when ``closing`` is set (the server is stopping: uvicorn waits for
    open connections before it shuts the application down).
    """
    router = APIRouter()
    stopping = closing or threading.Event()

    @router.get(
        "/jobs/{jobID}/events",
        summary="The events of a job (server-sent events; an extension)",
        operation_id="getJobEvents",
        tags=["Jobs"],
        response_class=StreamingResponse,
        responses={
            200: {
                "description": "Every status change and progress update of the job, as "
                "server-sent events (`id`, `event`: status or progress, `data`: the "
                "statusInfo); resume with `Last-Event-ID`; ends after the final event.",
                "content": {EVENT_STREAM: {"schema": EVENT_SCHEMA}},
            },
            204: {"description": "No more events: the job ended at or before Last-Event-ID"},
            **errors(400, 404),
        },
        openapi_extra={
            "parameters": [
                {
                    "name": "Last-Event-ID",
                    "in": "header",
                    "required": False,
                    "description": "Send the events after this one (resuming a stream).",
                    "schema": {"type": "string"},
                }
            ]
        },
    )
    async def job_events(
        jobID: str, request: Request, user_service: UserService, service: Backend
    ) -> Response:
        after = _last_event_id(request)
        status = await user_service.get_job(jobID)  # 404 for unknown jobs, other users' jobs
        if not isinstance(service, StreamsJobEvents):
            raise NoSuchJob("This server keeps no job events.")
        base = str(request.base_url)
        latest = await service.latest_job_event(jobID)
        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        body: AsyncIterator[bytes]
        if latest is None and status.status.is_final:  # a job older than its events
            body = _single(base, jobID, status.to_dict())
        elif latest is not None and latest.final and after >= latest.id:
            return Response(status_code=204, headers=headers)  # EventSource: stop reconnecting
        else:
            body = _stream(service, base, jobID, after, heartbeat, stopping)
        return StreamingResponse(body, media_type=EVENT_STREAM, headers=headers)

    @router.get(
        "/jobs/{jobID}/callbacks",
        summary="The callbacks of a job and their delivery (an extension)",
        operation_id="getJobCallbacks",
        tags=["Jobs"],
        responses={
            200: {"description": "Each callback: URI, kind, state, attempts, last error"},
            **errors(404),
        },
    )
    async def job_callbacks(jobID: str, user_service: UserService, service: Backend) -> Response:
        await user_service.get_job(jobID)
        items = await service.job_callbacks(jobID) if isinstance(service, DeliversCallbacks) else []
        return json_response({"jobID": jobID, "callbacks": items})

    return router
