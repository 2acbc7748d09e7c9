"""Every client operation, written once as a sans-IO generator (see ``commands``).

:class:`ApiCore` builds the requests and parses the answers; the sync
:class:`~eoproc.client.Client` and the :class:`~eoproc.client.AsyncClient`
run its operations with ``drivers.run_sync`` / ``drivers.run_async``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from .commands import IDEMPOTENCY_KEY, Call, Notify, Operation, RetryPolicy, Sleep, send
from .errors import ClientError, JobFailedError, JobTimeoutError
from .payloads import (
    DateTimeFilter,
    build_request,
    datetime_param,
    execution_result,
    json_or_bytes,
)
from .responses import check, json_of, model_of, next_link

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
    from eoproc.openers import Opener, ResultSource

    from .progress import ProgressBar
    from .validation import RequestProblem
    from .versions import ApiVersion

ExecutionMode = Literal["async", "sync", "auto"]
ProgressCallback = Callable[["StatusInfo"], Any]

POLL_INTERVAL = (0.1, 2.0)
_GONE = (403, 404, 410)


def _path(*parts: str) -> str:
    return "/".join(quote(part, safe="") for part in parts)


class ApiCore:
    """Request building and answer parsing for one OGC API - Processes server."""

    def __init__(self, retry: RetryPolicy, poll_interval: tuple[float, float] = POLL_INTERVAL):
        self.retry = retry
        self.poll_interval = poll_interval
        self.api_version: ApiVersion | None = None
        """The server's OGC API - Processes version, once :meth:`get_api_version` read it."""

    def _get(self, url: str, params: Mapping[str, Any] | None = None) -> Operation[httpx.Response]:
        return send(Call("GET", url, params=params), self.retry)

    # -- service ------------------------------------------------------------------------

    def get_capabilities(self) -> Operation[Capabilities]:
        """The landing page."""
        from eoproc.models import Capabilities

        return model_of((yield from self._get("")), Capabilities)

    def get_conformance(self) -> Operation[ConformanceDeclaration]:
        """The conformance declaration."""
        from eoproc.models import ConformanceDeclaration

        return model_of((yield from self._get("conformance")), ConformanceDeclaration)

    def get_api_version(self) -> Operation[ApiVersion]:
        """``"1.0"`` or ``"2.0"``, from the conformance declaration (read once).

        A server without a readable declaration counts as 1.0.
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
        """The process list (all pages with ``all_pages``)."""
        from eoproc.models import ProcessList

        params = {"limit": limit} if limit is not None else None
        body = yield from self._pages("processes", params, "processes", all_pages)
        body.setdefault("links", [])
        return ProcessList.model_validate(body)

    def get_process(self, process_id: str) -> Operation[ProcessDescription]:
        """The description of one process."""
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
        """Execute a process: the job's status (async), or its results (sync)."""
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
        """The job list, filtered as the standard's job-list parameters allow."""
        from eoproc.models import JobList

        params: dict[str, Any] = {}
        if limit is not None:
            params["limit"] = limit
        if status is not None:
            params["status"] = [status] if isinstance(status, str) else [str(s) for s in status]
        if process_id is not None:
            params["processID"] = [process_id] if isinstance(process_id, str) else list(process_id)
        if datetime is not None:
            params["datetime"] = datetime_param(datetime)
        if min_duration is not None:
            params["minDuration"] = min_duration
        if max_duration is not None:
            params["maxDuration"] = max_duration
        body = yield from self._pages("jobs", params or None, "jobs", all_pages)
        body.setdefault("links", [])
        return JobList.model_validate(body)

    def get_job(self, job_id: str) -> Operation[StatusInfo]:
        """The status of one job."""
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
        """Cancel a running job or delete a finished one; its final status.

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
            if error.status not in _GONE:
                raise
        return StatusInfo(jobID=job_id, status=JobStatus.dismissed, message="Job dismissed")

    def wait_for_job(
        self,
        job_id: str,
        timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
        raise_on_failure: bool = True,
    ) -> Operation[StatusInfo]:
        """Poll a job until it ends; its final status.

        ``on_progress`` gets every status seen. A job that fails or is dismissed
        raises :class:`JobFailedError` (unless ``raise_on_failure`` is false);
        one still running after ``timeout`` seconds raises :class:`JobTimeoutError`.
        """
        from eoproc.models import JobStatus

        deadline = None if timeout is None else time.monotonic() + timeout
        delay, max_delay = self.poll_interval
        status: StatusInfo | None = None
        while True:
            try:
                status = yield from self.get_job(job_id)
            except ClientError as error:
                if status is None or error.status not in _GONE:
                    raise
                # the job vanished while we waited: someone dismissed it
                status = status.model_copy(update={"status": JobStatus.dismissed})
            if on_progress is not None:
                yield Notify(on_progress, status)
            if status.status.is_final:
                break
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise JobTimeoutError(job_id, timeout or 0.0, status)
                delay = min(delay, remaining)
            yield Sleep(delay)
            delay = min(delay * 1.5, max_delay)
        if status.status != JobStatus.successful and raise_on_failure:
            problem = (yield from self._failure(job_id)) if status.status == "failed" else None
            raise JobFailedError(status, problem)
        return status

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
        """Execute asynchronously, wait for the job and return its results.

        With ``dismiss_on_timeout``, a job still running after ``timeout`` seconds
        is dismissed (cancelled on the server) before :class:`JobTimeoutError` is raised.
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

    def download_results(
        self,
        job_id: str,
        directory: str | Path,
        bars: Callable[[str], ProgressBar] | None = None,
    ) -> Operation[list[Path]]:
        """Download the outputs given by reference into ``directory`` (see ``outputs``)."""
        from .outputs import download_results

        return download_results(self, job_id, directory, bars)

    def result_source(
        self, job_id: str, output: str | None = None
    ) -> Operation[tuple[ResultSource, Opener]]:
        """Where an output is and the opener of its media type (see ``outputs``)."""
        from .outputs import result_source

        return result_source(self, job_id, output)

    # -- requests -----------------------------------------------------------------------

    def validate_request(
        self, process_id: str, request: ExecuteRequest | Mapping[str, Any]
    ) -> Operation[list[RequestProblem]]:
        """Problems of ``request`` against the process's input schemas (empty: valid)."""
        from .validation import validate_request

        return validate_request((yield from self.get_process(process_id)), request)

    def create_request(self, process_id: str) -> Operation[ExecuteRequest]:
        """A request template with every input of the process."""
        from .validation import create_request

        return create_request((yield from self.get_process(process_id)))

    # -- paging -------------------------------------------------------------------------

    def _pages(
        self, url: str, params: Mapping[str, Any] | None, member: str, all_pages: bool
    ) -> Operation[dict[str, Any]]:
        answer = yield from self._get(url, params)
        body = json_of(answer)
        if not isinstance(body, dict):
            raise ClientError(answer.status_code, message=f"The answer of {url} is not an object.")
        items = list(body.get(member) or [])
        seen = {str(answer.request.url)}
        following = next_link(body, answer) if all_pages else None
        while following and following not in seen:
            seen.add(following)
            page = yield from self._get(following)
            page_body = json_of(page)
            items.extend(page_body.get(member) or [] if isinstance(page_body, dict) else [])
            following = next_link(page_body, page)
        if all_pages:
            body["links"] = [
                link
                for link in body.get("links") or []
                if not (isinstance(link, dict) and link.get("rel") in ("next", "prev"))
            ]
        body[member] = items
        return body
