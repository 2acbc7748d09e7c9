"""Every client error reads as one sentence and carries what the caller needs."""

from __future__ import annotations

import httpx
import pytest

from eoproc.client import (
    ClientError,
    EoprocClientError,
    JobFailedError,
    JobTimeoutError,
    TransportError,
)
from eoproc.client.responses import error_of, problem_of
from eoproc.models import ApiError, StatusInfo


def _answer(status: int, content: bytes, content_type: str) -> httpx.Response:
    request = httpx.Request("GET", "http://h/jobs/x")
    return httpx.Response(
        status, content=content, request=request, headers={"content-type": content_type}
    )


def test_client_error_with_problem_and_traceback() -> None:
    problem = ApiError(
        type="http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/no-such-job",
        title="No such job",
        status=404,
        detail="Job 'x' does not exist.",
        traceback=["Traceback (most recent call last):", "  ...", "KeyError: 'x'"],
    )
    error = ClientError(404, problem)
    assert str(error) == "The server answered 404 Not Found (No such job): Job 'x' does not exist."
    assert error.traceback == problem.traceback
    assert isinstance(error, EoprocClientError)
    assert repr(error).startswith("ClientError(status=404, message=")


def test_client_error_without_problem() -> None:
    assert str(ClientError(502)) == "The server answered 502 Bad Gateway."
    assert str(ClientError(599)) == "The server answered 599 Error."
    assert str(ClientError(500, message="Custom.")) == "Custom."


@pytest.mark.parametrize(
    ("content", "content_type", "expected"),
    [
        (
            b'{"type": "about:blank", "title": "Bad Request", "detail": "x is wrong"}',
            "application/problem+json",
            "The server answered 400 Bad Request: x is wrong.",
        ),
        (
            b'{"detail": [{"loc": ["body", "x"], "msg": "field required"}]}',
            "application/json",
            "The server answered 400 Bad Request: body.x: field required.",
        ),
        (b"plain words", "text/plain", "The server answered 400 Bad Request: plain words."),
        (b"<html><body>oops</body></html>", "text/html", "The server answered 400 Bad Request."),
        (b"[1, 2]", "application/json", "The server answered 400 Bad Request."),
    ],
)
def test_errors_from_answers(content: bytes, content_type: str, expected: str) -> None:
    answer = _answer(400, content, content_type)
    error = error_of(answer)
    assert str(error) == expected
    assert (error.method, error.url) == ("GET", "http://h/jobs/x")
    if b"detail" in content:
        assert problem_of(answer) is not None


def test_job_errors() -> None:
    failed = StatusInfo(jobID="j1", status="failed", message="Woke up too early")
    assert str(JobFailedError(failed)) == "Job j1 failed: Woke up too early."
    problem = ApiError(type="about:blank", title="Job failed", detail="RuntimeError: boom.")
    assert str(JobFailedError(failed, problem)) == "Job j1 failed: RuntimeError: boom."
    dismissed = StatusInfo(jobID="j2", status="dismissed")
    assert str(JobFailedError(dismissed)) == "Job j2 was dismissed."
    running = StatusInfo(jobID="j3", status="running")
    timeout = JobTimeoutError("j3", 2.5, running)
    assert str(timeout) == "Job j3 did not end within 2.5 seconds (still running)."
    assert isinstance(timeout, TimeoutError)
    assert str(TransportError("GET http://h/ could not connect (h): refused.")).count(".") >= 1
