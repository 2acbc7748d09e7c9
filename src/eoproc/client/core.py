"""Every client operation, written once as a sans-IO generator (see ``commands``).

:class:`ApiCore` builds the requests and parses the answers. Its public methods
are the client's API: :class:`~eoproc.client.Client` and
:class:`~eoproc.client.AsyncClient` make their methods from them (see ``binding``)
and run them with ``drivers.run_sync`` / ``drivers.run_async``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .commands import IDEMPOTENCY_KEY, Call, Notify, Operation, RetryPolicy, send
from .errors import ClientError, JobFailedError, JobTimeoutError
from .outputs import OutputOperations
from .packages import DeployOperations
from .paging import job_list_params, list_pages
from .payloads import (
    DateTimeFilter,
    build_request,
    execution_result,
    json_or_bytes,
)
from .polling import GONE, poll_job
from .responses import check, model_of
from .signatures import ExecutionMode, ProgressCallback

if TYPE_CHECKING:
    import httpx

    from eoproc.models import (
        ApiError,
        Capabilities,
        ConformanceDeclaration,
        ExecuteRequest,
        JobList,
        JobResults,
        ProcessDescription,
        ProcessList,
        StatusInfo,
    )

    from .validation import RequestProblem
    from .versions import ApiVersion

__all__ = ["POLL_INTERVAL", "ApiCore", "ExecutionMode", "ProgressCallback"]

POLL_INTERVAL = (0.1, 2.0)


def _path(*parts: str) -> str:
    return "/".join(quote(part, safe="") for part in parts)


class ApiCore(DeployOperations, OutputOperations):
    """Request building and answer parsing for one OGC API - Processes server.

    The deploy operations (Part 2) are inherited from :class:`DeployOperations`,
    those on a job's outputs (download, open) from :class:`OutputOperations`.
    """

    def __init__(self, retry: RetryPolicy, poll_interval: tuple[float, float] = POLL_INTERVAL):
        self.retry = retry
        self.poll_interval = poll_interval
        self.api_version: ApiVersion | None = None
        """The server's OGC API - Processes version, once :meth:`get_api_version` read it."""
        self.use_events = True
        """Follow jobs by their event stream (off once a server showed it has none)."""

    def _get(self, url: str) -> Operation[httpx.Response]:
        return send(Call("GET", url), self.retry)

    # -- service ------------------------------------------------------------------------

    def get_capabilities(self) -> Operation[Capabilities]:
        """The landing page of the service."""
        from eoproc.models import Capabilities

        return model_of((yield from self._get("")), Capabilities)

    def get_conformance(self) -> Operation[ConformanceDeclaration]:
        """The conformance classes the service declares."""
        from eoproc.models import ConformanceDeclaration

        return model_of((yield from self._get("conformance")), ConformanceDeclaration)

    def get_api_version(self) -> Operation[ApiVersion]:
        """The version of OGC API - Processes the server declares: ``"1.0"`` or ``"2.0"``.

        Read once, from the conformance declaration; a server without a readable
        declaration counts as 1.0.
        """
        from .versions import version_of

        if self.api_version is None:
            try:
                conformance = yield from self.get_conformance()
            except ClientError:
                self.api_version = "1.0"
            else:
                self.api_version = version_of(conformance.conformsTo)
        return self.api_version

    # -- processes ----------------------------------------------------------------------

    def get_processes(
        self, limit: int | None = None, all_pages: bool = False
    ) -> Operation[ProcessList]:
        """The list of processes (every page with ``all_pages``)."""
        from eoproc.models import ProcessList

        params = {"limit": limit} if limit is not None else None
        return (
            yield from list_pages(
                "processes", params, "processes", all_pages, self.retry, ProcessList
            )
        )

    def get_process(self, process_id: str) -> Operation[ProcessDescription]:
        """The description of a process."""
        from eoproc.models import ProcessDescription

        return model_of((yield from self._get(_path("processes", process_id))), ProcessDescription)

    def execute_process(
        self,
        process_id: str,
        request: ExecuteRequest | Mapping[str, Any] | None = None,
        *,
        inputs: Mapping[str, Any] | None = None,
        outputs: Mapping[str, Any] | None = None,
        response: str | None = None,
        subscriber: Mapping[str, Any] | None = None,
        mode: ExecutionMode = "async",
    ) -> Operation[StatusInfo | JobResults]:
        """Execute a process.

        ``request`` is an :class:`ExecuteRequest` or a mapping (a mapping of inputs
        works too); ``inputs`` etc. add to it. ``mode="async"`` returns the new job's
        status; ``"sync"`` returns the results (waiting for the job if the server
        runs it asynchronously); ``"auto"`` returns whatever the server chose.
        (A server that cannot run the process asynchronously answers with the
        results even in ``"async"`` mode.) Execution requests are resent only with
        their ``Idempotency-Key``, so that a lost answer never makes a second job.
        """
        from eoproc.models import JobResults, StatusInfo

        body = build_request(
            request, inputs=inputs, outputs=outputs, response=response, subscriber=subscriber
        )
        if mode not in ("async", "sync", "auto"):
            raise ValueError(f"mode must be 'async', 'sync' or 'auto', not {mode!r}")
        from .versions import request_for

        version = (yield from self.get_api_version()) if body.response is not None else "1.0"
        document, headers = request_for(version, body.to_dict())
        # a fresh key per execute, the same on every resend: a lost 201 never makes a second job
        headers[IDEMPOTENCY_KEY] = uuid.uuid4().hex
        if mode == "async":
            headers["Prefer"] = "respond-async"
        url = _path("processes", process_id) + "/execution"
        answer = check(
            (yield from send(Call("POST", url, json=document, headers=headers), self.retry))
        )
        result = execution_result(answer, body)
        if isinstance(result, str):  # only a Location: the job's status is there
            result = model_of((yield from self._get(result)), StatusInfo)
        if mode == "sync" and isinstance(result, StatusInfo):
            yield from self.wait_for_job(result.jobID)
            return (yield from self.get_job_results(result.jobID))
        return result if isinstance(result, StatusInfo | JobResults) else JobResults(result)

    # -- jobs ---------------------------------------------------------------------------

    def get_jobs(
        self,
        limit: int | None = None,
        status: str | Iterable[str] | None = None,
        process_id: str | Iterable[str] | None = None,
        datetime: DateTimeFilter | None = None,
        all_pages: bool = False,
        *,
        min_duration: int | None = None,
        max_duration: int | None = None,
    ) -> Operation[JobList]:
        """The list of jobs, optionally filtered (every page with ``all_pages``)."""
        from eoproc.models import JobList

        params = job_list_params(limit, status, process_id, datetime, min_duration, max_duration)
        return (yield from list_pages("jobs", params, "jobs", all_pages, self.retry, JobList))

    def get_job(self, job_id: str) -> Operation[StatusInfo]:
        """The status of a job."""
        from eoproc.models import StatusInfo

        return model_of((yield from self._get(_path("jobs", job_id))), StatusInfo)

    def get_job_results(self, job_id: str) -> Operation[JobResults]:
        """The results of a successful job (output id to value or link)."""
        from eoproc.models import JobResults

        from .versions import RESULTS_HEADERS

        url = _path("jobs", job_id, "results")
        answer = check((yield from send(Call("GET", url, headers=RESULTS_HEADERS), self.retry)))
        value = json_or_bytes(answer)
        return JobResults(value if isinstance(value, dict) else {"result": value})

    def dismiss_job(self, job_id: str, already_ok: bool = True) -> Operation[StatusInfo]:
        """Cancel a running job or delete a finished one; its status.

        A job dismissed before answers 410 Gone (as the standard says); with
        ``already_ok`` that is no error: the job's current status is returned.
        """
        from eoproc.models import JobStatus, StatusInfo

        answer = yield from send(Call("DELETE", _path("jobs", job_id)), self.retry)
        if answer.status_code == 410 and already_ok:
            return (yield from self._dismissed_status(job_id))
        check(answer)
        body = json_or_bytes(answer)
        if isinstance(body, dict) and "status" in body:
            return StatusInfo.model_validate({"jobID": job_id, **body})
        return StatusInfo(jobID=job_id, status=JobStatus.dismissed)

    def _dismissed_status(self, job_id: str) -> Operation[StatusInfo]:
        """The status of a job dismissed before (a stand-in if the server forgot it)."""
        from eoproc.models import JobStatus, StatusInfo

        try:
            return (yield from self.get_job(job_id))
        except ClientError as error:
            if error.status not in GONE:
                raise
        return StatusInfo(jobID=job_id, status=JobStatus.dismissed, message="Job dismissed")

    def wait_for_job(
        self,
        job_id: str,
        timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
        raise_on_failure: bool = True,
        *,
        progress: bool = False,
    ) -> Operation[StatusInfo]:
        """Wait until a job ends; its final status.

        Follows the job's event stream (``GET /jobs/{id}/events``) where the server
        offers one, else polls its status (waiting as the server's ``Retry-After``
        asks, if it does). ``on_progress`` gets every status seen; with ``progress``
        a progress bar follows the job (in Jupyter or on the terminal). A job that
        fails or is dismissed raises :class:`JobFailedError` (unless
        ``raise_on_failure`` is false); one still running after ``timeout`` seconds
        raises :class:`JobTimeoutError`.
        """
        if not progress:
            return (yield from self._wait(job_id, timeout, on_progress, raise_on_failure))
        from .progress import job_bar

        notify, bar = job_bar(job_id, on_progress)
        try:
            return (yield from self._wait(job_id, timeout, notify, raise_on_failure))
        finally:
            bar.close()

    def _wait(
        self,
        job_id: str,
        timeout: float | None,
        on_progress: ProgressCallback | None,
        raise_on_failure: bool,
    ) -> Operation[StatusInfo]:
        from eoproc.models import JobStatus

        from .errors import TransportError
        from .events import EventsNotOffered, job_events

        deadline = None if timeout is None else time.monotonic() + timeout
        status: StatusInfo | None = None
        if self.use_events:
            try:
                status = yield from job_events(
                    job_id, timeout=timeout, on_progress=on_progress, emit=False
                )
            except EventsNotOffered:
                self.use_events = False
            except TransportError:
                pass  # the stream broke again and again: poll
        if status is None:
            status = yield from poll_job(
                job_id, deadline, timeout, on_progress, self.retry, self.poll_interval
            )
        if status.status != JobStatus.successful and raise_on_failure:
            problem = (yield from self._failure(job_id)) if status.status == "failed" else None
            raise JobFailedError(status, problem)
        return status

    def stream_job_events(
        self, job_id: str, last_event_id: str | None = None, timeout: float | None = None
    ) -> Operation[StatusInfo | None]:
        """The events of a job (``GET /jobs/{id}/events``) until its final one.

        Each :class:`~eoproc.client.events.JobEvent` has the event's id, its type
        (``status`` or ``progress``) and the job's status. ``last_event_id`` resumes
        after that event; a dropped connection is resumed by itself. Raises
        :class:`~eoproc.client.events.EventsNotOffered` where the server has no
        event streams, :class:`JobTimeoutError` after ``timeout`` seconds.
        """
        from .events import job_events

        return (yield from job_events(job_id, last_event_id, timeout=timeout))

    def _failure(self, job_id: str) -> Operation[ApiError | None]:
        try:
            yield from self.get_job_results(job_id)
        except ClientError as error:
            return error.problem
        return None

    def execute_and_wait(
        self,
        process_id: str,
        request: ExecuteRequest | Mapping[str, Any] | None = None,
        *,
        inputs: Mapping[str, Any] | None = None,
        outputs: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
        dismiss_on_timeout: bool = False,
    ) -> Operation[JobResults]:
        """Execute a process, wait for its job and return the results.

        Raises :class:`JobTimeoutError` after ``timeout`` seconds; with
        ``dismiss_on_timeout`` the job is dismissed (cancelled) first.
        """
        from eoproc.models import JobResults

        result = yield from self.execute_process(
            process_id, request, inputs=inputs, outputs=outputs, mode="async"
        )
        if isinstance(result, JobResults):
            return result
        if on_progress is not None:
            yield Notify(on_progress, result)
        try:
            yield from self.wait_for_job(result.jobID, timeout=timeout, on_progress=on_progress)
        except JobTimeoutError:
            if dismiss_on_timeout:
                yield from self.dismiss_job(result.jobID)
            raise
        return (yield from self.get_job_results(result.jobID))

    # -- requests -----------------------------------------------------------------------

    def validate_request(
        self, process_id: str, request: ExecuteRequest | Mapping[str, Any]
    ) -> Operation[list[RequestProblem]]:
        """The problems of a request against the process's input schemas (empty: valid)."""
        from .validation import validate_request

        return validate_request((yield from self.get_process(process_id)), request)

    def create_request(self, process_id: str) -> Operation[ExecuteRequest]:
        """A request template for a process (defaults, first enum values, empty values)."""
        from .validation import create_request

        return create_request((yield from self.get_process(process_id)))
