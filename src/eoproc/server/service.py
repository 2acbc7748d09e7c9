"""The ``Service`` protocol: everything a backend gives the HTTP API.

Routes talk to a :class:`Service` only; they know nothing of stores, executors
or process registries. A backend signals every failure a client should see by
raising a :class:`ServiceError` subclass, which the server renders as problem
details (``application/problem+json``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from eoproc.models import (
    ExecuteRequest,
    JobResults,
    JobStatus,
    ProcessDescription,
    ProcessSummary,
    StatusInfo,
)

OGC_EXCEPTIONS = "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0"


class ServiceError(Exception):
    """An error a client should see, rendered as RFC 7807 problem details."""

    status: int = 500
    type: str = "about:blank"
    title: str = "Internal Server Error"

    def __init__(
        self,
        detail: str,
        *,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra: dict[str, Any] = dict(extra or {})
        self.headers: dict[str, str] = dict(headers or {})


class NoSuchProcess(ServiceError):
    status = 404
    type = f"{OGC_EXCEPTIONS}/no-such-process"
    title = "No such process"


class NoSuchJob(ServiceError):
    status = 404
    type = f"{OGC_EXCEPTIONS}/no-such-job"
    title = "No such job"


class ResultNotReady(ServiceError):
    status = 404
    type = f"{OGC_EXCEPTIONS}/result-not-ready"
    title = "Result not ready"


class JobDismissed(ServiceError):
    """Results were asked of a dismissed job."""

    status = 404
    type = f"{OGC_EXCEPTIONS}/no-such-job"
    title = "Job dismissed"


class JobGone(ServiceError):
    """A job was dismissed again: the standard answers a repeated dismiss with 410."""

    status = 410
    type = "https://eoproc.dev/problems/job-gone"
    title = "Job gone"


class JobFailed(ServiceError):
    """Results were asked of a failed job; ``extra`` carries the job's error."""

    status = 500
    type = "https://eoproc.dev/problems/job-failed"
    title = "Job failed"


class InvalidInput(ServiceError):
    """The execute request or its inputs are invalid.

    ``extra["problems"]`` lists every problem as ``{"path": ..., "message": ...}``.
    """

    status = 400
    type = "https://eoproc.dev/problems/invalid-input"
    title = "Invalid input"


class ServiceUnavailable(ServiceError):
    """The service cannot take the request now (queue full, shutting down, store down)."""

    status = 503
    type = "https://eoproc.dev/problems/service-unavailable"
    title = "Service unavailable"

    def __init__(
        self,
        detail: str,
        *,
        retry_after: int | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail, extra=extra)
        self.retry_after = retry_after
        """Seconds the client is asked to wait (the server answers it as ``Retry-After``)."""


@dataclass(frozen=True)
class JobQuery:
    """The job-list parameters of ``GET /jobs``, already parsed and checked.

    Every filter is optional; list filters match any of their values; the
    ``created_*`` bounds are inclusive; durations are in seconds. ``cursor``
    is the opaque ``next_cursor`` of the previous page.
    """

    process_ids: Sequence[str] | None = None
    statuses: Sequence[JobStatus] | None = None
    types: Sequence[str] | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    min_duration: float | None = None
    max_duration: float | None = None
    limit: int = 10
    cursor: str | None = None
    owner: str | None = None
    """Only the jobs of this user (``None``: every job); see :class:`TracksJobOwners`."""


@dataclass
class JobPage:
    """One page of jobs, newest first, and the cursor of the next page (if any)."""

    jobs: list[StatusInfo]
    next_cursor: str | None = None


@dataclass
class ResultFile:
    """A file output of a job, served by ``GET /jobs/{id}/results/{output}``."""

    path: Path
    media_type: str = "application/octet-stream"
    extra: dict[str, Any] = field(default_factory=dict)
    filename: str | None = None
    """The name a client saves it under (default: the name of ``path``)."""
    directory: bool = False
    """``path`` is a directory (e.g. a Zarr store), served as a key space and as a zip."""
    archive: Path | None = None
    """Where the zip of a directory is cached (default: beside it)."""


@runtime_checkable
class Service(Protocol):
    """What the HTTP API needs from a backend."""

    title: str
    description: str

    async def start(self) -> None:
        """Open stores, start executors, recover jobs of a previous run."""

    async def stop(self) -> None:
        """Stop taking jobs, let running ones finish for a grace period, close."""

    def list_processes(self) -> list[ProcessSummary]:
        """Every published process, in a stable order (the server pages them)."""
        ...

    def get_process(self, process_id: str) -> ProcessDescription:
        """The description of one process; raises :class:`NoSuchProcess`."""
        ...

    async def execute(self, process_id: str, request: ExecuteRequest, *, wait: bool) -> StatusInfo:
        """Validate the request, create a job and queue it.

        Raises :class:`NoSuchProcess`, :class:`InvalidInput` (listing every
        problem) or :class:`ServiceUnavailable`. With ``wait`` the call returns
        once the job has ended (synchronous execution); otherwise at once with
        the ``accepted`` job.
        """
        ...

    async def list_jobs(self, query: JobQuery) -> JobPage:
        """One page of jobs matching ``query``, newest first."""
        ...

    async def get_job(self, job_id: str) -> StatusInfo:
        """The status of a job; raises :class:`NoSuchJob`."""
        ...

    async def dismiss_job(self, job_id: str) -> StatusInfo:
        """Cancel a queued or running job, or delete a finished job's results."""
        ...

    async def get_results(self, job_id: str) -> JobResults:
        """The results of a successful job, limited to the outputs it requested.

        Raises :class:`NoSuchJob`, :class:`ResultNotReady`, :class:`JobFailed`
        or :class:`JobDismissed`. Outputs written as files are links whose
        ``href`` is relative to the job (``results/{output}``), which the server
        makes absolute.
        """
        ...

    async def get_result_file(self, job_id: str, output_id: str) -> ResultFile:
        """The file behind an output given by reference; raises :class:`NoSuchJob`."""
        ...


@runtime_checkable
class KeepsExecuteRequests(Protocol):
    """Optional capability of a :class:`Service`: it recalls each job's execute request.

    With it, ``GET /jobs/{id}/results`` of a job executed asynchronously with
    ``"response": "raw"`` answers raw (one output's content, ``multipart/related``
    for several, or ``Link`` headers for outputs by reference), as the standard's
    ``/req/core/job-results-async-raw-*`` ask. Without it, results are a document.
    """

    async def get_execute_request(self, job_id: str) -> ExecuteRequest:
        """The execute request of a job (at least ``outputs`` and ``response``);
        raises :class:`NoSuchJob`."""
        ...


@runtime_checkable
class TracksJobOwners(Protocol):
    """Optional capability of a :class:`Service`: every job has an owner (a user name).

    A service with it accepts ``execute(..., owner=name)`` and honours
    :attr:`JobQuery.owner`; the server then keeps each user to their own jobs
    (:mod:`eoproc.server.security`). Jobs created without an owner have none.
    """

    async def execute(
        self, process_id: str, request: ExecuteRequest, *, wait: bool, owner: str | None = None
    ) -> StatusInfo:
        """:meth:`Service.execute`, recording ``owner`` on the job."""
        ...

    async def get_job_owner(self, job_id: str) -> str | None:
        """The owner of a job (``None``: none); raises :class:`NoSuchJob`."""
        ...


@runtime_checkable
class AddsRoutes(Protocol):
    """Optional capability of a :class:`Service`: it serves more endpoints.

    ``create_app`` includes the routers it returns (FastAPI ``APIRouter``s) after
    the standard's, and ``/conformance`` lists its ``conformance_classes`` too.
    """

    conformance_classes: Sequence[str]

    def routers(self, security: Any) -> list[Any]:
        """The routers to include; ``security`` is the server's ``SecurityConfig``."""
        ...
