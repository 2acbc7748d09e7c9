"""Job events (``GET /jobs/{jobID}/events``, server-sent events) as a sans-IO operation.

:func:`job_events` opens the stream, parses it (:class:`SseParser`), hands each
event on (``Emit`` for iterators, ``Notify`` for ``wait_for_job``'s progress
callback), resumes with ``Last-Event-ID`` when the connection drops, and
returns the job's final status. A server without the endpoint raises
:class:`EventsNotOffered` (``wait_for_job`` then polls).
"""

from __future__ import annotations

import codecs
import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .commands import Call, CloseStream, Emit, Notify, OpenStream, Operation, ReadStream, Sleep
from .errors import ClientError, JobTimeoutError

if TYPE_CHECKING:
    from eoproc.models import StatusInfo

    from .signatures import ProgressCallback

EVENT_STREAM = "text/event-stream"
NOT_OFFERED = frozenset({404, 405, 406, 501})
RECONNECTS = 3
"""Reconnections in a row (nothing received between them) before giving up."""
MAX_RETRY_DELAY = 5.0
READ_TIMEOUT = 60.0
"""Seconds a read of the stream may wait (servers send heartbeats more often)."""


class EventsNotOffered(ClientError):
    """The server has no event stream for jobs (poll ``GET /jobs/{jobID}`` instead)."""


@dataclass(frozen=True)
class ServerSentEvent:
    """One event of a ``text/event-stream``."""

    event: str = "message"
    data: str = ""
    id: str | None = None


@dataclass
class SseParser:
    """An incremental parser of ``text/event-stream`` (the WHATWG rules)."""

    last_id: str | None = None
    retry: float | None = None
    """Seconds to wait before reconnecting, if the server said (``retry`` field)."""
    _decoder: Any = field(default_factory=lambda: codecs.getincrementaldecoder("utf-8")("replace"))
    _pending: str = ""
    activity: int = 0
    """How many events and comments (heartbeats) were read."""
    _data: list[str] = field(default_factory=list)
    _event: str = ""

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """The events completed by ``chunk``."""
        text = self._pending + self._decoder.decode(chunk)
        lines = text.splitlines(keepends=True)
        self._pending = ""
        if lines and (not lines[-1].endswith(("\n", "\r")) or lines[-1].endswith("\r")):
            self._pending = lines.pop()  # incomplete, or "\r" that a "\n" may follow
        events: list[ServerSentEvent] = []
        for line in lines:
            event = self._line(line.rstrip("\r\n"))
            if event is not None:
                events.append(event)
        return events

    def _line(self, line: str) -> ServerSentEvent | None:
        if not line:
            data, event = self._data, self._event
            self._data, self._event = [], ""
            if not data:
                return None
            self.activity += 1
            return ServerSentEvent(event or "message", "\n".join(data), self.last_id)
        if line.startswith(":"):
            self.activity += 1
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self.last_id = value
        elif name == "retry" and value.isdigit():
            self.retry = int(value) / 1000
        return None


@dataclass(frozen=True)
class JobEvent:
    """An event of a job: its id (for ``Last-Event-ID``), type (``status`` or
    ``progress``) and the job's status at that moment."""

    id: str | None
    type: str
    status: StatusInfo


def _not_offered(answer: Any) -> ClientError | None:
    """The error of an answer that is not an event stream (``None`` if it is one)."""
    from .responses import error_of

    if answer.is_error:
        error = error_of(answer)
        problem_type = (error.problem.type if error.problem is not None else "") or ""
        if answer.status_code in NOT_OFFERED and not problem_type.endswith("no-such-job"):
            return EventsNotOffered(answer.status_code, error.problem, error.message)
        return error
    media = answer.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != EVENT_STREAM:
        return EventsNotOffered(
            answer.status_code,
            message=f"The server answered {media or 'no media type'}, "
            "not an event stream, for the job's events.",
        )
    return None


def job_events(
    job_id: str,
    last_event_id: str | None = None,
    *,
    timeout: float | None = None,
    on_progress: ProgressCallback | None = None,
    emit: bool = True,
) -> Operation[StatusInfo | None]:
    """Follow a job's events to its final one; the final status.

    Each event is emitted as a :class:`JobEvent` (with ``on_progress``, its status
    is passed to it instead; with ``emit`` false and no ``on_progress``, events are
    only read). A dropped connection is resumed after the last event. Raises
    :class:`EventsNotOffered`, :class:`ClientError` (e.g. no such
    job), ``TransportError`` and :class:`JobTimeoutError` after ``timeout`` s.
    """
    import httpx

    from eoproc.models import StatusInfo

    from .responses import transport_error

    url = f"jobs/{quote(job_id, safe='')}/events"
    deadline = None if timeout is None else time.monotonic() + timeout
    parser = SseParser(last_id=last_event_id)
    failures = 0
    last: StatusInfo | None = None
    while True:
        headers = {"Accept": EVENT_STREAM, "Cache-Control": "no-cache"}
        if parser.last_id:
            headers["Last-Event-ID"] = parser.last_id
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            raise JobTimeoutError(job_id, timeout or 0.0, last)
        wait = READ_TIMEOUT if remaining is None else min(remaining, READ_TIMEOUT)
        answer = yield OpenStream(Call("GET", url, headers=headers), wait)
        error: Exception | None = None
        if isinstance(answer, httpx.TransportError):
            error = answer
        elif answer.status_code == 204:  # nothing more to follow (the SSE way to say stop)
            yield CloseStream(answer)
            return last
        else:
            refusal = _not_offered(answer)
            if refusal is not None:
                raise refusal
            while True:
                chunk = yield ReadStream(answer)
                if isinstance(chunk, httpx.TransportError):
                    error = chunk
                    break
                if not chunk:
                    break  # the server closed the stream before the final event
                seen = parser.activity
                events = parser.feed(chunk)
                if parser.activity > seen:
                    failures = 0  # the stream lives (events or heartbeats): a drop is news
                for event in events:
                    status = StatusInfo.model_validate(json.loads(event.data))
                    last = status
                    if on_progress is not None:
                        yield Notify(on_progress, status)
                    elif emit:
                        yield Emit(JobEvent(event.id, event.event, status))
                    if status.status.is_final:
                        yield CloseStream(answer)
                        return status
                if deadline is not None and time.monotonic() >= deadline:
                    break
            yield CloseStream(answer)
        if deadline is not None and time.monotonic() >= deadline:
            raise JobTimeoutError(job_id, timeout or 0.0, last)
        failures += 1
        if failures > RECONNECTS:
            if error is not None:
                raise transport_error(error, "GET", url) from error
            return None
        yield Sleep(min(parser.retry or 1.0, MAX_RETRY_DELAY))
