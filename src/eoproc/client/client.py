"""The synchronous client."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from . import packages
from .base import BaseClient
from .commands import Operation
from .config import ClientConfig
from .drivers import http_options, iterate_sync, run_sync, sync_http
from .profile import ClientProfile

if TYPE_CHECKING:
    import httpx

    from eoproc.models import (
        Capabilities,
        ConformanceDeclaration,
        ExecuteRequest,
        JobList,
        JobResults,
        ProcessDescription,
        ProcessList,
        ProcessSummary,
        StatusInfo,
    )

    from .core import ExecutionMode, ProgressCallback
    from .events import JobEvent
    from .packages import PackageSource
    from .payloads import DateTimeFilter
    from .validation import RequestProblem
    from .versions import ApiVersion

T = TypeVar("T")


class Client(BaseClient):
    """A client of an OGC API - Processes server.

    ``Client()`` reads the configuration (arguments > environment > config file >
    defaults, see :class:`ClientConfig`); use it as a context manager or call
    :meth:`close`. Every method raises :class:`ClientError` for error answers and
    :class:`TransportError` for network failures.
    """

    def __init__(
        self,
        config: ClientConfig | None = None,
        *,
        api_url: str | None = None,
        profile: ClientProfile | None = None,
        config_path: str | Path | None = None,
        transport: httpx.BaseTransport | None = None,
        **overrides: Any,
    ) -> None:
        super().__init__(
            config, api_url=api_url, profile=profile, config_path=config_path, **overrides
        )
        self._transport = transport
        self._http_client: httpx.Client | None = None
        self._http_lock = threading.Lock()

    @property
    def http(self) -> httpx.Client:
        """The underlying ``httpx.Client`` (created on first use; thread-safe)."""
        with self._http_lock:
            if self._http_client is None:
                options = http_options(self.config, self._auth(), self._user_agent())
                self._http_client = sync_http(self.config, options, self._transport)
            return self._http_client

    def _run(self, operation: Operation[T]) -> T:
        return run_sync(self.http, operation)

    def close(self) -> None:
        """Close the connections."""
        with self._http_lock:
            if self._http_client is not None:
                self._http_client.close()
                self._http_client = None

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def get_capabilities(self) -> Capabilities:
        """The landing page of the service."""
        return self._run(self._core.get_capabilities())

    def get_conformance(self) -> ConformanceDeclaration:
        """The conformance classes the service declares."""
        return self._run(self._core.get_conformance())

    def get_api_version(self) -> ApiVersion:
        """The version of OGC API - Processes the server declares: ``"1.0"`` or ``"2.0"``."""
        return self._run(self._core.get_api_version())

    def get_processes(self, limit: int | None = None, all_pages: bool = False) -> ProcessList:
        """The list of processes (every page with ``all_pages``)."""
        return self._run(self._core.get_processes(limit, all_pages))

    def get_process(self, process_id: str) -> ProcessDescription:
        """The description of a process."""
        return self._run(self._core.get_process(process_id))

    @overload
    def execute_process(
        self,
        process_id: str,
        request: ExecuteRequest | Mapping[str, Any] | None = None,
        *,
        inputs: Mapping[str, Any] | None = None,
        outputs: Mapping[str, Any] | None = None,
        response: str | None = None,
        subscriber: Mapping[str, Any] | None = None,
        mode: Literal["async"] = "async",
    ) -> StatusInfo: ...

    @overload
    def execute_process(
        self,
        process_id: str,
        request: ExecuteRequest | Mapping[str, Any] | None = None,
        *,
        inputs: Mapping[str, Any] | None = None,
        outputs: Mapping[str, Any] | None = None,
        response: str | None = None,
        subscriber: Mapping[str, Any] | None = None,
        mode: Literal["sync"],
    ) -> JobResults: ...

    @overload
    def execute_process(
        self,
        process_id: str,
        request: ExecuteRequest | Mapping[str, Any] | None = None,
        *,
        inputs: Mapping[str, Any] | None = None,
        outputs: Mapping[str, Any] | None = None,
        response: str | None = None,
        subscriber: Mapping[str, Any] | None = None,
        mode: ExecutionMode,
    ) -> StatusInfo | JobResults: ...

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
    ) -> StatusInfo | JobResults:
        """Execute a process.

        ``request`` is an :class:`ExecuteRequest` or a mapping (a mapping of inputs
        works too); ``inputs`` etc. add to it. ``mode="async"`` returns the new job's
        status; ``"sync"`` returns the results (waiting for the job if the server
        runs it asynchronously); ``"auto"`` returns whatever the server chose.
        (A server that cannot run the process asynchronously answers with the
        results even in ``"async"`` mode.) Execution requests are never retried.
        """
        return self._run(
            self._core.execute_process(
                process_id,
                request,
                inputs=inputs,
                outputs=outputs,
                response=response,
                subscriber=subscriber,
                mode=mode,
            )
        )

    def deploy_process(
        self, package: PackageSource, *, process_id: str | None = None, w: str | None = None
    ) -> ProcessSummary:
        """Deploy an application package (OGC API - Processes - Part 2).

        ``package`` is a path to a CWL file (``app.cwl``) or to an OGC Application
        Package (``*.json`` with ``executionUnit``), CWL text, or a mapping of either.
        ``process_id`` deploys it under that id; ``w`` picks a process of a ``$graph``.
        Returns the summary of the new process.
        """
        return self._run(packages.deploy_process(self._core, package, process_id, w))

    def replace_process(
        self, process_id: str, package: PackageSource, *, w: str | None = None
    ) -> None:
        """Replace a deployed process with another package (a new version)."""
        self._run(packages.replace_process(self._core, process_id, package, w))

    def undeploy_process(self, process_id: str) -> None:
        """Undeploy a deployed process (refused while it has queued or running jobs)."""
        self._run(packages.undeploy_process(self._core, process_id))

    def get_process_package(self, process_id: str) -> str:
        """The application package a deployed process was deployed with."""
        return self._run(packages.get_process_package(self._core, process_id))

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
    ) -> JobList:
        """The list of jobs, optionally filtered (every page with ``all_pages``)."""
        return self._run(
            self._core.get_jobs(
                limit,
                status,
                process_id,
                datetime,
                all_pages,
                min_duration=min_duration,
                max_duration=max_duration,
            )
        )

    def get_job(self, job_id: str) -> StatusInfo:
        """The status of a job."""
        return self._run(self._core.get_job(job_id))

    def get_job_results(self, job_id: str) -> JobResults:
        """The results of a successful job."""
        return self._run(self._core.get_job_results(job_id))

    get_job_result = get_job_results

    def dismiss_job(self, job_id: str, already_ok: bool = True) -> StatusInfo:
        """Cancel a running job or delete a finished one; its status.

        A job dismissed before (410 Gone) is no error with ``already_ok``: its
        current status is returned.
        """
        return self._run(self._core.dismiss_job(job_id, already_ok))

    def stream_job_events(
        self, job_id: str, last_event_id: str | None = None, timeout: float | None = None
    ) -> Iterator[JobEvent]:
        """The events of a job (``GET /jobs/{id}/events``) until its final one.

        Each :class:`~eoproc.client.events.JobEvent` has the event's id, its type
        (``status`` or ``progress``) and the job's status. ``last_event_id`` resumes
        after that event; a dropped connection is resumed by itself. Raises
        :class:`~eoproc.client.events.EventsNotOffered` where the server has no
        event streams, :class:`JobTimeoutError` after ``timeout`` seconds.
        """
        return iterate_sync(self.http, self._core.stream_job_events(job_id, last_event_id, timeout))

    def wait_for_job(
        self,
        job_id: str,
        timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
        raise_on_failure: bool = True,
        *,
        progress: bool = False,
    ) -> StatusInfo:
        """Wait until a job ends; raises :class:`JobFailedError`, :class:`JobTimeoutError`.

        With ``progress`` a progress bar follows the job (in Jupyter or on the terminal).
        """
        notify, bar = self._job_bar(job_id, progress, on_progress)
        try:
            return self._run(self._core.wait_for_job(job_id, timeout, notify, raise_on_failure))
        finally:
            if bar is not None:
                bar.close()

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
    ) -> JobResults:
        """Execute a process, wait for its job and return the results.

        Raises :class:`JobTimeoutError` after ``timeout`` seconds; with
        ``dismiss_on_timeout`` the job is dismissed (cancelled) first.
        """
        return self._run(
            self._core.execute_and_wait(
                process_id,
                request,
                inputs=inputs,
                outputs=outputs,
                timeout=timeout,
                on_progress=on_progress,
                dismiss_on_timeout=dismiss_on_timeout,
            )
        )

    def download_results(
        self, job_id: str, directory: str | Path, *, progress: bool | None = None
    ) -> list[Path]:
        """Download a job's outputs given by reference into ``directory``; their paths.

        Each output gets its own file name; a Zarr output becomes a directory that
        ``xarray.open_zarr(path)`` opens. An interrupted download resumes where it
        stopped. ``progress``: bars for large files (default: in Jupyter or on a
        terminal).
        """
        return self._run(self._core.download_results(job_id, directory, self._bars(progress)))

    def open_job_result(self, job_id: str, output: str | None = None, **kwargs: Any) -> Any:
        """An output of a job as a Python object, chosen by its media type.

        ``xarray.Dataset`` for Zarr (opened lazily over HTTP: only the chunks you
        use are read) and NetCDF, ``pandas.DataFrame`` for Parquet and CSV,
        ``geopandas.GeoDataFrame`` for GeoParquet and GeoJSON, ``PIL.Image`` for
        images, a numpy array for ``.npy``, the value for JSON, bytes otherwise
        (see :mod:`eoproc.openers`). ``output`` may be left out when the job has
        one output; ``kwargs`` go to the reader (e.g. ``chunks=`` for Zarr).
        Raises :class:`~eoproc.openers.NoOpenerError` naming the media type and
        the extra to install when nothing can open it.
        """
        from dataclasses import replace

        source, opener = self._run(self._core.result_source(job_id, output))
        if opener.streams and source.url is not None:
            request = self.http.build_request("GET", source.url)
            auth = self.http.auth
            if auth is not None:
                flow = auth.sync_auth_flow(request)
                request = next(flow)
                flow.close()
            source = replace(
                source, url=str(request.url), headers=self._stream_headers(request, auth)
            )
        return opener.open(source, **kwargs)

    def validate_request(
        self, process_id: str, request: ExecuteRequest | Mapping[str, Any]
    ) -> list[RequestProblem]:
        """The problems of a request against the process's input schemas."""
        return self._run(self._core.validate_request(process_id, request))

    def create_request(self, process_id: str) -> ExecuteRequest:
        """A request template for a process (defaults, first enum values, empty values)."""
        return self._run(self._core.create_request(process_id))
