"""The asynchronous client: the same operations as :class:`Client`, as coroutines."""

from __future__ import annotations

from collections.abc import Awaitable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from .base import BaseClient
from .binding import async_operation, async_stream
from .commands import Operation
from .config import ClientConfig
from .core import ApiCore
from .drivers import async_http, http_options, run_async
from .events import JobEvent
from .profile import ClientProfile

if TYPE_CHECKING:
    import httpx

    from eoproc.models import JobResults, StatusInfo

    from .signatures import ExecuteProcess

T = TypeVar("T")


class AsyncClient(BaseClient):
    """An asyncio (anyio) client of an OGC API - Processes server.

    ``AsyncClient()`` reads the configuration (arguments > environment > config file >
    defaults, see :class:`ClientConfig`); use it as an async context manager or
    call :meth:`aclose`. Every method raises :class:`ClientError` for error answers and
    :class:`TransportError` for network failures.

    The methods are those of :class:`Client` as coroutines: the operations of the
    sans-IO :class:`~eoproc.client.core.ApiCore`, run by the async driver.
    """

    def __init__(
        self,
        config: ClientConfig | None = None,
        *,
        api_url: str | None = None,
        profile: ClientProfile | None = None,
        config_path: str | Path | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        **overrides: Any,
    ) -> None:
        super().__init__(
            config, api_url=api_url, profile=profile, config_path=config_path, **overrides
        )
        self._transport = transport
        self._http_client: httpx.AsyncClient | None = None

    @property
    def http(self) -> httpx.AsyncClient:
        """The underlying ``httpx.AsyncClient`` (created on first use)."""
        if self._http_client is None:
            options = http_options(self.config, self._auth(), self._user_agent(), is_async=True)
            self._http_client = async_http(self.config, options, self._transport)
        return self._http_client

    async def _run(self, operation: Operation[T]) -> T:
        return await run_async(self.http, operation)

    async def aclose(self) -> None:
        """Close the connections."""
        if self._http_client is not None:
            await self._http_client.aclose()
            self._http_client = None

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    get_capabilities = async_operation(ApiCore.get_capabilities)
    get_conformance = async_operation(ApiCore.get_conformance)
    get_api_version = async_operation(ApiCore.get_api_version)
    get_processes = async_operation(ApiCore.get_processes)
    get_process = async_operation(ApiCore.get_process)
    if TYPE_CHECKING:
        execute_process: ExecuteProcess[
            Awaitable[StatusInfo], Awaitable[JobResults], Awaitable[StatusInfo | JobResults]
        ]
    else:
        execute_process = async_operation(ApiCore.execute_process)
    deploy_process = async_operation(ApiCore.deploy_process)
    replace_process = async_operation(ApiCore.replace_process)
    undeploy_process = async_operation(ApiCore.undeploy_process)
    get_process_package = async_operation(ApiCore.get_process_package)
    get_jobs = async_operation(ApiCore.get_jobs)
    get_job = async_operation(ApiCore.get_job)
    get_job_results = async_operation(ApiCore.get_job_results)
    get_job_result = get_job_results
    dismiss_job = async_operation(ApiCore.dismiss_job)
    stream_job_events = async_stream(ApiCore.stream_job_events, JobEvent)
    wait_for_job = async_operation(ApiCore.wait_for_job)
    execute_and_wait = async_operation(ApiCore.execute_and_wait)
    download_results = async_operation(ApiCore.download_results)
    open_job_result = async_operation(ApiCore.open_job_result)
    validate_request = async_operation(ApiCore.validate_request)
    create_request = async_operation(ApiCore.create_request)
