"""The sans-IO side of job events: the SSE parser, and how ``wait_for_job`` chooses
between the event stream and polling (driven command by command, no network)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from eoproc.client.commands import (
    Call,
    CloseStream,
    Notify,
    OpenStream,
    ReadStream,
    RetryPolicy,
    Sleep,
)
from eoproc.client.core import ApiCore
from eoproc.client.events import SseParser

STREAM = (
    b"retry: 2500\r\n\r\n"
    b": keep-alive\r\n\r\n"
    b'id: 7\r\nevent: status\r\ndata: {"a":\r\ndata:  1}\r\n\r\n'
    b"id: 8\rdata:x\r\r"
    b"id: 9\n\n"  # an id without data: no event, but the id counts
    b"event: progress\ndata: last\n\n"
)


@pytest.mark.parametrize("size", [1, 2, 3, 7, len(STREAM)])
def test_the_parser_reads_any_split_of_the_stream(size: int) -> None:
    parser = SseParser()
    events = []
    for start in range(0, len(STREAM), size):
        events += parser.feed(STREAM[start : start + size])
    assert [(e.id, e.event, e.data) for e in events] == [
        ("7", "status", '{"a":\n 1}'),
        ("8", "message", "x"),
        ("9", "progress", "last"),
    ]
    assert parser.retry == 2.5 and parser.last_id == "9"


def test_multibyte_characters_split_across_chunks() -> None:
    parser = SseParser()
    raw = "data: café ✓\n\n".encode()
    events = [e for i in range(len(raw)) for e in parser.feed(raw[i : i + 1])]
    assert [e.data for e in events] == ["café ✓"]


def status(state: str, **more: Any) -> dict[str, Any]:
    return {"jobID": "j", "status": state, "type": "process", **more}


def answer(code: int, body: Any = None, **headers: str) -> httpx.Response:
    request = httpx.Request("GET", "http://server/jobs/j")
    return httpx.Response(code, json=body, headers=headers, request=request)


def step(operation: Any, value: Any) -> Any:
    """Send ``value``; run the ``Notify`` commands that follow; the next other command."""
    command = operation.send(value)
    while isinstance(command, Notify):
        command = operation.send(command.callback(command.value))
    return command


def test_wait_falls_back_to_polling_and_honours_retry_after() -> None:
    core = ApiCore(RetryPolicy())
    seen: list[str] = []
    operation = core.wait_for_job("j", on_progress=lambda s: seen.append(s.status.value))
    command = next(operation)
    assert isinstance(command, OpenStream) and command.call.url == "jobs/j/events"
    assert command.call.headers and command.call.headers["Accept"] == "text/event-stream"
    command = step(operation, answer(404, {"detail": "Not Found"}))  # no such route
    assert isinstance(command, Call) and command.url == "jobs/j"
    command = step(operation, answer(200, status("running"), **{"Retry-After": "7"}))
    assert command == Sleep(7.0)
    command = step(operation, None)
    assert isinstance(command, Call)
    with pytest.raises(StopIteration) as done:
        step(operation, answer(200, status("successful")))
    assert done.value.value.status.value == "successful"
    assert seen == ["running", "successful"]
    assert core.use_events is False  # the next wait polls at once
    assert isinstance(next(core.wait_for_job("j")), Call)


def test_wait_follows_the_stream_and_resumes_after_a_drop() -> None:
    core = ApiCore(RetryPolicy())
    operation = core.wait_for_job("j")
    assert isinstance(next(operation), OpenStream)
    stream = answer(200, None, **{"content-type": "text/event-stream"})
    assert isinstance(operation.send(stream), ReadStream)
    command = operation.send(b'id: 3\ndata: {"jobID":"j","status":"running","type":"process"}\n\n')
    assert isinstance(command, ReadStream)
    assert isinstance(operation.send(httpx.ReadError("reset")), CloseStream)  # the drop
    assert operation.send(None) == Sleep(1.0)
    command = operation.send(None)
    assert isinstance(command, OpenStream) and command.call.headers is not None
    assert command.call.headers["Last-Event-ID"] == "3"
    assert isinstance(operation.send(stream), ReadStream)
    final = b'id: 4\ndata: {"jobID":"j","status":"successful","type":"process"}\n\n'
    assert isinstance(operation.send(final), CloseStream)
    with pytest.raises(StopIteration) as done:
        operation.send(None)
    assert done.value.value.status.value == "successful"


def test_an_unknown_job_is_an_error_not_a_reason_to_poll() -> None:
    from eoproc.client import ClientError

    core = ApiCore(RetryPolicy())
    operation = core.wait_for_job("j")
    next(operation)
    problem = {"type": "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/no-such-job"}
    with pytest.raises(ClientError) as caught:
        operation.send(answer(404, problem))
    assert caught.value.status == 404
    assert core.use_events is True
