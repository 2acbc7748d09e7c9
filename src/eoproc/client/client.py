"""The synchronous client."""

from __future__ import annotations

import threading
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from .base import BaseClient
from .binding import sync_operation, sync_stream
from .commands import Operation
from .config import ClientConfig
from .core import ApiCore
from .drivers import http_options, run_sync, sync_http
from .events import JobEvent
from .profile import ClientProfile

if TYPE_CHECKING:
    import httpx

    from eoproc.models import JobResults, StatusInfo

    from .signatures import ExecuteProcess

T = TypeVar("T")


class Client(BaseClient):
    """A client of an OGC API - Processes server.

    ``Client()`` reads the configuration (arguments > environment > config file >
    defaults, see :class:`ClientConfig`); use it as a context manager or call
    :meth:`close`. Every method raises :class:`ClientError` for error answers and
    :class:`TransportError` for network failures.

    The methods are the operations of the sans-IO :class:`~eoproc.client.core.ApiCore`
    (parameters and documentation are theirs), run by the sync driver.
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

    get_capabilities = sync_operation(ApiCore.get_capabilities)
    get_conformance = sync_operation(ApiCore.get_conformance)
    get_api_version = sync_operation(ApiCore.get_api_version)
    get_processes = sync_operation(ApiCore.get_processes)
    get_process = sync_operation(ApiCore.get_process)
    if TYPE_CHECKING:
        execute_process: ExecuteProcess[StatusInfo, JobResults, StatusInfo | JobResults]
    else:
        execute_process = sync_operation(ApiCore.execute_process)
    deploy_process = sync_operation(ApiCore.deploy_process)
    replace_process = sync_operation(ApiCore.replace_process)
    undeploy_process = sync_operation(ApiCore.undeploy_process)
    get_process_package = sync_operation(ApiCore.get_process_package)
    get_jobs = sync_operation(ApiCore.get_jobs)
    get_job = sync_operation(ApiCore.get_job)
    get_job_results = sync_operation(ApiCore.get_job_results)
    get_job_result = get_job_results
    dismiss_job = sync_operation(ApiCore.dismiss_job)
    stream_job_events = sync_stream(ApiCore.stream_job_events, JobEvent)
    wait_for_job = sync_operation(ApiCore.wait_for_job)
    execute_and_wait = sync_operation(ApiCore.execute_and_wait)
    download_results = sync_operation(ApiCore.download_results)
    open_job_result = sync_operation(ApiCore.open_job_result)
    validate_request = sync_operation(ApiCore.validate_request)
    create_request = sync_operation(ApiCore.create_request)
